"""Lifecycle costs: account-manager effort per lifecycle stage, and acquisition vs retention cost.

KAM example: "winning a new account costs five times as much as keeping
one" -- is that true of our team?  The CRM log records the hours of every
visit, call and quarterly business review; the stage history (see
:mod:`kamsim.analytics.lifecycle`) says which stage the account was in that
month.  Together they price the effort spent in each stage, and compare the
cost of one account acquired with the cost of one customer kept for a year.

* :func:`effort_by_stage` -- account-manager hours and their cost per stage;
* :func:`acquisition_retention_costs` -- cost to win one new account vs cost to keep
  one customer for a year, both from the effort recorded in the log.

Months and stages follow the conventions of :mod:`kamsim.analytics.lifecycle`;
hours are account-manager hours, costs in currency units (CU).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim.analytics._validation import CUSTOMER_COL, HAS_NO, check_stages, require_columns
from kamsim.vocabulary import CUSTOMER_STAGES, STAGES
from kamsim.vocabulary import INTERACTION_TYPES as EFFORT_EVENTS

#: Columns of :func:`acquisition_retention_costs`.
COST_COLUMNS: tuple[str, ...] = ("activity", "hours", "cost", "units", "unit", "cost_per_unit", "ratio_to_retention")


def effort_by_stage(
    events: pd.DataFrame,
    history: pd.DataFrame,
    cost_per_hour: float = 80.0,
    *,
    stages: Sequence[str] = STAGES,
    customer_col: str = CUSTOMER_COL,
) -> pd.DataFrame:
    """Account-manager hours and their cost, by the stage the account was in that month.

    Parameters
    ----------
    events
        kamsim events log; the ``hours`` of ``visit``, ``call`` and ``qbr`` rows are counted.
    history
        ``month, account_id, stage`` (:func:`~kamsim.analytics.lifecycle.stage_history` or an engine
        panel).  Only events in the months of ``history`` are counted (pass a slice of it to cost a
        shorter period).
    cost_per_hour
        Fully loaded cost of one account-manager hour (CU/h).

    Returns
    -------
    DataFrame
        Index ``stage``; columns ``account_months`` (account-months spent in the stage),
        ``hours`` (h), ``cost`` (CU) and ``hours_per_account_month`` (h; NaN without account-months).
    """
    stages = check_stages(stages, "effort_by_stage")
    if not np.isfinite(cost_per_hour) or cost_per_hour < 0:
        raise ValueError(f"effort_by_stage: cost_per_hour must be finite and >= 0, got {cost_per_hour}")
    where = "effort_by_stage"
    require_columns(events, (customer_col, "month", "event_type", "hours"), "events", where=where, verb=HAS_NO)
    require_columns(history, ("month", customer_col, "stage"), "history", where=where, verb=HAS_NO)
    effort = events.loc[events["event_type"].isin(EFFORT_EVENTS).to_numpy(dtype=bool, na_value=False)]
    key = pd.DataFrame(
        {
            "id": history[customer_col].astype("string").to_numpy(),
            "month": history["month"].to_numpy(dtype="int64"),
            "stage": history["stage"].astype("string").to_numpy(),
        }
    )
    hours = pd.DataFrame(
        {
            "id": effort[customer_col].astype("string").to_numpy(),
            "month": effort["month"].to_numpy(dtype="int64"),
            "hours": pd.to_numeric(effort["hours"]).to_numpy(dtype="float64", na_value=0.0),
        }
    )
    hours = hours.loc[hours["month"].isin(key["month"].unique()).to_numpy()]
    merged = hours.merge(key, on=["id", "month"], how="left", validate="many_to_one")
    if merged["stage"].isna().any():
        row = merged.loc[merged["stage"].isna()].iloc[0]
        raise ValueError(f"effort_by_stage: history has no stage for account {row['id']!r} in month {row['month']}")
    out = pd.DataFrame(index=pd.Index(stages, name="stage"))
    out["account_months"] = key["stage"].value_counts().reindex(stages, fill_value=0).astype("int64")
    out["hours"] = merged.groupby("stage")["hours"].sum().reindex(stages, fill_value=0.0).astype("float64")
    out["cost"] = out["hours"] * float(cost_per_hour)
    out["hours_per_account_month"] = out["hours"] / out["account_months"].where(out["account_months"] > 0)
    return out


def acquisition_retention_costs(
    events: pd.DataFrame,
    history: pd.DataFrame,
    cost_per_hour: float = 80.0,
    *,
    customer_col: str = CUSTOMER_COL,
) -> pd.DataFrame:
    """What winning one new account costs compared with keeping one customer for a year.

    Both costs are account-manager effort recorded in the log, priced at ``cost_per_hour``:

    * acquisition: hours spent on prospects (won or not) / number of prospects acquired
      (``stage_change`` events ``prospect`` -> ``new`` in the months of ``history``) -> CU per account acquired;
    * retention: hours spent on current customers (stages ``new, growing, mature, at_risk,
      won_back``) / customer-years (customer account-months / 12) -> CU per customer-year.

    Parameters
    ----------
    events, history, cost_per_hour
        As in :func:`effort_by_stage`.

    Returns
    -------
    DataFrame
        Two rows (``activity`` = ``"acquisition"``, ``"retention"``), columns ``activity, hours, cost``
        (CU), ``units`` (accounts acquired; customer-years), ``unit`` (text), ``cost_per_unit`` (CU)
        and ``ratio_to_retention`` (``cost_per_unit`` / that of retention; the "2-5x" rule of thumb).
        ``cost_per_unit`` is NaN when there are no units.
    """
    by_stage = effort_by_stage(events, history, cost_per_hour, customer_col=customer_col)
    require_columns(events, ("stage_from", "stage_to"), "events", where="acquisition_retention_costs", verb=HAS_NO)
    in_history = events["month"].isin(history["month"].unique()).to_numpy(dtype=bool, na_value=False)
    won = (
        (events["event_type"] == "stage_change").to_numpy(dtype=bool, na_value=False)
        & (events["stage_from"] == "prospect").to_numpy(dtype=bool, na_value=False)
        & (events["stage_to"] == "new").to_numpy(dtype=bool, na_value=False)
    )
    acquired = float((won & in_history).sum())
    customers = list(CUSTOMER_STAGES)
    customer_years = float(by_stage.loc[customers, "account_months"].sum()) / 12.0
    rows = [
        ("acquisition", by_stage.loc["prospect", "hours"], acquired, "account acquired"),
        ("retention", by_stage.loc[customers, "hours"].sum(), customer_years, "customer-year"),
    ]
    out = pd.DataFrame(
        [
            {
                "activity": name,
                "hours": float(h),
                "cost": float(h) * float(cost_per_hour),
                "units": units,
                "unit": unit,
                "cost_per_unit": float(h) * float(cost_per_hour) / units if units > 0 else np.nan,
            }
            for name, h, units, unit in rows
        ]
    )
    out["ratio_to_retention"] = out["cost_per_unit"] / out.loc[1, "cost_per_unit"]
    return out[list(COST_COLUMNS)]
