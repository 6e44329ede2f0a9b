"""Cross-selling (交叉销售) and product-mix growth from kamsim's CRM events.

KAM example: a discovery programme reveals that 40 accounts need monitoring
software; 25 of them place a first software order within a year.  How fast does
the number of categories an account buys grow, and how much revenue comes from
the categories won that way?

* :func:`cross_selling` -- per month: needs identified, first purchases of a new category
  (``cross_sell`` events), revenue of cross-sold categories from their first order on, and
  the mean number of categories an ordering account has bought so far.

It needs kamsim's events (``need_identified`` and ``cross_sell`` rows exist when the scenario's needs
model is on, ``Scenario.needs.latent_prob > 0``); with them absent the counts are 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._validation import require_columns
from kamsim.vocabulary import detail_category

#: Columns of :func:`cross_selling`.
CROSS_SELLING_COLUMNS: tuple[str, ...] = (
    "needs_identified",
    "cross_sells",
    "cross_sell_revenue",
    "mean_categories",
)


def cross_selling(events: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Needs identified, categories won and product-mix growth per month (产品组合增长).

    Parameters
    ----------
    events : DataFrame
        kamsim ``events`` (``SimulationResult.events`` or ``Portfolio.events``): columns ``event_type``,
        ``account_id``, ``month``, ``product_id``, ``amount``, ``detail``.
    products : DataFrame
        Catalogue with ``product_id`` and ``category``.

    Returns
    -------
    DataFrame
        Index ``month`` (every month with an event, sorted); columns ``needs_identified`` and ``cross_sells``
        (counts), ``cross_sell_revenue`` (CU: orders in a category the account adopted through a cross-sell,
        from that first order on) and ``mean_categories`` (distinct categories bought so far, averaged over
        the accounts that have ordered by then).

    Raises
    ------
    ValueError
        If a column is missing, or an order's product is not in the catalogue.
    """
    require_columns(events, ("event_type", "account_id", "month", "product_id", "amount", "detail"), "events",
                    where="cross_selling")
    require_columns(products, ("product_id", "category"), "products", where="cross_selling")
    kind = events["event_type"].astype("object").to_numpy()
    month = events["month"].to_numpy(dtype="int64")
    months = np.unique(month)
    out = pd.DataFrame(0.0, index=pd.Index(months, name="month"), columns=list(CROSS_SELLING_COLUMNS))
    if not len(events):
        return out
    category_of = pd.Series(products["category"].astype("object").to_numpy(), index=products["product_id"].astype("object"))
    is_need, is_cross = kind == "need_identified", kind == "cross_sell"
    out["needs_identified"] = pd.Series(month[is_need]).value_counts().reindex(months, fill_value=0).to_numpy(float)
    out["cross_sells"] = pd.Series(month[is_cross]).value_counts().reindex(months, fill_value=0).to_numpy(float)

    orders = events.loc[kind == "order", ["account_id", "month", "product_id", "amount"]].astype({"account_id": object})
    orders["category"] = orders["product_id"].astype("object").map(category_of)
    unknown = orders["category"].isna()
    if unknown.any():
        raise ValueError(f"cross_selling: product {orders.loc[unknown, 'product_id'].iloc[0]!r} of an order is not in products")
    won = events.loc[is_cross, ["account_id", "month", "detail"]].astype({"account_id": object})
    won["category"] = [detail_category(d) for d in won["detail"].astype("object")]
    won = won.groupby(["account_id", "category"], as_index=False)["month"].min().rename(columns={"month": "won_month"})
    tagged = orders.merge(won, on=["account_id", "category"], how="left")
    after = tagged["won_month"].notna() & (tagged["month"] >= tagged["won_month"])
    out["cross_sell_revenue"] = tagged.loc[after].groupby("month")["amount"].sum().reindex(months, fill_value=0.0).to_numpy()

    # distinct categories bought so far: first month of each (account, category), cumulated
    first = orders.groupby(["account_id", "category"])["month"].min()
    new_pairs = first.value_counts().reindex(months, fill_value=0).cumsum()
    buyers = orders.groupby("account_id")["month"].min().value_counts().reindex(months, fill_value=0).cumsum()
    out["mean_categories"] = np.divide(new_pairs.to_numpy(float), buyers.to_numpy(float),
                                       out=np.full(len(months), np.nan), where=buyers.to_numpy() > 0)
    return out
