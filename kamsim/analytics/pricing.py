"""Pricing analytics: realised discounts and what they cost in margin.

KAM example: the price list says an automation controller costs 45,781 CU,
but the key-account team sells it for less -- a price-sensitive buyer gets a
bigger discount (价格折扣).  The order log shows what was really charged:
``quantity x list price`` is what the order would have cost at list price,
``amount`` what the customer paid, and the gap is the realised discount.  A
discount comes straight out of the gross margin, so a 10% discount on a
product with a 25% margin rate gives away about 40% of its margin -- the
reason value selling (价值销售) argues with benefits rather than with price.

* :func:`realised_discount` -- one row per order: list value, discount, margin rate at list and realised;
* :func:`discount_table` -- the same, summed per product, category or accounts column;
* :func:`breakeven_volume_increase` -- how much more a discount must sell to keep the margin.

The other half of the strategy question -- how much of an account's wallet we
win -- is in :mod:`kamsim.analytics.wallet`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._common import UNKNOWN, ratio
from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, HAS_NO, MISSING, require_columns
from kamsim.analytics.io import as_transactions

#: Columns of :func:`realised_discount`, in order.
ORDER_PRICE_COLUMNS: tuple[str, ...] = (
    "account_id",
    "date",
    "product_id",
    "quantity",
    "list_price",
    "list_amount",
    "amount",
    "discount",
    "margin",
    "margin_rate",
    "list_margin_rate",
)

#: Columns of :func:`discount_table`, in order.
DISCOUNT_COLUMNS: tuple[str, ...] = (
    "orders",
    "accounts",
    "list_amount",
    "revenue",
    "discount",
    "mean_discount",
    "margin",
    "margin_rate",
    "list_margin",
    "margin_given_away",
)


def _catalogue(products: pd.DataFrame) -> pd.DataFrame:
    """Product catalogue indexed by string ``product_id`` with float ``list_price`` and ``margin_rate``."""
    require_columns(products, ("product_id", "list_price", "margin_rate"), "products", verb=MISSING, show_present=True)
    ids = products["product_id"].astype("string")
    if ids.duplicated().any():
        raise ValueError(f"products: column 'product_id' has duplicate id {ids[ids.duplicated()].iloc[0]!r}")
    cat = products.copy()
    cat.index = pd.Index(ids.to_numpy(dtype=object), name="product_id")
    price = pd.to_numeric(cat["list_price"], errors="coerce").astype("float64")
    bad = ~(price > 0).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"products: column 'list_price' row {row}: must be a number > 0, "
                         f"got {products['list_price'].iloc[row]!r}")
    cat["list_price"] = price
    cat["margin_rate"] = pd.to_numeric(cat["margin_rate"], errors="coerce").astype("float64")
    return cat


def realised_discount(
    log: pd.DataFrame,
    products: pd.DataFrame,
    *,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    margin_col: str | None = None,
    product_col: str | None = None,
    quantity_col: str = "quantity",
) -> pd.DataFrame:
    """One row per order with its list value, realised discount and margin rates.

    Per order: ``list_amount = quantity * list_price`` (CU, what the order
    would have cost at list price), ``discount = 1 - amount / list_amount``
    (share of list price given away; negative if sold above list),
    ``margin_rate = margin / amount`` (realised, NaN at zero amount or without
    a margin column) and ``list_margin_rate`` (the product's margin rate at
    list price, from the catalogue).  With a discount ``d`` and a list margin
    rate ``r`` the realised rate is ``1 - (1 - r) / (1 - d)``.

    Parameters
    ----------
    log
        kamsim ``events`` log (order rows are used) or an external transaction
        log with a product and a quantity column.
    products
        Catalogue with ``product_id``, ``list_price`` (CU per unit, > 0) and
        ``margin_rate`` (0-1).
    customer_col, date_col, amount_col, margin_col, product_col
        Column names in ``log`` (see :func:`kamsim.analytics.as_transactions`).
    quantity_col
        Column of ``log`` with the units ordered (> 0).

    Returns
    -------
    DataFrame
        Columns :data:`ORDER_PRICE_COLUMNS`, one row per order in log order.

    Raises
    ------
    ValueError
        If the log has no product or quantity column, a quantity is not a
        number > 0 (the message names the row), an order's product is not in
        ``products`` (names the id), or the catalogue lacks a column.
    """
    cat = _catalogue(products)
    orders = log
    if "event_type" in log.columns:
        orders = log.loc[(log["event_type"] == "order").to_numpy(dtype=bool, na_value=False)]
    if quantity_col not in orders.columns:
        raise ValueError(f"realised_discount: the log has no quantity column '{quantity_col}'; pass quantity_col=")
    t = as_transactions(orders, customer_col, date_col, amount_col, margin_col, product_col)
    if len(t) and t["product_id"].isna().all():
        raise ValueError("realised_discount: the log has no product column; pass product_col=")
    quantity = pd.to_numeric(orders[quantity_col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = ~(quantity > 0)
    if bad.any():
        row = orders.index[int(np.flatnonzero(bad)[0])]
        raise ValueError(f"realised_discount: column '{quantity_col}' row {row}: must be a number > 0, "
                         f"got {orders.loc[row, quantity_col]!r}")
    product = t["product_id"].astype("string")
    unknown = ~product.isin(cat.index).to_numpy(dtype=bool, na_value=False)
    if unknown.any():
        raise ValueError(f"realised_discount: order row {int(np.flatnonzero(unknown)[0])} has product "
                         f"{product.iloc[int(np.flatnonzero(unknown)[0])]!r} which is not in products")
    keys = product.to_numpy(dtype=object)
    list_price = cat["list_price"].reindex(keys).to_numpy(dtype="float64")
    amount = t["amount"].to_numpy(dtype="float64")
    margin = t["margin"].to_numpy(dtype="float64")
    list_amount = quantity * list_price
    out = pd.DataFrame(
        {
            "account_id": t["account_id"].to_numpy(),
            "date": t["date"].to_numpy(),
            "product_id": product.to_numpy(),
            "quantity": quantity,
            "list_price": list_price,
            "list_amount": list_amount,
            "amount": amount,
            "discount": 1.0 - amount / list_amount,
            "margin": margin,
            "margin_rate": ratio(margin, amount),
            "list_margin_rate": cat["margin_rate"].reindex(keys).to_numpy(dtype="float64"),
        }
    )
    out["account_id"] = out["account_id"].astype("string")
    out["product_id"] = out["product_id"].astype("string")
    return out[list(ORDER_PRICE_COLUMNS)]


def discount_table(
    log: pd.DataFrame,
    products: pd.DataFrame,
    by: str = "category",
    accounts: pd.DataFrame | None = None,
    **columns: str,
) -> pd.DataFrame:
    """Realised discount and the margin it costs, per product, category or accounts column.

    Per group: ``list_amount`` and ``revenue`` (CU), ``discount = 1 - revenue /
    list_amount`` (revenue-weighted: a large order counts more),
    ``mean_discount`` (plain mean of the orders' discounts), ``margin`` and
    ``margin_rate = margin / revenue``, ``list_margin = sum(list_amount *
    list_margin_rate)`` (CU the orders would have earned at list price) and
    ``margin_given_away = 1 - margin / list_margin`` (share of the list-price
    margin the discounts cost).

    Parameters
    ----------
    log, products
        As :func:`realised_discount`.
    by
        ``"product_id"``, ``"account_id"``, a column of ``products`` (e.g.
        ``"category"``) or of ``accounts`` (e.g. ``"industry"``, or a ``tier``
        column you added).  Looked up in that order; orders whose account is
        not in ``accounts`` are grouped as ``"(unknown)"``.
    accounts
        Accounts table with ``account_id``; needed when ``by`` is one of its columns.
    **columns
        Column names of ``log`` passed to :func:`realised_discount`
        (``customer_col``, ``amount_col``, ``quantity_col``, ...).

    Returns
    -------
    DataFrame
        Index named ``by`` (string, sorted), columns :data:`DISCOUNT_COLUMNS`.

    Raises
    ------
    ValueError
        If ``by`` is not a known key, or as :func:`realised_discount`.
    """
    orders = realised_discount(log, products, **columns)
    if by in ("product_id", "account_id"):
        keys = orders[by].astype("string")
    elif by in products.columns:
        mapping = pd.Series(products[by].astype("string").to_numpy(),
                            index=products["product_id"].astype("string").to_numpy())
        keys = orders["product_id"].map(mapping).astype("string")
    elif accounts is not None and by in accounts.columns:
        require_columns(accounts, ["account_id"], "accounts", where="discount_table", verb=HAS_NO, first=True,
                        hint=" to join on")
        mapping = pd.Series(accounts[by].astype("string").to_numpy(),
                            index=accounts["account_id"].astype("string").to_numpy())
        keys = orders["account_id"].map(mapping).astype("string")
    else:
        known = ["account_id", "product_id"] + [f"products.{c}" for c in products.columns]
        known += [f"accounts.{c}" for c in accounts.columns] if accounts is not None else ["<columns of accounts=...>"]
        raise ValueError(f"discount_table: cannot group by {by!r}; use one of {known}")
    frame = orders.assign(key=keys.fillna(UNKNOWN).to_numpy(),
                          list_margin=orders["list_amount"] * orders["list_margin_rate"])
    g = frame.groupby("key", sort=True)
    out = pd.DataFrame(
        {
            "orders": g.size().astype("int64"),
            "accounts": g["account_id"].nunique().astype("int64"),
            "list_amount": g["list_amount"].sum(),
            "revenue": g["amount"].sum(),
            "mean_discount": g["discount"].mean(),
            "margin": g["margin"].sum(min_count=1),
            "list_margin": g["list_margin"].sum(min_count=1),
        }
    )
    out["discount"] = 1.0 - out["revenue"] / out["list_amount"]
    revenue = out["revenue"].to_numpy(dtype="float64")
    margin = out["margin"].to_numpy(dtype="float64")
    list_margin = out["list_margin"].to_numpy(dtype="float64")
    out["margin_rate"] = ratio(margin, revenue)
    out["margin_given_away"] = ratio(list_margin - margin, list_margin)
    out.index = pd.Index(out.index.astype("string"), name=by)
    return out[list(DISCOUNT_COLUMNS)]


def breakeven_volume_increase(margin_rate: float | np.ndarray | pd.Series, discount: float | np.ndarray | pd.Series):
    """Extra volume a discount must win to earn the same gross margin as before (保本销量增幅).

    At list price a unit earns ``margin_rate * list_price``; after a discount
    ``d`` it earns ``(margin_rate - d) * list_price``.  Keeping the margin needs
    ``margin_rate / (margin_rate - d)`` times the units, i.e. an increase of
    ``d / (margin_rate - d)`` (0.25 = 25% more units).  When the discount
    reaches the margin rate no volume is enough (``inf``).

    Parameters
    ----------
    margin_rate
        Margin rate at the current price (0-1), scalar, array or Series.
    discount
        Additional discount as a share of the current price (0 <= d < 1).

    Returns
    -------
    float, ndarray or Series
        Required relative volume increase (>= 0; ``inf`` when ``discount >= margin_rate``),
        shaped like the broadcast inputs (a Series keeps its index).

    Raises
    ------
    ValueError
        If a margin rate is not in [0, 1] or a discount not in [0, 1).
    """
    r = np.asarray(margin_rate, dtype="float64")
    d = np.asarray(discount, dtype="float64")
    if np.isnan(r).any() or ((r < 0) | (r > 1)).any():
        raise ValueError(f"breakeven_volume_increase: margin_rate must be in [0, 1], got {margin_rate!r}")
    if np.isnan(d).any() or ((d < 0) | (d >= 1)).any():
        raise ValueError(f"breakeven_volume_increase: discount must be in [0, 1), got {discount!r}")
    gap = r - d
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(gap > 0, d / np.where(gap > 0, gap, 1.0), np.inf)
    out = np.where(d == 0, 0.0, out)
    if isinstance(margin_rate, pd.Series):
        return pd.Series(out, index=margin_rate.index, name="breakeven_volume_increase")
    if isinstance(discount, pd.Series):
        return pd.Series(out, index=discount.index, name="breakeven_volume_increase")
    return float(out) if out.ndim == 0 else out
