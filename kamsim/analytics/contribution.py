"""Margin and contribution tables: who (or what) brings the gross margin?

KAM example: the year-end account review asks three questions of the
transaction log -- which product categories carry the margin (产品销售构成,
毛利率分析), which accounts contribute most of it (贡献度分析), and which
industries or size bands the revenue comes from (客户构成分析).  A category
with a large revenue but a thin margin rate may contribute less than a small,
rich one; an account's *contribution share* is its share of total margin,
not of revenue.

:func:`contribution_table` groups a transaction log by one key and returns one
row per group:

=========================  ==================================================
column                     meaning (unit)
=========================  ==================================================
``orders``                 transactions (count)
``accounts``               distinct accounts that bought (count)
``revenue``                total amount (CU)
``margin``                 total gross margin (CU)
``margin_rate``            ``margin / revenue`` (0-1); NaN when revenue is 0
``revenue_share``          ``revenue / total revenue`` (0-1)
``margin_share``           contribution share: ``margin / total margin`` (0-1)
``cumulative_margin_share`` running sum of ``margin_share`` down the table
=========================  ==================================================

Rows are sorted by ``margin`` (largest first; ties by group name), so the
table reads like a Pareto list of margin contributors.  The key may be
``account_id``, ``product_id``, a column of the product catalogue (e.g.
``category``, joined on ``product_id``) or a column of the accounts table
(e.g. ``industry``, ``size_band``, joined on ``account_id``).  Transactions
whose product or account is not in the joined table are grouped as
:data:`UNKNOWN`.

Margin on the stock it ties up: :func:`cross_ratio`
---------------------------------------------------

A distributor also asks how hard each product line's *stock* works.  The
**merchandise turnover** (商品周转率) is how often the average stock is sold
in a year, and the **cross ratio** (交叉比率) multiplies it with the margin
rate -- the gross margin earned per year on each CU of stock on hand.  A line
with a thin margin rate can beat a rich one if it turns faster.  kamsim
simulates no warehouse, so the average stock per group comes from the caller
(a stock report, or an assumption stated as such):

=========================  ==================================================
column                     meaning (unit)
=========================  ==================================================
``revenue_per_year``       revenue of the log / ``years`` (CU per year)
``margin_per_year``        gross margin of the log / ``years`` (CU per year)
``margin_rate``            ``margin / revenue`` (0-1); NaN when revenue is 0
``average_stock``          average stock on hand, valued at selling prices (CU)
``turnover``               ``revenue_per_year / average_stock`` (times per year)
``cross_ratio``            ``margin_rate * turnover = margin_per_year /
                           average_stock`` (CU of margin per CU of stock per year)
=========================  ==================================================

Groups without stock (services, software: ``average_stock`` 0) or missing
from the stock table have NaN turnover and cross ratio; stocked groups
without sales have turnover and cross ratio 0 (dead stock).  Rows are sorted
by ``cross_ratio`` (largest first, NaN last).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._common import UNKNOWN, ratio
from kamsim.analytics._validation import (
    AMOUNT_COL,
    CUSTOMER_COL,
    DATE_COL,
    HAS_NO,
    fill_doc,
    require_columns,
    require_unique,
)
from kamsim.analytics.io import as_transactions

#: Columns of :func:`contribution_table`, in order.
CONTRIBUTION_COLUMNS: tuple[str, ...] = (
    "orders",
    "accounts",
    "revenue",
    "margin",
    "margin_rate",
    "revenue_share",
    "margin_share",
    "cumulative_margin_share",
)

#: Columns of :func:`cross_ratio`, in order.
CROSS_RATIO_COLUMNS: tuple[str, ...] = (
    "revenue_per_year",
    "margin_per_year",
    "margin_rate",
    "average_stock",
    "turnover",
    "cross_ratio",
)


def _lookup(keys: pd.Series, table: pd.DataFrame, key_col: str, value_col: str, table_name: str) -> pd.Series:
    """Map ``keys`` through ``table[key_col] -> table[value_col]``; unmatched or missing keys become UNKNOWN."""
    require_columns(table, [key_col], table_name, where="contribution_table", verb=HAS_NO, first=True,
                    hint=" to join on")
    mapping = pd.Series(table[value_col].astype("string").to_numpy(), index=table[key_col].astype("string").to_numpy())
    if mapping.index.duplicated().any():
        dup = mapping.index[mapping.index.duplicated()][0]
        raise ValueError(f"contribution_table: {table_name}.{key_col} has duplicate id {dup!r}")
    looked_up = keys.astype("string").map(mapping)
    return looked_up.astype("string").fillna(UNKNOWN)


@fill_doc
def contribution_table(
    log: pd.DataFrame,
    by: str = "account_id",
    products: pd.DataFrame | None = None,
    accounts: pd.DataFrame | None = None,
    *,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    margin_col: str | None = None,
    product_col: str | None = None,
) -> pd.DataFrame:
    """Revenue, margin, margin rate and contribution share per group (see module docstring).

    Parameters
    ----------
    log
        kamsim ``events`` log (order rows are used) or an external transaction
        log with a margin column (CU).
    by
        Grouping key: ``"account_id"``, ``"product_id"``, a column of
        ``products`` (e.g. ``"category"``) or a column of ``accounts`` (e.g.
        ``"industry"``).  Looked up in that order.
    products
        Product catalogue (needs ``product_id``); required when ``by`` is one of its columns.
    accounts
        Accounts table (needs ``account_id``); required when ``by`` is one of its columns.
    %(log_columns)s
    margin_col, product_col
        Gross-margin (CU) and product columns of ``log``; ``None``: a ``margin`` / ``product_id``
        column if present.

    Returns
    -------
    DataFrame
        Index named ``by`` (string), columns :data:`CONTRIBUTION_COLUMNS`,
        sorted by margin, largest first.

    Raises
    ------
    ValueError
        If the log has no margin values, or ``by`` is neither a log key nor a
        column of the table passed.
    """
    t = as_transactions(log, customer_col, date_col, amount_col, margin_col, product_col)
    if len(t) and t["margin"].isna().all():
        raise ValueError("contribution_table: the log has no margin values; pass margin_col= (gross margin in CU)")
    if by in ("account_id", "product_id"):
        if by == "product_id" and len(t) and t["product_id"].isna().all():
            raise ValueError("contribution_table: the log has no product column; pass product_col=")
        keys = t[by].astype("string").fillna(UNKNOWN)
    elif products is not None and by in products.columns:
        keys = _lookup(t["product_id"], products, "product_id", by, "products")
    elif accounts is not None and by in accounts.columns:
        keys = _lookup(t["account_id"], accounts, "account_id", by, "accounts")
    else:
        known = ["account_id", "product_id"]
        for name, table in (("products", products), ("accounts", accounts)):
            known += [f"{name}.{c}" for c in table.columns] if table is not None else [f"<columns of {name}=...>"]
        raise ValueError(f"contribution_table: cannot group by {by!r}; use one of {known}")

    frame = pd.DataFrame(
        {"key": keys.to_numpy(), "account_id": t["account_id"].to_numpy(), "amount": t["amount"].to_numpy(),
         "margin": t["margin"].to_numpy(dtype="float64")}
    )
    g = frame.groupby("key", sort=True)
    out = pd.DataFrame(
        {
            "orders": g.size().astype("int64"),
            "accounts": g["account_id"].nunique().astype("int64"),
            "revenue": g["amount"].sum(),
            "margin": g["margin"].sum(min_count=1),
        }
    )
    revenue = out["revenue"].to_numpy(dtype="float64")
    margin = out["margin"].to_numpy(dtype="float64")
    out["margin_rate"] = ratio(margin, revenue)
    total_revenue, total_margin = np.nansum(revenue), np.nansum(margin)
    out["revenue_share"] = revenue / total_revenue if total_revenue > 0 else np.nan
    out["margin_share"] = margin / total_margin if total_margin != 0 else np.nan
    out = out.sort_values(["margin"], ascending=False, kind="mergesort")
    out["cumulative_margin_share"] = out["margin_share"].cumsum()
    out.index = pd.Index(out.index.astype("string"), name=by)
    return out[list(CONTRIBUTION_COLUMNS)]


@fill_doc
def cross_ratio(
    log: pd.DataFrame,
    stock: pd.DataFrame,
    *,
    years: float,
    by: str = "category",
    products: pd.DataFrame | None = None,
    accounts: pd.DataFrame | None = None,
    stock_col: str = "average_stock",
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    margin_col: str | None = None,
    product_col: str | None = None,
) -> pd.DataFrame:
    """Merchandise turnover and cross ratio (margin rate x turnover) per group (see module docstring).

    Parameters
    ----------
    log
        kamsim ``events`` log (order rows are used) or an external transaction
        log with a margin column (CU), covering ``years`` years.
    stock
        One row per group: the column named ``by`` (the group key) and
        ``stock_col``, the average stock on hand over the same period, valued
        at selling prices (CU, >= 0; 0 for groups that hold no stock).
    years
        Length of the period the log covers (years, > 0); revenue and margin
        are divided by it, so ``turnover`` is a rate per year.
    by, products, accounts
        Grouping key and the tables to look it up in, as in :func:`contribution_table`.
    stock_col
        Column of ``stock`` with the average stock (CU).
    %(log_columns)s
    margin_col, product_col
        Gross-margin (CU) and product columns of ``log``, as in :func:`contribution_table`.

    Returns
    -------
    DataFrame
        Index named ``by`` (string): the groups of the log and of ``stock``;
        columns :data:`CROSS_RATIO_COLUMNS`, sorted by ``cross_ratio``
        (largest first, NaN last).

    Raises
    ------
    ValueError
        If ``years`` is not a positive number, ``stock`` lacks the ``by`` or
        ``stock_col`` column, repeats a group, or has a stock value that is
        missing or negative (the message names the column and row); and for
        the reasons of :func:`contribution_table`.
    """
    if isinstance(years, bool) or not isinstance(years, (int, float, np.integer, np.floating)) \
            or not np.isfinite(years) or years <= 0:
        raise ValueError(f"cross_ratio: years must be a number > 0 (length of the log in years), got {years!r}")
    if not isinstance(stock, pd.DataFrame):
        raise ValueError(f"cross_ratio: stock must be a pandas DataFrame, got {type(stock).__name__}")
    require_columns(stock, [by, stock_col], "stock table", where="cross_ratio")
    groups = stock[by].astype("string")
    require_unique(groups, "cross_ratio: stock table", by)
    values = pd.to_numeric(stock[stock_col], errors="coerce").to_numpy(dtype="float64")
    bad = ~(values >= 0)  # NaN (missing or not a number) or negative
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"cross_ratio: stock table column '{stock_col}' row {row}: expected a number >= 0 (CU), "
                         f"got {stock[stock_col].iloc[row]!r}")

    table = contribution_table(log, by, products, accounts, customer_col=customer_col, date_col=date_col,
                               amount_col=amount_col, margin_col=margin_col, product_col=product_col)
    keys = table.index.union(pd.Index(groups.to_numpy(), dtype="string"), sort=False)
    revenue = table["revenue"].reindex(keys).fillna(0.0).to_numpy(dtype="float64")
    margin = table["margin"].reindex(keys).fillna(0.0).to_numpy(dtype="float64")
    on_hand = pd.Series(values, index=pd.Index(groups.to_numpy(), dtype="string")).reindex(keys)
    on_hand = on_hand.to_numpy(dtype="float64")
    out = pd.DataFrame(
        {
            "revenue_per_year": revenue / years,
            "margin_per_year": margin / years,
            "margin_rate": ratio(margin, revenue),
            "average_stock": on_hand,
            "turnover": ratio(revenue / years, np.nan_to_num(on_hand, nan=0.0)),
            "cross_ratio": ratio(margin / years, np.nan_to_num(on_hand, nan=0.0)),
        },
        index=pd.Index(keys, dtype="string", name=by),
    )
    return out.sort_values("cross_ratio", ascending=False, na_position="last", kind="mergesort")
