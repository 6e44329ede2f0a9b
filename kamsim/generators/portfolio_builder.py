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
from kamsim.vocabulary import DEFAULT_ACCOUNTS, FIRST_DATE, LAST_DATE, MAX_ACCOUNTS, MAX_PRODUCTS

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


def default_n_managers(n_accounts: int) -> int:
    """Default team size: ``max(2, ceil(n_accounts / 40))``."""
    return max(2, math.ceil(n_accounts / ACCOUNTS_PER_MANAGER))


def check_count(value: object, field: str, minimum: int, maximum: int | None = None) -> int:
    """``value`` as an int in ``minimum`` .. ``maximum`` (no bool); ``ValueError`` naming ``field`` otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{field} must be an integer, got {_short_repr(value)}")
    if value < minimum:
        raise ValueError(f"{field} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{field} must be <= {maximum:,}, got {value:,}")
    return int(value)


def max_managers(n_accounts: int) -> int:
    """Largest team for ``n_accounts`` accounts: one manager per account (2 for one account, as by default)."""
    return max(2, n_accounts)


def check_managers(n_managers: object, n_accounts: int) -> int:
    """``n_managers`` as an int from 1 to :func:`max_managers`; ``ValueError`` naming ``n_managers`` otherwise."""
    m = check_count(n_managers, "n_managers", 1)
    if m > max_managers(n_accounts):
        raise ValueError(f"n_managers must be <= {max_managers(n_accounts):,} (at most one manager per account "
                         f"for {n_accounts:,} accounts), got {m:,}")
    return m


def parse_as_of(as_of: object) -> pd.Timestamp:
    """The portfolio date as a Timestamp; ``ValueError`` naming ``as_of`` unless it is a calendar day in
    ``vocabulary.FIRST_DATE`` .. ``LAST_DATE`` (1900-01-01 to 2200-12-31) without time or time zone."""
    if not isinstance(as_of, (str, date, datetime, pd.Timestamp)):
        raise ValueError(f"as_of must be an ISO date string or a date, got {_short_repr(as_of)}")
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"as_of must be an ISO date such as '2024-01-01', got {_short_repr(as_of)}") from None
    if ts is pd.NaT or ts.tzinfo is not None or ts != ts.normalize():
        raise ValueError(f"as_of must be a calendar date (no time, no time zone), got {_short_repr(as_of)}")
    if not FIRST_DATE.year <= ts.year <= LAST_DATE.year or not FIRST_DATE <= ts.date() <= LAST_DATE:
        raise ValueError(f"as_of must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}, "
                         f"got {_short_repr(as_of)}")
    return ts


def _short_repr(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        Number of accounts (1 to :data:`MAX_ACCOUNTS` = 1,000,000).
    seed
        Master seed (non-negative int); the same arguments and seed give identical tables.
    locale
        ``"en_US"`` (US states, English names) or ``"zh_CN"`` (Chinese
        provinces, cities and names).
    n_managers
        Account managers (1 to ``max(2, n_accounts)``); default ``max(2, ceil(n_accounts / 40))``.
    n_products
        Products in the catalogue (1 to :data:`MAX_PRODUCTS` = 1000).
    pareto_shape
        Tail index of annual potential spend (see :mod:`kamsim.generators.value`);
        the default 1.16 puts 70-85% of spend in the top 20% of accounts.
    as_of
        Portfolio date (ISO date from 1900-01-01 to 2200-12-31): acquisition dates lie before it.

    Returns
    -------
    Portfolio
        Validated tables; ``meta`` holds ``seed, locale, n_accounts, as_of,
        currency, kamsim_version, history_months`` and the generator parameters.

    Raises
    ------
    ValueError
        Naming the argument, for any invalid argument (checked before any work).
    """
    n = check_count(n_accounts, "n_accounts", 1, MAX_ACCOUNTS)
    seed = _random.check_seed(seed)
    if not isinstance(locale, str) or locale not in tables.LOCALES:
        raise ValueError(f"locale must be one of {list(tables.LOCALES)}, got {_short_repr(locale)}")
    n_mgr = default_n_managers(n) if n_managers is None else check_managers(n_managers, n)
    n_prod = check_count(n_products, "n_products", 1, MAX_PRODUCTS)
    if isinstance(pareto_shape, bool) or not isinstance(pareto_shape, (int, float, np.floating, np.integer)):
        raise ValueError(f"pareto_shape must be a positive number, got {_short_repr(pareto_shape)}")
    ts = parse_as_of(as_of)

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
    accounts["company_name"] = company_names.company_names(
        firms["city"].to_numpy(), firms["industry"].to_numpy(), rng["company_names"], firms["size_band"].to_numpy()
    )
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
