"""``kamsim generate``: write a synthetic portfolio folder.

Example::

    kamsim generate --accounts 2000 --seed 7 --locale zh_CN --out data/portfolio

prints one summary line (accounts, top-20% share of potential spend, folder).
"""

from __future__ import annotations

import argparse

from kamsim.cli import CLIError
from kamsim.cli._common import add_out, add_overwrite, add_seed, at_least, check_out
from kamsim.generators.tables import LOCALES


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``generate`` sub-command."""
    p = subparsers.add_parser(
        "generate",
        help="generate a synthetic key-account portfolio folder",
        description="Generate a reproducible synthetic key-account portfolio and write it as CSV + schema.json.",
    )
    p.add_argument("--accounts", type=int, required=True, metavar="N", help="number of accounts (>= 1)")
    add_seed(p, "master random seed")
    p.add_argument("--locale", default="en_US", metavar="L", help=f"one of {', '.join(LOCALES)} (default en_US)")
    add_out(p, "output folder (must not exist or be empty)")
    p.add_argument("--managers", type=int, default=None, metavar="M", help="account managers (default ceil(N/40), >= 2)")
    p.add_argument("--products", type=int, default=12, metavar="K", help="products in the catalogue (default 12)")
    p.add_argument("--history-months", type=int, default=0, metavar="H", help="months of simulated history (default 0)")
    p.add_argument("--as-of", default="2024-01-01", metavar="DATE", help="portfolio date, ISO (default 2024-01-01)")
    add_overwrite(p, "an existing kamsim portfolio")
    p.set_defaults(run=run)
    return p


def _check_args(args: argparse.Namespace) -> None:
    at_least(args.accounts, "--accounts", 1)
    at_least(args.seed, "--seed", 0)
    if args.locale not in LOCALES:
        raise CLIError(f"--locale must be one of {', '.join(LOCALES)}, got {args.locale!r}")
    at_least(args.managers, "--managers", 1)
    at_least(args.products, "--products", 1)
    at_least(args.history_months, "--history-months", 0)


def run(args: argparse.Namespace) -> int:
    """Generate the portfolio described by ``args`` and write it to ``args.out``; return the exit code."""
    from kamsim.portfolio import SCHEMA_FILE, is_portfolio_dir
    from kamsim.synthetic import generate_portfolio

    _check_args(args)
    check_out(args.out, SCHEMA_FILE, args.overwrite, is_ours=is_portfolio_dir, kind="kamsim portfolio")
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
        folder = portfolio.to_dir(args.out, overwrite=args.overwrite)
    except FileExistsError as exc:  # the folder changed while we were generating
        raise CLIError(str(exc)) from None
    print(
        f"generated {len(portfolio.accounts)} accounts "
        f"(top-20% share of potential spend {portfolio.top_share():.1%}) -> {folder}"
    )
    return 0
