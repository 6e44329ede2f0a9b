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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._common import UNKNOWN, ratio
from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, HAS_NO, fill_doc, require_columns
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
