"""Benchmark of the kamsim engine (plain script; prints its results).

What it measures
----------------
(a) Event throughput versus a bare SimPy loop.
    An *event* is one row of the CRM event log ``SimulationResult.events``
    (an order, a call, a visit, a complaint opened, a stage change ...).  The
    bare SimPy loop is the cheapest possible "one SimPy event per CRM event"
    model: one SimPy process per account, each yielding ``env.timeout`` once
    per event, with no bookkeeping at all, for the same total number of
    events.  The overhead ratio is ``time(kamsim) / time(bare loop)``; the
    target is <= 1.5.  kamsim's own SimPy event count (complaint desk,
    manager containers, month driver) is printed too.
(b) Wall time of 10,000 accounts x 36 months (target <= 10 s on 2 cores).
(c) Wall time over a grid of accounts x months, with a least-squares fit
    ``time = a + b * accounts * months`` (slope b, intercept a, R^2).
(d) The levers of issue 13, 10,000 accounts x 36 months, same portfolio and seed: today's default
    engine as a ratio to the engine before the levers (``--reference``, a git revision run side by
    side from ``git archive`` in a temporary folder), and a run with all three levers on (a targeted
    discount, the needs model with proactive discovery, managers as queues with a departure).

Portfolio generation is not timed.  Each timing is the minimum of
``--repeats`` runs (kamsim and the bare loop are interleaved so background
load hits both).  Run::

    python benchmarks/bench_engine.py            # full (about 1-2 minutes)
    python benchmarks/bench_engine.py --quick    # smaller sizes
    python benchmarks/bench_engine.py --levers   # only (d)
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import simpy

import kamsim
from kamsim.engine import simulate
from kamsim.scenario import Scenario


def bare_simpy(n_events: int, n_processes: int) -> float:
    """Seconds for ``n_processes`` SimPy processes to yield ``n_events`` timeouts in total."""
    env = simpy.Environment()
    per, extra = divmod(n_events, n_processes)

    def proc(env: simpy.Environment, k: int):
        for _ in range(k):
            yield env.timeout(1.0)

    for i in range(n_processes):
        env.process(proc(env, per + (1 if i < extra else 0)))
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


def time_simulation(portfolio, months: int, seed: int = 1):
    start = time.perf_counter()
    result = simulate(Scenario(), portfolio, None, seed=seed, months=months)
    return time.perf_counter() - start, result


def throughput(portfolio, months: int, repeats: int) -> None:
    n = len(portfolio.accounts)
    t_kam, t_bare, result = [], [], None
    for _ in range(repeats):
        elapsed, result = time_simulation(portfolio, months)
        t_kam.append(elapsed)
        t_bare.append(bare_simpy(len(result.events), n))
    assert result is not None
    events = len(result.events)
    kam, bare = min(t_kam), min(t_bare)
    print(f"(a) throughput, {n} accounts x {months} months")
    print(f"    CRM events (rows of result.events):     {events:,}")
    print(f"    SimPy events scheduled inside kamsim:   {result.simpy_events:,}")
    print(f"    kamsim simulate():                      {kam:6.2f} s  = {events / kam:,.0f} events/s")
    print(f"    bare SimPy loop, same number of events: {bare:6.2f} s  = {events / bare:,.0f} events/s")
    print(f"    overhead ratio kamsim / bare SimPy:     {kam / bare:6.2f}x  (target <= 1.5x)")


def target_run(portfolio, months: int, repeats: int) -> None:
    times = [time_simulation(portfolio, months)[0] for _ in range(repeats)]
    n = len(portfolio.accounts)
    verdict = "OK" if min(times) <= 10.0 else "TOO SLOW"
    print(f"(b) {n:,} accounts x {months} months: min {min(times):.2f} s, runs {[round(t, 2) for t in times]}  "
          f"(target <= 10 s: {verdict})")


def grid(sizes: list[int], months_list: list[int], repeats: int) -> None:
    print("(c) timing grid (seconds)")
    print("    accounts " + "".join(f"{m:>9d}m" for m in months_list))
    xs, ys = [], []
    for n in sizes:
        portfolio = kamsim.generate_portfolio(n, seed=1)
        row = []
        for months in months_list:
            t = min(time_simulation(portfolio, months)[0] for _ in range(repeats))
            row.append(t)
            xs.append(n * months)
            ys.append(t)
        print(f"    {n:8d} " + "".join(f"{t:10.2f}" for t in row))
    x, y = np.asarray(xs, dtype=float), np.asarray(ys)
    slope, intercept = np.polyfit(x, y, 1)
    fitted = intercept + slope * x
    r2 = 1.0 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    print(f"    fit time = a + b * accounts * months: b = {slope * 1e6:.2f} us per account-month, "
          f"a = {intercept:.3f} s, R^2 = {r2:.4f}")


#: The engine before the levers of issue 13 (price response, needs, manager queues).
REFERENCE = "351b89e"

_REFERENCE_RUN = """
import time, kamsim
from kamsim.engine import simulate
from kamsim.scenario import Scenario
portfolio = kamsim.generate_portfolio({n}, seed=1)
times = []
for _ in range({repeats}):
    start = time.perf_counter()
    simulate(Scenario(), portfolio, None, seed=1, months={months})
    times.append(time.perf_counter() - start)
print(min(times))
"""


def reference_seconds(revision: str, n: int, months: int, repeats: int) -> float:
    """Minimum seconds of the engine at git ``revision`` (extracted to a temporary folder, run in a subprocess)."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", revision, "kamsim"],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        code = _REFERENCE_RUN.format(n=n, months=months, repeats=repeats)
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                             cwd=tmp, env={**os.environ, "PYTHONPATH": tmp})
        return float(out.stdout.strip().splitlines()[-1])


def levers(n: int, months: int, repeats: int, revision: str) -> None:
    from kamsim.policies import PolicyBundle, ProactiveDiscovery, TargetedDiscount

    portfolio = kamsim.generate_portfolio(n, seed=1)
    today = min(time_simulation(portfolio, months)[0] for _ in range(repeats))
    before = reference_seconds(revision, n, months, repeats)
    all_on = Scenario(needs={"latent_prob": 0.5}, managers={
        "queueing": True, "changes": [{"month": 12, "action": "leave", "manager": "M001", "to": "M002"}]})
    bundle = PolicyBundle("abc", "none", ProactiveDiscovery(), name="levers", pricing=TargetedDiscount(0.05))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        simulate(all_on, portfolio, bundle, seed=1, months=months)
        times.append(time.perf_counter() - start)
    print(f"(d) levers, {n:,} accounts x {months} months (min of {repeats})")
    print(f"    engine before the levers ({revision}):   {before:6.2f} s")
    print(f"    today, levers off (default scenario):   {today:6.2f} s  = {today / before:.2f}x the reference "
          f"(target <= 10 s: {'OK' if today <= 10 else 'TOO SLOW'})")
    print(f"    today, all three levers on:             {min(times):6.2f} s  = {min(times) / before:.2f}x the reference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few seconds)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per timing (minimum is reported)")
    parser.add_argument("--levers", action="store_true", help="only (d): the levers against the reference engine")
    parser.add_argument("--reference", default=REFERENCE, help=f"git revision of the reference engine ({REFERENCE})")
    args = parser.parse_args()
    print(f"kamsim {kamsim.__version__}, simpy {simpy.__version__}, numpy {np.__version__}, "
          f"python {platform.python_version()}, {os.cpu_count()} CPU(s)")
    n_target = 2_000 if args.quick else 10_000
    if args.levers:
        levers(n_target, 36, args.repeats, args.reference)
        return
    portfolio = kamsim.generate_portfolio(n_target, seed=1)
    throughput(portfolio, 36, args.repeats)
    target_run(portfolio, 36, args.repeats)
    if args.quick:
        grid([500, 1_000, 2_000], [12, 24, 36], 1)
    else:
        grid([1_000, 2_500, 5_000, 10_000], [12, 24, 36], max(1, args.repeats - 1))
    levers(n_target, 36, args.repeats, args.reference)


if __name__ == "__main__":
    main()
