"""Share of wallet (钱包份额): how much of what an account spends on our kind of products it buys from us.

KAM example: a hospital group spends about 2 million CU a year on the kind
of equipment we sell (``annual_potential_spend`` in the customer file) and
bought 500,000 CU from us in the last twelve months: our share of its wallet
is 25%.  A core account with a high share is defended and deepened; an
account with a large wallet and a small share is where growth lies.

* :func:`share_of_wallet` -- revenue of the last ``months`` over the potential spend of that window,
  per account or per group (industry, tier, ...).

The engine's ``orders.share_of_wallet[stage]`` is the same ratio at the
reference satisfaction.  Money in currency units (CU); potential spend in CU per year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._common import UNKNOWN, ratio
from kamsim.analytics._validation import CUSTOMER_COL, NO, require_columns
from kamsim.analytics.snapshot import account_snapshot

#: Columns of :func:`share_of_wallet` with ``by=None`` (per account), in order.
WALLET_COLUMNS: tuple[str, ...] = ("potential", "revenue", "share_of_wallet")

#: Columns of :func:`share_of_wallet` with ``by`` (per group), in order.
WALLET_GROUP_COLUMNS: tuple[str, ...] = ("accounts", "potential", "revenue", "share_of_wallet", "mean_share")


def share_of_wallet(
    accounts: pd.DataFrame,
    log: pd.DataFrame,
    by: str | pd.Series | None = None,
    *,
    as_of: str | pd.Timestamp | None = None,
    months: int = 12,
    potential_col: str = "annual_potential_spend",
    **columns: str,
) -> pd.DataFrame:
    """Share of wallet: revenue of the ``months`` before ``as_of`` over the potential spend of that window.

    ``potential = annual potential spend * months / 12`` (CU) and
    ``share_of_wallet = revenue / potential`` (0-1; above 1 if an account
    bought more than its estimated potential).  With ``by`` the shares are
    aggregated per group: ``share_of_wallet = sum(revenue) / sum(potential)``
    (the group's wallet share, large accounts weigh more) and ``mean_share``
    = plain mean of the accounts' shares.  Every account of ``accounts``
    counts, also those without orders (share 0): filter ``accounts`` first to
    leave out, e.g., prospects; orders of accounts not in ``accounts`` are ignored.

    Parameters
    ----------
    accounts
        Customer file with ``account_id`` and ``potential_col`` (CU per year, >= 0).
    log
        Order log as for :func:`kamsim.analytics.account_snapshot`.
    by
        ``None`` (one row per account), a column of ``accounts`` (e.g.
        ``"industry"``), or a Series indexed by ``account_id`` (e.g. tiers
        computed on a snapshot); accounts without a label are grouped as ``"(unknown)"``.
    as_of, months
        Window ``[as_of - months, as_of)`` as in :func:`kamsim.analytics.account_snapshot`
        (``as_of=None``: the first day of the month after the last order).
    potential_col
        Column of ``accounts`` with the annual potential spend (CU per year).
    **columns
        Column names of ``log`` (``customer_col``, ``date_col``, ``amount_col``, ``margin_col``).

    Returns
    -------
    DataFrame
        ``by=None``: index ``account_id`` (order of ``accounts``), columns
        :data:`WALLET_COLUMNS`.  Otherwise index named after the group (string,
        sorted), columns :data:`WALLET_GROUP_COLUMNS`.

    Raises
    ------
    ValueError
        If ``potential_col`` is missing or negative (names the row), ``by`` is
        not a column of ``accounts``, or as :func:`kamsim.analytics.account_snapshot`.
    """
    require_columns(accounts, [potential_col], "accounts", verb=NO, first=True,
                    hint=" (annual potential spend, CU per year)")
    annual = pd.to_numeric(accounts[potential_col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = ~(annual >= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"accounts: column '{potential_col}' row {row}: must be a number >= 0, "
                         f"got {accounts[potential_col].iloc[row]!r}")
    customer_col = columns.get("customer_col", CUSTOMER_COL)
    if customer_col in log.columns and customer_col in accounts.columns:  # orders of other accounts do not count
        ids = accounts[customer_col].astype("string").to_numpy(dtype=object)
        log = log.loc[log[customer_col].astype("string").isin(ids).to_numpy(dtype=bool, na_value=False)]
    snap = account_snapshot(accounts, log, as_of=as_of, months=months, **columns)
    potential = annual * months / 12.0
    revenue = snap[f"revenue_{int(months)}m"].to_numpy(dtype="float64")
    per_account = pd.DataFrame(
        {
            "potential": potential,
            "revenue": revenue,
            "share_of_wallet": ratio(revenue, potential),
        },
        index=snap.index,
    )
    if by is None:
        return per_account
    if isinstance(by, pd.Series):
        labels = by.copy()
        labels.index = labels.index.astype("string")
        labels = labels.reindex(snap.index)
        name = by.name if by.name is not None else "group"
    elif by in accounts.columns:
        labels = pd.Series(accounts[by].to_numpy(), index=snap.index)
        name = by
    else:
        raise ValueError(f"share_of_wallet: by={by!r} is not a column of accounts; "
                         f"columns: {list(map(str, accounts.columns))}")
    keys = labels.astype("string").fillna(UNKNOWN).to_numpy(dtype=object)
    g = per_account.groupby(keys, sort=True)
    out = pd.DataFrame(
        {
            "accounts": g.size().astype("int64"),
            "potential": g["potential"].sum(),
            "revenue": g["revenue"].sum(),
            "mean_share": g["share_of_wallet"].mean(),
        }
    )
    pot = out["potential"].to_numpy(dtype="float64")
    rev = out["revenue"].to_numpy(dtype="float64")
    out["share_of_wallet"] = ratio(rev, pot)
    out.index = pd.Index(out.index.astype("string"), name=str(name))
    return out[list(WALLET_GROUP_COLUMNS)]
