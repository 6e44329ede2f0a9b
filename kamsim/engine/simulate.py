"""simulate(): one SimPy run of a key-account portfolio under a policy bundle.

KAM example: "What happens to revenue, churn and complaint waits over the next
three years if we keep grading accounts ABC, share our managers' hours equally
and spend nothing on retention?"::

    import kamsim
    portfolio = kamsim.generate_portfolio(500, seed=1)
    result = kamsim.simulate(kamsim.Scenario(), portfolio, "status_quo", seed=1)
    result.kpis()

This module checks the arguments and starts a :class:`~kamsim.engine.run.Run`, which
holds the model's monthly steps (see its module docstring and docs/engine.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamsim._random import check_seed
from kamsim.engine.result import SimulationResult
from kamsim.engine.run import Run
from kamsim.policies import PolicyBundle, as_bundle
from kamsim.scenario import Scenario


def check_months(months: Any, field: str = "months") -> int:
    """``months`` as a positive int; ``ValueError`` naming ``field`` otherwise."""
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"{field} must be a positive integer, got {months!r}")
    return int(months)


def start_date(portfolio: Any) -> pd.Timestamp:
    """The portfolio date ``meta["as_of"]`` (default 2024-01-01): the first day of month 0."""
    meta = getattr(portfolio, "meta", None) or {}
    try:
        return pd.Timestamp(meta.get("as_of", "2024-01-01")).normalize()
    except (TypeError, ValueError):
        raise ValueError(f"portfolio.meta['as_of']: not a date: {meta.get('as_of')!r}") from None


def _first_event_id(portfolio: Any) -> int:
    """The event id after the portfolio's history (1 without history)."""
    history = getattr(portfolio, "events", None)
    if history is None or len(history) == 0:
        return 1
    return int(history["event_id"].max()) + 1


def simulate(
    scenario: Scenario | None,
    portfolio: Any,
    policy: PolicyBundle | str | None = None,
    seed: int = 0,
    *,
    months: int | None = None,
) -> SimulationResult:
    """Simulate ``portfolio`` under ``policy`` for ``months`` months.

    Parameters
    ----------
    scenario
        Engine parameters (``None``: ``Scenario()`` defaults).
    portfolio
        A :class:`kamsim.portfolio.Portfolio` (accounts, products,
        account_managers, events history, meta with ``as_of``).  Month 0 starts
        on ``meta["as_of"]``.  History rows (``month < 0``) seed the 12-month
        order buffers and running contracts.
    policy
        A :class:`kamsim.policies.PolicyBundle`, a registered bundle name (see
        ``kamsim.policies.available()``) or ``None`` for the status quo.
    seed
        Master seed (non-negative int); each process draws from its own stream.
    months
        Months to simulate (default ``scenario.months``).

    Returns
    -------
    SimulationResult
        ``events`` start at ``event_id`` = (largest history id) + 1.

    Raises
    ------
    ValueError
        For a bad seed, months, policy name, or inconsistent portfolio tables.
    """
    scenario = Scenario() if scenario is None else scenario
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario: expected a kamsim Scenario, got {type(scenario).__name__}")
    seed = check_seed(seed)
    n_months = check_months(scenario.months if months is None else months)
    bundle = as_bundle(policy)
    run = Run(scenario, portfolio, bundle, seed, n_months)
    return run.run(start_date(portfolio), 0, _first_event_id(portfolio), seed, portfolio)
