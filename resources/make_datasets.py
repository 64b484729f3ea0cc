"""Write the bundled example datasets to resources/datasets/*.csv.

Run once by a developer (`python resources/make_datasets.py`); the app only reads the CSVs and never
imports scikit-learn. The tabular sets are exported from scikit-learn's bundled copies; the spirals
and circles are drawn here like the TensorFlow playground's, from a fixed seed, so re-running the
script reproduces every file byte for byte.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "datasets"
SEED = 20240601


def write_csv(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    # "\n" line endings and no index column: the files must look the same on every platform.
    with open(OUT / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def fmt(value: float) -> str:
    """Shortest text that reads back as the same float (integers without '.0')."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def write_frame(name: str, X: np.ndarray, feature_names: Sequence[str], target_name: str,
                target: Sequence[object]) -> None:
    rows = ([fmt(v) for v in x] + [t] for x, t in zip(X, target, strict=True))
    write_csv(name, [*feature_names, target_name], rows)


def tutorial_tables() -> None:
    write_csv("xor.csv", ["x1", "x2", "y"], [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]])
    # The first tutorial feeds a constant 1 as a third input instead of a bias.
    write_csv("xor_bias.csv", ["x1", "x2", "x3", "y"],
              [[0, 0, 1, 0], [0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0]])
    write_csv("exam_scores.csv", ["hours_studied", "hours_slept", "score"],
              [[2, 9, 92], [1, 5, 86], [3, 6, 89]])


def sklearn_tables() -> None:
    from sklearn import datasets  # developer-only dependency (the "bench" extra)

    iris = datasets.load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    write_frame("iris.csv", iris.data, names, "species", iris.target_names[iris.target])
    wine = datasets.load_wine()
    write_frame("wine.csv", wine.data, _snake(wine.feature_names), "cultivar",
                wine.target_names[wine.target])
    cancer = datasets.load_breast_cancer()
    write_frame("breast_cancer.csv", cancer.data, _snake(cancer.feature_names), "diagnosis",
                cancer.target_names[cancer.target])
    digits = datasets.load_digits()
    write_frame("digits.csv", digits.data, [f"pixel_{i}" for i in range(64)], "digit",
                [str(t) for t in digits.target])
    # scaled=False: the raw diabetes table (age in years, BMI...), so scaling is the app's job.
    diabetes = datasets.load_diabetes(scaled=False)
    write_frame("diabetes.csv", diabetes.data, _snake(diabetes.feature_names), "progression",
                [fmt(t) for t in diabetes.target])


def _snake(names: Iterable[str]) -> list[str]:
    return [n.strip().lower().replace(" ", "_").replace("/", "_") for n in names]


def spirals(rng: np.random.Generator, n_per_class: int = 200, noise: float = 0.25) -> list:
    """Two interleaved spirals, drawn as the playground draws them (radius grows with angle)."""
    rows = []
    for label, delta in ((0, 0.0), (1, np.pi)):
        i = np.arange(n_per_class)
        r = i / n_per_class * 5.0
        t = 1.75 * i / n_per_class * 2 * np.pi + delta
        x = r * np.sin(t) + rng.uniform(-1, 1, n_per_class) * noise
        y = r * np.cos(t) + rng.uniform(-1, 1, n_per_class) * noise
        rows += [[f"{a:.4f}", f"{b:.4f}", label] for a, b in zip(x, y, strict=True)]
    return rows


def circles(rng: np.random.Generator, n_per_class: int = 200, noise: float = 0.1) -> list:
    """A disc of class 0 inside a ring of class 1 (radius 5 overall)."""
    rows = []
    for label, (r_low, r_high) in ((0, (0.0, 2.5)), (1, (3.5, 5.0))):
        r = rng.uniform(r_low, r_high, n_per_class)
        angle = rng.uniform(0, 2 * np.pi, n_per_class)
        x = r * np.sin(angle) + rng.uniform(-5, 5, n_per_class) * noise
        y = r * np.cos(angle) + rng.uniform(-5, 5, n_per_class) * noise
        rows += [[f"{a:.4f}", f"{b:.4f}", label] for a, b in zip(x, y, strict=True)]
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tutorial_tables()
    sklearn_tables()
    rng = np.random.default_rng(SEED)
    write_csv("spirals.csv", ["x", "y", "class"], spirals(rng))
    write_csv("circles.csv", ["x", "y", "class"], circles(rng))


if __name__ == "__main__":
    main()
