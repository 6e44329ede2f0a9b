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
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (>= 0, default 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (new or empty)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--accounts", type=int, default=None, metavar="N", help="generate N accounts (default 200)")
    src.add_argument("--portfolio", metavar="DIR", default=None, help="portfolio folder written by `kamsim generate`")
    p.add_argument("--months", type=int, default=None, metavar="M", help="months to simulate (default: scenario)")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier simulate result in --out")
    p.set_defaults(run=run)
    return p


def check_common(args: argparse.Namespace) -> None:
    """Checks shared by ``simulate`` and ``compare``: seed, accounts, months, portfolio and scenario paths."""
    if args.seed < 0:
        raise CLIError(f"--seed must be >= 0, got {args.seed}")
    if args.accounts is not None and args.accounts < 1:
        raise CLIError(f"--accounts must be >= 1, got {args.accounts}")
    if args.months is not None and args.months < 1:
        raise CLIError(f"--months must be >= 1, got {args.months}")
    if args.portfolio is not None and not Path(args.portfolio).is_dir():
        raise CLIError(f"--portfolio {args.portfolio}: no such portfolio folder")
    if args.scenario is not None and not Path(args.scenario).is_file():
        raise CLIError(f"--scenario {args.scenario}: cannot read file (no such file)")


def load_inputs(args: argparse.Namespace):
    """Scenario and portfolio named by the arguments (errors name the option)."""
    from kamsim.experiment.api import DEFAULT_ACCOUNTS
    from kamsim.scenario import Scenario

    try:
        scenario = Scenario() if args.scenario is None else Scenario.from_file(args.scenario)
    except ValueError as exc:
        raise CLIError(f"--scenario: {exc}") from None
    return scenario, (args.accounts or DEFAULT_ACCOUNTS)


def run(args: argparse.Namespace) -> int:
    """Simulate and write the result folder; return the exit code."""
    from kamsim._files import write_dir_atomic

    check_common(args)
    check_out(args.out, RUN_MARKER, args.overwrite)
    from kamsim.experiment.api import available_policies

    known = available_policies()
    if args.policy not in known:
        raise CLIError(f"--policy: unknown policy {args.policy!r}; available: {', '.join(known)}")
    scenario, n_accounts = load_inputs(args)
    portfolio = _portfolio(args, n_accounts)

    from kamsim.engine import simulate

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
        result.events.to_csv(tmp / "events.csv", index=False)
        result.panel.to_csv(tmp / "panel.csv", index=False)
        kpis.rename_axis("kpi").rename("value").reset_index().to_csv(tmp / "kpis.csv", index=False)
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


def check_out(out: str, marker: str, overwrite: bool) -> None:
    from kamsim._files import check_out_dir

    try:
        check_out_dir(out, marker, overwrite)
    except FileExistsError as exc:
        raise CLIError(f"--out {exc}") from None


def _portfolio(args: argparse.Namespace, n_accounts: int):
    if args.portfolio is not None:
        from kamsim.portfolio import Portfolio

        try:
            return Portfolio.from_dir(args.portfolio)
        except (ValueError, FileNotFoundError) as exc:
            raise CLIError(f"--portfolio: {exc}") from None
    from kamsim.generators import generate_portfolio

    return generate_portfolio(n_accounts, args.seed)
