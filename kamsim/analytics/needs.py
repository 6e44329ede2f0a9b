"""Needs identification (客户需求识别): product-mix gaps, needs signals and simple revenue forecasts.

KAM example: a hospital group buys consumables and components from us every
month but never software, while four out of five healthcare accounts of its
size do.  That missing category is a *latent need* (潜在需求) worth a
discovery visit -- a cross-selling (交叉销售) opportunity -- and the trend of
its monthly revenue tells whether its demand is growing.

This module turns a transaction log into those signals:

* :func:`product_mix` -- revenue (or margin, or orders) per account and product category;
* :func:`mix_gaps` -- per account and category: bought or not, how many peers
  (accounts of the same industry / size band) buy it, and whether it is a gap;
* :func:`needs_signals` -- per account: orders, revenue, contact hours, visits,
  complaints, survey score and revenue slope over a recent window (events log);

Revenue trends and forecasts (趋势预测) are in :mod:`kamsim.analytics.forecast`.

Money is in currency units (CU).  Every function accepts a kamsim ``events`` log
(order rows are selected) or an external transaction log with the column
names given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim.analytics._common import check_value, measure
from kamsim.analytics._validation import (
    AMOUNT_COL,
    CUSTOMER_COL,
    DATE_COL,
    HAS_NO,
    IS_MISSING,
    fill_doc,
    require_columns,
)
from kamsim.analytics.io import as_transactions
from kamsim.vocabulary import INTERACTION_TYPES


# ----------------------------------------------------------------------------- product mix


@fill_doc
def product_mix(
    log: pd.DataFrame,
    products: pd.DataFrame,
    *,
    by: str = "category",
    value: str = "amount",
    share: bool = False,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    product_col: str = "product_id",
) -> pd.DataFrame:
    """What each account buys, per product category (产品组合).

    Parameters
    ----------
    log : DataFrame
        kamsim ``events`` (order rows are used) or a transaction log with a product column.
    products : DataFrame
        Product catalogue with ``product_id`` and the column ``by``.
    by : str
        Catalogue column to group products by (default ``"category"``; ``"product_id"`` for single products).
    value : {"amount", "margin", "orders"}
        Revenue (CU), gross margin (CU) or number of orders.
    share : bool
        Divide each row by its total, so a row gives the account's mix in shares (0-1);
        accounts with a zero total keep zeros.
    %(log_columns)s
    product_col : str
        Product column of ``log``.

    Returns
    -------
    DataFrame
        Index ``account_id`` (accounts with at least one order, sorted); one column per
        value of ``products[by]`` (sorted, including categories nobody bought); float values.

    Raises
    ------
    ValueError
        If the catalogue lacks ``product_id`` or ``by``, a product is missing from the
        catalogue, or an order has no product.
    """
    check_value(value, "product_mix")
    require_columns(products, ("product_id", by), "products", where="product_mix", verb=HAS_NO, first=True)
    t = as_transactions(log, customer_col, date_col, amount_col, product_col=product_col)
    if t["product_id"].isna().any():
        row = int(np.flatnonzero(t["product_id"].isna().to_numpy())[0])
        raise ValueError(f"product_mix: order row {row} has no product (column {product_col!r})")
    group_of = pd.Series(products[by].astype("string").to_numpy(), index=products["product_id"].astype("string"))
    groups = t["product_id"].map(group_of)
    if groups.isna().any():
        bad = t["product_id"][groups.isna()].iloc[0]
        raise ValueError(f"product_mix: product {bad!r} of the log is not in the products table")
    labels = sorted(pd.unique(group_of.dropna()).tolist())
    frame = pd.DataFrame({"account_id": t["account_id"], by: groups, "v": measure(t, value)})
    mix = frame.pivot_table(index="account_id", columns=by, values="v", aggfunc="sum", fill_value=0.0, observed=True)
    mix = mix.reindex(columns=labels, fill_value=0.0).astype("float64").sort_index()
    mix.columns = pd.Index(labels, name=by)
    mix.index = pd.Index(mix.index.astype("string"), name="account_id")
    if share:
        total = mix.sum(axis=1)
        mix = mix.div(total.where(total > 0, 1.0), axis=0)
    return mix


def mix_gaps(
    log: pd.DataFrame,
    accounts: pd.DataFrame,
    products: pd.DataFrame,
    *,
    by: str | Sequence[str] = "industry",
    category: str = "category",
    min_penetration: float = 0.5,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    product_col: str = "product_id",
) -> pd.DataFrame:
    """Cross-selling gaps: categories an account's peers typically buy but the account does not.

    Peers are the buying accounts (at least one order in ``log``) with the same
    value(s) of ``by`` in ``accounts``.  For account *i* and category *c*:

    * ``penetration`` = share of the peer group's buying accounts (account *i*
      included) with at least one order of *c*;
    * ``gap`` = *i* never bought *c* and ``penetration >= min_penetration``.

    Parameters
    ----------
    log : DataFrame
        kamsim ``events`` or a transaction log with a product column.
    accounts : DataFrame
        Customer file with ``account_id`` and the ``by`` column(s).
    products : DataFrame
        Product catalogue with ``product_id`` and ``category``.
    by : str or sequence of str
        Peer-group column(s) of ``accounts``, e.g. ``"industry"`` or ``["industry", "size_band"]``.
    category : str
        Catalogue column that defines a category.
    min_penetration : float
        Share of peers (0-1) above which a missing category counts as a gap.
    customer_col, date_col, amount_col, product_col : str
        Column names of ``log``, as in :func:`product_mix`.

    Returns
    -------
    DataFrame
        One row per buying account and category, sorted by ``account_id`` then category, columns
        ``account_id, <by...>, category, orders, revenue`` (CU), ``bought`` (bool), ``peers`` (buying
        accounts in the group), ``penetration`` (0-1), ``peer_revenue`` (median revenue, CU, of *c*
        among the group's accounts that bought it; NaN if none), ``gap`` (bool).
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValueError("mix_gaps: by must name at least one accounts column")
    require_columns(accounts, ["account_id", *keys], "accounts", where="mix_gaps", verb=HAS_NO, first=True)
    if not 0.0 <= float(min_penetration) <= 1.0:
        raise ValueError(f"mix_gaps: min_penetration must be in [0, 1], got {min_penetration!r}")
    common = dict(customer_col=customer_col, date_col=date_col, amount_col=amount_col, product_col=product_col)
    revenue = product_mix(log, products, by=category, value="amount", **common)
    orders = product_mix(log, products, by=category, value="orders", **common)
    info = accounts.assign(account_id=accounts["account_id"].astype("string")).set_index("account_id")[keys]
    missing = revenue.index.difference(info.index)
    if len(missing):
        raise ValueError(f"mix_gaps: account {missing[0]!r} of the log is not in the accounts table")
    long = (
        orders.stack().rename("orders").to_frame().join(revenue.stack().rename("revenue")).reset_index()
    )
    long = long.rename(columns={category: "category"})
    long = long.join(info, on="account_id")
    long["bought"] = long["orders"] > 0
    grouped = long.groupby([*keys, "category"], observed=True, sort=False)
    long["peers"] = grouped["account_id"].transform("size").astype("int64")
    long["penetration"] = grouped["bought"].transform("mean").astype("float64")
    long["peer_revenue"] = long["revenue"].where(long["bought"]).groupby(
        [long[k] for k in keys] + [long["category"]], observed=True, sort=False
    ).transform("median")
    long["gap"] = ~long["bought"] & (long["penetration"] >= float(min_penetration))
    columns = ["account_id", *keys, "category", "orders", "revenue", "bought", "peers", "penetration",
               "peer_revenue", "gap"]  # fmt: skip
    return long[columns].sort_values(["account_id", "category"], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- needs signals


def _month_start(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").dt.to_timestamp()


def _slope(matrix: np.ndarray) -> np.ndarray:
    """OLS slope per row of ``matrix`` against 0, 1, ..., n-1 (units of the values per column)."""
    n = matrix.shape[1]
    if n < 2:
        return np.full(matrix.shape[0], np.nan)
    t = np.arange(n, dtype="float64") - (n - 1) / 2.0
    return (matrix - matrix.mean(axis=1, keepdims=True)) @ t / float(t @ t)


def needs_signals(
    events: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    cutoff: str | pd.Timestamp | None = None,
    window_months: int = 12,
) -> pd.DataFrame:
    """Signals of an account's needs from its CRM activity over the last ``window_months`` months.

    The window is the ``window_months`` calendar months up to and including the
    month of ``cutoff`` (default: the month of the last event).

    Parameters
    ----------
    events : DataFrame
        kamsim ``events`` log (``account_id, date, event_type, amount, hours, score``).
    accounts : DataFrame, optional
        Customer file; if given, every one of its accounts gets a row (zeros when inactive).
    cutoff : date-like, optional
        Last day of the window (its whole month is included).
    window_months : int
        Length of the window (months, >= 2).

    Returns
    -------
    DataFrame
        Index ``account_id`` (sorted); columns ``orders`` (count), ``revenue`` (CU),
        ``contact_hours`` (h of visits, calls and QBRs),
        ``visits``, ``calls``, ``qbrs``, ``complaints`` (complaints opened), ``survey_score`` (mean
        0-10, NaN if no answer), ``revenue_slope`` (OLS slope of monthly revenue, CU per month; > 0
        = growing demand).
    """
    need = ["account_id", "date", "event_type", "amount", "hours", "score"]
    require_columns(events, need, "events", where="needs_signals", verb=IS_MISSING)
    if int(window_months) != window_months or window_months < 2:
        raise ValueError(f"needs_signals: window_months must be an integer >= 2, got {window_months!r}")
    ev = events[need].copy()
    ev["account_id"] = ev["account_id"].astype("string")
    ev["date"] = pd.to_datetime(ev["date"])
    ev["event_type"] = ev["event_type"].astype("string")
    last = pd.Timestamp(cutoff) if cutoff is not None else ev["date"].max()
    end = last.to_period("M")
    months = pd.period_range(end=end, periods=int(window_months), freq="M").to_timestamp()
    ev["period"] = _month_start(ev["date"])
    ev = ev[(ev["period"] >= months[0]) & (ev["period"] <= months[-1])]
    ids = ev["account_id"].unique() if accounts is None else accounts["account_id"].astype("string").unique()
    index = pd.Index(sorted(ids), name="account_id", dtype="string")

    def count(kind: str) -> pd.Series:
        return ev.loc[ev["event_type"] == kind].groupby("account_id").size().reindex(index, fill_value=0)

    orders = ev[ev["event_type"] == "order"]
    contact = ev[ev["event_type"].isin(list(INTERACTION_TYPES))]
    surveys = ev[ev["event_type"] == "survey"]
    monthly = (
        orders.pivot_table(index="account_id", columns="period", values="amount", aggfunc="sum", fill_value=0.0)
        .reindex(index=index, columns=months, fill_value=0.0)
        .fillna(0.0)
    )
    out = pd.DataFrame(
        {
            "orders": count("order").astype("int64"),
            "revenue": orders.groupby("account_id")["amount"].sum().reindex(index, fill_value=0.0),
            "contact_hours": contact.groupby("account_id")["hours"].sum().reindex(index, fill_value=0.0),
            "visits": count("visit").astype("int64"),
            "calls": count("call").astype("int64"),
            "qbrs": count("qbr").astype("int64"),
            "complaints": count("complaint_opened").astype("int64"),
            "survey_score": surveys.groupby("account_id")["score"].mean().reindex(index),
            "revenue_slope": _slope(monthly.to_numpy(dtype="float64")),
        },
        index=index,
    )
    out["revenue"] = out["revenue"].astype("float64")
    out["contact_hours"] = out["contact_hours"].astype("float64")
    out["survey_score"] = out["survey_score"].astype("float64")
    return out
