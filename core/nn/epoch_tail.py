"""The second half of the compiled epoch (core.nn.epoch_plan): train metrics as TrainMetrics
computes them, the optimizer step as core.nn.optimizers makes it, and EpochBook._improved's
best-epoch bookkeeping. A mixin of epoch_plan's writer (its emitter `e`, session `s`, `arr`,
routines `r`).
"""
from __future__ import annotations

import numpy as np

from core.nn import optimizers
from core.nn.epoch_ir import f64
from core.nn.optimizers import SGD, Momentum, RMSProp
from core.nn.train_monitor import FirstMaxHits

(EPOCH0, LR, LR_BASE, LR_BASE_EPOCH, LR_DECAY, STEPS0, BEST_LOSS, BEST_EPOCH, WAIT, TARGET,
 PATIENCE, ROWS, SST, LOSS_SUM, B1, B2, EPS, MU, RHO, FLUSH_BELOW, RIGHT, SAE, SSE) = range(23)
N_SCALARS = 23  # S, the scalars in and out (doubles)


class EpochTail:
    def sum(self, pointer: str, n: int) -> str:
        """np.add.reduce(x, None) of a contiguous float32 array: NumPy's add loop, reducing
        from 0 into one element (stride 0)."""
        acc = self.arr(np.zeros(1, np.float32))
        self.e.body.append(f"  store float 0.0, ptr {acc}")
        self.e.loop_call(np.add, [acc, pointer, acc], n, (0, 4, 0))
        return self.e.op(f"load float, ptr {acc}")

    def count(self, n: int, first: str, second: str, second_kind: str) -> str:
        """How many of n elements agree: (first > 0.5) == (second > 0.5), or with second a bool
        array (second_kind "i8")."""
        e = self.e
        name = f"agree{len(e.functions)}"
        test = ("  %b = load i8, ptr %b.at\n  %bt = icmp ne i8 %b, 0" if second_kind == "i8"
                else "  %b = load float, ptr %b.at\n  %bt = fcmp ogt float %b, 0.5")
        e.functions.append("\n".join([
            f"define internal i64 @{name}(ptr %x, ptr %y) {{", "entry:", "  br label %loop",
            "loop:", "  %i = phi i64 [ 0, %entry ], [ %next, %loop ]",
            "  %c = phi i64 [ 0, %entry ], [ %c.next, %loop ]",
            "  %a.at = getelementptr inbounds float, ptr %x, i64 %i",
            f"  %b.at = getelementptr inbounds {second_kind}, ptr %y, i64 %i",
            "  %a = load float, ptr %a.at", "  %at = fcmp ogt float %a, 0.5", test,
            "  %same = icmp eq i1 %at, %bt", "  %one = zext i1 %same to i64",
            "  %c.next = add i64 %c, %one", "  %next = add nuw nsw i64 %i, 1",
            f"  %done = icmp eq i64 %next, {n}", "  br i1 %done, label %exit, label %loop",
            "exit:", "  ret i64 %c.next", "}"]))
        return e.op(f"call i64 @{name}(ptr {first}, ptr {second})")

    def val_labels(self) -> np.ndarray:
        """The class labels of the validation rows, as TrainingSession._validate's counter has
        them."""
        return self.s._val.counter.labels

    def first_max_hits(self, outputs: np.ndarray, labels: np.ndarray) -> str:
        """How many of the (k, m) outputs' columns have their first maximum in the label's row,
        as TrainMetrics counts them: NumPy's argmax (a NaN is a maximum), or FirstMaxHits
        where it applies (a column holding a NaN never counts there). The two differ only for
        NaN outputs, which a finite training loss rules out but validation inputs may not."""
        e, (k, m) = self.e, outputs.shape
        nan_never_counts = FirstMaxHits.fits(k, m)
        labels = np.ascontiguousarray(labels, dtype=np.int64)
        name = f"hits{len(e.functions)}"
        lines = [f"define internal i64 @{name}(ptr %x, ptr %lab) {{", "entry:",
                 "  br label %col", "col:", "  %i = phi i64 [ 0, %entry ], [ %next, %col ]",
                 "  %c = phi i64 [ 0, %entry ], [ %c.next, %col ]",
                 "  %a0.at = getelementptr inbounds float, ptr %x, i64 %i",
                 "  %best0 = load float, ptr %a0.at", "  %idx0 = add i64 0, 0",
                 "  %anynan0 = fcmp uno float %best0, 0.0"]
        for j in range(1, k):
            lines += [f"  %a{j}.at = getelementptr inbounds float, ptr %x, i64 {j * m}",
                      f"  %a{j}.ati = getelementptr inbounds float, ptr %a{j}.at, i64 %i",
                      f"  %a{j} = load float, ptr %a{j}.ati",
                      f"  %up{j} = fcmp ugt float %a{j}, %best{j - 1}",
                      f"  %nan{j} = fcmp uno float %best{j - 1}, 0.0",
                      f"  %no{j} = xor i1 %nan{j}, true", f"  %take{j} = and i1 %up{j}, %no{j}",
                      f"  %best{j} = select i1 %take{j}, float %a{j}, float %best{j - 1}",
                      f"  %idx{j} = select i1 %take{j}, i64 {j}, i64 %idx{j - 1}",
                      f"  %isnan{j} = fcmp uno float %a{j}, 0.0",
                      f"  %anynan{j} = or i1 %anynan{j - 1}, %isnan{j}"]
        lines += ["  %l.at = getelementptr inbounds i64, ptr %lab, i64 %i",
                  "  %l = load i64, ptr %l.at", f"  %hit = icmp eq i64 %idx{k - 1}, %l",
                  f"  %clean = xor i1 %anynan{k - 1}, true",
                  f"  %same = and i1 %hit, {'%clean' if nan_never_counts else 'true'}",
                  "  %one = zext i1 %same to i64", "  %c.next = add i64 %c, %one",
                  "  %next = add nuw nsw i64 %i, 1", f"  %done = icmp eq i64 %next, {m}",
                  "  br i1 %done, label %exit, label %col", "exit:", "  ret i64 %c.next", "}"]
        e.functions.append("\n".join(lines))
        return e.op(f"call i64 @{name}(ptr {self.arr(outputs)}, ptr {self.arr(labels)})")

    def metrics(self, outputs: np.ndarray, Y: np.ndarray, validation: bool = False
                ) -> dict[str, str]:
        """TrainMetrics.add then .result() for the full batch: {name: double value}; the
        training metrics' counts also go to S (validation's counter is a separate one)."""
        e, task, n = self.e, self.s.task, outputs.size
        po, py = self.arr(outputs), self.arr(Y)
        if task != "regression":
            labels = self.val_labels() if validation else self.s._metrics.labels
            if task == "classification" and outputs.shape[0] > 1:
                right = self.first_max_hits(outputs, labels)
            elif task == "classification":
                right = self.count(n, po, self.arr(labels), "i8")
            else:
                right = self.count(n, po, py, "float")
            right = e.op(f"uitofp i64 {right} to double")
            if not validation:
                e.s_store(RIGHT, right)
            # right / n rows (classification), right / (n rows * k) decisions (multilabel)
            total = outputs.shape[1] if task == "classification" else n
            return {"accuracy": e.op(f"fdiv double {right}, {f64(float(total))}")}
        error, magnitude = self.arr(np.empty(n, np.float32)), self.arr(np.empty(n, np.float32))
        e.elementwise(n, {"o": po, "y": py, "err": error, "mag": magnitude},
                      [("r", "fsub", "o", "y"), ("a", "call float @llvm.fabs.f32(float {})", "r")],
                      {"err": "r", "mag": "a"})
        sae = e.op(f"fadd double 0.0, {e.op(f'fpext float {self.sum(magnitude, n)} to double')}")
        squares = e.sdot(self.r["sdot"], n, error, 1, error, 1)
        sse = e.op(f"fadd double 0.0, {e.op(f'fpext float {squares} to double')}")
        e.s_store(SAE, sae)
        e.s_store(SSE, sse)
        count = f64(float(n))
        r2 = "0.0"
        if self.s._metrics.sst > 0:
            r2 = e.op(f"fsub double 1.0, {e.op(f'fdiv double {sse}, {e.s_load(SST)}')}")
        return {"mae": e.op(f"fdiv double {sae}, {count}"),
                "rmse": e.op(f"call double @llvm.sqrt.f64(double "
                             f"{e.op(f'fdiv double {sse}, {count}')})"), "r2": r2}

    def step(self, lr: str) -> None:
        """The optimizer's step (core.nn.optimizers), scalars cast to float32 as NumPy does."""
        e, opt = self.e, self.s.optimizer
        arrays = [self.arr(self.s.params.flat), self.arr(self.s._backprop.grads.flat),
                  *(self.arr(b) for b in opt._state)]
        n = self.s.params.flat.size
        cast = lambda value: e.op(f"fptrunc double {value} to float")  # noqa: E731
        if isinstance(opt, SGD):
            e.elementwise(n, {"p": arrays[0], "g": arrays[1]},
                          [("s", "fmul", "g", "lr"), ("r", "fsub", "p", "s")], {"p": "r"},
                          {"lr": cast(lr)})
            return
        t = e.op(f"add i64 {e.op(f'fptoui double {e.s_load(STEPS0)} to i64')}, %e.done")
        if isinstance(opt, Momentum):
            name = "nesterov" if opt.nesterov else "momentum"
            scalars = [cast(lr), cast(e.s_load(MU))]
        elif isinstance(opt, RMSProp):
            rho = e.s_load(RHO)
            name, scalars = "rmsprop", [cast(e.op(f"fsub double 1.0, {rho}")), cast(rho),
                                        cast(e.s_load(EPS)), cast(lr)]
        else:
            b1, b2, tf = e.s_load(B1), e.s_load(B2), e.op(f"uitofp i64 {t} to double")
            pw = [e.op(f"call double {self.r['pow']}(double {b}, double {tf})") for b in (b1, b2)]
            c1 = e.op(f"fdiv double {e.op(f'fsub double 1.0, {b1}')}, "
                      f"{e.op(f'fsub double 1.0, {pw[0]}')}")
            ratio = e.op(f"fdiv double {e.op(f'fsub double 1.0, {b2}')}, "
                         f"{e.op(f'fsub double 1.0, {pw[1]}')}")
            c2 = e.op(f"call double @llvm.sqrt.f64(double {ratio})")
            step = e.op(f"fdiv double {e.op(f'fmul double {lr}, {c1}')}, {c2}")
            name, scalars = "adam", [cast(b1), cast(b2),
                                     cast(e.op(f"fdiv double {e.s_load(EPS)}, {c2}")), cast(step)]
        due = e.op(f"icmp eq i64 {e.op(f'urem i64 {t}, {optimizers.FLUSH_EVERY}')}, 0")
        flush, plain, joined = e.tmp("fl")[1:], e.tmp("pl")[1:], e.tmp("jn")[1:]
        e.body.append(f"  br i1 {due}, label %{flush}, label %{plain}")
        e.body.append(f"{flush}:")
        e.optimizer(name, True, arrays, n, scalars, cast(e.s_load(FLUSH_BELOW)))
        e.body += [f"  br label %{joined}", f"{plain}:"]
        e.optimizer(name, False, arrays, n, scalars, None)
        e.body += [f"  br label %{joined}", f"{joined}:"]

    def improved(self, monitored: str, epoch: str, p_flat: str, n_params: int
                 ) -> tuple[str, str, str, str]:
        """EpochBook._improved: the best loss, epoch and weights and the patience count, in S;
        returns them (improved as an i1, best loss, best epoch, wait)."""
        e, s = self.e, self.s
        best, best_epoch, wait = e.s_load(BEST_LOSS), e.s_load(BEST_EPOCH), e.s_load(WAIT)
        better = e.op(f"fcmp olt double {monitored}, {best}")
        best = e.op(f"select i1 {better}, double {monitored}, double {best}")
        best_epoch = e.op(f"select i1 {better}, double {epoch}, double {best_epoch}")
        wait = e.op(f"select i1 {better}, double 0.0, double "
                    f"{e.op(f'fadd double {wait}, 1.0')}")
        for index, value in ((BEST_LOSS, best), (BEST_EPOCH, best_epoch), (WAIT, wait)):
            e.s_store(index, value)
        if s._best is not None:
            copy, joined = e.tmp("bt")[1:], e.tmp("bj")[1:]
            e.body += [f"  br i1 {better}, label %{copy}, label %{joined}", f"{copy}:"]
            e.copy(self.arr(s._best), p_flat, n_params)
            e.body += [f"  br label %{joined}", f"{joined}:"]
        return better, best, best_epoch, wait

    def patience_out(self, better: str, wait: str) -> None:
        """End the chunk when early stopping's patience has run out (it only runs out on an
        epoch that did not improve)."""
        e = self.e
        if self.s.config.early_stopping_patience is not None:
            spent = e.op(f"fcmp oge double {wait}, {e.s_load(PATIENCE)}")
            e.branch_out(e.op(f"and i1 {e.op(f'xor i1 {better}, true')}, {spent}"),
                         "%e.patience")

    def snapshot(self, block: np.ndarray, p_flat: str, every: int, values: list[str],
                 keys: np.ndarray | None) -> None:
        """The epoch's weights and optimizer buffers into row e of `block`, for every `every`-th
        epoch of the chunk from its first (core.nn.snapshot_keys): what
        core.nn.snapshots.capture concatenates; and `values` (doubles) into column e of `keys`
        if given."""
        e, n = self.e, self.s.params.flat.size
        if every > 1:
            copy, joined = e.tmp("sk")[1:], e.tmp("sj")[1:]
            key = e.op(f"icmp eq i64 {e.op(f'urem i64 %e, {every}')}, 0")
            e.body += [f"  br i1 {key}, label %{copy}, label %{joined}", f"{copy}:"]
        row = e.op(f"getelementptr inbounds float, ptr {self.arr(block)}, "
                   f"i64 {e.op(f'mul i64 %e, {block.shape[1]}')}")
        for i, source in enumerate([p_flat, *(self.arr(b) for b in self.s.optimizer._state)]):
            e.copy(e.op(f"getelementptr inbounds float, ptr {row}, i64 {i * n}"), source, n)
        if keys is not None:
            for c, value in enumerate(values):
                at = e.op(f"getelementptr inbounds double, ptr {self.arr(keys)}, "
                          f"i64 {c * keys.shape[1]}")
                e.body.append(f"  store double {value}, ptr "
                              f"{e.op(f'getelementptr inbounds double, ptr {at}, i64 %e')}")
        if every > 1:
            e.body += [f"  br label %{joined}", f"{joined}:"]
