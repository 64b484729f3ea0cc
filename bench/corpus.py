"""The real-table corpus (tests/corpus) against scikit-learn and against other epoch defaults.

Run: .venv/bin/python bench/corpus.py [--epochs-study] [TABLE ...]   (needs the bench extra)

1. Classification: held-out test accuracy of our defaults (the command line's: 16,8 tanh, Adam
   0.01, batch 32, at most 500 epochs, early stopping with restore-best after 50) against
   scikit-learn's MLPClassifier with the same layers and optimiser settings, trained on exactly
   our preprocessed arrays (train + validation rows; it holds out the same share for its own
   early stopping), scored on our test split.
2. With --epochs-study: test score (accuracy or R²) of every table at 100 and 500 epochs, with
   and without early stopping, to justify the defaults in core/recipe/defaults.py.
"""
from __future__ import annotations

import io
import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.cli.main import main  # noqa: E402
from core.data.csv_reader import load_csv  # noqa: E402
from core.data.dataset import DatasetOptions, prepare  # noqa: E402
from tests.corpus.collect import TABLES, collect  # noqa: E402

CACHE = ROOT / "out" / "corpus"


def ours(path: Path, target: str, *extra: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    model = CACHE / "bench_model.npz"
    if main(["train", str(path), "--target", target, "--out", str(model), "--json", *extra],
            out, err):
        raise RuntimeError(err.getvalue())
    return json.loads(out.getvalue())


def sklearn_accuracy(path: Path, target: str) -> float:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    data = prepare(load_csv(path), DatasetOptions(targets=(target,)))
    X = np.vstack([data.X_train, data.X_val])
    y = np.vstack([data.y_train, data.y_val])
    labels = y[:, 0] if y.shape[1] == 1 else y.argmax(axis=1)
    truth = data.y_test[:, 0] if y.shape[1] == 1 else data.y_test.argmax(axis=1)
    # scikit-learn refuses a validation share of a handful of rows; tiny tables train without.
    stop = len(data.X_val) >= 10
    model = MLPClassifier(hidden_layer_sizes=(16, 8), activation="tanh", solver="adam",
                          learning_rate_init=0.01, batch_size=32, max_iter=500,
                          early_stopping=stop,
                          validation_fraction=len(data.X_val) / len(X) if stop else 0.1,
                          n_iter_no_change=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, labels)
    return float((model.predict(data.X_test) == truth).mean())


def main_bench(argv: list[str]) -> None:
    study = "--epochs-study" in argv
    only = [a for a in argv if not a.startswith("--")]
    paths = collect(CACHE)
    rows = []
    for table in TABLES:
        if only and table.name not in only:
            continue
        record = ours(paths[table.name], table.target)
        metrics = record["metrics"]
        task = "regression" if "test_r2" in metrics else "classification"
        line = {"table": table.name, "task": task, "epochs": record["epochs"]}
        if task == "classification":
            line["ours"] = metrics["test_accuracy"]
            line["sklearn"] = sklearn_accuracy(paths[table.name], table.target)
        else:
            line["ours"] = metrics["test_r2"]
        if study:
            for label, extra in (("100", ["--epochs", "100", "--no-early-stopping"]),
                                 ("500", ["--epochs", "500", "--no-early-stopping"]),
                                 ("100+es", ["--epochs", "100"])):
                m = ours(paths[table.name], table.target, *extra)["metrics"]
                line[label] = m.get("test_r2", m.get("test_accuracy"))
        rows.append(line)
        print(_row(line), flush=True)
    _summary(rows, study)


def _fmt(value: object) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def _row(line: dict) -> str:
    text = (f"{line['table']:<24} {line['task']:<15} ep {line['epochs']:>4}  "
            f"ours {_fmt(line['ours'])}")
    if "sklearn" in line:
        text += f"  sklearn {_fmt(line['sklearn'])}  diff {line['ours'] - line['sklearn']:+.3f}"
    for label in ("100", "500", "100+es"):
        if label in line:
            text += f"  {label} {_fmt(line[label])}"
    return text


def _summary(rows: list[dict], study: bool) -> None:
    classes = [r for r in rows if r["task"] == "classification"]
    if classes:
        diffs = np.array([r["ours"] - r["sklearn"] for r in classes])
        print(f"classification: {len(classes)} tables, mean accuracy ours "
              f"{np.mean([r['ours'] for r in classes]):.3f} vs sklearn "
              f"{np.mean([r['sklearn'] for r in classes]):.3f}; within 2 points on "
              f"{int((diffs >= -0.02).sum())} of {len(classes)}")
    if study:
        worse = sum(1 for r in rows if None not in (r["100"], r["500"]) and r["500"] < r["100"])
        print(f"without early stopping, 500 epochs scored below 100 epochs on {worse} of "
              f"{len(rows)} tables")


if __name__ == "__main__":
    main_bench(sys.argv[1:])
