"""The twin's tables: accounts, products, managers and order history built from a transaction log.

A transaction log says who bought what, when and for how much -- nothing about
firmographics, buying centres or the sales team.  Those required columns get the
neutral placeholders of :data:`PLACEHOLDERS` (overwrite them with your CRM's
values before using segmentation policies that read them); the behaviour the
log *does* show goes into the calibrated columns
(``schema.CALIBRATED_ACCOUNT_COLUMNS``) and the order history.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kamsim._version import __version__
from kamsim.portfolio import Portfolio
from kamsim.schema import column_names, empty_frame

#: Account columns a transaction log cannot fill, and the neutral values the twin gets.
PLACEHOLDERS: dict[str, Any] = {
    "industry": "unknown",
    "size_band": "medium",
    "employees": 1,
    "region": "unknown",
    "city": "unknown",
    "credit_rating": "BBB",
    "credit_risk": 0.0,
    "growth_potential": 0.5,
    "needs_profile": "service",
    "baseline_satisfaction": 7.0,
    "price_sensitivity": 0.5,
    "cooperativeness": 0.5,
    "strategic_fit": 0.5,
}

#: Accounts whose ``p_active`` is below this are put in stage ``at_risk`` (the others in ``mature``).
AT_RISK_BELOW: float = 0.5

#: Hours a month each twin manager has for account work, and the managers' skill (0-1).
MANAGER_HOURS: float = 120.0
MANAGER_SKILL: float = 0.5

#: List price of the single product of a log without products (CU per unit: quantity = value in CU).
UNIT_PRICE: float = 1.0


def build_portfolio(
    history: pd.DataFrame,
    rfm: pd.DataFrame,
    behaviour: pd.DataFrame,
    as_of: pd.Timestamp,
    *,
    margin_rate: float,
    accounts_per_manager: int,
    crm_rows: pd.DataFrame | None = None,
) -> Portfolio:
    """The validated twin portfolio.

    Parameters
    ----------
    history
        Canonical transaction log before ``as_of`` (``account_id, date, amount, margin, product_id``).
    rfm
        ``rfm_table(history)`` (index ``account_id``; ``first_purchase``).
    behaviour
        Calibrated columns per account, same index as ``rfm``.
    as_of
        First day of month 0.
    margin_rate
        Margin share assumed where the log has no margin (0-1).
    accounts_per_manager
        Accounts in one manager's book.
    crm_rows
        Other history events (``account_id, date, event_type, detail``: contracts, complaints).
    """
    ids = rfm.index.astype("object").to_numpy()
    n = len(ids)
    n_managers = max(1, math.ceil(n / accounts_per_manager))
    managers = _managers(n_managers)
    products = _products(history, margin_rate)
    # books of similar value: accounts ranked by expected monthly spend, dealt out in turn
    spend = (behaviour["order_rate_shape"] / behaviour["order_rate_exposure"] * behaviour["order_value"]).to_numpy()
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-spend, kind="stable")] = np.arange(n)
    manager_of = managers["manager_id"].to_numpy()[rank % n_managers]
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "company_name": ids,
            **{k: np.full(n, v) for k, v in PLACEHOLDERS.items()},
            "founded_year": rfm["first_purchase"].dt.year.to_numpy(),
            "annual_potential_spend": 12.0 * spend,
            "acquisition_date": rfm["first_purchase"].dt.normalize().to_numpy(),
            "stage": np.where(behaviour["p_active"].to_numpy() < AT_RISK_BELOW, "at_risk", "mature"),
            "manager_id": manager_of,
        }
    )[column_names("accounts")]
    for col in behaviour.columns:
        accounts[col] = behaviour[col].to_numpy()
    events = _history_events(history, products, as_of, pd.Series(manager_of, index=ids), crm_rows)
    months = int(-events["month"].min()) if len(events) else 0
    meta = {
        "seed": None,
        "locale": "en_US",
        "n_accounts": n,
        "as_of": as_of.date().isoformat(),
        "currency": "CU",
        "kamsim_version": __version__,
        "history_months": months,
        "n_managers": n_managers,
        "n_products": len(products),
        "source": "calibrated",
    }
    contacts = empty_frame("contacts")
    return Portfolio(accounts, contacts, products, managers, events, meta).validate()


def _managers(n: int) -> pd.DataFrame:
    ids = [f"M{i:0{max(3, len(str(n)))}d}" for i in range(1, n + 1)]
    return pd.DataFrame(
        {
            "manager_id": ids,
            "name": [f"Manager {i}" for i in range(1, n + 1)],
            "region": "unknown",
            "capacity_hours": MANAGER_HOURS,
            "skill": MANAGER_SKILL,
        }
    )


def _products(history: pd.DataFrame, margin_rate: float) -> pd.DataFrame:
    """One row per product of the log (list price = median order amount), or one generic product."""
    has_margin = history["margin"].notna().any()
    if history["product_id"].isna().all():
        rate = _margin_share(history) if has_margin else margin_rate
        return pd.DataFrame(
            {"product_id": ["P001"], "name": ["all products"], "category": ["all"], "list_price": [UNIT_PRICE], "margin_rate": [rate]}
        )
    rows = history.dropna(subset=["product_id"])
    groups = rows.groupby(rows["product_id"].astype("object"), sort=True)
    price = groups["amount"].median().where(lambda p: p > 0, UNIT_PRICE)
    rates = groups.apply(_margin_share, include_groups=False) if has_margin else pd.Series(margin_rate, index=price.index)
    return pd.DataFrame(
        {
            "product_id": price.index.to_numpy(dtype=object),
            "name": price.index.to_numpy(dtype=object),
            "category": "from log",
            "list_price": price.to_numpy(dtype="float64"),
            "margin_rate": rates.reindex(price.index).fillna(margin_rate).to_numpy(dtype="float64"),
        }
    )


def _margin_share(rows: pd.DataFrame) -> float:
    given = rows["margin"].notna()
    revenue = float(rows.loc[given, "amount"].sum())
    return float(np.clip(rows.loc[given, "margin"].sum() / revenue, 0.0, 1.0)) if revenue > 0 else 0.0


def month_index(dates: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Month of each date relative to ``as_of`` (month m starts on ``as_of + m`` calendar months; negative before)."""
    d = pd.DatetimeIndex(dates)
    months = (d.year - as_of.year) * 12 + (d.month - as_of.month)
    return np.asarray(months - (d.day < as_of.day), dtype=np.int64)


def _history_events(
    history: pd.DataFrame,
    products: pd.DataFrame,
    as_of: pd.Timestamp,
    manager_of: pd.Series,
    crm_rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The log's orders (and other CRM rows) as ``events`` rows (months < 0), in date order."""
    rows = history.sort_values(["date", "account_id"], kind="stable").reset_index(drop=True)
    generic = rows["product_id"].isna()
    fallback = products["product_id"].iloc[0]
    product = rows["product_id"].astype("object").where(~generic, fallback)
    price = products.set_index("product_id")["list_price"]
    rate = products.set_index("product_id")["margin_rate"]
    amount = rows["amount"].to_numpy(dtype="float64")
    margin = rows["margin"].to_numpy(dtype="float64")
    margin = np.where(np.isnan(margin), amount * rate.reindex(product).to_numpy(), margin)
    account = rows["account_id"].astype("object")
    events = pd.DataFrame(
        {
            "event_id": np.arange(1, len(rows) + 1),
            "account_id": account.to_numpy(),
            "date": rows["date"].dt.normalize().to_numpy(),
            "month": month_index(rows["date"], as_of),
            "event_type": "order",
            "product_id": product.to_numpy(),
            "quantity": amount / price.reindex(product).to_numpy(),
            "amount": amount,
            "margin": margin,
            "manager_id": manager_of.reindex(account).to_numpy(),
        }
    )
    if crm_rows is not None and len(crm_rows):
        other = crm_rows.assign(
            month=month_index(crm_rows["date"], as_of),
            manager_id=manager_of.reindex(crm_rows["account_id"]).to_numpy(),
        )
        events = pd.concat([events, other], ignore_index=True).sort_values(["date", "account_id"], kind="stable")
        events = events.reset_index(drop=True).assign(event_id=np.arange(1, len(events) + 1))
    template = empty_frame("events")
    missing = [c for c in template.columns if c not in events.columns]
    blank = template[missing].reindex(events.index)  # empty values with the schema's dtypes
    return pd.concat([events, blank], axis=1)[list(template.columns)]
