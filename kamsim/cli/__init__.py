"""Command line: ``kamsim generate | simulate | compare | policies``.

Each sub-command lives in its own module with two functions:
``add_parser(subparsers)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Sub-command name -> module (under kamsim.cli) implementing it.
COMMANDS: dict[str, str] = {
    "generate": "generate",
    "simulate": "simulate",
    "compare": "compare",
    "policies": "policies",
}


class CLIError(Exception):
    """A user error: printed as ``kamsim: error: <message>`` with exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    try:
        return int(args.run(args) or 0)
    except CLIError as exc:
        parser.exit(2, f"kamsim: error: {exc}\n")
    except (ValueError, FileNotFoundError) as exc:
        parser.exit(2, f"kamsim: error: {exc}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
