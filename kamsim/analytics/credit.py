"""Credit-risk flags: accounts with weak credit that currently owe us a lot.

KAM example: before the next large order is confirmed, the credit check
(客户信用调查) asks which accounts combine a poor credit rating or a high
probability of default with a large open exposure.  A CCC-rated account that
bought little carries little risk; a BB account with a big unpaid order book
deserves a call from finance.

kamsim's customer file has ``credit_rating`` (AAA ... CCC) and
``credit_risk`` (probability of default within 12 months, 0-1) but no
receivables ledger, so :func:`credit_flags` uses a simple proxy for the open
amount: the revenue an account placed in the last ``exposure_days`` before the
cutoff (orders not yet paid under typical payment terms).

=====================  ======================================================
column                 meaning (unit)
=====================  ======================================================
``credit_rating``      rating from the accounts table
``credit_risk``        probability of default within 12 months (0-1)
``exposure``           revenue in the ``exposure_days`` up to the cutoff (CU)
``expected_loss``      ``credit_risk * exposure`` (CU)
``poor_credit``        rating in ``poor_ratings`` or ``credit_risk >= risk_threshold``
``large_exposure``     ``exposure`` at or above the ``exposure_quantile`` of all
                       accounts' exposure, and > 0
``flag``               ``poor_credit and large_exposure``
=====================  ======================================================

One row per account of the accounts table (accounts without orders have
exposure 0), index ``account_id``, sorted by ``expected_loss`` (largest first).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim.analytics._validation import require_columns
from kamsim.analytics.io import as_transactions

#: Ratings treated as poor by default (speculative grades below BB).
POOR_RATINGS: tuple[str, ...] = ("B", "CCC")

#: Columns of :func:`credit_flags`, in order.
CREDIT_COLUMNS: tuple[str, ...] = (
    "credit_rating",
    "credit_risk",
    "exposure",
    "expected_loss",
    "poor_credit",
    "large_exposure",
    "flag",
)


def credit_flags(
    accounts: pd.DataFrame,
    log: pd.DataFrame,
    *,
    cutoff: str | pd.Timestamp | None = None,
    exposure_days: int = 90,
    poor_ratings: Sequence[str] = POOR_RATINGS,
    risk_threshold: float = 0.05,
    exposure_quantile: float = 0.8,
) -> pd.DataFrame:
    """Flag accounts with poor credit and a large open exposure (see module docstring).

    Parameters
    ----------
    accounts
        Accounts table with ``account_id``, ``credit_rating`` and ``credit_risk``.
    log
        kamsim ``events`` log or external transaction log (order amounts in CU).
    cutoff
        Date of the credit check (inclusive); default: the last date in the log.
    exposure_days
        Window before the cutoff whose revenue counts as open exposure (days, >= 1).
    poor_ratings
        Ratings that count as poor credit.
    risk_threshold
        Probability of default (0-1) from which credit counts as poor.
    exposure_quantile
        Quantile (0-1) of exposure over all accounts from which exposure is large.

    Returns
    -------
    DataFrame
        Columns :data:`CREDIT_COLUMNS`, index ``account_id``.

    Raises
    ------
    ValueError
        On a missing accounts column or a setting outside its range.
    """
    require_columns(accounts, ("account_id", "credit_rating", "credit_risk"), "accounts table", where="credit_flags")
    if isinstance(exposure_days, bool) or not isinstance(exposure_days, (int, np.integer)) or exposure_days < 1:
        raise ValueError(f"credit_flags: exposure_days must be an integer >= 1, got {exposure_days!r}")
    if not 0 <= risk_threshold <= 1:
        raise ValueError(f"credit_flags: risk_threshold must be in [0, 1], got {risk_threshold!r}")
    if not 0 < exposure_quantile < 1:
        raise ValueError(f"credit_flags: exposure_quantile must be in (0, 1), got {exposure_quantile!r}")

    t = as_transactions(log)
    if cutoff is None:
        end = t["date"].max() if len(t) else pd.Timestamp("1970-01-01")
    else:
        end = pd.Timestamp(cutoff)
        if pd.isna(end):
            raise ValueError(f"credit_flags: cutoff is not a valid date: {cutoff!r}")
    start = end - pd.Timedelta(days=int(exposure_days) - 1)
    in_window = ((t["date"] >= start) & (t["date"] <= end)).to_numpy()
    exposure_by_id = t.loc[in_window].groupby("account_id")["amount"].sum()

    ids = accounts["account_id"].astype("string")
    exposure = exposure_by_id.reindex(ids.to_numpy()).fillna(0.0).to_numpy(dtype="float64")
    risk = pd.to_numeric(accounts["credit_risk"], errors="coerce").to_numpy(dtype="float64")
    rating = accounts["credit_rating"].astype("string")
    poor = rating.isin(list(poor_ratings)).to_numpy(dtype=bool, na_value=False) | (risk >= risk_threshold)
    cut = np.quantile(exposure, exposure_quantile) if len(exposure) else 0.0
    large = (exposure >= cut) & (exposure > 0)
    out = pd.DataFrame(
        {
            "credit_rating": rating.to_numpy(),
            "credit_risk": risk,
            "exposure": exposure,
            "expected_loss": risk * exposure,
            "poor_credit": poor,
            "large_exposure": large,
            "flag": poor & large,
        },
        index=pd.Index(ids.to_numpy(), dtype="string", name="account_id"),
    )
    out["credit_rating"] = out["credit_rating"].astype("string")
    return out.sort_values(["expected_loss"], ascending=False, kind="mergesort")[list(CREDIT_COLUMNS)]
