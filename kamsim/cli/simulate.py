"""``kamsim simulate``: run one simulation and write its event log, monthly panel and KPIs.

Example::

    kamsim simulate --scenario scenarios/retention_showdown.yaml --policy risk_targeted \\
        --seed 3 --accounts 500 --out runs/risk_targeted

writes ``events.csv`` (the CRM-like log, schema ``events``), ``panel.csv`` (one row per
month and account), ``kpis.csv`` (``kpi, value``) and ``run.json`` (the settings) into
``--out``.  The portfolio is ``generate_portfolio(--accounts, --seed)`` unless
``--portfolio DIR`` names a portfolio folder (``kamsim generate``); the engine runs with
``seed=--seed``, exactly like ``kamsim.simulate(scenario, portfolio, policy, seed=S)``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kamsim.cli import CLIError
from kamsim.cli._common import (
    add_format,
    check_format_option,
    add_months,
    add_out,
    add_overwrite,
    add_portfolio_source,
    add_seed,
    api_check,
    check_generated_run,
    check_out,
    check_run_options,
    load_portfolio,
    load_scenario,
)

#: File that marks a folder written by this command.
RUN_MARKER = "run.json"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``simulate`` sub-command."""
    p = subparsers.add_parser(
        "simulate",
        help="run one simulation and write events, panel and KPIs",
        description="Simulate a key-account portfolio under one policy bundle and write events.csv, panel.csv, "
        "kpis.csv and run.json.",
    )
    p.add_argument("--scenario", metavar="FILE", default=None, help="scenario file (.yaml/.toml); default: built-in")
    p.add_argument("--policy", metavar="NAME", default="status_quo", help="policy bundle (see `kamsim policies`)")
    add_seed(p)
    add_out(p)
    add_portfolio_source(p)
    add_months(p)
    add_format(p)
    add_overwrite(p, "an earlier simulate result")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Simulate and write the result folder; return the exit code."""
    from kamsim._files import write_dir_atomic
    from kamsim.portfolio import write_frame
    from kamsim.policies import BUNDLES

    check_run_options(args)
    check_format_option(args)
    check_out(args.out, RUN_MARKER, args.overwrite)
    if args.policy not in BUNDLES:
        raise CLIError(f"--policy: unknown policy {args.policy!r}; available: {', '.join(BUNDLES)}")
    scenario = load_scenario(args)
    check_generated_run(args, scenario)
    portfolio = load_portfolio(args)

    from kamsim.engine import simulate
    from kamsim.engine.simulate import check_simulation, start_date

    months = args.months if args.months is not None else scenario.months
    if args.portfolio is not None:  # its as_of and size are known now, before any simulation
        api_check("--portfolio/--months", check_simulation, start_date(portfolio), months, len(portfolio.accounts))
    kwargs = {} if args.months is None else {"months": args.months}
    result = simulate(scenario, portfolio, args.policy, seed=args.seed, **kwargs)
    kpis = result.kpis()
    info = {
        "command": "simulate",
        "policy": args.policy,
        "seed": args.seed,
        "scenario": args.scenario,
        "scenario_name": scenario.name,
        "months": args.months if args.months is not None else scenario.months,
        "portfolio": args.portfolio,
        "accounts": int(len(portfolio.accounts)),
    }

    def write(tmp: Path) -> None:
        write_frame(result.events, tmp, "events", args.format)
        write_frame(result.panel, tmp, "panel", args.format)
        write_frame(kpis.rename_axis("kpi").rename("value").reset_index(), tmp, "kpis", args.format)
        (tmp / RUN_MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")

    folder = write_dir_atomic(args.out, write, marker=RUN_MARKER, overwrite=args.overwrite)
    print(
        f"simulated {info['accounts']} accounts x {info['months']} months under {args.policy!r}: "
        f"{len(result.events)} events -> {folder}"
    )
    for name in ("revenue", "net_margin", "retention_rate", "mean_satisfaction"):
        if name in kpis.index:
            print(f"  {name:<18} {kpis[name]:,.3f}")
    return 0
