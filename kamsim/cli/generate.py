"""``kamsim generate``: write a synthetic portfolio folder.

Example::

    kamsim generate --accounts 2000 --seed 7 --locale zh_CN --out data/portfolio

prints one summary line (accounts, top-20% share of potential spend, folder).
"""

from __future__ import annotations

import argparse

from kamsim.cli import CLIError
from kamsim.cli._common import MAX_SEED, add_format, add_out, add_overwrite, add_seed, api_check, check_format_option, check_out, in_range
from kamsim.vocabulary import LOCALES, MAX_ACCOUNTS, MAX_MONTHS, MAX_PRODUCTS


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``generate`` sub-command."""
    p = subparsers.add_parser(
        "generate",
        help="generate a synthetic key-account portfolio folder",
        description="Generate a reproducible synthetic key-account portfolio and write it as CSV + schema.json.",
    )
    p.add_argument("--accounts", type=int, required=True, metavar="N",
                   help=f"number of accounts (1 to {MAX_ACCOUNTS:,})")
    add_seed(p, "master random seed")
    p.add_argument("--locale", default="en_US", metavar="L", help=f"one of {', '.join(LOCALES)} (default en_US)")
    add_out(p, "output folder (must not exist or be empty)")
    p.add_argument("--managers", type=int, default=None, metavar="M",
                   help="account managers (1 to max(2, N); default max(2, ceil(N/40)))")
    p.add_argument("--products", type=int, default=12, metavar="K",
                   help=f"products in the catalogue (1 to {MAX_PRODUCTS:,}, default 12)")
    p.add_argument("--history-months", type=int, default=0, metavar="H",
                   help=f"months of simulated history (0 to {MAX_MONTHS}, default 0)")
    p.add_argument("--as-of", default="2024-01-01", metavar="DATE",
                   help="portfolio date, ISO, 1900-01-01 to 2200-12-31 (default 2024-01-01)")
    add_format(p)
    add_overwrite(p, "an existing kamsim portfolio")
    p.set_defaults(run=run)
    return p


def _check_args(args: argparse.Namespace) -> None:
    """Every option, alone and together (history x accounts, history before ``--as-of``), before any work."""
    from kamsim.engine.warmstart import check_history
    from kamsim.generators.portfolio_builder import max_managers, parse_as_of

    in_range(args.accounts, "--accounts", 1, MAX_ACCOUNTS)
    in_range(args.seed, "--seed", 0, MAX_SEED)
    if args.locale not in LOCALES:
        raise CLIError(f"--locale must be one of {', '.join(LOCALES)}, got {args.locale[:60]!r}")
    in_range(args.managers, "--managers", 1, max_managers(args.accounts), why_max=" (one manager per account at most)")
    in_range(args.products, "--products", 1, MAX_PRODUCTS)
    in_range(args.history_months, "--history-months", 0, MAX_MONTHS, why_max=" (100 years)")
    as_of = api_check("--as-of", parse_as_of, args.as_of)
    if args.history_months > 0:
        api_check("--history-months", check_history, as_of, args.history_months, args.accounts)


def run(args: argparse.Namespace) -> int:
    """Generate the portfolio described by ``args`` and write it to ``args.out``; return the exit code."""
    from kamsim.portfolio import SCHEMA_FILE, is_portfolio_dir
    from kamsim.synthetic import generate_portfolio

    _check_args(args)
    check_format_option(args)
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
        folder = portfolio.to_dir(args.out, format=args.format, overwrite=args.overwrite)
    except FileExistsError as exc:  # the folder changed while we were generating
        raise CLIError(str(exc)) from None
    print(
        f"generated {len(portfolio.accounts)} accounts "
        f"(top-20% share of potential spend {portfolio.top_share():.1%}) -> {folder}"
    )
    return 0
