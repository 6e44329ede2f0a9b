"""Acquisition cohorts: how many of the accounts won in a month still buy 1, 2, 3... months later.

KAM example: the accounts won in January after a trade fair -- do they keep
ordering like the accounts won through referrals in March?  Group accounts by
the period of their first purchase (the *acquisition cohort*) and follow each
cohort over the periods since acquisition (its *age*).

Both functions return a tidy long table, one row per observable
(cohort, age) cell -- cells after the end of the log are absent, cells with
no activity are present with zeros:

=====================  ========================================================
column                 meaning
=====================  ========================================================
``cohort``             first day of the acquisition period (Timestamp)
``age``                periods since acquisition (0 = the acquisition period)
``cohort_size``        accounts in the cohort
``active``             accounts of the cohort with >= 1 order in that period
``retention``          ``active / cohort_size`` (0-1; 1 at age 0)
``revenue``            revenue of the cohort in that period (CU)
``revenue_per_account``  ``revenue / cohort_size`` (CU per acquired account)
``cumulative_revenue_per_account``  running sum over ages (CU)
=====================  ========================================================

Acquisition = first purchase in the log (left-censored accounts that bought
before the log starts are counted in the log's first period).  To pivot for
a heatmap: ``table.pivot(index="cohort", columns="age", values="retention")``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, fill_doc
from kamsim.analytics.io import as_transactions, period_ordinal, period_start, typed_empty

_FREQS = ("W", "M", "Q", "Y")


def _cells(
    log: pd.DataFrame, period: str, customer_col: str, date_col: str, amount_col: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Per-(cohort, age) active counts and revenue, plus the cohort sizes."""
    if period not in _FREQS:
        raise ValueError(f"period must be one of {_FREQS}, got {period!r}")
    t = as_transactions(log, customer_col, date_col, amount_col)
    if len(t) == 0:
        return t, np.array([], dtype="int64"), np.zeros((0, 0)), np.zeros((0, 0))
    codes, _ = pd.factorize(t["account_id"])
    per = period_ordinal(t["date"].to_numpy(dtype="datetime64[ns]"), period)
    amount = t["amount"].to_numpy(dtype="float64")
    n = int(codes.max()) + 1
    first = pd.Series(per).groupby(codes).min().reindex(np.arange(n)).to_numpy(dtype="int64")
    p0, p1 = int(per.min()), int(per.max())
    n_per = p1 - p0 + 1
    cohort_idx = first - p0  # 0..n_per-1 per account
    row_cohort = cohort_idx[codes]
    age = per - first[codes]
    # Unique (account, period) pairs for the active counts.
    key = codes.astype("int64") * n_per + (per - p0)
    uniq = np.unique(key)
    u_acc = uniq // n_per
    u_age = (uniq % n_per) + p0 - first[u_acc]
    active = np.bincount(cohort_idx[u_acc] * n_per + u_age, minlength=n_per * n_per).reshape(n_per, n_per)
    revenue = np.bincount(row_cohort * n_per + age, weights=amount, minlength=n_per * n_per).reshape(n_per, n_per)
    sizes = np.bincount(cohort_idx, minlength=n_per)
    return t, sizes, active, revenue


def _tidy(sizes: np.ndarray, active: np.ndarray, revenue: np.ndarray, p0: int, period: str) -> pd.DataFrame:
    n_per = len(sizes)
    c, a = np.meshgrid(np.arange(n_per), np.arange(n_per), indexing="ij")
    keep = (c + a < n_per) & (sizes[c] > 0)
    c, a = c[keep], a[keep]
    size = sizes[c].astype("int64")
    act = active[c, a].astype("int64")
    rev = revenue[c, a]
    out = pd.DataFrame(
        {
            "cohort": period_start(c + p0, period),
            "age": a.astype("int64"),
            "cohort_size": size,
            "active": act,
            "retention": act / size,
            "revenue": rev,
            "revenue_per_account": rev / size,
        }
    )
    out["cumulative_revenue_per_account"] = out.groupby("cohort", sort=False)["revenue_per_account"].cumsum()
    return out.reset_index(drop=True)


def _cohort_table(log, period, customer_col, date_col, amount_col) -> pd.DataFrame:
    t, sizes, active, revenue = _cells(log, period, customer_col, date_col, amount_col)
    if len(t) == 0:
        return typed_empty(
            {
                "cohort": "datetime64[ns]",
                "age": "int64",
                "cohort_size": "int64",
                "active": "int64",
                "retention": "float64",
                "revenue": "float64",
                "revenue_per_account": "float64",
                "cumulative_revenue_per_account": "float64",
            }
        )
    p0 = int(period_ordinal(np.array([t["date"].min().to_datetime64()]), period)[0])
    return _tidy(sizes, active, revenue, p0, period)


@fill_doc
def cohort_retention(
    log: pd.DataFrame,
    period: str = "M",
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
) -> pd.DataFrame:
    """Share of each acquisition cohort active (>= 1 order) in each period since acquisition.

    Parameters
    ----------
    log
        kamsim ``events`` log or external transaction log.
    period
        Cohort and age period: ``"W"`` (weeks from Monday), ``"M"``, ``"Q"`` or ``"Y"``.
    %(log_columns)s

    Returns
    -------
    DataFrame
        Columns ``cohort, age, cohort_size, active, retention`` (see module docstring).
    """
    table = _cohort_table(log, period, customer_col, date_col, amount_col)
    return table[["cohort", "age", "cohort_size", "active", "retention"]]


@fill_doc
def cohort_revenue(
    log: pd.DataFrame,
    period: str = "M",
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
) -> pd.DataFrame:
    """Revenue of each acquisition cohort per period since acquisition (CU).

    Parameters
    ----------
    log, period
        As in :func:`cohort_retention`.
    %(log_columns)s

    Returns
    -------
    DataFrame
        Columns ``cohort, age, cohort_size, revenue, revenue_per_account,
        cumulative_revenue_per_account`` (see module docstring).
    """
    table = _cohort_table(log, period, customer_col, date_col, amount_col)
    return table[["cohort", "age", "cohort_size", "revenue", "revenue_per_account", "cumulative_revenue_per_account"]]
