#!/usr/bin/env python3
"""Standalone predictor exported by Perceptron Studio (__ARCHITECTURE__).

Usage:  python predict.py INPUT.csv [OUTPUT.csv]

INPUT.csv holds raw rows with a header naming the model's input columns (any order; other columns,
such as the target, are ignored). It is read as Perceptron Studio reads it: the delimiter (comma,
semicolon, tab, pipe or spaces) and decimal commas are detected, quotes follow the CSV rules, TRUE /
FALSE are 1 / 0. Writes one row per input row: the prediction and, for classification, one
probability column per class (p_<class>) to OUTPUT.csv or stdout. An empty cell takes the training
value and a category the model never saw counts as unknown (both are reported on stderr).
Needs only Python 3 and NumPy: the weights and the preprocessing are embedded below.
"""
# The script must run on any Python 3 with NumPy, hence %-formatting and zip() without strict.
# ruff: noqa: UP031, B905, SIM115
from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import datetime

import numpy as np

MODEL_JSON = "__MODEL_JSON__"  # replaced by the exporter with the model as a JSON string
MISSING = {"", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "?", "null", "NULL", "None", "#N/A",
           "-"}
BOOLEANS = {"true": 1.0, "false": 0.0}  # pandas reads True/TRUE/true as a boolean
DELIMITERS = (",", ";", "\t", "|")
EPOCH = datetime(1970, 1, 1)
PERIODS = {"month": 12.0, "weekday": 7.0, "hour": 24.0}
NOTES = {"filled": set(), "unknown": {}, "bad_dates": {}}


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


def records(text, delimiter):
    if delimiter == " ":  # runs of spaces separate; leading spaces do not start a field
        text = "\n".join(line.strip() for line in text.splitlines())
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    return [row for row in reader if row and any(cell.strip() for cell in row)]


def sniff_delimiter(sample):
    """As the app: the delimiter that splits the first rows most evenly into the most fields;
    runs of spaces only when none does."""
    scores = {}
    for candidate in DELIMITERS + (" ",):
        try:
            counts = [len(row) for row in records(sample, candidate)[:50]]
        except csv.Error:
            continue
        if counts and max(counts) >= 2:
            modal = max(set(counts), key=counts.count)
            scores[candidate] = (counts.count(modal) / float(len(counts)), modal)
    spaces = scores.pop(" ", None)
    if spaces and spaces[0] >= 0.9 and (not scores or max(scores.values())[0] < 0.9):
        return " "
    if not scores:
        return ","
    best = max(scores, key=lambda c: scores[c])
    if best == ",":
        for other in ("\t", ";", "|"):
            if scores.get(other, (0.0, 0))[0] == 1.0 and decimal_commas(sample, other):
                return other
    return best


def decimal_commas(sample, delimiter):
    rows = records(sample, delimiter)[1:50]
    return any(re.match(r"^\s*[-+]?\d*,\d+\s*$", cell) for row in rows for cell in row)


def read_rows(path, names):
    """The header (or col_1... when the model was trained on a file without one) and the rows."""
    with open(path, "rb") as file:
        data = file.read()
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    delimiter = sniff_delimiter(text[:65536])
    rows = records(text, delimiter)
    comma = delimiter != "," and decimal_commas(text[:65536], delimiter)
    if not rows:
        return [], [], comma
    header = [name.strip() for name in rows[0]]
    if not set(names) <= set(header) and all(re.match(r"^col_\d+$", n) for n in names):
        return ["col_%d" % (i + 1) for i in range(len(rows[0]))], rows, comma
    return header, rows[1:], comma


def encode(header, rows, pipeline, comma):
    """Raw text rows -> the (n_rows, n_features) float matrix the network was trained on."""
    position = {name: i for i, name in enumerate(header)}
    columns = []
    for column in pipeline["columns"]:
        if column["name"] not in position:
            sys.exit("error: the input has no column '%s' (the model needs: %s)"
                     % (column["name"], ", ".join(c["name"] for c in pipeline["columns"])))
        cells = [row[position[column["name"]]].strip() if position[column["name"]] < len(row)
                 else "" for row in rows]
        for line, cell in enumerate(cells):
            if cell in MISSING:
                NOTES["filled"].add(line)
        if column["kind"] == "categorical":
            cells = [category_of(c, column) for c in cells]
            columns.extend([[1.0 if c == category else 0.0 for c in cells]
                            for category in column["categories"]])
        elif column["kind"] == "date":
            days = np.array([date_days(c, column) for c in cells], dtype=np.float64)
            columns.extend(date_features(days, column["date_parts"]).T.tolist())
        else:
            columns.append([number(c, column, line, comma) for line, c in enumerate(cells, 2)])
    X = np.array(columns, dtype=np.float64).T.reshape(len(rows), -1)
    return (X - np.array(pipeline["offset"])) / np.array(pipeline["scale"])


def label_text(cell):
    """As the app names a category: "2.0" is "2", TRUE is "True"."""
    try:
        value = float(cell)
        if value.is_integer():
            return str(int(value))
    except ValueError:
        if cell.lower() in BOOLEANS:
            return cell.capitalize()
    return cell


def category_of(cell, column):
    if cell in MISSING:
        return column["fill"]
    label = cell if cell in column["categories"] else label_text(cell)
    if label not in column["categories"]:  # unknown: all zeros, counted
        seen = NOTES["unknown"].setdefault(column["name"], {})
        seen[cell] = seen.get(cell, 0) + 1
    return label


def date_days(cell, column):
    if cell in MISSING:
        return float(column["fill"])
    try:
        stamp = datetime.strptime(cell, column["date_format"])
    except ValueError:
        NOTES["bad_dates"][column["name"]] = NOTES["bad_dates"].get(column["name"], 0) + 1
        return float(column["fill"])
    return (stamp - EPOCH).total_seconds() / 86400.0


def date_features(days, parts):
    blocks = []
    for part in parts:
        if part == "days":
            blocks.append(days)
            continue
        if part == "hour":
            value = np.floor((days - np.floor(days)) * 24.0)
        elif part == "weekday":  # 1970-01-01 was a Thursday (Monday = 0)
            value = np.mod(np.floor(days) + 3, 7)
        else:
            seconds = (days * 86400).astype("int64").astype("datetime64[s]")
            value = seconds.astype("datetime64[M]").astype(np.int64) % 12.0
        angle = 2 * np.pi * value / PERIODS[part]
        blocks += [np.sin(angle), np.cos(angle)]
    return np.column_stack(blocks) if blocks else np.zeros((len(days), 0))


def number(cell, column, line, comma):
    if cell in MISSING:
        return float(column["fill"])
    if cell.lower() in BOOLEANS:
        return BOOLEANS[cell.lower()]
    try:
        return float(cell.replace(",", ".") if comma else cell)
    except ValueError:
        sys.exit("error: line %d: column '%s' holds %r, not a number" % (line, column["name"],
                                                                        cell))


def report():
    if NOTES["filled"]:
        sys.stderr.write("%d rows had empty input cells: filled with the training values.\n"
                         % len(NOTES["filled"]))
    for name, counts in NOTES["unknown"].items():
        sys.stderr.write("%d rows of column '%s' hold a category the model never saw (%s): "
                         "treated as unknown.\n" % (sum(counts.values()), name,
                                                    ", ".join(sorted(counts)[:3])))
    for name, n in NOTES["bad_dates"].items():
        sys.stderr.write("%d rows of column '%s' hold a date in another format: treated as "
                         "empty.\n" % (n, name))


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
    pipeline = model["pipeline"]
    header, rows, comma = read_rows(argv[1], [c["name"] for c in pipeline["columns"]])
    outputs = forward(model, encode(header, rows, pipeline, comma))
    report()
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
