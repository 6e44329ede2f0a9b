"""kamsim: a Key Account Management (大客户管理) course kit and portfolio simulator.

The pipeline, as the package tree shows it::

    generators -> Portfolio (schema) -> engine <- policies -> experiment -> analytics -> notebooks

Quick start::

    import kamsim
    portfolio = kamsim.generate_portfolio(200, seed=1)
    result = kamsim.simulate(kamsim.Scenario(), portfolio, kamsim.PolicyBundle.default(), seed=1)
    result.kpis()

Top-level names are imported lazily so that ``import kamsim`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from kamsim._version import __version__

_LAZY: dict[str, str] = {
    "generate_portfolio": "kamsim.synthetic",
    "Portfolio": "kamsim.portfolio",
    "Scenario": "kamsim.scenario",
    "simulate": "kamsim.engine",
    "SimulationResult": "kamsim.engine",
    "PolicyBundle": "kamsim.policies",
    "calibrate": "kamsim.calibration",
    "compare": "kamsim.experiment",
    "compare_scenarios": "kamsim.experiment",
    "Comparison": "kamsim.experiment",
    "datasets": "kamsim.datasets",
    "analytics": "kamsim.analytics",
    "policies": "kamsim.policies",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = module if module.__name__ == f"kamsim.{name}" else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kamsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
