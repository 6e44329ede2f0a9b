"""Benchmark: ``kamsim simulate`` end to end (CSV and parquet) as a ratio to ``simulate()`` alone.

Run with ``python benchmarks/bench_cli_output.py [--accounts N] [--months M]`` (default 10,000 x 36).
Issue 16's target: the CLI end to end within 1.5x of ``simulate()`` alone at 10,000 accounts.
The CLI times include interpreter start-up, generating the portfolio and writing the folder.
Recorded before ``--format`` existed (10,000 x 36): CLI 28.8 s, of which CSV writing 38.8 s at 20,000 accounts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    args = parser.parse_args(argv)

    import kamsim

    start = time.perf_counter()
    portfolio = kamsim.generate_portfolio(args.accounts, 0)
    kamsim.simulate(kamsim.Scenario(), portfolio, "status_quo", seed=0, months=args.months)
    reference = time.perf_counter() - start
    times = {"generate_portfolio + simulate() (reference)": reference}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "parquet"):
            cmd = [sys.executable, "-m", "kamsim", "simulate", "--accounts", str(args.accounts), "--months",
                   str(args.months), "--format", fmt, "--out", str(Path(tmp) / fmt)]
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times[f"kamsim simulate --format {fmt}"] = time.perf_counter() - start
            size = sum(f.stat().st_size for f in (Path(tmp) / fmt).iterdir()) / 1e6
            print(f"{fmt}: {size:.0f} MB written")
    width = max(map(len, times))
    for name, seconds in times.items():
        print(f"{name:<{width}}  {seconds:7.2f} s  {seconds / reference:5.2f}x reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
