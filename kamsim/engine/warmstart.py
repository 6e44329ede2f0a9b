"""warm_start(): give a fresh portfolio months of realistic CRM history.

KAM example: an analytics chapter needs a customer file *with* history --
orders of the last year, visits, complaints, stage changes.  A generated
portfolio has none; :func:`warm_start` runs the engine for ``months`` months
before the portfolio date under the status-quo policy and returns a copy whose
``events`` hold that history (negative months, dates before ``as_of``) and
whose ``accounts.stage`` is the stage reached at ``as_of``.
``kamsim.generate_portfolio(..., history_months=N)`` calls it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from kamsim._random import check_seed, seed_sequence
from kamsim.engine.run import Run
from kamsim.engine.simulate import check_months, check_run_size, start_date
from kamsim.scenario import Scenario
from kamsim.vocabulary import add_months, check_period


def check_history(as_of: pd.Timestamp, months: object, n_accounts: int) -> int:
    """Checks of a warm start before any work; returns ``months`` as an int.

    Parameters
    ----------
    as_of
        Portfolio date: the history ends the day before it.
    months
        Months of history (1 to 1200).
    n_accounts
        Accounts of the portfolio (accounts x months at most ``MAX_ACCOUNT_MONTHS``).

    Raises
    ------
    ValueError
        Naming ``history_months``: not an int from 1 to 1200, too many account-months, or a history
        starting before 1900-01-01.
    """
    n_months = check_months(months, "history_months")
    check_run_size(n_accounts, n_months, "history_months")
    start = add_months(as_of.date(), -n_months)
    what = f"a {n_months}-month history (history_months) before as_of {as_of.date().isoformat()}"
    check_period(start, n_months, what)
    return n_months


def warm_start(portfolio: Any, months: int, scenario: Scenario | None = None, seed: int = 0) -> Any:
    """A copy of ``portfolio`` with ``months`` months of simulated CRM history before ``meta["as_of"]``.

    The engine runs under ``PolicyBundle.default()`` (status quo) from
    ``as_of - months`` to ``as_of`` with streams derived from
    ``seed_sequence(seed, "warm_start")`` -- so a later ``simulate(..., seed)``
    does not reuse the history's random numbers.

    Returns
    -------
    Portfolio
        Same tables, except ``events`` (the history: ``month`` -months..-1, dates
        before ``as_of``), ``accounts.stage`` (stage at ``as_of``),
        ``accounts.acquisition_date`` (set for prospects acquired during the history)
        and ``meta`` (adds ``history_months``, ``history_seed``, ``history_policy``).

    Raises
    ------
    ValueError
        If ``months`` is not an integer from 1 to 1200, the history would start before 1900-01-01
        or hold too many account-months (:func:`check_history`), or the portfolio already has history.
    """
    from kamsim.policies import PolicyBundle

    as_of = start_date(portfolio)
    n_months = check_history(as_of, months, len(portfolio.accounts))
    seed = check_seed(seed)
    history = getattr(portfolio, "events", None)
    if history is not None and len(history) > 0:
        raise ValueError("portfolio.events: warm_start needs a portfolio without history (events must be empty)")
    scenario = Scenario() if scenario is None else scenario
    start = as_of - pd.DateOffset(months=n_months)
    bundle = PolicyBundle.default()
    run = Run(scenario, portfolio, bundle, seed_sequence(seed, "warm_start"), n_months)
    result = run.run(start, -n_months, 1, seed, portfolio)
    accounts = portfolio.accounts.copy()
    accounts["stage"] = pd.Series(result.final_stage.to_numpy(), index=accounts.index).astype(accounts["stage"].dtype)
    ev = result.events
    accounts["acquisition_date"] = _with_acquisitions(accounts, ev)
    meta = {**dict(getattr(portfolio, "meta", {}) or {}), "history_months": n_months, "history_seed": seed,
            "history_policy": bundle.name}
    return dataclasses.replace(portfolio, accounts=accounts, events=ev, meta=meta)


def _with_acquisitions(accounts: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """``accounts.acquisition_date`` with the first prospect -> new date of the history filled in where missing.

    Works when no prospect converted (no such event): ``reindex`` keeps the datetime dtype of an empty
    lookup, whereas ``Series.map`` with an empty mapper casts it to float64 and fails.
    """
    acquired = events[(events["event_type"] == "stage_change") & (events["stage_from"] == "prospect")]
    first = acquired.groupby(acquired["account_id"].astype("object"))["date"].min()
    new_dates = pd.Series(first.reindex(accounts["account_id"].astype("object").to_numpy()).to_numpy(),
                          index=accounts.index)
    dates = accounts["acquisition_date"]
    fill = dates.isna() & new_dates.notna()
    if not fill.any():
        return dates
    dates = dates.copy()
    dates[fill] = pd.to_datetime(new_dates[fill])
    return dates.astype(accounts["acquisition_date"].dtype)
