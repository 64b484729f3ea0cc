"""How closely the exports reproduce the app on every bundled dataset, with weights it trained.

Run: .venv/bin/python bench/export_parity.py   (needs the [torch] and [test] extras)
Prints, per dataset, the largest absolute difference between the app and
- the exported train.py's forward pass on the training data (float32),
- one plain-SGD full-batch step of train.py from the same weights (weights after the step),
- the raw-row ONNX graph in onnxruntime on the CSV as read (probabilities, or target values
  relative to max(1, |value|)),
then the wall time of a 2-process torchrun (gloo, CPU) continuing training for 5 epochs, and
whether the app opens what it wrote.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402

from core.data.dataset import DatasetOptions, load_csv, prepare  # noqa: E402
from core.files.bundle import ModelBundle  # noqa: E402
from core.files.exports import export_model  # noqa: E402
from core.files.exports.onnx_rows import raw_row_feed  # noqa: E402
from core.files.exports.pipeline import pipeline_of  # noqa: E402
from core.files.model_io import load_model  # noqa: E402
from core.files.prediction import bundle_predict  # noqa: E402
from core.nn.losses import default_loss  # noqa: E402
from core.nn.model import forward  # noqa: E402
from core.nn.spec import NetworkSpec  # noqa: E402
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params  # noqa: E402

DATASETS = ROOT / "resources" / "datasets"


def trained_bundle(path: Path) -> tuple[ModelBundle, object]:
    table = load_csv(path)
    data = prepare(table, DatasetOptions(target_scaling="standard"))
    output = ("identity" if data.task == "regression" else
              "softmax" if data.task == "classification" and data.n_outputs > 1 else "sigmoid")
    spec = NetworkSpec.build(data.n_inputs, [16, 8], data.n_outputs, "tanh", output)
    config = TrainConfig(epochs=50, batch_size=32, learning_rate=0.01)
    params = initial_params(spec, config)
    for _ in TrainingSession(spec, params, TrainingData(data.X_train, data.y_train,
                                                       task=data.task), config).run():
        pass
    return ModelBundle(spec, params, default_loss(output), data.preprocessing, config), table


def load_script(folder: Path):
    spec = importlib.util.spec_from_file_location(f"train_{folder.name}", folder / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def differences(bundle: ModelBundle, table, folder: Path) -> tuple[float, float, float]:
    export_model(bundle, "pytorch", folder)
    module = load_script(folder)
    prep = module.Preprocessing(json.loads((folder / "preprocessing.json").read_text()))
    meta, weights, biases = module.read_model_file(folder / "model.npz")
    net = module.build_network(meta["spec"])
    module.load_weights(net, weights, biases)
    frame = module.read_csv(table.path, prep.input_columns + prep.target_names)
    frame = frame[prep.usable(frame, bundle.preprocessing.missing == "drop")]
    frame = frame.reset_index(drop=True)
    X, Y = prep.inputs(frame), prep.targets(frame)
    with torch.no_grad():
        ours = net(torch.as_tensor(X, dtype=torch.float32)).numpy()
    forward_diff = float(np.abs(ours - forward(bundle.spec, bundle.params, X)).max())
    # One plain-SGD full-batch step from the same weights, in both.
    settings = dict(json.loads((folder / "training.json").read_text()), optimizer="sgd",
                    learning_rate=0.1)
    module.train_step(net[:-1], net[-1], module.make_loss(settings["loss"],
                                                          settings["output_activation"]),
                      module.make_optimizer(net, settings), torch.as_tensor(X, dtype=torch.float32),
                      torch.as_tensor(Y, dtype=torch.float32))
    config = replace(bundle.config, optimizer="sgd", learning_rate=0.1, batch_size=None, epochs=1)
    session = TrainingSession(bundle.spec, bundle.params.copy(),
                              TrainingData(X, Y, task=bundle.task), config)
    for _ in session.run():
        pass
    step_diff = max(float(np.abs(linear.weight.detach().numpy().T - w).max())
                    for linear, w in zip(module.linears(net), session.params.weights,
                                         strict=True))
    export_model(bundle, "onnx", folder / "rows.onnx")
    onnx_session = ort.InferenceSession(str(folder / "rows.onnx"),
                                        providers=["CPUExecutionProvider"])
    rows = table.frame.dropna(subset=list(bundle.preprocessing.input_columns))
    got = onnx_session.run(["output"], raw_row_feed(pipeline_of(bundle), rows))[0]
    result = bundle_predict(bundle, rows)
    expected = result.decoded if bundle.task == "regression" else result.outputs
    # Relative to the size of the value (regression targets are in their own units, ~100s).
    scale = np.maximum(1.0, np.abs(expected))
    return forward_diff, step_diff, float((np.abs(got - expected) / scale).max())


def torchrun_seconds(bundle: ModelBundle, table, folder: Path) -> tuple[float, bool]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                           "--nproc_per_node", "2", str(folder / "train.py"), table.path,
                           "--epochs", "5", "--out", str(folder / "trained.npz")],
                          capture_output=True, text=True, cwd=folder)
    seconds = time.perf_counter() - started
    if done.returncode:
        print(done.stdout, done.stderr)
        return seconds, False
    return seconds, load_model(folder / "trained.npz").spec == bundle.spec


def main() -> None:
    print(f"{'dataset':<18}{'forward':>12}{'SGD step':>12}{'ONNX rows':>12}")
    worst = [0.0, 0.0, 0.0]
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(DATASETS.glob("*.csv")):
            bundle, table = trained_bundle(path)
            diffs = differences(bundle, table, Path(tmp) / path.stem)
            worst = [max(a, b) for a, b in zip(worst, diffs, strict=True)]
            print(f"{path.name:<18}" + "".join(f"{d:>12.1e}" for d in diffs))
        print(f"{'largest':<18}" + "".join(f"{d:>12.1e}" for d in worst))
        bundle, table = trained_bundle(DATASETS / "digits.csv")
        seconds, opened = torchrun_seconds(bundle, table, Path(tmp) / "digits")
        print(f"torchrun --nproc_per_node 2, digits.csv, 5 epochs: {seconds:.1f} s; "
              f"the app opens trained.npz: {opened}")


if __name__ == "__main__":
    main()
