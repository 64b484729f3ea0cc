#!/usr/bin/env python3
"""Standalone predictor exported by Perceptron Studio (__ARCHITECTURE__).

Usage:  python predict.py INPUT.csv [OUTPUT.csv]

INPUT.csv holds raw rows with a header naming the model's input columns (any order; other columns,
such as the target, are ignored). Writes one row per input row: the prediction and, for
classification, one probability column per class (p_<class>) to OUTPUT.csv or stdout.
Needs only Python 3 and NumPy: the weights and the preprocessing are embedded below.
"""
# The script must run on any Python 3 with NumPy, hence %-formatting and zip() without strict.
# ruff: noqa: UP031, B905, SIM115
from __future__ import annotations

import csv
import json
import sys

import numpy as np

MODEL_JSON = "__MODEL_JSON__"  # replaced by the exporter with the model as a JSON string
MISSING = {"", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "?", "null", "NULL", "None", "#N/A",
           "-"}


def activation(name, z):
    if name == "identity":
        return z
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function, overflow-free
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.maximum(z, 0.01 * z)
    if name == "elu":
        return np.maximum(z, np.expm1(np.minimum(z, 0.0)))
    if name == "softplus":
        return np.logaddexp(z, 0.0)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError("unknown activation " + name)


def read_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as file:
        sample = file.read(65536)
        file.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(file, dialect)
        header = [name.strip() for name in next(reader)]
        return header, [row for row in reader if any(cell.strip() for cell in row)]


def encode(header, rows, pipeline):
    """Raw text rows -> the (n_rows, n_features) float matrix the network was trained on."""
    position = {name: i for i, name in enumerate(header)}
    columns = []
    for column in pipeline["columns"]:
        if column["name"] not in position:
            sys.exit("error: the input has no column '%s'" % column["name"])
        cells = [row[position[column["name"]]].strip() if position[column["name"]] < len(row)
                 else "" for row in rows]
        if column["kind"] == "categorical":
            cells = [category_of(c, column, line) for line, c in enumerate(cells, start=2)]
            columns.extend([[1.0 if c == category else 0.0 for c in cells]
                            for category in column["categories"]])
        else:
            columns.append([number(c, column, line) for line, c in enumerate(cells, start=2)])
    X = np.array(columns, dtype=np.float64).T.reshape(len(rows), -1)
    return (X - np.array(pipeline["offset"])) / np.array(pipeline["scale"])


def category_of(cell, column, line):
    """The category a cell names; "2.0" is "2" when the model knows "2" (numbers read as such)."""
    if cell in MISSING:
        if column.get("fill") is None:
            sys.exit("error: line %d: column '%s' is empty" % (line, column["name"]))
        return column["fill"]
    if cell not in column["categories"]:
        try:
            value = float(cell)
            if value.is_integer() and str(int(value)) in column["categories"]:
                return str(int(value))
        except ValueError:
            pass
        sys.exit("error: line %d: column '%s' holds %r, not a category the model knows"
                 % (line, column["name"], cell))
    return cell


def number(cell, column, line):
    if cell in MISSING:
        if column.get("fill") is None:
            sys.exit("error: line %d: column '%s' is empty" % (line, column["name"]))
        return column["fill"]
    try:
        return float(cell)
    except ValueError:
        sys.exit("error: line %d: column '%s' holds %r, not a number" % (line, column["name"],
                                                                        cell))


def forward(model, X):
    a = X.astype(model["dtype"])
    for layer in model["layers"]:
        z = a @ np.array(layer["weights"], dtype=model["dtype"]).reshape(a.shape[1], -1)
        if layer["use_bias"]:
            z = z + np.array(layer["biases"], dtype=model["dtype"])
        a = activation(layer["activation"], z)
    return a


def decode(outputs, pipeline):
    """Output header and one list of cells per row."""
    task, classes = pipeline["task"], pipeline["class_names"]
    targets = pipeline["target_names"]
    if task == "regression":
        values = outputs * np.array(pipeline["target_scale"]) + np.array(pipeline["target_offset"])
        return list(targets), [[repr(float(v)) for v in row] for row in values]
    if task == "multilabel":
        labels = (outputs > 0.5).astype(int)
        header = list(targets) + ["p_" + t for t in targets]
        return header, [[str(v) for v in lab] + [repr(float(p)) for p in out]
                        for lab, out in zip(labels, outputs)]
    if outputs.shape[1] == 1:  # one sigmoid output: P(second class), which wins above 0.5
        probs = np.hstack([1.0 - outputs, outputs])
        index = (outputs[:, 0] > 0.5).astype(int)
    else:
        probs = outputs
        index = probs.argmax(axis=1)
    header = [targets[0] if targets else "prediction"] + ["p_" + c for c in classes]
    return header, [[classes[i]] + [repr(float(p)) for p in row] for i, row in zip(index, probs)]


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    model = json.loads(MODEL_JSON)
    header, rows = read_rows(argv[1])
    outputs = forward(model, encode(header, rows, model["pipeline"]))
    out_header, out_rows = decode(outputs.astype(np.float64), model["pipeline"])
    out = open(argv[2], "w", newline="", encoding="utf-8") if len(argv) == 3 else sys.stdout
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(out_header)
        writer.writerows(out_rows)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
