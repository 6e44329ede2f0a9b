"""Issue 16 targets in one run, each as a ratio to its reference measured side by side (plain script).

What it prints
--------------
(a) Engine throughput, account-months per second, at 2,000 and 10,000 accounts x 36 months, against a
    hand-written SimPy model with one process per account that only moves stages (the reference of issue 16:
    220k and 125k account-months/s when it was filed).  Targets: >= the hand-written model at 2,000 accounts,
    >= 300k account-months/s at 10,000.
(b) Memory of the event log: bytes per row of ``SimulationResult.events`` (``memory_usage(deep=True)``) at
    10,000 x 36, and the peak resident memory of ``simulate()`` for 100,000 accounts x 36 months in a fresh
    process (``--big``; about a minute).  Targets: <= 150 bytes per row, <= 2.5 GB.  String columns use Arrow
    when pyarrow is installed (pandas 3), Python objects otherwise; the script says which.
(c) ``rfm_table`` on 1,000,000 synthetic transactions against the plain pandas groupby that computes the same
    columns (target <= 1.15x).
(d) BG/NBD and Gamma-Gamma fits on the CDNOW sample (tests/data/cdnow_summary.csv): the analytic-gradient path
    against kamsim's derivative-free path (``_use_gradient = False``) and lifetimes' recorded 0.60 s (or lifetimes
    itself when installed).  Target: <= 0.5x lifetimes, same parameters to 1e-6.
(e) Start-up: ``kamsim --help`` (target <= 0.3 s) and the first ``simulate`` on the ``small`` dataset in a fresh
    process, imports included (target <= 0.6 s), next to ``import pandas`` alone.
(f) ``kamsim simulate`` end to end with CSV and parquet against the same work as a ``python -c`` script
    (target <= 1.5x; benchmarks/bench_cli_output.py).
(g) With ``--notebooks``: every chapter notebook's run time in a fresh kernel (target <= 20 s each).
Sharded runs (1,000,000 accounts on a 2-worker Dask cluster) are in benchmarks/bench_sharded.py.

Every timing is the minimum of ``--repeats`` runs; references run interleaved with kamsim.  Run::

    python benchmarks/bench_scale.py            # (a)-(f), (b) without the 100k run
    python benchmarks/bench_scale.py --big      # also the 100,000 x 36 memory run
    python benchmarks/bench_scale.py --notebooks  # also (g)

Recorded on the 2-core development machine (session 5, pyarrow 26, pandas 3.1): (a) 2,000 accounts 224-233k/s =
0.34-0.36x the hand-written model (648-654k/s), 10,000 accounts 330-349k/s, KPI-only 453k/s (1.37x); (b) 146 bytes per row, 100,000 x 36 peak
3.65 GB (events frame 2.27 + panel 0.37 + baseline 0.30 = 2.94 GB held by the result and libraries alone),
KPI-only 1.48 GB;
(c) 0.50x; (d) 0.02x; (e) --help 0.10 s, first simulate 0.63-0.73 s (import pandas alone 0.27 s);
(f) 1.39x; (g) slowest notebook 17.7 s (07), all 12 in 128 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import simpy

import kamsim
from kamsim.engine import simulate, simulate_kpis

ROOT = Path(__file__).resolve().parents[1]

#: lifetimes' BetaGeoFitter.fit on CDNOW as measured when issue 16 was filed (seconds).
LIFETIMES_BGNBD_SECONDS = 0.60


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# ----------------------------------------------------------------------------- (a) throughput


def hand_written_simpy(n: int, months: int, seed: int = 1) -> None:
    """One SimPy process per account moving between five stages with fixed monthly probabilities."""
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    u = rng.random((n, months))
    p_move = np.array([0.10, 0.06, 0.02, 0.06, 0.0])
    stage = np.zeros(n, dtype=np.int64)

    def account(i: int):
        s = 0
        row = u[i]
        for m in range(months):
            if row[m] < p_move[s]:
                s = min(s + 1, 4)
            yield env.timeout(1.0)
        stage[i] = s

    for i in range(n):
        env.process(account(i))
    env.run()


def throughput(repeats: int) -> None:
    print("(a) throughput, account-months per second (x 36 months)")
    for n in (2_000, 10_000):
        portfolio = kamsim.generate_portfolio(n, seed=1)
        kam = _best(lambda: simulate(kamsim.Scenario(), portfolio, None, seed=1, months=36), repeats)
        ref = _best(lambda: hand_written_simpy(n, 36), repeats)
        am = n * 36
        target = "hand-written model" if n == 2_000 else "300k/s"
        ok = (am / kam >= am / ref) if n == 2_000 else (am / kam >= 300_000)
        print(f"    {n:6,d} accounts: kamsim {am / kam:10,.0f}/s  hand-written SimPy {am / ref:10,.0f}/s  "
              f"kamsim / hand-written {ref / kam:5.2f} (target: at least the {target}: {'OK' if ok else 'NOT MET'})")
        lean = _best(lambda: simulate_kpis(kamsim.Scenario(), portfolio, None, seed=1, months=36), repeats)
        print(f"    {'':6s}          KPI-only run (compare's replications, simulate_kpis): {am / lean:10,.0f}/s "
              f"= {kam / lean:.2f}x simulate()")


# ----------------------------------------------------------------------------- (b) memory

_BIG = """
import resource, kamsim
from kamsim.engine import simulate
p = kamsim.generate_portfolio({n}, seed=1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = simulate(kamsim.Scenario(), p, None, seed=1, months=36)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, before / 1024 ** 2, len(r.events),
      r.events.memory_usage(deep=True).sum() / 1e9, r.panel.memory_usage(deep=True).sum() / 1e9)
"""


_BIG_KPIS = """
import resource, kamsim
from kamsim.engine import simulate_kpis
p = kamsim.generate_portfolio({n}, seed=1)
totals = simulate_kpis(kamsim.Scenario(), p, None, seed=1, months=36)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, totals.events)
"""


def memory(big: bool) -> None:
    storage = pd.StringDtype().storage
    portfolio = kamsim.generate_portfolio(10_000, seed=1)
    events = simulate(kamsim.Scenario(), portfolio, None, seed=1, months=36).events
    per_row = events.memory_usage(deep=True).sum() / len(events)
    print(f"(b) memory (string storage: {storage})")
    print(f"    event log at 10,000 x 36: {len(events):,} rows, {per_row:6.1f} bytes per row "
          f"(target <= 150: {'OK' if per_row <= 150 else 'NOT MET'})")
    if big:
        out = subprocess.run([sys.executable, "-c", _BIG.format(n=100_000)], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        peak, before, rows, events_gb, panel_gb = out.stdout.split()
        print(f"    100,000 x 36 in a fresh process: peak {float(peak):.2f} GB ({float(before):.2f} GB after "
              f"generating), {int(rows):,} event rows (target <= 2.5 GB: {'OK' if float(peak) <= 2.5 else 'NOT MET'})")
        print(f"    what the result itself holds: events frame {float(events_gb):.2f} GB + panel {float(panel_gb):.2f} GB "
              f"+ portfolio and libraries {float(before):.2f} GB = "
              f"{float(events_gb) + float(panel_gb) + float(before):.2f} GB before any working memory")
        out = subprocess.run([sys.executable, "-c", _BIG_KPIS.format(n=100_000)], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        peak, rows = out.stdout.split()
        print(f"    the same run KPI-only (simulate_kpis, as compare runs it): peak {float(peak):.2f} GB, "
              f"{int(rows):,} event rows logged but no frame built")


# ----------------------------------------------------------------------------- (c) rfm_table


def rfm(repeats: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_analytics import synthetic_log

    from kamsim.analytics import rfm_table

    log = synthetic_log(1_000_000, 50_000)
    cutoff = log["date"].max()

    def plain() -> pd.DataFrame:
        t = log[log["date"] <= cutoff]
        day = t["date"].dt.normalize()
        cells = t.assign(day=day).groupby(["account_id", "day"], sort=True)["amount"].sum().reset_index()
        by = cells.groupby("account_id", sort=True)
        rows = t.groupby("account_id", sort=True)
        return pd.DataFrame({
            "frequency": by.size() - 1,
            "recency": (by["day"].max() - by["day"].min()).dt.days,
            "T": (cutoff.normalize() - by["day"].min()).dt.days,
            "monetary_value": by["amount"].sum(),
            "orders": rows.size(),
            "revenue": rows["amount"].sum(),
            "first_purchase": rows["date"].min(),
            "last_purchase": rows["date"].max(),
        })

    kam = _best(lambda: rfm_table(log, cutoff=cutoff, freq="D"), repeats)
    ref = _best(plain, repeats)
    print(f"(c) rfm_table on 1,000,000 transactions: {kam:.2f} s, plain pandas groupby {ref:.2f} s, "
          f"ratio {kam / ref:.2f}x (target <= 1.15x: {'OK' if kam / ref <= 1.15 else 'NOT MET'})")


# ----------------------------------------------------------------------------- (d) CLV fits


def fits(repeats: int) -> None:
    from kamsim.analytics import BetaGeoFitter, GammaGammaFitter

    data = pd.read_csv(ROOT / "tests" / "data" / "cdnow_summary.csv")
    x, t_x, big_t = data["frequency"], data["recency"], data["T"]

    def fit(gradient: bool) -> BetaGeoFitter:
        model = BetaGeoFitter()
        model._use_gradient = gradient
        return model.fit(x, t_x, big_t)

    fast = _best(lambda: fit(True), repeats)
    slow = _best(lambda: fit(False), repeats)
    diff = float(np.max(np.abs(fit(True).params_.to_numpy() - fit(False).params_.to_numpy())))
    try:
        import lifetimes  # noqa: F401

        ref = _best(lambda: lifetimes.BetaGeoFitter().fit(x, t_x, big_t), repeats)
        source = "lifetimes, measured"
    except ImportError:
        ref, source = LIFETIMES_BGNBD_SECONDS, "lifetimes, recorded"
    print(f"(d) BG/NBD on CDNOW: analytic gradient {fast:.3f} s, derivative-free {slow:.3f} s, {source} {ref:.2f} s; "
          f"ratio to lifetimes {fast / ref:.2f}x (target <= 0.5x: {'OK' if fast / ref <= 0.5 else 'NOT MET'}); "
          f"largest parameter difference between the two kamsim paths {diff:.1e}")
    buyers = data[(data["frequency"] > 0) & (data["monetary_value"] > 0)] if "monetary_value" in data else None
    if buyers is not None:
        def gg(gradient: bool) -> GammaGammaFitter:
            model = GammaGammaFitter()
            model._use_gradient = gradient
            return model.fit(buyers["frequency"], buyers["monetary_value"])

        g_fast, g_slow = _best(lambda: gg(True), repeats), _best(lambda: gg(False), repeats)
        print(f"    Gamma-Gamma: analytic gradient {g_fast:.3f} s, derivative-free {g_slow:.3f} s "
              f"({g_slow / g_fast:.1f}x faster)")


# ----------------------------------------------------------------------------- (e) start-up, (f) CLI


def startup(repeats: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_imports import measure

    help_time = _best(lambda: subprocess.run([sys.executable, "-m", "kamsim", "--help"], check=True,
                                             capture_output=True, cwd=ROOT), repeats)
    first = measure(ROOT, repeats)["first simulate, small, 12 months (s)"]
    print(f"(e) start-up in a fresh process: kamsim --help {help_time:.2f} s (target <= 0.3 s: "
          f"{'OK' if help_time <= 0.3 else 'NOT MET'}); first simulate on 'small', 12 months, imports included "
          f"{first:.2f} s (target <= 0.6 s: {'OK' if first <= 0.6 else 'NOT MET'}; python -c 'import pandas' alone "
          f"{_best(lambda: subprocess.run([sys.executable, '-c', 'import pandas'], check=True), repeats):.2f} s)")


def cli_output(repeats: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_cli_output import main as cli_main

    print("(f) kamsim simulate end to end, 10,000 x 36 (benchmarks/bench_cli_output.py):")
    cli_main(["--repeats", str(max(1, repeats - 1))])


def notebooks() -> None:
    from kamsim.course.refresh import execute_notebook, list_notebooks

    print("(g) chapter notebooks, executed in a fresh kernel each (not written):")
    times = {}
    for path in list_notebooks(ROOT / "notebooks"):
        times[path.name] = execute_notebook(path)[1]
        print(f"    {path.name:<40} {times[path.name]:5.1f} s")
    worst = max(times, key=times.get)
    print(f"    slowest {worst} {times[worst]:.1f} s (target <= 20 s each: "
          f"{'OK' if times[worst] <= 20 else 'NOT MET'}); all {sum(times.values()):.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats per timing (minimum is reported)")
    parser.add_argument("--big", action="store_true", help="also the 100,000 accounts x 36 months memory run")
    parser.add_argument("--notebooks", action="store_true", help="also time every chapter notebook (about 2 min)")
    args = parser.parse_args()
    print(f"kamsim {kamsim.__version__}, pandas {pd.__version__}, simpy {simpy.__version__}")
    throughput(args.repeats)
    memory(args.big)
    rfm(args.repeats)
    fits(args.repeats)
    startup(args.repeats)
    cli_output(args.repeats)
    if args.notebooks:
        notebooks()


if __name__ == "__main__":
    main()
