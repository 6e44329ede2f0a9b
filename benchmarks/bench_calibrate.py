"""Benchmark: ``kamsim calibrate`` on a 1,000,000-row transaction log (target < 60 s on 2 cores).

Run with ``python benchmarks/bench_calibrate.py [--rows N]``.  Writes a synthetic
Pareto/NBD log (``kamsim.calibration.pareto_nbd_log``, about 3.6 rows per customer) of
at least N rows to a temporary CSV, then times, side by side:

* the reference: ``pandas.read_csv`` of the file plus one ``groupby`` per customer
  (count, sum, first and last date) -- the least any tool must do with the file;
* ``kamsim calibrate`` end to end in a subprocess (interpreter start-up, reading and
  checking every row, RFM, Pareto/NBD and Gamma-Gamma fits, the twin's tables, the
  atomic write of the folder);
* the same steps in-process, one by one, to show where the time goes.

It prints each time and its ratio to the reference, and fails (exit 1) above the target.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0
ROWS_PER_CUSTOMER = 3.6  # of pareto_nbd_log with its defaults over 30 months


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    import pandas as pd

    from kamsim.analytics import read_transactions, rfm_table
    from kamsim.calibration import calibrate, pareto_nbd_log

    customers = int(args.rows / ROWS_PER_CUSTOMER) + 1
    log = pareto_nbd_log(customers, months=30.0, seed=1)
    while len(log) < args.rows:
        customers = int(customers * 1.05) + 1
        log = pareto_nbd_log(customers, months=30.0, seed=1)
    as_of = "2024-07-01"
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        file = root / "orders.csv"
        log.to_csv(file, index=False)
        size_mb = file.stat().st_size / 1e6
        print(f"log: {len(log):,} rows, {customers:,} customers, {size_mb:.0f} MB CSV; as_of {as_of}")

        start = time.perf_counter()
        raw = pd.read_csv(file, parse_dates=["date"])
        raw.groupby("account_id").agg(n=("amount", "size"), total=("amount", "sum"), first=("date", "min"), last=("date", "max"))
        times["reference: pandas read_csv + groupby"] = time.perf_counter() - start

        cmd = [sys.executable, "-m", "kamsim", "calibrate", "--transactions", str(file), "--as-of", as_of,
               "--out", str(root / "twin")]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times["kamsim calibrate (CLI, end to end)"] = time.perf_counter() - start

        start = time.perf_counter()
        canonical = read_transactions(file)
        times["  read_transactions (every row checked)"] = time.perf_counter() - start
        start = time.perf_counter()
        rfm_table(canonical[canonical["date"] < as_of], cutoff="2024-06-30", freq="D")
        times["  rfm_table"] = time.perf_counter() - start
        start = time.perf_counter()
        portfolio, scenario = calibrate(canonical, as_of)
        times["  calibrate (from the checked log: fits + tables)"] = time.perf_counter() - start
        start = time.perf_counter()
        portfolio.to_dir(root / "again", attachments={"scenario.yaml": scenario.to_yaml()})
        times["  Portfolio.to_dir"] = time.perf_counter() - start

    reference = times["reference: pandas read_csv + groupby"]
    width = max(len(k) for k in times)
    for name, seconds in times.items():
        print(f"{name:<{width}}  {seconds:7.2f} s  {seconds / reference:6.1f}x reference")
    total = times["kamsim calibrate (CLI, end to end)"]
    verdict = "OK" if total < TARGET_SECONDS else "TOO SLOW"
    print(f"target: CLI end to end < {TARGET_SECONDS:.0f} s -> {total:.1f} s {verdict}")
    return 0 if total < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
