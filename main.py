"""Perceptron Studio entry point.

`python main.py` opens the window; `python main.py train|predict|evaluate|export|info ...` runs the
same core headless (see `python main.py --help`).
"""
from __future__ import annotations

import difflib
import os
import sys

COMMANDS = ("train", "predict", "evaluate", "export", "info")
HEADLESS_COMMANDS = {*COMMANDS, "-h", "--help", "--version"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in HEADLESS_COMMANDS:
        from core.cli.main import main as cli_main  # no Qt import on the headless path

        return cli_main(argv, sys.stdout, sys.stderr)
    if argv and not argv[0].startswith("-") and not os.path.exists(argv[0]):
        # A mistyped command must not open a window (a script would hang, or abort without a
        # display): the window only opens on an existing file.
        sys.stderr.write(unknown_command(argv[0]) + "\n")
        return 2
    from gui.app import run_app

    return run_app(argv)


def unknown_command(word: str) -> str:
    close = difflib.get_close_matches(word, COMMANDS, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return (f"perceptron-studio: '{word[:80]}' is neither a command nor an existing file.{hint} "
            f"Commands: {', '.join(COMMANDS)} (see --help); `python main.py [FILE]` opens the "
            "window.")


if __name__ == "__main__":
    sys.exit(main())
