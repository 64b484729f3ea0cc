"""Perceptron Studio entry point.

`python main.py` opens the window; `python main.py train|predict|evaluate|export|info ...` runs the
same core headless (see `python main.py --help`).
"""
from __future__ import annotations

import sys

HEADLESS_COMMANDS = {"train", "predict", "evaluate", "export", "info", "-h", "--help", "--version"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in HEADLESS_COMMANDS:
        from core.cli.main import main as cli_main  # no Qt import on the headless path

        return cli_main(argv, sys.stdout, sys.stderr)
    from gui.app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
