"""How the command line reads a CSV and names columns: --delimiter, --header/--no-header and
--kind COLUMN=KIND parsing, shared by train, predict and evaluate (and the early-stopping default
train applies)."""
from __future__ import annotations

import argparse
from typing import Any

from core.recipe.defaults import DEFAULT_EPOCHS, DEFAULT_PATIENCE

__all__ = ["DEFAULT_EPOCHS", "DEFAULT_PATIENCE", "add_read_options", "column_kind", "read_options"]

DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", "space": " ",
                   "spaces": " ", "\\t": "\t"}


def delimiter(text: str) -> str:
    """",", ";", "|", a tab, or a name: comma, semicolon, tab, pipe, space(s)."""
    value = DELIMITER_NAMES.get(text.strip().lower(), text)
    if len(value) != 1:
        raise argparse.ArgumentTypeError(
            f"expected one character or one of {', '.join(DELIMITER_NAMES)}, got {text!r}")
    return value


def column_kind(text: str) -> tuple[str, str]:
    """"COLUMN=KIND" → (column, kind); the kind is checked against core's list."""
    from core.data.columns import KINDS

    column, sep, kind = text.rpartition("=")
    if not sep or not column or kind not in KINDS:
        raise argparse.ArgumentTypeError(
            f"expected COLUMN=KIND with KIND one of {', '.join(KINDS)}, got {text!r}")
    return column, kind


def read_options(args: argparse.Namespace) -> dict[str, Any]:
    """load_csv's keyword arguments from --delimiter and --header/--no-header."""
    return {"delimiter": getattr(args, "delimiter", None), "header": getattr(args, "header", None)}


def add_read_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--delimiter", type=delimiter, default=None, metavar="CHAR",
                   help="the field separator: a character or comma, semicolon, tab, pipe, space "
                        "(default: detected)")
    header = p.add_mutually_exclusive_group()
    header.add_argument("--header", dest="header", action="store_true", default=None,
                        help="the first row names the columns (default: detected)")
    header.add_argument("--no-header", dest="header", action="store_false",
                        help="the first row is data; columns are called col_1, col_2, ...")
