"""``kamsim calibrate``: a simulation twin (portfolio folder + scenario.yaml) from a transaction log.

Example::

    kamsim calibrate --transactions orders.csv --as-of 2025-01-01 --out twin \\
        --customer-col 客户编号 --date-col 下单日期 --amount-col 金额
    kamsim compare --portfolio twin --scenario twin/scenario.yaml --policies status_quo,risk_targeted

writes the portfolio tables, ``schema.json`` (with the fitted parameters under
``meta.calibration``) and ``scenario.yaml`` into ``--out`` in one atomic step, and
prints one summary line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kamsim.cli import CLIError
from kamsim.cli._common import add_out, add_overwrite, check_out, in_range
from kamsim.vocabulary import MAX_MONTHS

#: Name of the scenario file written into ``--out``.
SCENARIO_FILE = "scenario.yaml"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``calibrate`` sub-command."""
    p = subparsers.add_parser(
        "calibrate",
        help="calibrate a simulation twin from a transaction log",
        description="Build one account per customer of a transaction log, with its orders as history and its own "
        "purchase and dropout behaviour (Pareto/NBD + Gamma-Gamma), and write it with a calibrated scenario.",
    )
    p.add_argument("--transactions", required=True, metavar="FILE", help="transaction log (CSV, one row per order)")
    p.add_argument("--as-of", required=True, metavar="DATE",
                   help="twin date (ISO): orders before it are the history, simulations start on it")
    add_out(p, "output folder (new or empty): portfolio tables + scenario.yaml")
    p.add_argument("--customer-col", default="account_id", metavar="NAME", help="customer id column (default account_id)")
    p.add_argument("--date-col", default="date", metavar="NAME", help="order date column (default date)")
    p.add_argument("--amount-col", default="amount", metavar="NAME", help="order amount column, CU (default amount)")
    p.add_argument("--margin-col", default=None, metavar="NAME", help="gross margin column, CU (optional)")
    p.add_argument("--product-col", default=None, metavar="NAME", help="product column (optional)")
    p.add_argument("--margin-rate", type=float, default=0.3, metavar="R",
                   help="margin share assumed without --margin-col (0 to 1, default 0.3)")
    p.add_argument("--accounts-per-manager", type=int, default=100, metavar="K",
                   help="accounts in one manager's book (1 to 1,000,000, default 100)")
    p.add_argument("--months", type=int, default=12, metavar="M",
                   help=f"months the scenario simulates by default (1 to {MAX_MONTHS}, default 12)")
    p.add_argument("--date-format", default=None, metavar="FMT", help="strftime format of the dates, e.g. %%d/%%m/%%Y")
    p.add_argument("--dayfirst", action="store_true", help="read ambiguous dates like 05/02/2024 day first")
    p.add_argument("--decimal", default=".", metavar="C", help="decimal mark of amounts (default .)")
    p.add_argument("--thousands", default=None, metavar="C", help="thousands separator of amounts (default none)")
    p.add_argument("--encoding", default="utf-8", metavar="ENC", help="text encoding of the file (default utf-8; e.g. gbk)")
    add_overwrite(p, "an existing kamsim portfolio")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Calibrate the twin described by ``args`` and write it to ``args.out``; return the exit code."""
    from kamsim.calibration import calibrate
    from kamsim.portfolio import SCHEMA_FILE, is_portfolio_dir

    if not Path(args.transactions).is_file():
        raise CLIError(f"--transactions {args.transactions}: no such file")
    in_range(args.accounts_per_manager, "--accounts-per-manager", 1, 1_000_000)
    in_range(args.months, "--months", 1, MAX_MONTHS, why_max=" (100 years)")
    if not 0.0 <= args.margin_rate <= 1.0:
        raise CLIError(f"--margin-rate must be between 0 and 1, got {args.margin_rate:g}")
    check_out(args.out, SCHEMA_FILE, args.overwrite, is_ours=is_portfolio_dir, kind="kamsim portfolio")
    options = {"date_format": args.date_format, "dayfirst": True if args.dayfirst else None,
               "decimal": args.decimal, "thousands": args.thousands, "encoding": args.encoding}
    portfolio, scenario = calibrate(
        args.transactions,
        args.as_of,
        customer_col=args.customer_col,
        date_col=args.date_col,
        amount_col=args.amount_col,
        margin_col=args.margin_col,
        product_col=args.product_col,
        margin_rate=args.margin_rate,
        accounts_per_manager=args.accounts_per_manager,
        months=args.months,
        read_options=options,
    )
    try:
        folder = portfolio.to_dir(args.out, overwrite=args.overwrite, attachments={SCENARIO_FILE: scenario.to_yaml()})
    except FileExistsError as exc:  # the folder changed while we were calibrating
        raise CLIError(str(exc)) from None
    info = portfolio.meta["calibration"]
    active = float(portfolio.accounts["p_active"].mean())
    print(
        f"calibrated {info['customers']:,} accounts from {info['orders_used']:,} orders "
        f"(mean P(active) {active:.1%}) -> {folder}; simulate with --portfolio {folder} --scenario {folder / SCENARIO_FILE}"
    )
    return 0
