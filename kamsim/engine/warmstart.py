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
from kamsim.engine.simulate import check_months, start_date
from kamsim.scenario import Scenario


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
        If ``months`` is not a positive integer or the portfolio already has history.
    """
    from kamsim.policies import PolicyBundle

    n_months = check_months(months, "history_months")
    seed = check_seed(seed)
    history = getattr(portfolio, "events", None)
    if history is not None and len(history) > 0:
        raise ValueError("portfolio.events: warm_start needs a portfolio without history (events must be empty)")
    scenario = Scenario() if scenario is None else scenario
    as_of = start_date(portfolio)
    start = as_of - pd.DateOffset(months=n_months)
    bundle = PolicyBundle.default()
    run = Run(scenario, portfolio, bundle, seed_sequence(seed, "warm_start"), n_months)
    result = run.run(start, -n_months, 1, seed, portfolio)
    accounts = portfolio.accounts.copy()
    accounts["stage"] = pd.Series(result.final_stage.to_numpy(), index=accounts.index).astype(accounts["stage"].dtype)
    ev = result.events
    acquired = ev[(ev["event_type"] == "stage_change") & (ev["stage_from"] == "prospect")]
    first = acquired.groupby(acquired["account_id"].astype("object"))["date"].min()
    ids = accounts["account_id"].astype("object")
    new_dates = ids.map(first)
    fill = accounts["acquisition_date"].isna() & new_dates.notna()
    if fill.any():
        dates = accounts["acquisition_date"].copy()
        dates[fill] = pd.to_datetime(new_dates[fill])
        accounts["acquisition_date"] = dates.astype(accounts["acquisition_date"].dtype)
    meta = {**dict(getattr(portfolio, "meta", {}) or {}), "history_months": n_months, "history_seed": seed,
            "history_policy": bundle.name}
    return dataclasses.replace(portfolio, accounts=accounts, events=ev, meta=meta)
