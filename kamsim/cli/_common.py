"""Options and checks shared by the sub-commands: seed, portfolio source, months, scenario, ``--out``.

Every sub-command declares its options with these helpers and checks them before
any work, so the same option means, defaults to and fails the same way everywhere
(``kamsim: error: --seed must be >= 0, got -1``, exit 2).

Every numeric option has a finite range (the API's limits): ``--seed`` 0 to 2**63 - 1,
``--accounts`` 1 to 1,000,000, ``--months`` and ``--history-months`` up to 1,200,
``--managers`` 1 to max(2, accounts), ``--products`` 1 to 1,000, ``--replications`` 2 to
10,000, ``--workers`` 1 to 256 (at most one process per task and CPU is started), and a run
may hold at most 5,000,000 account-months and must stay within 1900-01-01 .. 2200-12-31.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kamsim.cli import CLIError
from kamsim.vocabulary import DEFAULT_ACCOUNTS, MAX_ACCOUNTS, MAX_MONTHS

#: Largest ``--seed`` (seeds are recorded in the outputs' metadata as 64-bit integers).
MAX_SEED: int = 2**63 - 1

# ----------------------------------------------------------------------------- declaring options


def add_seed(p: argparse.ArgumentParser, what: str = "random seed") -> None:
    p.add_argument("--seed", type=int, default=0, metavar="S", help=f"{what} (0 to 2**63-1, default 0)")


def add_out(p: argparse.ArgumentParser, what: str = "output folder (new or empty)") -> None:
    p.add_argument("--out", required=True, metavar="DIR", help=what)


def add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="table files: csv (default) or parquet (smaller and faster; needs pyarrow)")


def check_format_option(args: argparse.Namespace) -> None:
    """``--format parquet`` needs pyarrow: checked before any work."""
    from kamsim.portfolio import check_format

    api_check("--format", check_format, args.format)


def add_overwrite(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--overwrite", action="store_true", help=f"replace {what} in --out")


def add_portfolio_source(p: argparse.ArgumentParser) -> None:
    """``--accounts N`` (generate) or ``--portfolio DIR`` (a folder written by ``kamsim generate``)."""
    src = p.add_mutually_exclusive_group()
    src.add_argument("--accounts", type=int, default=None, metavar="N",
                     help=f"generate N accounts (1 to {MAX_ACCOUNTS:,}, default {DEFAULT_ACCOUNTS})")
    src.add_argument("--portfolio", metavar="DIR", default=None, help="portfolio folder written by `kamsim generate`")


def add_months(p: argparse.ArgumentParser) -> None:
    p.add_argument("--months", type=int, default=None, metavar="M",
                   help=f"months to simulate (1 to {MAX_MONTHS}, default: scenario)")


def split_names(value: str | None, option: str) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; ``None`` stays None; an empty list is an error naming ``option``."""
    if value is None:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names:
        raise CLIError(f"{option}: give at least one name, e.g. {option} status_quo,blanket")
    return names


# ----------------------------------------------------------------------------- checking them


def at_least(value: int | None, option: str, minimum: int, why: str = "") -> None:
    """``CLIError`` naming ``option`` unless ``value`` is None or >= ``minimum``."""
    if value is not None and value < minimum:
        raise CLIError(f"{option} must be >= {minimum}{why}, got {show_int(value)}")


def in_range(value: int | None, option: str, minimum: int, maximum: int, why: str = "", why_max: str = "") -> None:
    """``CLIError`` naming ``option`` and the limit unless ``value`` is None or in ``minimum`` .. ``maximum``."""
    at_least(value, option, minimum, why)
    if value is not None and value > maximum:
        raise CLIError(f"{option} must be <= {maximum:,}{why_max}, got {show_int(value)}")


def show_int(value: int) -> str:
    """``1,234`` -- or ``a 40-digit number`` for a value too long to print."""
    digits = len(str(abs(value)))
    return f"{value:,}" if digits <= 30 else f"a {digits}-digit number"


def api_check(option: str, check: Callable[..., Any], *args: Any) -> Any:
    """``check(*args)``, its ``ValueError`` turned into a ``CLIError`` that names ``option``."""
    try:
        return check(*args)
    except ValueError as exc:
        raise CLIError(f"{option}: {exc}") from None


def check_run_options(args: argparse.Namespace) -> None:
    """Checks of ``simulate`` and ``compare``: seed, accounts, months, portfolio folder and scenario file."""
    in_range(args.seed, "--seed", 0, MAX_SEED)
    in_range(args.accounts, "--accounts", 1, MAX_ACCOUNTS)
    in_range(args.months, "--months", 1, MAX_MONTHS, why_max=" (100 years)")
    if args.portfolio is not None and not Path(args.portfolio).is_dir():
        raise CLIError(f"--portfolio {args.portfolio}: no such portfolio folder")
    if args.scenario is not None and not Path(args.scenario).is_file():
        raise CLIError(f"--scenario {args.scenario}: cannot read file (no such file)")


def check_out(
    out: str, marker: str, overwrite: bool, *, is_ours: Callable[[Path], bool] | None = None,
    kind: str = "kamsim result",
) -> None:
    """``--out`` may be written: a new or empty folder, or an earlier output of this kind with ``--overwrite``.

    Also fails (before any work) when ``--out`` lies under a file, cannot be written, or is being
    written by another kamsim process right now; see :func:`kamsim._files.check_out_dir`.
    """
    from kamsim._files import check_out_dir

    try:
        check_out_dir(out, marker, overwrite, is_ours=is_ours, kind=kind)
    except OSError as exc:  # OutputExistsError, OutputBusyError, OutputPathError, OutputNotWritableError
        raise CLIError(f"--out {exc}") from None


def check_generated_run(args: argparse.Namespace, scenario: Any) -> None:
    """Without ``--portfolio``: ``--accounts`` x the months (``--months`` or the scenario's) and the calendar,
    checked before the portfolio is generated."""
    if args.portfolio is not None:
        return
    from kamsim.engine.simulate import check_simulation, start_date

    months = args.months if args.months is not None else scenario.months
    option = "--accounts/--months" if args.months is not None else "--accounts (with the scenario's months)"
    api_check(option, check_simulation, start_date(None), months, args.accounts or DEFAULT_ACCOUNTS)


# ----------------------------------------------------------------------------- loading inputs


def load_scenario(args: argparse.Namespace) -> Any:
    """The ``--scenario`` file as a Scenario (built-in defaults without one); errors name the option."""
    from kamsim.scenario import Scenario

    try:
        return Scenario() if args.scenario is None else Scenario.from_file(args.scenario)
    except ValueError as exc:
        raise CLIError(f"--scenario: {exc}") from None


def load_portfolio(args: argparse.Namespace) -> Any:
    """The ``--portfolio`` folder, or ``--accounts`` generated with ``--seed``; errors name the option."""
    if args.portfolio is not None:
        from kamsim.portfolio import Portfolio

        try:
            return Portfolio.from_dir(args.portfolio)
        except (ValueError, FileNotFoundError) as exc:
            raise CLIError(f"--portfolio: {exc}") from None
    from kamsim.generators import generate_portfolio

    return generate_portfolio(args.accounts or DEFAULT_ACCOUNTS, args.seed)
