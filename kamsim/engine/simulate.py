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

Limits, checked before any work: ``months`` from 1 to ``vocabulary.MAX_MONTHS`` (1200);
accounts x months at most :data:`MAX_ACCOUNT_MONTHS`; every simulated day within
``vocabulary.FIRST_DATE`` .. ``LAST_DATE`` (1900-01-01 to 2200-12-31).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamsim._random import check_seed
from kamsim.engine.kpis import KpiTotals
from kamsim.engine.result import SimulationResult
from kamsim.engine.run import Run
from kamsim.policies import PolicyBundle, as_bundle
from kamsim.scenario import MAX_MONTHS, Scenario
from kamsim.vocabulary import check_period

#: Largest run: accounts x months (a run needs about 2 KB of memory per account-month, so about 10 GB).
MAX_ACCOUNT_MONTHS: int = 5_000_000


def check_months(months: Any, field: str = "months") -> int:
    """``months`` as an int from 1 to ``MAX_MONTHS`` (1200); ``ValueError`` naming ``field`` otherwise."""
    if isinstance(months, (bool, np.bool_)) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"{field} must be a positive integer, got {_short_repr(months)}")
    if months > MAX_MONTHS:
        raise ValueError(f"{field} must be <= {MAX_MONTHS} (100 years), got {months:,}")
    return int(months)


def check_run_size(n_accounts: int, months: int, field: str = "months") -> None:
    """``ValueError`` naming ``field`` if ``n_accounts x months`` exceeds :data:`MAX_ACCOUNT_MONTHS`."""
    if n_accounts * months > MAX_ACCOUNT_MONTHS:
        raise ValueError(
            f"{n_accounts:,} accounts x {months:,} {field} = {n_accounts * months:,} account-months is more than "
            f"the limit of {MAX_ACCOUNT_MONTHS:,} (a run needs about 2 KB of memory per account-month); "
            f"simulate fewer accounts or months"
        )


def check_simulation(start: pd.Timestamp, months: int, n_accounts: int) -> None:
    """All checks of a run's shape before any work: months, accounts x months, and the calendar.

    Parameters
    ----------
    start
        First day of month 0 (the portfolio's ``as_of``).
    months
        Months to simulate.
    n_accounts
        Accounts of the portfolio.

    Raises
    ------
    ValueError
        Naming ``months`` or ``as_of``, with the limit.
    """
    months = check_months(months)
    check_run_size(n_accounts, months)
    check_period(start.date(), months, f"a {months}-month simulation from as_of {start.date().isoformat()}")


def start_date(portfolio: Any) -> pd.Timestamp:
    """The portfolio date ``meta["as_of"]`` (default 2024-01-01): the first day of month 0."""
    meta = getattr(portfolio, "meta", None) or {}
    return as_of_timestamp(meta.get("as_of", "2024-01-01"))


def as_of_timestamp(value: object, field: str = "portfolio.meta['as_of']") -> pd.Timestamp:
    """``value`` as a normalised Timestamp; ``ValueError`` naming ``field`` if it is not a date."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        ts = pd.NaT
    if ts is pd.NaT or not 1 <= ts.year <= 9999:  # pandas also reads years before 1 and after 9999
        raise ValueError(f"{field}: not a date: {_short_repr(value)}")
    return ts.normalize()


def _short_repr(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        Months to simulate, 1 to 1200 (default ``scenario.months``).  Accounts x months must
        not exceed :data:`MAX_ACCOUNT_MONTHS` and the run must end by 2200-12-31.

    Returns
    -------
    SimulationResult
        ``events`` start at ``event_id`` = (largest history id) + 1.

    Raises
    ------
    ValueError
        For a bad seed, months (or too many accounts x months), a run leaving the calendar
        1900-01-01 .. 2200-12-31, a policy name, or inconsistent portfolio tables; checked
        before any work.
    """
    run, start, seed = _prepared_run(scenario, portfolio, policy, seed, months)
    return run.run(start, 0, _first_event_id(portfolio), seed, portfolio)


def simulate_kpis(
    scenario: Scenario | None,
    portfolio: Any,
    policy: PolicyBundle | str | None = None,
    seed: int = 0,
    *,
    months: int | None = None,
) -> KpiTotals:
    """The KPI totals of :func:`simulate` with the same arguments, without building the event log's frame.

    ``simulate_kpis(...).kpis(name)`` equals ``simulate(...).kpis()`` bit for bit; it takes about a quarter
    less time at 10,000 accounts and holds no event frame.  :func:`kamsim.compare` runs its replications this
    way.  Arguments and errors as in :func:`simulate`.

    Returns
    -------
    KpiTotals
        Additive sums and counts; ``.kpis(name)`` gives the KPI Series.
    """
    run, _, _ = _prepared_run(scenario, portfolio, policy, seed, months)
    return run.kpi_totals()


def _prepared_run(
    scenario: Any, portfolio: Any, policy: Any, seed: Any, months: int | None
) -> tuple[Run, pd.Timestamp, int]:
    """Check every argument (before any work); the :class:`Run`, its start date and the checked seed."""
    scenario = Scenario() if scenario is None else scenario
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario: expected a kamsim Scenario, got {type(scenario).__name__}")
    seed = check_seed(seed)
    n_months = check_months(scenario.months if months is None else months)
    start = start_date(portfolio)
    check_simulation(start, n_months, _n_accounts(portfolio))
    bundle = as_bundle(policy)
    return Run(scenario, portfolio, bundle, seed, n_months), start, seed


def _n_accounts(portfolio: Any) -> int:
    """Rows of ``portfolio.accounts`` (0 if it has none; the engine's own checks report that)."""
    accounts = getattr(portfolio, "accounts", None)
    try:
        return len(accounts) if accounts is not None else 0
    except TypeError:
        return 0
