"""Synthetic portfolios with simulated CRM history: the generators, then the engine's warm start.

KAM example: a chapter on customer data analysis needs a customer file *with*
a past -- two years of orders, visits, complaints and stage changes.
:func:`generate_portfolio` builds the accounts, contacts, catalogue and team
(:func:`kamsim.generators.generate_portfolio`, no history) and, for
``history_months > 0``, runs the engine for those months before the portfolio
date under the status quo (:func:`kamsim.engine.warm_start`)::

    import kamsim
    portfolio = kamsim.generate_portfolio(2000, seed=1, locale="zh_CN", history_months=24)
    portfolio.transactions            # the orders of the last 24 months

This module sits one layer above the engine, so the generators and the
portfolio stay pure data code (docs/DESIGN.md, "Layers").
"""

from __future__ import annotations

from datetime import date

from kamsim import generators
from kamsim.engine import warm_start
from kamsim.engine.warmstart import check_history
from kamsim.generators.portfolio_builder import MAX_ACCOUNTS, check_count, parse_as_of
from kamsim.generators.value import DEFAULT_PARETO_SHAPE
from kamsim.portfolio import Portfolio
from kamsim.scenario import MAX_MONTHS, Scenario


def generate_portfolio(
    n_accounts: int,
    seed: int,
    locale: str = "en_US",
    *,
    n_managers: int | None = None,
    n_products: int = 12,
    pareto_shape: float = DEFAULT_PARETO_SHAPE,
    as_of: str | date = "2024-01-01",
    history_months: int = 0,
    scenario: Scenario | None = None,
) -> Portfolio:
    """Generate a reproducible synthetic key-account portfolio, optionally with simulated history.

    Parameters
    ----------
    n_accounts, seed, locale, n_managers, n_products, pareto_shape, as_of
        As in :func:`kamsim.generators.generate_portfolio`.
    history_months
        Months of CRM history to simulate before ``as_of`` with
        :func:`kamsim.engine.warm_start` (0 = no history, ``events`` empty; at most 1200, the
        history must start on or after 1900-01-01, and accounts x months may not exceed
        ``kamsim.engine.simulate.MAX_ACCOUNT_MONTHS``).
    scenario
        Scenario of the warm start (``None`` = engine defaults).

    Returns
    -------
    Portfolio
        Validated tables; ``meta`` holds ``seed, locale, n_accounts, as_of, currency,
        kamsim_version, history_months`` and the generator parameters (plus
        ``history_seed`` and ``history_policy`` with history).

    Raises
    ------
    ValueError
        Naming the argument, for any invalid argument (checked before any work).
    """
    months = check_count(history_months, "history_months", 0, MAX_MONTHS)
    if months > 0:  # the history's checks before the generator's work
        check_history(parse_as_of(as_of), months, check_count(n_accounts, "n_accounts", 1, MAX_ACCOUNTS))
    portfolio = generators.generate_portfolio(
        n_accounts, seed, locale, n_managers=n_managers, n_products=n_products, pareto_shape=pareto_shape, as_of=as_of
    )
    if months == 0:
        return portfolio
    warmed = warm_start(portfolio, months, scenario, seed)
    warmed.meta = {**portfolio.meta, **warmed.meta, "history_months": months}
    return warmed.validate()
