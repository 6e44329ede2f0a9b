"""Golden fingerprints of kamsim's outputs: one SHA-256 per table of a fixed set of runs.

A refactoring that is meant to keep behaviour must leave every fingerprint unchanged
(``tests/test_golden.py`` compares them with ``tests/data/golden.json``).  When the model
changes on purpose, regenerate the file in the same commit and say what moved::

    python tests/golden.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

GOLDEN = Path(__file__).with_name("data") / "golden.json"


def _sha(frame: pd.DataFrame | pd.Series) -> str:
    return hashlib.sha256(frame.to_csv().encode("utf-8")).hexdigest()


def _dir_sha(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _bundles() -> dict[str, object]:
    from kamsim import policies
    from kamsim.policies import CadenceAllocation, NoisyDataSegmentation, ProactiveDiscovery, ReactiveService

    out: dict[str, object] = {name: name for name in policies.BUNDLES}
    out["cadence"] = policies.PolicyBundle("abc", "none", CadenceAllocation(), name="cadence")
    out["proactive"] = policies.PolicyBundle("abc", "none", ProactiveDiscovery(), name="proactive")
    out["reactive"] = policies.PolicyBundle("abc", "none", ReactiveService(), name="reactive")
    out["noisy"] = policies.PolicyBundle(NoisyDataSegmentation("value_potential", noise_sd=0.3, missing_share=0.1), "none", "tier",
                                         name="noisy")
    return out


def _cases() -> Iterator[tuple[str, Callable[[], str]]]:
    import kamsim

    small = kamsim.datasets.load("small")
    scenario = kamsim.Scenario(months=12)
    for label, policy in _bundles().items():
        def run(policy: object = policy) -> dict[str, str]:
            result = kamsim.simulate(scenario, small, policy, seed=7)
            return {
                "events": _sha(result.events),
                "panel": _sha(result.panel),
                "complaints": _sha(result.complaints),
                "kpis": _sha(result.kpis()),
            }

        yield f"simulate/small/{label}", run

    def generated() -> dict[str, str]:
        portfolio = kamsim.generate_portfolio(150, seed=11, locale="zh_CN", history_months=6)
        with tempfile.TemporaryDirectory() as tmp:
            return {"portfolio": _dir_sha(portfolio.to_dir(Path(tmp) / "p"))}

    yield "generate/150/zh_CN/history6", generated

    def compared() -> dict[str, str]:
        comparison = kamsim.compare(scenario, ["status_quo", "risk_targeted", "roi_allocation"], portfolio=small,
                                    replications=3, seed=5, progress=False)
        return {"replications": _sha(comparison.replications), "paired": _sha(comparison.paired())}

    yield "compare/small", compared

    def what_if() -> dict[str, str]:
        comparison = kamsim.compare_scenarios(
            {"base": scenario, "busy": kamsim.Scenario(months=12, complaints={"handlers_per_1000_accounts": 2.0})},
            "risk_targeted", portfolio=small, replications=2, seed=5, progress=False)
        return {"replications": _sha(comparison.replications)}

    yield "compare_scenarios/small", what_if


def fingerprints() -> dict[str, dict[str, str]]:
    """Fingerprint of every case (name -> table -> SHA-256 of its CSV)."""
    return {name: make() for name, make in _cases()}


if __name__ == "__main__":
    prints = fingerprints()
    if "--write" in sys.argv:
        GOLDEN.write_text(json.dumps(prints, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN}")
    else:
        print(json.dumps(prints, indent=1, sort_keys=True))
