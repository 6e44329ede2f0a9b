"""Command line: ``kamsim generate | calibrate | simulate | compare | policies | explore``.

Each sub-command lives in its own module with two functions:
``add_parser(subparsers)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

#: Sub-command name -> module (under kamsim.cli) implementing it.
COMMANDS: dict[str, str] = {
    "generate": "generate",
    "calibrate": "calibrate",
    "simulate": "simulate",
    "compare": "compare",
    "policies": "policies",
    "explore": "explore",
}


#: Longest error message printed (characters); the rest is cut and replaced by ``...``.
MAX_ERROR_CHARS: int = 2000


class CLIError(Exception):
    """A user error: printed as ``kamsim: error: <message>`` with exit code 2."""


def _error_text(exc: BaseException | str) -> str:
    """The message of ``exc``, at most :data:`MAX_ERROR_CHARS` characters."""
    text = str(exc)
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


class _Parser(argparse.ArgumentParser):
    """``ArgumentParser`` whose usage errors (``invalid int value: '...'``) are capped in length too.

    Sub-command parsers are created with the class of their parent, so this covers them all.
    """

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {_error_text(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kamsim",
        description="Key Account Management course kit and portfolio simulator.",
    )
    from kamsim._version import __version__

    parser.add_argument("--version", action="version", version=f"kamsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMANDS.values():
        importlib.import_module(f"kamsim.cli.{module}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _refuse_lost_values(parser, args)
    try:
        return int(args.run(args) or 0)
    except CLIError as exc:
        parser.exit(2, f"kamsim: error: {_error_text(exc)}\n")
    except (ValueError, FileNotFoundError) as exc:
        parser.exit(2, f"kamsim: error: {_error_text(exc)}\n")
    return 0


def _refuse_lost_values(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit 2 for an option whose value argparse lost: ``--accounts=--`` gives ``[]`` (Python 3.11), not ``"--"``.

    No kamsim option takes a list, so an empty list is always such a lost value.
    """
    for dest, value in vars(args).items():
        if isinstance(value, list) and not value:
            parser.error(f"argument --{dest.replace('_', '-')}: expected one value")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
