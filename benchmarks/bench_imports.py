"""Benchmark of start-up cost: what ``import kamsim; kamsim.simulate`` loads, and the first simulate() call.

What it measures, each in a fresh Python process (cold caches of this process, warm OS file cache):

(a) ``import kamsim; kamsim.simulate`` -- wall time;
(b) the first ``kamsim.simulate`` on the shipped ``small`` dataset, 12 months -- import plus run, and how many
    ``kamsim.analytics`` modules the process has loaded by then (``python -X importtime``).

With ``--reference DIR`` (a checkout of an earlier kamsim, e.g. ``git worktree add /tmp/ref <commit>``)
each figure is also measured there and printed side by side with the ratio now / reference.
Each timing is the minimum of ``--repeats`` runs.  Run::

    python benchmarks/bench_imports.py --reference /tmp/ref
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

IMPORT = "import kamsim; kamsim.simulate"
FIRST_RUN = (
    "import kamsim; p = kamsim.datasets.load('small'); "
    "kamsim.simulate(kamsim.Scenario(months=12), p, 'status_quo', seed=1)"
)


def _run(code: str, checkout: Path, importtime: bool = False) -> tuple[float, str]:
    env = dict(os.environ, PYTHONPATH=str(checkout), KAMSIM_DATASETS=str(checkout / "datasets"))
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", code]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=checkout, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stderr


def measure(checkout: Path, repeats: int) -> dict[str, float]:
    """Import and first-run times (s) and the number of analytics modules the first run loads."""
    _, trace = _run(FIRST_RUN, checkout, importtime=True)
    modules = {line.split("|")[-1].strip() for line in trace.splitlines() if "|" in line}
    analytics = sorted(m for m in modules if m.startswith("kamsim.analytics."))
    return {
        "import kamsim; kamsim.simulate (s)": min(_run(IMPORT, checkout)[0] for _ in range(repeats)),
        "first simulate, small, 12 months (s)": min(_run(FIRST_RUN, checkout)[0] for _ in range(repeats)),
        "analytics modules loaded by then": float(len(analytics)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=None, help="checkout of an earlier kamsim to compare with")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    now = measure(HERE, args.repeats)
    ref = measure(args.reference.resolve(), args.repeats) if args.reference else None
    print(f"{'measure':<40} {'now':>10}" + (f" {'reference':>10} {'ratio':>7}" if ref else ""))
    for key, value in now.items():
        line = f"{key:<40} {value:>10.3f}"
        if ref:
            line += f" {ref[key]:>10.3f} {value / ref[key] if ref[key] else float('nan'):>7.2f}"
        print(line)


if __name__ == "__main__":
    main()
