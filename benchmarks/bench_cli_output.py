"""Benchmark: ``kamsim simulate`` end to end (CSV and parquet) as a ratio to ``simulate()`` alone.

Run with ``python benchmarks/bench_cli_output.py [--accounts N] [--months M] [--repeats R]`` (default
10,000 x 36, best of 2).  Issue 16's target: the CLI end to end within 1.5x of ``simulate()`` alone at
10,000 accounts.  The reference is the same work as a script, ``python -c "generate_portfolio + simulate()"``:
like the CLI it pays interpreter start-up, imports and first-call costs (shown apart: the same calls in this
warm process).  The CLI also writes the folder.  It also times the event log's CSV written by pandas' ``to_csv``
against ``kamsim._csv.write_csv`` (same bytes; checked here too).

Recorded on the 2-core development machine (10,000 x 36):
- before ``--format`` existed: CLI 28.8 s (38.8 s of CSV writing at 20,000 accounts);
- pandas ``to_csv`` for events + panel (session 5, before ``kamsim._csv``): 8.3 s; CLI with CSV 11.8 s = 3.97x;
- with ``kamsim._csv`` (pyarrow): events 0.59-0.78 s instead of 6.2-6.7 s, panel 0.20 s instead of 2.05 s;
  CLI with CSV 3.90 s = 1.39x the script (2.81 s; 1.58 s warm), with parquet 3.89 s = 1.38x.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeats", type=int, default=2, help="runs per timing (the minimum is reported)")
    args = parser.parse_args(argv)

    import kamsim
    from kamsim._csv import write_csv

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scale import _best  # minimum of repeated timings

    def reference_run():
        portfolio = kamsim.generate_portfolio(args.accounts, 0)
        return kamsim.simulate(kamsim.Scenario(), portfolio, "status_quo", seed=0, months=args.months)

    script = (f"import kamsim; p = kamsim.generate_portfolio({args.accounts}, 0); "
              f"kamsim.simulate(kamsim.Scenario(), p, 'status_quo', seed=0, months={args.months})")
    reference = _best(lambda: subprocess.run([sys.executable, "-c", script], check=True), args.repeats)
    result = reference_run()
    times = {"python -c 'generate_portfolio + simulate()' (reference)": reference,
             "  the same in a warm process": _best(reference_run, args.repeats)}
    with tempfile.TemporaryDirectory() as tmp:
        events = result.events
        times["  events.csv by pandas to_csv"] = _best(lambda: events.to_csv(Path(tmp) / "a.csv", index=False),
                                                      args.repeats)
        times["  events.csv by kamsim._csv.write_csv"] = _best(lambda: write_csv(events, Path(tmp) / "b.csv"),
                                                              args.repeats)
        same = (Path(tmp) / "a.csv").read_bytes() == (Path(tmp) / "b.csv").read_bytes()
        print(f"events.csv: {len(events):,} rows, write_csv byte-identical to to_csv: {same}")
        for fmt in ("csv", "parquet"):
            out = Path(tmp) / fmt
            cmd = [sys.executable, "-m", "kamsim", "simulate", "--accounts", str(args.accounts), "--months",
                   str(args.months), "--format", fmt, "--out", str(out), "--overwrite"]
            times[f"kamsim simulate --format {fmt}"] = _best(
                lambda: subprocess.run(cmd, check=True, capture_output=True), args.repeats)
            size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
            print(f"{fmt}: {size:.0f} MB written")
    width = max(map(len, times))
    for name, seconds in times.items():
        print(f"{name:<{width}}  {seconds:7.2f} s  {seconds / reference:5.2f}x reference")
    cli = times["kamsim simulate --format csv"] / reference
    print(f"CLI with CSV / reference: {cli:.2f}x (target <= 1.5x: {'OK' if cli <= 1.5 else 'NOT MET'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
