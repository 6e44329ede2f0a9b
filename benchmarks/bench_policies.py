"""Time every built-in policy on a synthetic monthly ``state`` of 10,000 accounts.

The engine calls the three policies of a bundle once per simulated month, so
each should take well under 50 ms at this size.  Run::

    python benchmarks/bench_policies.py [n_accounts] [repeats]

Prints the median wall time per call (ms) for each policy and bundle.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from kamsim._random import streams
from kamsim.policies import POLICIES, BUNDLES, get, get_policy
from kamsim.schema import STAGES

CAPACITY_HOURS = 2400.0  # 20 account managers x 120 h


def synthetic_state(n: int, seed: int = 0) -> pd.DataFrame:
    """A plausible monthly state of ``n`` accounts (heavy-tailed value, mixed stages)."""
    rng = streams(seed, ["bench"])["bench"]
    potential = (rng.pareto(1.16, n) + 1.0) * 50_000.0
    stage = rng.choice(np.array(STAGES), size=n, p=[0.1, 0.1, 0.2, 0.35, 0.1, 0.1, 0.05])
    share = rng.beta(2, 3, n)
    revenue = np.where(np.isin(stage, ["prospect"]), 0.0, potential * share)
    orders = rng.poisson(revenue / 20_000.0)
    months = np.where(orders > 0, rng.integers(0, 12, n), np.nan)
    state = pd.DataFrame(
        {
            "annual_potential_spend": potential,
            "growth_potential": rng.random(n),
            "credit_risk": rng.beta(1, 20, n),
            "cooperativeness": rng.random(n),
            "strategic_fit": rng.random(n),
            "price_sensitivity": rng.random(n),
            "stage": pd.Categorical(stage, categories=STAGES),
            "satisfaction": np.clip(rng.normal(7, 1.5, n), 0, 10),
            "revenue_12m": revenue,
            "margin_12m": revenue * rng.uniform(0.1, 0.35, n),
            "months_since_order": months,
            "orders_12m": orders,
            "churn_risk": rng.beta(1, 25, n),
            "tier": pd.Categorical(rng.choice(["A", "B", "C"], n), categories=["A", "B", "C"]),
            "manager_id": [f"M{i % 20 + 1:03d}" for i in range(n)],
        },
        index=pd.Index([f"A{i + 1:05d}" for i in range(n)], name="account_id"),
    )
    return state


def _time(fn, repeats: int) -> float:
    fn()  # warm-up (lazy imports)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1000.0


def main(n: int = 10_000, repeats: int = 20) -> pd.DataFrame:
    state = synthetic_state(n)
    rows = []
    for kind, classes in POLICIES.items():
        for name in classes:
            policy = get_policy(kind, name)
            if kind == "segmentation":
                call = lambda p=policy: p.segment(state)  # noqa: E731
            elif kind == "retention":
                call = lambda p=policy: p.retain(state)  # noqa: E731
            else:
                call = lambda p=policy: p.allocate(state, CAPACITY_HOURS)  # noqa: E731
            rows.append((kind, name, _time(call, repeats)))
    big = get_policy("allocation", "roi")
    rows.append(("allocation", "roi @ 50,000 h", _time(lambda: big.allocate(state, 50_000.0), repeats)))
    for name in BUNDLES:
        bundle = get(name)
        rows.append(("bundle", name, _time(lambda b=bundle: b.decide(state, CAPACITY_HOURS), repeats)))
    table = pd.DataFrame(rows, columns=["kind", "name", "ms_per_call"])
    print(f"policies on a state of {n:,} accounts, capacity {CAPACITY_HOURS:,.0f} h, median of {repeats} calls")
    print(table.to_string(index=False, float_format=lambda x: f"{x:8.2f}"))
    print(f"slowest single policy: {table[table.kind != 'bundle'].ms_per_call.max():.2f} ms (target < 50 ms)")
    return table


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
