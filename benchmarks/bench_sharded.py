"""Issue 16 item 6: portfolios beyond one process, simulated in shards of account managers on Dask.

What it prints
--------------
(a) Agreement: ``--accounts`` (default 20,000) accounts x 12 months, ``--reps`` (default 10) replications
    unsharded and in ``--agree-shards`` shards (default 2); per KPI the two means, the 95% confidence interval of
    their difference (independent runs), whether it contains 0 ("agree"), and the same for family-wise 95%
    intervals over all KPIs (Bonferroni; "agree_family").  Target: every KPI agrees.
(b) Scale: ``--big`` accounts (default 1,000,000) x 12 months in ``--shards`` shards (default 20) on a
    2-worker ``distributed.LocalCluster`` (one thread each, ``memory_limit`` 8 GB per worker): wall-clock time,
    account-months per second, and the peak resident memory of each worker (MB) next to the 8 GB target.

Recorded on the 2-core development machine, 1,000,000 x 12 in 20 shards: 60.9 s (197k account-months/s), peak
1.42 GB per worker with full shard runs (session 4); 41.4 s (290k account-months/s), peak 1.50 GB per worker with
KPI-only shard runs (session 5, ``kamsim.engine.simulate_kpis``).

Run::

    python benchmarks/bench_sharded.py                 # (a) and (b), about 5-10 minutes on 2 cores
    python benchmarks/bench_sharded.py --skip-big      # (a) only
    python benchmarks/bench_sharded.py --skip-agree --big 200000   # a smaller (b)
"""

from __future__ import annotations

import argparse
import time
from statistics import NormalDist

import numpy as np
import pandas as pd

import kamsim
from kamsim.engine import simulate
from kamsim.experiment.sharded import simulate_sharded

MONTHS = 12
WORKER_MEMORY_GB = 8.0


def agreement(accounts: int, reps: int, shards: int) -> bool:
    portfolio = kamsim.generate_portfolio(accounts, seed=16)
    t0 = time.perf_counter()
    whole = pd.DataFrame([simulate(None, portfolio, "status_quo", 500 + r, months=MONTHS).kpis() for r in range(reps)])
    t1 = time.perf_counter()
    split = pd.DataFrame([simulate_sharded(None, portfolio, "status_quo", 500 + r, shards=shards, months=MONTHS,
                                           progress=False).kpis() for r in range(reps)])
    t2 = time.perf_counter()
    diff = split.mean() - whole.mean()
    se = np.sqrt(split.var(ddof=1) / reps + whole.var(ddof=1) / reps)
    tiny = 1e-9 * whole.mean().abs()
    varying = int((se > 0).sum())
    # one 95% interval per KPI, and intervals that hold for all KPIs at once (Bonferroni over the varying KPIs):
    # with 20 KPIs, one 95% interval in 20 misses 0 by chance alone
    z_family = float(NormalDist().inv_cdf(1 - 0.05 / (2 * max(varying, 1))))
    table = pd.DataFrame({"unsharded": whole.mean(), f"{shards} shards": split.mean(), "diff": diff,
                          "ci_low": diff - 1.96 * se, "ci_high": diff + 1.96 * se})
    table["agree"] = (diff.abs() <= 1.96 * se + tiny)
    table["agree_family"] = (diff.abs() <= z_family * se + tiny)
    print(f"(a) {accounts:,} accounts x {MONTHS} months, {reps} replications each "
          f"(unsharded {t1 - t0:.1f} s, sharded {t2 - t1:.1f} s)")
    with pd.option_context("display.width", 160, "display.float_format", "{:,.4g}".format):
        print(table)
    each = bool(table["agree"].all())
    ok = bool(table["agree_family"].all())
    print(f"    95% CI of the difference contains 0, KPI by KPI: "
          f"{'all' if each else 'all but ' + ', '.join(table.index[~table['agree']])} "
          f"({len(table) - int(table['agree'].sum())} of {varying} varying KPIs miss; about 1 in 20 would by chance)")
    print(f"    family-wise 95% (Bonferroni, z = {z_family:.2f}) CIs all contain 0: {'yes' if ok else 'NO: ' + ', '.join(table.index[~table['agree_family']])}")
    return ok


def scale(accounts: int, shards: int) -> None:
    import distributed

    t0 = time.perf_counter()
    portfolio = kamsim.generate_portfolio(accounts, seed=16)
    t1 = time.perf_counter()
    print(f"(b) generated {accounts:,} accounts and {len(portfolio.account_managers):,} managers in {t1 - t0:.1f} s")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  memory_limit=f"{WORKER_MEMORY_GB:g}GB") as cluster, \
            distributed.Client(cluster) as client:
        t2 = time.perf_counter()
        result = simulate_sharded(None, portfolio, "status_quo", 1, shards=shards, months=MONTHS,
                                  executor=client.get_executor(), progress=False)
        t3 = time.perf_counter()
    per_shard = result.shard_kpis()
    peak = per_shard["peak_rss_mb"].max()
    print(f"    {shards} shards on a 2-worker LocalCluster: {t3 - t2:.1f} s, "
          f"{accounts * MONTHS / (t3 - t2):,.0f} account-months/s, {sum(result.events):,} event rows")
    print(f"    peak worker memory {peak:,.0f} MB = {peak / 1024 / WORKER_MEMORY_GB:.2f}x the {WORKER_MEMORY_GB:g} GB "
          f"per-worker target; largest shard {per_shard['accounts'].max():,} accounts")
    kpis = result.kpis()
    print("    KPIs:", ", ".join(f"{k} {kpis[k]:,.4g}" for k in ("revenue", "retention_rate", "mean_satisfaction",
                                                              "manager_utilisation", "mean_complaint_wait_days")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--agree-shards", type=int, default=2)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--shards", type=int, default=20)
    parser.add_argument("--skip-agree", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    if not args.skip_agree:
        agreement(args.accounts, args.reps, args.agree_shards)
    if not args.skip_big:
        scale(args.big, args.shards)


if __name__ == "__main__":
    main()
