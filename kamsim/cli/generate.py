"""``kamsim generate``: write a synthetic portfolio folder.

Example::

    kamsim generate --accounts 2000 --seed 7 --locale zh_CN --out data/portfolio

prints one summary line (accounts, top-20% share of potential spend, folder).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kamsim.cli import CLIError
from kamsim.generators.tables import LOCALES


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``generate`` sub-command."""
    p = subparsers.add_parser(
        "generate",
        help="generate a synthetic key-account portfolio folder",
        description="Generate a reproducible synthetic key-account portfolio and write it as CSV + schema.json.",
    )
    p.add_argument("--accounts", type=int, required=True, metavar="N", help="number of accounts (>= 1)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="master random seed (>= 0, default 0)")
    p.add_argument("--locale", default="en_US", metavar="L", help=f"one of {', '.join(LOCALES)} (default en_US)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must not exist or be empty)")
    p.add_argument("--managers", type=int, default=None, metavar="M", help="account managers (default ceil(N/40), >= 2)")
    p.add_argument("--products", type=int, default=12, metavar="K", help="products in the catalogue (default 12)")
    p.add_argument("--history-months", type=int, default=0, metavar="H", help="months of simulated history (default 0)")
    p.add_argument("--as-of", default="2024-01-01", metavar="DATE", help="portfolio date, ISO (default 2024-01-01)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing kamsim portfolio folder")
    p.set_defaults(run=run)
    return p


def _check_args(args: argparse.Namespace) -> None:
    if args.accounts < 1:
        raise CLIError(f"--accounts must be >= 1, got {args.accounts}")
    if args.seed < 0:
        raise CLIError(f"--seed must be >= 0, got {args.seed}")
    if args.locale not in LOCALES:
        raise CLIError(f"--locale must be one of {', '.join(LOCALES)}, got {args.locale!r}")
    if args.managers is not None and args.managers < 1:
        raise CLIError(f"--managers must be >= 1, got {args.managers}")
    if args.products < 1:
        raise CLIError(f"--products must be >= 1, got {args.products}")
    if args.history_months < 0:
        raise CLIError(f"--history-months must be >= 0, got {args.history_months}")


def run(args: argparse.Namespace) -> int:
    """Generate the portfolio described by ``args`` and write it to ``args.out``; return the exit code."""
    from kamsim.synthetic import generate_portfolio
    from kamsim.portfolio import is_portfolio_dir

    _check_args(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not is_portfolio_dir(out):
            raise CLIError(f"--out {out} is a non-empty folder that is not a kamsim portfolio; choose another folder")
        if not args.overwrite:
            raise CLIError(f"--out {out} already holds a portfolio; pass --overwrite to replace it")
    portfolio = generate_portfolio(
        args.accounts,
        args.seed,
        args.locale,
        n_managers=args.managers,
        n_products=args.products,
        as_of=args.as_of,
        history_months=args.history_months,
    )
    try:
        folder = portfolio.to_dir(out, overwrite=args.overwrite)
    except FileExistsError as exc:  # the folder changed while we were generating
        raise CLIError(str(exc)) from None
    print(
        f"generated {len(portfolio.accounts)} accounts "
        f"(top-20% share of potential spend {portfolio.top_share():.1%}) -> {folder}"
    )
    return 0
