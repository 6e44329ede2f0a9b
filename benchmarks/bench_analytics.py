"""Benchmark: RFM and cohort tables on 1,000,000 synthetic transactions (target: < 5 s in total).

Run: ``python benchmarks/bench_analytics.py [n_transactions] [n_customers]``.
The log is synthetic (random customers, dates over three years, lognormal
amounts) and built outside the timed section.  Times include validation of
the log by :func:`kamsim.analytics.as_transactions`, which every function calls.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from kamsim._random import streams
from kamsim.analytics import cohort_retention, cohort_revenue, rfm_scores, rfm_table


def synthetic_log(n: int, n_customers: int, seed: int = 0) -> pd.DataFrame:
    """A canonical-looking transaction log with ``n`` rows."""
    rng = streams(seed, ["bench"])["bench"]
    ids = np.char.add("A", np.char.zfill(rng.integers(0, n_customers, n).astype(str), 6))
    start = np.datetime64("2021-01-01", "D")
    days = rng.integers(0, 3 * 365, n)
    return pd.DataFrame(
        {
            "account_id": pd.array(ids, dtype="string"),
            "date": (start + days).astype("datetime64[ns]"),
            "amount": rng.lognormal(7.0, 1.0, n),
        }
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    n_customers = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    log = synthetic_log(n, n_customers)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    table = rfm_table(log, freq="D")
    timings["rfm_table (D)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rfm_scores(table)
    timings["rfm_scores"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cohort_retention(log, period="M")
    timings["cohort_retention (M)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cohort_revenue(log, period="M")
    timings["cohort_revenue (M)"] = time.perf_counter() - t0
    print(f"{n:,} transactions, {table.shape[0]:,} customers")
    for name, seconds in timings.items():
        print(f"  {name:<22s} {seconds:6.2f} s")
    total = sum(timings.values())
    print(f"  {'total':<22s} {total:6.2f} s  ({'OK' if total < 5 else 'SLOWER THAN'} 5 s target)")


if __name__ == "__main__":
    main()
