"""The headless command line: `python main.py train|predict|evaluate|export|info ...`.

Same core as the window, no Qt. Output goes only to the streams `main` is given; a person sees
one clear line on stderr for any expected failure (bad arguments, bad files), never a traceback.
"""
from __future__ import annotations

import argparse
from typing import TextIO

from core.cli.usage import UsageError
from core.errors import StudioError

__all__ = ["UsageError", "build_parser", "main"]

PROG = "perceptron-studio"

DESCRIPTION = """\
Perceptron Studio: train small neural networks on CSV files.
Without a command, `python main.py` opens the window; these commands run headless."""

EPILOG = """\
examples:
  python main.py train resources/datasets/iris.csv --target species --hidden 8 --out iris.npz
  python main.py predict iris.npz new_flowers.csv --out predictions.csv
  python main.py evaluate iris.npz resources/datasets/iris.csv
  python main.py export iris.npz --format onnx --out iris.onnx
  python main.py info iris.npz

Run `python main.py COMMAND --help` for the options of one command."""


class _Parser(argparse.ArgumentParser):
    """argparse that writes help to the given stdout and raises instead of exiting."""

    def __init__(self, *args: object, stdout: TextIO, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._stdout = stdout

    def _print_message(self, message: str, file: object = None) -> None:
        if message:
            self._stdout.write(message)

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        raise UsageError(message or "", status)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see --help)", 2)


def build_parser(stdout: TextIO) -> argparse.ArgumentParser:
    from core.cli.args import add_subcommands

    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG, stdout=stdout)
    from core.files.bundle import app_version

    parser.add_argument("--version", action="version", version=f"{PROG} {app_version()}")
    # Subcommand descriptions are prose, so those parsers wrap them; the top level keeps its
    # hand-laid examples.
    add_subcommands(parser, lambda **kw: _Parser(stdout=stdout,
                                                 formatter_class=argparse.HelpFormatter, **kw))
    return parser


def main(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """Run one command; return the process exit status (0 ok, 1 failed, 2 bad usage)."""
    try:
        parser = build_parser(stdout)
        args = parser.parse_args(argv)
        if getattr(args, "run", None) is None:
            parser.print_help()
            return 2 if not argv else 0
        return int(args.run(args, stdout, stderr) or 0)
    except UsageError as exc:
        if str(exc):
            _line(stderr, str(exc))
        return exc.status
    except StudioError as exc:
        _line(stderr, f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _line(stderr, "interrupted")
        return 130
    except MemoryError:
        _line(stderr, "error: not enough memory for this data or network")
        return 1
    except OSError as exc:
        name = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        _line(stderr, f"error:{name} {exc.strerror or exc}")
        return 1
    except Exception as exc:  # a bug still gets one line, not a traceback; the type helps a report
        _line(stderr, f"internal error ({type(exc).__name__}): {exc}")
        return 1


def _line(stream: TextIO, text: str) -> None:
    # One line, whatever the message holds: scripts grep stderr.
    stream.write(" ".join(text.split()) + "\n")
    stream.flush()
