"""Satisfaction vs later churn: do unhappy accounts really leave more often?

KAM example: the service director has a year of 0-10 satisfaction surveys
and wants to know whether they predict anything.  Take every customer's last
survey score before a cutoff date, band the scores (detractor / passive /
promoter, or bands of your own), and count who was lost in the twelve months
after the cutoff: if the churn rate falls from band to band, the survey is
an early-warning signal worth acting on.

* :func:`account_satisfaction_churn` -- per account: the score before the
  cutoff and whether it was lost within the horizon after it;
* :func:`churn_by_satisfaction` -- churn rate (with its standard error) per
  satisfaction band.

Scores and bands are those of :mod:`kamsim.analytics.satisfaction`; churn is a
``stage_change`` to ``lost`` in a kamsim ``events`` log.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim.analytics._validation import CUSTOMER_COL, DATE_COL, MISSING, require_columns
from kamsim.analytics.satisfaction import NPS_EDGES, nps_category, satisfaction_band, survey_scores


def _lost_events(events: pd.DataFrame, customer_col: str, date_col: str) -> pd.DataFrame:
    require_columns(
        events, ("event_type", "stage_to"), "events", verb=MISSING, first=True,
        hint=" (needed to find stage changes to 'lost')",
    )
    changes = events[(events["event_type"] == "stage_change").fillna(False).to_numpy(dtype=bool)]
    return pd.DataFrame(
        {
            "account_id": changes[customer_col].astype("string").to_numpy(),
            "date": pd.to_datetime(changes[date_col]).to_numpy(dtype="datetime64[ns]"),
            "lost": (changes["stage_to"] == "lost").fillna(False).to_numpy(dtype=bool),
        }
    )


def account_satisfaction_churn(
    events: pd.DataFrame,
    cutoff: str | pd.Timestamp | None = None,
    horizon_months: int = 12,
    score: str = "last",
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
) -> pd.DataFrame:
    """Per account: survey score before ``cutoff`` and whether it was lost within ``horizon_months`` after.

    An account is included if it answered at least one survey before ``cutoff`` and was a
    customer at ``cutoff`` (its last stage change before ``cutoff``, if any, is not to ``lost``).
    It *churned* if the log has a stage change to ``lost`` dated in ``[cutoff, cutoff + horizon)``.

    Parameters
    ----------
    events
        kamsim ``events`` log (needs ``survey`` and ``stage_change`` rows with ``stage_to``).
    cutoff
        Date that splits "before" (scores) and "after" (churn).  Default: the day after the
        last event, minus ``horizon_months`` months (so the whole horizon is observed).
    horizon_months
        Length of the churn window (months).
    score
        ``"last"`` (most recent answer before the cutoff) or ``"mean"`` (mean of all answers before it).

    Returns
    -------
    DataFrame
        Index ``account_id``; columns ``score`` (0-10), ``answers`` (surveys before the cutoff),
        ``churned`` (bool), ``churn_date`` (NaT if not churned).
    """
    if score not in ("last", "mean"):
        raise ValueError(f"score must be 'last' or 'mean', got {score!r}")
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, (int, np.integer)) or horizon_months < 1:
        raise ValueError(f"horizon_months must be a positive integer, got {horizon_months!r}")
    answers = survey_scores(events, customer_col, date_col)
    lost = _lost_events(events, customer_col, date_col)
    if cutoff is None:
        last = pd.to_datetime(events[date_col]).max()
        if pd.isna(last):
            raise ValueError("events: no dates, cannot choose a default cutoff (pass cutoff=)")
        cut = last.normalize() + pd.Timedelta(days=1) - pd.DateOffset(months=int(horizon_months))
    else:
        cut = pd.Timestamp(cutoff)
    end = cut + pd.DateOffset(months=int(horizon_months))

    before = answers[answers["date"] < cut]
    grouped = before.groupby("account_id", sort=True)["score"]
    table = pd.DataFrame({"score": grouped.last() if score == "last" else grouped.mean(), "answers": grouped.size()})
    # customers at the cutoff: drop accounts whose latest stage change before it was to 'lost'
    prior = lost[lost["date"] < cut]
    latest_lost = prior.groupby("account_id")["lost"].last()
    gone = latest_lost.index[latest_lost.to_numpy(dtype=bool)]
    table = table[~table.index.isin(gone)]
    window = lost[lost["lost"] & (lost["date"] >= cut) & (lost["date"] < end)]
    first_loss = window.groupby("account_id")["date"].min()
    table["churn_date"] = first_loss.reindex(table.index)
    table["churned"] = table["churn_date"].notna()
    table.index = table.index.astype("string")
    table.index.name = "account_id"
    table.attrs.update(cutoff=cut, horizon_months=int(horizon_months))
    return table[["score", "answers", "churned", "churn_date"]]


def churn_by_satisfaction(
    events: pd.DataFrame,
    cutoff: str | pd.Timestamp | None = None,
    horizon_months: int = 12,
    bins: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
    score: str = "last",
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
) -> pd.DataFrame:
    """Churn in the ``horizon_months`` after ``cutoff`` per satisfaction band before it.

    Accounts and churn as in :func:`account_satisfaction_churn`.  Bands: the NPS categories
    (detractor 0-6, passive 7-8, promoter 9-10) when ``bins`` is None, else
    :func:`satisfaction_band` with ``bins`` and ``labels``.

    Returns
    -------
    DataFrame
        One row per band (all bands, also empty ones): ``band, accounts, churned,
        churn_rate`` (share lost within the horizon, 0-1), ``churn_rate_se`` (binomial
        standard error ``sqrt(p (1 - p) / n)``), ``mean_score`` (0-10).  ``attrs`` holds
        ``cutoff`` and ``horizon_months``.
    """
    per_account = account_satisfaction_churn(events, cutoff, horizon_months, score, customer_col, date_col)
    if bins is None:
        band = nps_category(per_account["score"]) if labels is None else satisfaction_band(per_account["score"], NPS_EDGES, labels)
    else:
        band = satisfaction_band(per_account["score"], bins, labels)
    frame = pd.DataFrame({"band": band, "churned": per_account["churned"], "score": per_account["score"]})
    out = frame.groupby("band", observed=False, sort=True).agg(
        accounts=("churned", "size"), churned=("churned", "sum"), mean_score=("score", "mean")
    )
    out["churned"] = out["churned"].astype("int64")
    n = out["accounts"].astype("float64").replace(0.0, np.nan)
    out["churn_rate"] = out["churned"] / n
    out["churn_rate_se"] = np.sqrt(out["churn_rate"] * (1.0 - out["churn_rate"]) / n)
    out = out.reset_index()[["band", "accounts", "churned", "churn_rate", "churn_rate_se", "mean_score"]]
    out.attrs.update(per_account.attrs)
    return out
