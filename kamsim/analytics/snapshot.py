"""Account snapshot: the customer file plus recent purchase history, as of one date.

KAM example: on 1 January the key-account director grades every account
for the new year.  She needs one row per account with its firmographics
(industry, size band, region, potential spend, credit risk, ...) *and* what
it bought from us in the last 12 months.  :func:`account_snapshot` builds
that table from the ``accounts`` table and the order log::

    from kamsim.analytics.snapshot import account_snapshot
    snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta["as_of"])
    abc_classes(snap["revenue_12m"]); screening_scorecard(snap)

With the default ``months=12`` the new columns carry the names and the
meaning of the engine's monthly ``state`` (``revenue_12m``, ``margin_12m``,
``orders_12m``, ``months_since_order``), so the analytics on a snapshot see
the same inputs as kamsim's segmentation policies in the first simulated
month of a warm-started portfolio.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._validation import (
    AMOUNT_COL,
    CUSTOMER_COL,
    DATE_COL,
    NO,
    fill_doc,
    require_columns,
    require_unique,
)
from kamsim.analytics.io import as_transactions


def _month_number(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Calendar month count ``year * 12 + month - 1`` of each date (int64)."""
    d = pd.DatetimeIndex(dates)
    return (d.year.to_numpy(dtype="int64") * 12 + d.month.to_numpy(dtype="int64") - 1).astype("int64")


@fill_doc
def account_snapshot(
    accounts: pd.DataFrame,
    events: pd.DataFrame,
    as_of: str | pd.Timestamp | None = None,
    months: int = 12,
    *,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    margin_col: str | None = None,
) -> pd.DataFrame:
    """One row per account: the accounts columns plus purchase totals of the ``months`` before ``as_of``.

    Orders dated in ``[as_of - months, as_of)`` (calendar months; ``as_of``
    itself excluded) are summed per account.  Orders on or after ``as_of`` are
    ignored, so a snapshot never looks into the future.

    Parameters
    ----------
    accounts
        Customer file with one row per account and a ``customer_col`` column
        (kamsim's ``portfolio.accounts``).
    events
        Order log: a kamsim ``events`` log (only ``event_type == "order"`` rows
        are used) or an external transaction log (see
        :func:`kamsim.analytics.as_transactions`).  May be empty.
    as_of
        Snapshot date (anything ``pd.Timestamp`` reads, e.g. ``portfolio.meta["as_of"]``).
        Default: the first day of the month after the last order (today's
        snapshot of a log that ends yesterday).
    months
        Length of the look-back window in months (>= 1).
    %(log_columns)s
    margin_col
        Gross-margin column (CU) of ``events``; ``None``: a ``margin`` column if present.

    Returns
    -------
    DataFrame
        Index ``account_id`` in the order of ``accounts``; every accounts
        column except the id, plus

        * ``revenue_<months>m`` -- order amount in the window (CU, 0 if none);
        * ``margin_<months>m`` -- gross margin in the window (CU, 0 if none or
          the log has no margin);
        * ``orders_<months>m`` -- number of orders in the window (int);
        * ``months_since_order`` -- whole calendar months from the month of the
          last order before ``as_of`` to the month of ``as_of`` (1 = ordered
          last month; NaN if the account never ordered before ``as_of``).

    Raises
    ------
    ValueError
        If ``months < 1``, ``as_of`` is not a date, ``accounts`` has no
        ``customer_col`` column or a duplicated id, or the log has an order of
        an account that is not in ``accounts`` (the message names the id).
    """
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"months must be a positive integer, got {months!r}")
    require_columns(accounts, [customer_col], "accounts", verb=NO, first=True,
                    hint=" (one row per account with its id)")
    ids = accounts[customer_col].astype("string")
    require_unique(ids, "accounts", customer_col, word="duplicated id")

    log = as_transactions(events, customer_col, date_col, amount_col, margin_col)
    if as_of is None:
        if len(log) == 0:
            raise ValueError("as_of: give a snapshot date; the order log is empty")
        last = pd.Timestamp(log["date"].max())
        cutoff = (last.to_period("M") + 1).to_timestamp()
    else:
        try:
            cutoff = pd.Timestamp(as_of)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"as_of: {as_of!r} is not a date") from exc
        if pd.isna(cutoff):
            raise ValueError(f"as_of: {as_of!r} is not a date")
    start = cutoff - pd.DateOffset(months=int(months))

    known = pd.Index(ids.to_numpy(dtype=object))
    unknown = ~log["account_id"].isin(known).to_numpy()
    if unknown.any():
        raise ValueError(f"events: order of account {log['account_id'].iloc[int(np.flatnonzero(unknown)[0])]!r} "
                         f"which is not in accounts (column '{customer_col}')")

    before = log.loc[(log["date"] < cutoff).to_numpy()]
    window = before.loc[(before["date"] >= start).to_numpy()]
    g = window.groupby("account_id", sort=False)
    revenue = g["amount"].sum().reindex(known, fill_value=0.0)
    margin = g["margin"].sum().reindex(known, fill_value=0.0).fillna(0.0)
    orders = g.size().reindex(known, fill_value=0)
    last = before.groupby("account_id", sort=False)["date"].max().reindex(known)
    since = np.full(len(known), np.nan)
    seen = last.notna().to_numpy()
    if seen.any():
        since[seen] = _month_number(pd.DatetimeIndex([cutoff]))[0] - _month_number(last[seen])

    out = accounts.drop(columns=[customer_col]).copy()
    out.index = pd.Index(ids.to_numpy(dtype=object), name="account_id", dtype="string")
    suffix = f"{int(months)}m"
    out[f"revenue_{suffix}"] = revenue.to_numpy(dtype="float64")
    out[f"margin_{suffix}"] = margin.to_numpy(dtype="float64")
    out[f"orders_{suffix}"] = orders.to_numpy(dtype="int64")
    out["months_since_order"] = since
    return out
