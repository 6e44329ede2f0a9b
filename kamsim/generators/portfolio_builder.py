"""Build a synthetic key-account portfolio: :func:`generate_portfolio`.

A trainer needs a realistic customer base to teach with: a few hundred or
thousand B2B accounts where a fifth hold most of the value, each with a
buying centre, an account manager and a place in the customer lifecycle::

    >>> from kamsim.generators import generate_portfolio
    >>> p = generate_portfolio(200, seed=1)
    >>> len(p.accounts), round(p.top_share(), 2) > 0.7
    (200, True)

Each part of the portfolio draws from its own named random stream
(:func:`kamsim._random.streams`), so changing, say, the number of products
does not change the accounts.  The same arguments and seed give identical
tables; nothing depends on the clock.

The portfolio has no history (``events`` is empty): :func:`kamsim.generate_portfolio`
(:mod:`kamsim.synthetic`) adds months of simulated CRM history with the engine's warm start.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from kamsim import _random
from kamsim._version import __version__
from kamsim.generators import relations, tables
from kamsim.generators.firmographics import NameFactory, draw_firmographics
from kamsim.generators.traits import draw_lifecycle, draw_traits
from kamsim.generators.value import DEFAULT_PARETO_SHAPE, potential_spend
from kamsim.portfolio import Portfolio
from kamsim.schema import column_names, empty_frame

#: Named random streams of the generator (one per component).
GENERATOR_STREAMS: tuple[str, ...] = (
    "firmographics",
    "value",
    "traits",
    "lifecycle",
    "contacts",
    "products",
    "managers",
    "company_names",
    "person_names",
)

#: Accounts per account manager when ``n_managers`` is not given.
ACCOUNTS_PER_MANAGER = 40

#: Accounts of a generated portfolio when a caller (``kamsim.compare``, the CLI) is not told how many.
DEFAULT_ACCOUNTS: int = 200


def default_n_managers(n_accounts: int) -> int:
    """Default team size: ``max(2, ceil(n_accounts / 40))``."""
    return max(2, math.ceil(n_accounts / ACCOUNTS_PER_MANAGER))


def check_count(value: object, field: str, minimum: int) -> int:
    """``value`` as an int >= ``minimum``; ``ValueError`` naming ``field`` otherwise (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{field} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{field} must be >= {minimum}, got {value}")
    return int(value)


def _parse_as_of(as_of: object) -> pd.Timestamp:
    if not isinstance(as_of, (str, date, datetime, pd.Timestamp)):
        raise ValueError(f"as_of must be an ISO date string or a date, got {as_of!r}")
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise ValueError(f"as_of must be an ISO date such as '2024-01-01', got {as_of!r}") from None
    if ts.tzinfo is not None or ts != ts.normalize() or ts.year < 1900:
        raise ValueError(f"as_of must be a calendar date (no time, no time zone) after 1900, got {as_of!r}")
    return ts


def generate_portfolio(
    n_accounts: int,
    seed: int,
    locale: str = "en_US",
    *,
    n_managers: int | None = None,
    n_products: int = 12,
    pareto_shape: float = DEFAULT_PARETO_SHAPE,
    as_of: str | date = "2024-01-01",
) -> Portfolio:
    """Generate a reproducible synthetic key-account portfolio.

    Parameters
    ----------
    n_accounts
        Number of accounts (>= 1).
    seed
        Master seed (non-negative int); the same arguments and seed give identical tables.
    locale
        ``"en_US"`` (US states, English names) or ``"zh_CN"`` (Chinese
        provinces, cities and names).
    n_managers
        Account managers; default ``max(2, ceil(n_accounts / 40))``.
    n_products
        Products in the catalogue (>= 1).
    pareto_shape
        Tail index of annual potential spend (see :mod:`kamsim.generators.value`);
        the default 1.16 puts 70-85% of spend in the top 20% of accounts.
    as_of
        Portfolio date (ISO date): acquisition dates lie before it.

    Returns
    -------
    Portfolio
        Validated tables; ``meta`` holds ``seed, locale, n_accounts, as_of,
        currency, kamsim_version, history_months`` and the generator parameters.
    """
    n = check_count(n_accounts, "n_accounts", 1)
    seed = _random.check_seed(seed)
    if locale not in tables.LOCALES:
        raise ValueError(f"locale must be one of {list(tables.LOCALES)}, got {locale!r}")
    n_mgr = default_n_managers(n) if n_managers is None else check_count(n_managers, "n_managers", 1)
    n_prod = check_count(n_products, "n_products", 1)
    if isinstance(pareto_shape, bool) or not isinstance(pareto_shape, (int, float, np.floating, np.integer)):
        raise ValueError(f"pareto_shape must be a positive number, got {pareto_shape!r}")
    ts = _parse_as_of(as_of)

    rng = _random.streams(seed, GENERATOR_STREAMS)
    firms = draw_firmographics(n, locale, rng["firmographics"], ts.year)
    spend_factor = {i.code: i.spend_factor for i in tables.INDUSTRIES}
    spend = potential_spend(
        firms["employees"].to_numpy(),
        firms["industry"].map(spend_factor).to_numpy(dtype="float64"),
        rng["value"],
        pareto_shape=float(pareto_shape),
    )
    traits = draw_traits(firms, ts.year, rng["traits"])
    life = draw_lifecycle(firms, ts, rng["lifecycle"])

    company_names = NameFactory(locale, int(rng["company_names"].integers(0, 2**32)))
    person_names = NameFactory(locale, int(rng["person_names"].integers(0, 2**32)))
    accounts = pd.concat([firms, traits, life], axis=1)
    accounts["account_id"] = relations.make_ids("A", n, 5)
    accounts["company_name"] = company_names.company_names(firms["city"].to_numpy(), firms["industry"].to_numpy(), rng["company_names"])
    accounts["annual_potential_spend"] = spend

    managers = relations.draw_managers(n_mgr, accounts["region"], person_names, rng["managers"])
    accounts["manager_id"] = relations.assign_managers(accounts, managers)
    accounts = accounts[column_names("accounts")]
    contacts = relations.draw_contacts(
        accounts["account_id"].to_numpy(), accounts["size_band"].to_numpy(), person_names, rng["contacts"]
    )
    products = relations.draw_products(n_prod, locale, rng["products"])

    meta = {
        "seed": seed,
        "locale": locale,
        "n_accounts": n,
        "as_of": ts.date().isoformat(),
        "currency": tables.CURRENCY,
        "kamsim_version": __version__,
        "history_months": 0,
        "n_managers": n_mgr,
        "n_products": n_prod,
        "pareto_shape": float(pareto_shape),
    }
    return Portfolio(
        accounts=accounts,
        contacts=contacts,
        products=products,
        account_managers=managers,
        events=empty_frame("events"),
        meta=meta,
    ).validate()
