"""Benchmark: generate a 10,000-account portfolio and write it (target < 10 s on 2 cores).

Run with ``python benchmarks/bench_generate.py [--accounts N] [--repeat R]``.
Prints the best and median wall time of each step over R repetitions:
``generate_portfolio(N, seed=1)``, ``Portfolio.to_dir``, ``Portfolio.from_dir``,
and the CLI end to end (``python -m kamsim generate ...`` in a subprocess,
including interpreter start-up and imports).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0


def _time(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import kamsim
    from kamsim.portfolio import Portfolio

    n, repeat = args.accounts, args.repeat
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        holder: dict[str, Portfolio] = {}

        def generate() -> None:
            holder["p"] = kamsim.generate_portfolio(n, seed=1)

        results["generate_portfolio"] = _time(generate, repeat)
        for locale in ("zh_CN",):
            results[f"generate_portfolio ({locale})"] = _time(lambda: kamsim.generate_portfolio(n, 1, locale), repeat)
        results["to_dir (csv)"] = _time(lambda: holder["p"].to_dir(root / "p", overwrite=True), repeat)
        results["from_dir (csv, validated)"] = _time(lambda: Portfolio.from_dir(root / "p"), repeat)

        def cli() -> None:
            cmd = [sys.executable, "-m", "kamsim", "generate", "--accounts", str(n), "--seed", "1",
                   "--out", str(root / "cli"), "--overwrite"]
            subprocess.run(cmd, check=True, capture_output=True)

        results["CLI end to end (subprocess)"] = _time(cli, repeat)
        p = holder["p"]
        print(f"kamsim {kamsim.__version__}: {n} accounts, {len(p.contacts)} contacts, "
              f"top-20% share {p.top_share():.1%}; {repeat} repetitions")
    width = max(len(k) for k in results)
    for name, times in results.items():
        print(f"  {name:<{width}}  best {min(times):6.2f} s   median {statistics.median(times):6.2f} s")
    end_to_end = min(results["CLI end to end (subprocess)"])
    verdict = "OK" if end_to_end < TARGET_SECONDS else "TOO SLOW"
    print(f"CLI end to end {end_to_end:.2f} s vs target {TARGET_SECONDS:.0f} s: {verdict}")
    return 0 if end_to_end < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
