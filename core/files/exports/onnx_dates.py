"""Date columns in the raw-row ONNX graph: a text cell in the column's strptime format → the
features core.data.dates makes (elapsed days, then sin/cos of month, weekday, hour), computed in
float64 with the same operations, so the graph agrees with the app.

The cell is checked against a pattern built from the format (RegexFullMatch); an empty cell or one
not in the format takes the column's fill (its features, as the app fills it). The fields are cut
out at the format's separators (StringSplit), cast to numbers (month names through a LabelEncoder),
and turned into days since 1970-01-01 by the civil-calendar formula. Needs opset 20 (RegexFullMatch,
StringSplit). Fields that touch are supported as %Y%m%d (eight digits), the one such format
core.data.dates detects.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import numpy as np

from core.data import dates
from core.errors import ModelFileError

if TYPE_CHECKING:
    from onnx import NodeProto, TensorProto

    from core.files.exports.pipeline import PipelineColumn

DATE_OPSET = 20
ML_DOMAIN = "ai.onnx.ml"
_FIELD = {"%Y": r"\d{4}", "%y": r"\d{2}", "%m": r"\d{1,2}", "%d": r"\d{1,2}", "%H": r"\d{1,2}",
          "%M": r"\d{1,2}", "%S": r"\d{1,2}", "%b": r"[A-Za-z]{3}", "%B": r"[A-Za-z]{3,9}"}
DIGITS_ONLY = ["%Y", "%m", "%d"]
_MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]


def tokens(fmt: str) -> list[str]:
    """"%d/%m/%Y" → ["%d", "/", "%m", "/", "%Y"]: directives and the literal text between them."""
    parts = [p for p in re.split(r"(%[A-Za-z])", fmt) if p]
    unknown = [p for p in parts if p.startswith("%") and p not in _FIELD]
    if unknown:
        raise ModelFileError(f"The date format {fmt!r} has {unknown[0]}, which the ONNX export "
                             "cannot parse; export with --format onnx-features instead.")
    return parts


def pattern(fmt: str) -> str:
    """An RE2 pattern a cell in `fmt` matches in full."""
    if tokens(fmt) == DIGITS_ONLY:
        return r"\d{8}"
    return "".join(_FIELD[t] if t in _FIELD else re.sub(r"([^A-Za-z0-9 ])", r"\\\1", t)
                   for t in tokens(fmt))


class _Graph:
    """Adds nodes and constants under one column's prefix."""

    def __init__(self, prefix: str, nodes: list[NodeProto], inits: list[TensorProto]) -> None:
        self.prefix, self.nodes, self.inits, self.count = prefix, nodes, inits, 0

    def name(self, hint: str) -> str:
        self.count += 1
        return f"{self.prefix}_{hint}{self.count}"

    def const(self, values, dtype, hint: str = "c") -> str:
        from onnx import numpy_helper

        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.asarray(values, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str = "t", **attrs) -> str:
        from onnx import helper

        out = self.name(hint)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def num(self, value: float) -> str:
        return self.const(value, np.float64, "k")


def date_nodes(i: int, source: str, column: PipelineColumn, nodes: list[NodeProto],
               inits: list[TensorProto]) -> str:
    """(N, 1) text → (N, width) float64 features before scaling, in feature_names order."""
    g = _Graph(f"col{i}", nodes, inits)
    fmt = column.date_format
    parts = tokens(fmt)
    ok = g.op("RegexFullMatch", [source], "ok", pattern=pattern(fmt))
    dummy = g.const(np.array([[dt.datetime(1970, 1, 1).strftime(fmt)]], dtype=object), object)
    safe = g.op("Where", [ok, source, dummy], "safe")
    fields = _fields(g, safe, parts)
    days = _days(g, fields)
    features = _expand(g, days, fields, column.date_parts)
    fill = np.asarray(column.fill_features(), dtype=np.float64).reshape(1, -1)
    return g.op("Where", [ok, features, g.const(fill, np.float64, "fill")], "features")


def _fields(g: _Graph, text: str, parts: list[str]) -> dict[str, str]:
    """Directive → (N, 1) float64 tensor of that field."""
    if parts == DIGITS_ONLY:  # 20240315: fixed widths, cut by arithmetic
        whole = g.op("Cast", [text], "whole", to=11)
        year = g.op("Floor", [g.op("Div", [whole, g.num(10000)])])
        rest = g.op("Sub", [whole, g.op("Mul", [year, g.num(10000)])])
        month = g.op("Floor", [g.op("Div", [rest, g.num(100)])])
        return {"%Y": year, "%m": month, "%d": g.op("Sub", [rest, g.op("Mul", [month,
                                                                              g.num(100)])])}
    if [p for p in parts if p.startswith("%")] != parts[::2] or parts[0][0] != "%":
        raise ModelFileError(f"The date format {''.join(parts)!r} has fields with no separator "
                             "between them; export with --format onnx-features instead.")
    cells: dict[str, str] = {}
    rest = text
    for directive, separator in zip(parts[::2], [*parts[1::2], None], strict=True):
        if separator is None:
            cells[directive] = rest
            break
        pieces = g.op("StringSplit", [rest], "split", delimiter=separator, maxsplit=1)
        # StringSplit has two outputs; the second (counts) is unused but must be named.
        g.nodes[-1].output.append(g.name("count"))
        cells[directive] = g.op("Gather", [pieces, g.const(0, np.int64)], "field", axis=2)
        rest = g.op("Gather", [pieces, g.const(1, np.int64)], "rest", axis=2)
    return {d: _number(g, d, cell) for d, cell in cells.items()}


def _number(g: _Graph, directive: str, cell: str) -> str:
    if directive in ("%b", "%B"):
        names = [m[:3] if directive == "%b" else m for m in _MONTHS]
        keys, values = [], []
        for month, name in enumerate(names, start=1):
            for spelling in {name, name.lower(), name.upper()}:
                keys.append(spelling)
                values.append(month)
        code = g.op("LabelEncoder", [cell], "month", domain=ML_DOMAIN, keys_strings=keys,
                    values_int64s=values, default_int64=1)
        return g.op("Cast", [code], "monthf", to=11)
    value = g.op("Cast", [cell], "value", to=11)
    if directive == "%y":  # strptime: 69-99 → 1900s, 00-68 → 2000s
        century = g.op("Where", [g.op("Less", [value, g.num(69)]), g.num(2000), g.num(1900)])
        return g.op("Add", [value, century], "year")
    return value


def _days(g: _Graph, fields: dict[str, str]) -> str:
    """Days since 1970-01-01 as float64, computed as the app does: int64 nanoseconds / 86400e9."""
    year = fields.get("%Y") or fields.get("%y")
    month = fields.get("%m") or fields.get("%b") or fields.get("%B") or g.num(1)
    day = fields.get("%d") or g.num(1)
    # Howard Hinnant's days_from_civil: March-based years make the leap day the year's last.
    early = g.op("Cast", [g.op("LessOrEqual", [month, g.num(2)])], to=11)
    y = g.op("Sub", [year, early])
    era = g.op("Floor", [g.op("Div", [y, g.num(400)])])
    yoe = g.op("Sub", [y, g.op("Mul", [era, g.num(400)])])
    shifted = g.op("Add", [month, g.op("Where", [g.op("Greater", [month, g.num(2)]),
                                                 g.num(-3), g.num(9)])])
    doy = g.op("Add", [g.op("Floor", [g.op("Div", [g.op("Add", [g.op("Mul", [g.num(153),
                                                                         shifted]),
                                                              g.num(2)]), g.num(5)])]),
                       g.op("Sub", [day, g.num(1)])])
    doe = g.op("Add", [g.op("Sub", [g.op("Add", [g.op("Mul", [yoe, g.num(365)]),
                                                 g.op("Floor", [g.op("Div", [yoe, g.num(4)])])]),
                                    g.op("Floor", [g.op("Div", [yoe, g.num(100)])])]), doy])
    civil = g.op("Add", [g.op("Mul", [era, g.num(146097)]), g.op("Sub", [doe, g.num(719468)])])
    seconds = g.op("Mul", [civil, g.num(86400)])
    for directive, unit in (("%H", 3600), ("%M", 60), ("%S", 1)):
        if directive in fields:
            seconds = g.op("Add", [seconds, g.op("Mul", [fields[directive], g.num(unit)])])
    nanos = g.op("Mul", [g.op("Cast", [seconds], to=7), g.const(1_000_000_000, np.int64)])
    return g.op("Div", [g.op("Cast", [nanos], to=11), g.num(86_400e9)], "days")


def _expand(g: _Graph, days: str, fields: dict[str, str], parts: tuple[str, ...]) -> str:
    """dates.expand in graph form: days, then sin/cos of each cyclic part."""
    blocks = []
    for part in parts:
        if part == "days":
            blocks.append(days)
            continue
        if part == "hour":
            whole = g.op("Floor", [days])
            value = g.op("Floor", [g.op("Mul", [g.op("Sub", [days, whole]), g.num(24.0)])])
        elif part == "weekday":  # 1970-01-01 was a Thursday (Monday = 0)
            shifted = g.op("Add", [g.op("Floor", [days]), g.num(3)])
            value = g.op("Sub", [shifted, g.op("Mul", [g.op("Floor", [g.op("Div", [
                shifted, g.num(7)])]), g.num(7)])])
        else:  # month: January = 0
            month = fields.get("%m") or fields.get("%b") or fields.get("%B") or g.num(1)
            value = g.op("Sub", [month, g.num(1)])
        angle = g.op("Div", [g.op("Mul", [value, g.num(2 * np.pi)]), g.num(dates.PERIODS[part])])
        blocks += [g.op("Sin", [angle]), g.op("Cos", [angle])]
    return blocks[0] if len(blocks) == 1 else g.op("Concat", blocks, "expanded", axis=1)
