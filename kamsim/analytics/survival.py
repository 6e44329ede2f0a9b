"""Churn as survival: Kaplan-Meier curves of account lifetimes, by segment.

KAM example: "what share of the accounts we win is still with us after two
years, and is it better for key accounts than for the rest?"  Each account
has a *duration* (time from acquisition to churn, or to the end of
observation if it has not churned: *censored*).  The Kaplan-Meier estimator
uses both kinds of account correctly; simply averaging lifetimes of churned
accounts would not.

* :func:`churn_durations` derives ``duration`` and ``churned`` from kamsim's
  ``events`` log (``stage_change`` to ``"lost"``), from an engine ``panel``,
  or from a plain transaction log with an inactivity threshold.
* :func:`kaplan_meier` is the estimator with Greenwood variance and log-log
  confidence intervals; :func:`median_survival` reads the median off it.

Kaplan-Meier: at each distinct event time ``t_j`` with ``n_j`` accounts at
risk (duration >= ``t_j``) and ``d_j`` churns, ``S(t_j) = prod_{i<=j} (1 -
d_i / n_i)``.  Greenwood: ``V_j = sum_{i<=j} d_i / (n_i (n_i - d_i))``;
log-log interval ``exp(-exp(log(-log S) +/- z sqrt(V) / |log S|))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, HAS_NO, fill_doc, require_columns
from kamsim.analytics.io import as_transactions
from kamsim.vocabulary import CONTRACT_EVENTS, DAYS_PER_MONTH

KM_COLUMNS: tuple[str, ...] = ("timeline", "at_risk", "events", "censored", "survival", "ci_lower", "ci_upper")

def _km_one(d: np.ndarray, e: np.ndarray, z: float) -> pd.DataFrame:
    times, inverse = np.unique(d, return_inverse=True)
    events = np.bincount(inverse, weights=e.astype(float), minlength=len(times))
    totals = np.bincount(inverse, minlength=len(times)).astype(float)
    at_risk = totals[::-1].cumsum()[::-1]
    censored = totals - events
    if len(times) == 0 or times[0] > 0:
        times = np.r_[0.0, times]
        events, censored = np.r_[0.0, events], np.r_[0.0, censored]
        at_risk = np.r_[float(len(d)), at_risk]
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - events / at_risk)
        gw_terms = np.where(events > 0, events / (at_risk * (at_risk - events)), 0.0)
        greenwood = np.cumsum(gw_terms)
        log_s = np.log(surv)
        se = np.sqrt(greenwood) / np.abs(log_s)
        theta = np.log(-log_s)
        lower = np.exp(-np.exp(theta + z * se))
        upper = np.exp(-np.exp(theta - z * se))
    # S = 1 (no churn yet): interval collapses to 1; S = 0: to 0.
    one = surv >= 1.0
    zero = surv <= 0.0
    lower = np.where(one, 1.0, np.where(zero, 0.0, lower))
    upper = np.where(one, 1.0, np.where(zero, 0.0, upper))
    return pd.DataFrame(
        {
            "timeline": times.astype(float),
            "at_risk": at_risk.astype("int64"),
            "events": events.astype("int64"),
            "censored": censored.astype("int64"),
            "survival": surv,
            "ci_lower": lower,
            "ci_upper": upper,
        }
    )


def kaplan_meier(
    durations: pd.Series | np.ndarray,
    observed: pd.Series | np.ndarray | None = None,
    groups: pd.Series | np.ndarray | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Kaplan-Meier survival curve(s) with Greenwood / log-log confidence intervals.

    Parameters
    ----------
    durations
        Time from start to churn or censoring (any unit, e.g. months), >= 0.
    observed
        True where churn was observed, False where censored.  Default: all observed.
    groups
        Optional segment label per account (e.g. tier); one curve per group.
    alpha
        1 - confidence level of the pointwise interval.

    Returns
    -------
    DataFrame
        Columns ``timeline, at_risk, events, censored, survival, ci_lower,
        ci_upper`` (plus a leading ``group`` column when ``groups`` is given).
        ``timeline`` starts at 0 with ``survival == 1`` unless churn happens at 0.
    """
    d = np.asarray(durations, dtype="float64")
    if d.ndim != 1:
        raise ValueError("durations must be one-dimensional")
    bad = np.flatnonzero(~np.isfinite(d) | (d < 0))
    if len(bad):
        raise ValueError(f"durations: row {int(bad[0])} is {d[bad[0]]}; durations must be finite and >= 0")
    e = np.ones(len(d), dtype=bool) if observed is None else np.asarray(observed)
    if len(e) != len(d):
        raise ValueError(f"observed has {len(e)} values but durations has {len(d)}")
    if e.dtype != bool:
        ef = pd.to_numeric(pd.Series(e), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = np.flatnonzero(~np.isin(ef, [0.0, 1.0]))
        if len(bad):
            raise ValueError(f"observed: row {int(bad[0])} is {e[bad[0]]!r}; expected True/False or 1/0")
        e = ef.astype(bool)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    z = float(ndtri(1 - alpha / 2))
    if groups is None:
        return _km_one(d, e, z)
    g = pd.Series(np.asarray(groups, dtype=object))
    if len(g) != len(d):
        raise ValueError(f"groups has {len(g)} values but durations has {len(d)}")
    if g.isna().any():
        raise ValueError(f"groups: row {int(np.flatnonzero(g.isna().to_numpy())[0])} is missing")
    parts = []
    for label in sorted(g.unique(), key=str):
        mask = (g == label).to_numpy()
        part = _km_one(d[mask], e[mask], z)
        part.insert(0, "group", label)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def median_survival(km: pd.DataFrame) -> float | pd.Series:
    """Median lifetime: the first ``timeline`` value where ``survival <= 0.5`` (``inf`` if never).

    ``km`` is the output of :func:`kaplan_meier`; with a ``group`` column the
    result is a Series indexed by group.
    """
    def one(part: pd.DataFrame) -> float:
        hit = part.loc[part["survival"] <= 0.5, "timeline"]
        return float(hit.iloc[0]) if len(hit) else float("inf")

    if "group" in km.columns:
        return pd.Series({label: one(part) for label, part in km.groupby("group", sort=False)}, name="median_survival")
    return one(km)


@fill_doc
def churn_durations(
    log: pd.DataFrame,
    method: str = "auto",
    *,
    cutoff: str | pd.Timestamp | None = None,
    inactivity_days: float = 180.0,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Duration and churn flag per account, ready for :func:`kaplan_meier`.

    Parameters
    ----------
    log
        kamsim ``events`` log, engine panel or transaction log (see Methods).
    method
        ``"auto"``, ``"stage"``, ``"panel"`` or ``"inactivity"``.
    cutoff
        End of observation (default: the last date in the log).
    inactivity_days
        Days without an order after which an account counts as churned (``"inactivity"``).
    %(log_columns)s
    events
        ``"panel"`` only: the run's ``events`` log, so that acquisitions and losses in the last
        panel month are seen (the panel alone ends at the start of its last month).

    Methods
    -------
    ``"stage"`` (kamsim ``events`` log)
        Start = acquisition: the account's first ``stage_change`` out of
        ``prospect``; accounts that were customers when the log starts (an
        order, a contract event or a stage change out of a customer stage,
        but no acquisition) start at the log's first date (left-truncated:
        their earlier lifetime is unknown).  Prospects never acquired are left
        out.  Churn = the first ``stage_change`` with ``stage_to == "lost"``
        (a later win-back does not undo it); otherwise censored at ``cutoff``
        (default: last date in the log).
    ``"panel"`` (engine panel: ``month, account_id, stage``)
        Panel month ``m`` holds the stage at the start of month ``m``, so a
        change first seen at ``m`` happened at the end of month ``m - 1``.
        Start = first month with a stage other than ``prospect``; churn = first
        month with stage ``lost``; censored at the last panel month -- or, with
        ``events``, at the end of the last month, with that month's
        acquisitions and losses taken from ``events`` (then it agrees with
        ``"stage"`` on the same run to within a day).  Durations are whole
        months; ``start``/``end`` are month boundaries.
    ``"inactivity"`` (any transaction log)
        Start = first order.  An account churned if ``cutoff - last order >
        inactivity_days``; its churn time is then the last order date.
        Otherwise censored at ``cutoff``.
    ``"auto"``
        ``"stage"`` if the log has ``stage_change`` rows, ``"panel"`` if it
        has ``month`` and ``stage`` but no ``event_type``, else ``"inactivity"``.

    Returns
    -------
    DataFrame
        Columns ``account_id, start, end, duration, churned``; ``duration`` in
        months (days / 30.4375 for dated logs), ``churned`` bool.  Sorted by ``account_id``.
    """
    if method == "auto":
        if "event_type" in log.columns and (log["event_type"] == "stage_change").any():
            method = "stage"
        elif "event_type" not in log.columns and {"month", "stage"} <= set(log.columns):
            method = "panel"
        else:
            method = "inactivity"
    if method == "panel":
        return _from_panel(log, customer_col, events)
    if method not in ("stage", "inactivity"):
        raise ValueError(f"method must be 'auto', 'stage', 'panel' or 'inactivity', got {method!r}")

    if method == "stage":
        require_columns(
            log, ("event_type", "stage_to", customer_col, date_col), "events log",
            where="churn_durations(method='stage')", verb=HAS_NO, first=True,
        )
        start, end, churned = _from_stages(log, cutoff, customer_col, date_col)
    else:
        t = as_transactions(log, customer_col, date_col, amount_col)
        cut = t["date"].max() if cutoff is None else pd.Timestamp(cutoff)
        t = t.loc[(t["date"] <= cut).to_numpy()]
        g = t.groupby("account_id")["date"]
        start, last = g.min(), g.max()
        churned = ((cut - last).dt.days > inactivity_days).to_numpy()
        end = pd.Series(cut, index=start.index).astype("datetime64[ns]")
        end[churned] = last[churned].to_numpy()
    days = (end - start).dt.total_seconds() / 86400.0
    out = pd.DataFrame(
        {
            "account_id": start.index.astype("string"),
            "start": start.to_numpy(),
            "end": end.to_numpy(),
            "duration": (days / DAYS_PER_MONTH).to_numpy(dtype="float64"),
            "churned": np.asarray(churned, dtype=bool),
        }
    )
    return out.sort_values("account_id", kind="stable").reset_index(drop=True)


def _from_stages(log: pd.DataFrame, cutoff, customer_col: str, date_col: str) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Start, end and churn flag per acquired account of an events log (see :func:`churn_durations`)."""
    ids = log[customer_col].astype("string")
    dates = pd.to_datetime(log[date_col]).astype("datetime64[ns]")
    cut = dates.max() if cutoff is None else pd.Timestamp(cutoff)
    log_start = dates.min()
    kind = log["event_type"].astype("string")
    change = (kind == "stage_change").to_numpy(dtype=bool, na_value=False)
    stage_from = log["stage_from"].astype("string") if "stage_from" in log.columns else pd.Series(pd.NA, index=log.index, dtype="string")
    from_prospect = change & (stage_from == "prospect").to_numpy(dtype=bool, na_value=False)
    acquired = dates[from_prospect].groupby(ids[from_prospect]).min()
    # Customers at the log's start: a stage change out of a customer stage, an order or a contract event,
    # and no acquisition in the log.  They are observed from the log's start (left-truncated).
    customer_sign = (change & ~from_prospect & stage_from.notna().to_numpy()) | kind.isin(
        ["order", *CONTRACT_EVENTS]
    ).to_numpy(dtype=bool, na_value=False)
    customer_sign &= (dates <= cut).to_numpy()
    existing = pd.Index(ids[customer_sign].unique()).difference(acquired.index)
    start = pd.concat([acquired, pd.Series(log_start, index=existing).astype("datetime64[ns]")]).sort_index()
    lost = change & (log["stage_to"] == "lost").to_numpy(dtype=bool, na_value=False)
    lost &= (dates <= cut).to_numpy()
    end_lost = dates[lost].groupby(ids[lost]).min()
    start = start[start <= cut]
    churned = start.index.isin(end_lost.index)
    end = pd.Series(cut, index=start.index).astype("datetime64[ns]")
    end[churned] = end_lost.reindex(start.index[churned]).to_numpy()
    return start, end, churned


def _from_panel(panel: pd.DataFrame, customer_col: str, events: pd.DataFrame | None = None) -> pd.DataFrame:
    require_columns(
        panel, ("month", "stage", customer_col), "panel", where="churn_durations(method='panel')", verb=HAS_NO, first=True
    )
    # Panel row m = stage at the start of month m: a change first seen at m happened at the end of month m - 1,
    # i.e. at the boundary m.  The panel alone ends at the start of its last month.
    p = panel.loc[(panel["stage"] != "prospect").to_numpy(dtype=bool, na_value=False), [customer_col, "month", "stage"]]
    ids = p[customer_col].astype("string")
    start = p["month"].groupby(ids).min()
    last_month = int(panel["month"].max())
    lost = (p["stage"] == "lost").to_numpy(dtype=bool, na_value=False)
    end_lost = p["month"][lost].groupby(ids[lost]).min()
    if events is not None:
        # The events log sees the last month: its acquisitions and losses happen at the boundary last_month + 1.
        require_columns(
            events, ("month", "event_type", "stage_from", "stage_to", customer_col), "events",
            where="churn_durations(method='panel')", verb=HAS_NO, first=True,
        )
        last = events.loc[
            (events["event_type"] == "stage_change").to_numpy(dtype=bool, na_value=False)
            & (events["month"] == last_month).to_numpy(dtype=bool, na_value=False)
        ]
        last_ids = last[customer_col].astype("string")
        new = pd.Index(last_ids[(last["stage_from"] == "prospect").to_numpy(dtype=bool, na_value=False)].unique())
        start = pd.concat([start, pd.Series(last_month + 1, index=new.difference(start.index))]).sort_index()
        gone = pd.Index(last_ids[(last["stage_to"] == "lost").to_numpy(dtype=bool, na_value=False)].unique())
        end_lost = pd.concat([end_lost, pd.Series(last_month + 1, index=gone.difference(end_lost.index))])
        last_month += 1
    churned = start.index.isin(end_lost.index)
    end = pd.Series(last_month, index=start.index, dtype="int64")
    end[churned] = end_lost.reindex(start.index[churned]).to_numpy()
    out = pd.DataFrame(
        {
            "account_id": start.index.astype("string"),
            "start": start.to_numpy(dtype="int64"),
            "end": end.to_numpy(dtype="int64"),
            "duration": (end - start).to_numpy(dtype="float64"),
            "churned": churned,
        }
    )
    return out.sort_values("account_id", kind="stable").reset_index(drop=True)
