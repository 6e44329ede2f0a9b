"""``kamsim compare``: compare policy bundles over replications with paired confidence intervals.

Example::

    kamsim compare --scenario scenarios/retention_showdown.yaml \\
        --policies status_quo,blanket,risk_targeted,value_risk \\
        --replications 30 --workers 2 --seed 1 --out results/retention

writes ``replications.csv`` (tidy: policy, replication, kpi, value), ``summary.csv``
(mean and CI per policy x KPI), ``paired.csv`` (difference vs the baseline with CI),
``comparison.json`` (settings) and the figures ``comparison.png`` and
``paired_relative.png``.  Every replication uses common random numbers: replication
``r`` of every policy is simulated with the same seed.  The portfolio is
``generate_portfolio(--accounts, --seed)`` (200 accounts by default) unless
``--portfolio DIR`` is given.  All inputs are checked before the first simulation;
nothing is written when one is wrong.
"""

from __future__ import annotations

import argparse

from kamsim.cli import CLIError
from kamsim.vocabulary import DEFAULT_ACCOUNTS
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
    in_range,
    load_scenario,
    split_names,
)

#: Limits shown in ``--help`` (the checks use ``experiment.inputs.MAX_REPLICATIONS`` and
#: ``experiment.executors.MAX_WORKERS``; imported lazily: they pull in scipy).
HELP_MAX_REPLICATIONS, HELP_MAX_WORKERS = 10_000, 256


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``compare`` sub-command."""
    p = subparsers.add_parser(
        "compare",
        help="compare policy bundles with replications and paired confidence intervals",
        description="Simulate several policy bundles on the same portfolio with common random numbers and "
        "write replications.csv, summary.csv, paired.csv and PNG figures.",
    )
    p.add_argument("--scenario", metavar="FILE", required=True, help="scenario file (.yaml/.toml)")
    p.add_argument("--policies", metavar="A,B,C", required=True, help="comma-separated bundle names (kamsim policies)")
    p.add_argument("--replications", type=int, default=20, metavar="R",
                   help=f"replications per policy (2 to {HELP_MAX_REPLICATIONS:,}, default 20)")
    p.add_argument("--workers", type=int, default=1, metavar="W",
                   help=f"worker processes (1 to {HELP_MAX_WORKERS}, default 1 = serial; at most one per task and CPU "
                        f"is started)")
    add_seed(p, "master seed")
    p.add_argument("--baseline", metavar="NAME", default=None, help="reference policy (default: the first one)")
    add_out(p)
    add_portfolio_source(p)
    add_months(p)
    p.add_argument("--kpis", metavar="K1,K2", default=None, help="KPIs to keep (default: all)")
    p.add_argument("--confidence", type=float, default=0.95, metavar="C", help="confidence level (default 0.95)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_format(p)
    add_overwrite(p, "an earlier comparison")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the comparison and write the result folder; return the exit code."""
    from kamsim.experiment.api import compare
    from kamsim.experiment.comparison import RESULT_MARKER
    from kamsim.experiment.executors import MAX_WORKERS
    from kamsim.experiment.inputs import MAX_REPLICATIONS, check_kpis, normalise_policies

    check_run_options(args)
    check_format_option(args)
    in_range(args.replications, "--replications", 2, MAX_REPLICATIONS, " to estimate a confidence interval")
    in_range(args.workers, "--workers", 1, MAX_WORKERS)
    if not 0 < args.confidence < 1:
        raise CLIError(f"--confidence must be between 0 and 1, got {args.confidence}")
    policies = split_names(args.policies, "--policies")
    api_check("--policies", normalise_policies, policies)
    kpis = split_names(args.kpis, "--kpis")
    if kpis is not None:
        api_check("--kpis", check_kpis, kpis)
    if args.baseline is not None and args.baseline not in policies:
        raise CLIError(f"--baseline {args.baseline!r} is not one of --policies {','.join(policies)}")
    check_out(args.out, RESULT_MARKER, args.overwrite)
    scenario = load_scenario(args)
    check_generated_run(args, scenario)
    # compare() checks policies, baseline, kpis and portfolio before any simulation (ValueError -> exit 2)
    comparison = compare(
        scenario,
        policies,
        portfolio=args.portfolio if args.portfolio is not None else (args.accounts or DEFAULT_ACCOUNTS),
        replications=args.replications,
        seed=args.seed,
        baseline=args.baseline,
        executor=args.workers,
        progress=not args.no_progress,
        kpis=kpis,
        months=args.months,
        confidence=args.confidence,
    )
    comparison.meta["scenario_file"] = args.scenario
    folder = comparison.to_dir(args.out, overwrite=args.overwrite, format=args.format)
    print(_report(comparison))
    print(f"wrote replications.csv, summary.csv, paired.csv, comparison.png -> {folder}")
    return 0


def _report(comparison) -> str:
    """Short text table: paired difference vs the baseline for the headline KPIs."""
    from kamsim.experiment.plots import default_kpis

    paired = comparison.paired()
    kpis = default_kpis(comparison.kpis)
    paired = paired.loc[paired["kpi"].isin(kpis)]
    conf = round(100 * comparison.confidence)
    lines = [
        f"{len(comparison.policies)} policies x {comparison.n_replications} replications; "
        f"difference vs {comparison.baseline} (mean [{conf}% CI]):"
    ]
    for row in paired.itertuples():
        lines.append(f"  {row.policy:<18} {row.kpi:<18} {row.diff_mean:>14,.3f}  [{row.ci_low:,.3f}, {row.ci_high:,.3f}]")
    return "\n".join(lines)
