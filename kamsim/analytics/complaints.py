"""Complaint statistics from a CRM log: queue time, the six handling stages, time to resolution.

KAM example: "our complaints take too long" -- but which part?  Waiting for a
free handler, investigating the facts, or getting the remedy implemented?
kamsim handles every complaint (投诉) in six stages -- accept (受理),
investigate (调查), analyse the cause (分析原因), propose a solution (提出方案),
implement (实施), follow up (跟踪回访) -- and logs them: a ``complaint_opened``
event (``detail`` = complaint id) and a ``complaint_resolved`` event
(``wait_days`` = opening -> resolution; ``detail`` = id, queue days and the six
stage durations, e.g. ``K000001|queue=0.00|accept=0.09|investigate=4.09|...``).

* :func:`complaint_table` -- one row per complaint of an ``events`` log;
* :func:`complaint_stats` -- count, mean, median, upper quantile and maximum of
  each measure, from that table, from an ``events`` log, or from
  ``SimulationResult.complaints``.

Units: days.  ``resolution_days`` (the events' ``wait_days``, the engine KPI
``mean_complaint_wait_days``) is ``queue_days + handling_days``; the time spent
waiting for a handler alone is ``queue_days``, the quantity the Erlang C
formula (``kamsim.engine.theory.erlang_c_wait``) predicts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._validation import CUSTOMER_COL, DATE_COL, MISSING, require_columns
from kamsim.vocabulary import COMPLAINT_STAGES, parse_complaint_details

#: Measures reported by :func:`complaint_stats`, in order.
COMPLAINT_MEASURES: tuple[str, ...] = (
    "queue_days",
    *(f"{s}_days" for s in COMPLAINT_STAGES),
    "handling_days",
    "resolution_days",
)


def complaint_table(events: pd.DataFrame, customer_col: str = CUSTOMER_COL, date_col: str = DATE_COL) -> pd.DataFrame:
    """One row per complaint of an ``events`` log, with queue and stage durations.

    Joins ``complaint_opened`` rows (``detail`` = complaint id) with ``complaint_resolved``
    rows (``wait_days`` = opening -> resolution; ``detail`` = id, ``queue=`` days and the six
    stage durations in days).

    Returns
    -------
    DataFrame
        ``complaint_id, account_id, opened, resolved_date`` (dates), ``resolved`` (bool),
        ``resolution_days``, ``queue_days``, ``handling_days`` (sum of the stages) and
        ``<stage>_days`` for the six stages of :data:`kamsim.vocabulary.COMPLAINT_STAGES`;
        durations NaN for complaints not resolved in the log.  Sorted by opening date.
    """
    needed = ("event_type", "detail", "wait_days", customer_col, date_col)
    require_columns(events, needed, "events", verb=MISSING, first=True)
    kind = events["event_type"]
    opened = events[(kind == "complaint_opened").fillna(False).to_numpy(dtype=bool)]
    done = events[(kind == "complaint_resolved").fillna(False).to_numpy(dtype=bool)]
    left = pd.DataFrame(
        {
            "complaint_id": opened["detail"].astype("string").to_numpy(),
            "account_id": opened[customer_col].astype("string").to_numpy(),
            "opened": pd.to_datetime(opened[date_col]).to_numpy(dtype="datetime64[ns]"),
        }
    )
    parsed = parse_complaint_details(done["detail"].reset_index(drop=True))
    stage_cols = list(COMPLAINT_STAGES)
    right = pd.DataFrame(
        {
            "complaint_id": parsed["complaint_id"].astype("string").to_numpy(),
            "resolved_date": pd.to_datetime(done[date_col]).to_numpy(dtype="datetime64[ns]"),
            "resolution_days": pd.to_numeric(done["wait_days"], errors="coerce").to_numpy(dtype="float64"),
            "queue_days": parsed["queue"].to_numpy(dtype="float64"),
        }
    )
    stages = parsed[stage_cols].to_numpy(dtype="float64")
    right["handling_days"] = stages.sum(axis=1) if len(right) else np.zeros(0)
    for j, name in enumerate(stage_cols):
        right[f"{name}_days"] = stages[:, j]
    table = left.merge(right, on="complaint_id", how="left", validate="one_to_one")
    table.insert(4, "resolved", table["resolved_date"].notna())
    return table.sort_values(["opened", "complaint_id"], kind="stable").reset_index(drop=True)


def complaint_stats(
    complaints: pd.DataFrame, resolved_only: bool = True, quantile: float = 0.9
) -> pd.DataFrame:
    """Summary statistics (days) of queue time, the six stages, handling and resolution time.

    Parameters
    ----------
    complaints
        :func:`complaint_table` output, an ``events`` log (converted with it), or
        ``SimulationResult.complaints`` (``resolution_days`` is then ``resolved_day - opened_day``).
    resolved_only
        Use only complaints resolved in the data (default); ``False`` also uses started but
        unfinished complaints where a value exists (e.g. their queue time).
    quantile
        Upper quantile reported as column ``p90`` (default 0.9).

    Returns
    -------
    DataFrame
        Index ``measure`` (:data:`COMPLAINT_MEASURES`); columns ``count, mean, median, p90,
        max, share_of_handling`` (mean of the measure / mean handling time, for the stages
        and handling; NaN for queue and resolution).
    """
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be between 0 and 1, got {quantile}")
    table = complaints
    if "event_type" in table.columns:
        table = complaint_table(table)
    else:
        table = table.copy()
        if "resolution_days" not in table.columns and {"resolved_day", "opened_day"} <= set(table.columns):
            table["resolution_days"] = table["resolved_day"] - table["opened_day"]
    hint = " (pass complaint_table(events) or result.complaints)"
    require_columns(table, COMPLAINT_MEASURES, "complaints", verb=MISSING, hint=hint)
    if resolved_only and "resolved" in table.columns:
        table = table[table["resolved"].fillna(False).to_numpy(dtype=bool)]
    values = table[list(COMPLAINT_MEASURES)].astype("float64")
    out = pd.DataFrame(
        {
            "count": values.notna().sum().astype("int64"),
            "mean": values.mean(),
            "median": values.median(),
            "p90": values.quantile(quantile),
            "max": values.max(),
        }
    )
    out.index.name = "measure"
    handling = out.loc["handling_days", "mean"]
    share = out["mean"] / handling if handling and np.isfinite(handling) else out["mean"] * np.nan
    share[["queue_days", "resolution_days"]] = np.nan
    out["share_of_handling"] = share
    return out
