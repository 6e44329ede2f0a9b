"""Who we deal with and what we sell: contacts, product catalogue, account managers.

A key account is a buying centre (采购中心), not one person: a decision maker
plus influencers, buyers, users and gatekeepers, more of them the larger the
firm.  :func:`draw_contacts` gives each account 1-5 contacts by size band,
the first being the primary contact and decision maker.

:func:`draw_products` builds a small catalogue of a B2B supplier from
:data:`kamsim.generators.tables.PRODUCT_TEMPLATES` (list price per unit, CU;
gross margin rate).  :func:`draw_managers` builds the account-management team
(capacity in hours/month, skill 0-1) with home regions allocated in proportion
to where the accounts are, and :func:`assign_managers` gives every account a
manager from its region when there is one, spreading the big accounts evenly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.generators import tables
from kamsim.generators.firmographics import NameFactory, _normalise


def make_ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Ids ``prefix`` + zero-padded 1..n, e.g. ``A00001``; wider than ``width`` digits only if n needs it."""
    w = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{w}d}" for i in range(1, n + 1)], dtype=object)


def draw_contacts(
    account_ids: np.ndarray, size_band: np.ndarray, names: NameFactory, rng: np.random.Generator
) -> pd.DataFrame:
    """Contacts of each account (schema ``contacts``).

    Parameters
    ----------
    account_ids, size_band
        Account ids and size bands, aligned.
    names
        Name factory of the portfolio's locale.
    rng
        The generator's ``contacts`` stream.
    """
    band = pd.Categorical(size_band, categories=tables.size_band_names()).codes.astype("int64")
    lo = np.array([b.contacts[0] for b in tables.SIZE_BANDS])[band]
    hi = np.array([b.contacts[1] for b in tables.SIZE_BANDS])[band]
    per_account = rng.integers(lo, hi + 1)
    total = int(per_account.sum())
    owner = np.repeat(np.asarray(account_ids, dtype=object), per_account)
    starts = np.cumsum(per_account) - per_account
    position = np.arange(total) - np.repeat(starts, per_account)
    primary = position == 0

    other_roles = np.array([r for r, _ in tables.CONTACT_ROLES], dtype=object)
    role = other_roles[rng.choice(other_roles.size, size=total, p=_normalise([w for _, w in tables.CONTACT_ROLES]))]
    role[primary] = "decision_maker"

    roles = ("decision_maker", *other_roles)
    role_idx = pd.Categorical(role, categories=roles).codes
    prob = np.array([tables.SENIORITY_BY_ROLE[r] for r in roles])
    cum = np.cumsum(prob, axis=1)
    cum[:, -1] = 1.0
    seniority_idx = (rng.random(total)[:, None] >= cum[role_idx]).sum(axis=1)
    seniority = np.array(tables.SENIORITIES, dtype=object)[seniority_idx]

    return pd.DataFrame(
        {
            "contact_id": make_ids("C", total, 6),
            "account_id": owner,
            "name": names.person_names(total, rng),
            "role": role,
            "seniority": seniority,
            "is_primary": primary,
        }
    )


def draw_products(n_products: int, locale: str, rng: np.random.Generator) -> pd.DataFrame:
    """A catalogue of ``n_products`` products (schema ``products``).

    Templates are used in table order (which cycles through the categories);
    beyond the last template the lines repeat as new series ("Mk 2", "2代").
    List prices (CU/unit) are rounded to whole CU, margin rates to 0.001.
    """
    if n_products < 1:
        raise ValueError(f"n_products must be >= 1, got {n_products}")
    templates = tables.PRODUCT_TEMPLATES
    rows = []
    for k in range(n_products):
        t = templates[k % len(templates)]
        series = k // len(templates) + 1
        name = t.name_zh if locale == "zh_CN" else t.name_en
        if series > 1:
            name = f"{name}{series}代" if locale == "zh_CN" else f"{name} Mk {series}"
        rows.append((t.category, name, *t.price_range, *t.margin_range))
    cat, name = (np.array(c, dtype=object) for c in list(zip(*rows))[:2])
    p_lo, p_hi, m_lo, m_hi = (np.array(c, dtype="float64") for c in list(zip(*rows))[2:])
    price = np.exp(rng.uniform(np.log(p_lo), np.log(p_hi)))  # log-uniform within the template's range
    margin = rng.uniform(m_lo, m_hi)
    return pd.DataFrame(
        {
            "product_id": make_ids("P", n_products, 3),
            "name": name,
            "category": cat,
            "list_price": np.round(price, 0),
            "margin_rate": np.round(margin, 3),
        }
    )


def allocate_seats(counts: pd.Series, n_seats: int) -> pd.Series:
    """Seats per region by the D'Hondt method (largest averages) on account counts.

    ``counts`` is indexed by region, sorted by count descending then name;
    ties are broken by that order.  Returns seats per region (sum ``n_seats``).
    """
    seats = pd.Series(0, index=counts.index, dtype="int64")
    c = counts.to_numpy(dtype="float64")
    for _ in range(n_seats):
        k = int(np.argmax(c / (seats.to_numpy() + 1)))
        seats.iloc[k] += 1
    return seats


def draw_managers(n_managers: int, regions: pd.Series, names: NameFactory, rng: np.random.Generator) -> pd.DataFrame:
    """The account-management team (schema ``account_managers``).

    Parameters
    ----------
    n_managers
        Team size (>= 1).
    regions
        Region of every account; home regions are allocated in proportion to it.
    names
        Name factory of the portfolio's locale.
    rng
        The generator's ``managers`` stream.
    """
    counts = regions.value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    seats = allocate_seats(counts, n_managers)
    home = np.repeat(seats.index.to_numpy(dtype=object), seats.to_numpy())
    capacity = np.round(rng.uniform(120.0, 140.0, n_managers) * 2) / 2  # hours/month, half-hour steps
    skill = 0.3 + 0.65 * rng.beta(2.5, 2.5, n_managers)
    return pd.DataFrame(
        {
            "manager_id": make_ids("M", n_managers, 3),
            "name": names.person_names(n_managers, rng),
            "region": home,
            "capacity_hours": capacity,
            "skill": np.round(skill, 3),
        }
    )


def assign_managers(accounts: pd.DataFrame, managers: pd.DataFrame) -> np.ndarray:
    """Manager id for every account (deterministic, no randomness).

    Within a region that has managers, accounts sorted by potential spend
    (largest first) are dealt to that region's managers in turn, so each gets
    a similar mix of big and small accounts.  Accounts of regions without a
    manager go, largest first, to the manager with the fewest accounts.
    """
    n = len(accounts)
    out = np.empty(n, dtype=object)
    order = np.lexsort((np.arange(n), -accounts["annual_potential_spend"].to_numpy(dtype="float64")))
    region = accounts["region"].to_numpy(dtype=object)[order]
    ids = managers["manager_id"].to_numpy(dtype=object)
    by_region: dict[str, list[int]] = {}
    for k, r in enumerate(managers["region"].to_numpy(dtype=object)):
        by_region.setdefault(r, []).append(k)
    load = np.zeros(len(ids), dtype="int64")
    dealt: dict[str, int] = {}
    uncovered = []
    for pos, acc in enumerate(order):
        team = by_region.get(region[pos])
        if team is None:
            uncovered.append(acc)
            continue
        i = dealt.get(region[pos], 0)
        k = team[i % len(team)]
        dealt[region[pos]] = i + 1
        out[acc] = ids[k]
        load[k] += 1
    for acc in uncovered:
        k = int(np.argmin(load))
        out[acc] = ids[k]
        load[k] += 1
    return out
