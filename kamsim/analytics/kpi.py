"""KPI scorecard of key-account management, per tier, per account manager or per month.

KAM example: the quarterly KAM review compares tiers and managers on the
same page -- revenue and margin, how many accounts were kept, how satisfied
they are, how much of their wallet we win, how fast complaints are solved and
whether the effort of the KAM team pays back.  :func:`kpi_scorecard` builds
that page from kamsim's ``events`` log (or a plain transaction log).

Formulas, per group ``g`` (a tier, a manager, a calendar month, or all):

=============================  ==============================================================
column                         definition (units)
=============================  ==============================================================
``accounts``                   distinct accounts with >= 1 row (any event) in ``g``
``orders``                     order rows
``revenue``                    sum of order ``amount`` (CU)
``margin``                     sum of order ``margin`` (CU; NaN without a margin column)
``churn``                      accounts with a ``stage_change`` to ``"lost"`` in ``g`` / ``accounts``
``retention``                  ``1 - churn``
``satisfaction``               mean ``score`` of ``survey`` events (0-10)
``share_of_wallet``            ``revenue / (sum of annual_potential_spend of the accounts of g
                               * months / 12)``; ``months`` = 1 per month group, else the number
                               of calendar months the log spans (0-1)
``complaints``                 ``complaint_opened`` events
``complaint_resolution_days``  mean ``wait_days`` of ``complaint_resolved`` events (days)
``effort_hours``               sum of ``hours`` of all events (visits, calls, QBRs ...) (h)
``effort_cost``                ``hours * cost_per_hour`` of every event, except that a
                               ``retention_offer`` / ``winback_offer`` with an ``amount``
                               costs that amount (it already prices its hours) (CU)
``roi``                        ``(margin - effort_cost) / effort_cost`` (NaN if no effort)
=============================  ==============================================================

On a plain transaction log (no ``event_type`` column) every row is an order;
``churn, retention, satisfaction, complaints, complaint_resolution_days,
effort_hours, effort_cost, roi`` are NaN (the log has no such events), and
``share_of_wallet`` is NaN unless ``accounts`` gives ``annual_potential_spend``.
If the events log has no ``stage_change`` rows but a ``panel`` is given,
churn (not for ``by="month"``) counts accounts whose panel stage became ``lost``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamsim.analytics._validation import AMOUNT_COL, CUSTOMER_COL, DATE_COL, fill_doc
from kamsim.analytics.io import as_transactions

KPI_COLUMNS: tuple[str, ...] = (
    "accounts",
    "orders",
    "revenue",
    "margin",
    "retention",
    "churn",
    "satisfaction",
    "share_of_wallet",
    "complaints",
    "complaint_resolution_days",
    "effort_hours",
    "effort_cost",
    "roi",
)

_BY = ("tier", "manager_id", "month", None)


def _account_groups(
    by: str, accounts: pd.DataFrame | None, panel: pd.DataFrame | None, events: pd.DataFrame, customer_col: str
) -> pd.Series:
    """Map account_id -> tier / manager."""
    if accounts is not None and by in accounts.columns and "account_id" in accounts.columns:
        return pd.Series(accounts[by].astype("string").to_numpy(), index=accounts["account_id"].astype("string"))
    if by == "tier" and panel is not None and {"tier", "month", "account_id"} <= set(panel.columns):
        last = panel.sort_values("month", kind="stable").groupby(panel["account_id"].astype("string"))["tier"].last()
        return last.astype("string")
    if by == "manager_id" and "manager_id" in events.columns:
        rows = events.loc[events["manager_id"].notna(), [customer_col, "manager_id"]]
        return rows.groupby(rows[customer_col].astype("string"))["manager_id"].last().astype("string")
    source = "accounts or panel" if by == "tier" else "accounts or the events log"
    raise ValueError(f"kpi_scorecard(by={by!r}): no '{by}' column found in {source}")


@fill_doc
def kpi_scorecard(
    events: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    by: str | None = "tier",
    panel: pd.DataFrame | None = None,
    *,
    cost_per_hour: float = 80.0,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    amount_col: str = AMOUNT_COL,
) -> pd.DataFrame:
    """KPIs per group (see module docstring for formulas and units).

    Parameters
    ----------
    events
        kamsim ``events`` log or a plain transaction log.
    accounts
        Accounts table (``account_id``; ``annual_potential_spend`` for share of
        wallet; ``tier`` / ``manager_id`` for grouping).
    by
        ``"tier"``, ``"manager_id"``, ``"month"`` (calendar month of the
        event date) or ``None`` (one row, group ``"all"``).  Tiers come from
        ``accounts["tier"]`` or else from the last ``tier`` of each account in
        ``panel``; managers from ``accounts`` or else the last manager named in
        the events.  Accounts without a group are labelled ``"unassigned"``.
    panel
        Engine panel (``month, account_id, tier, stage``), optional.
    cost_per_hour
        Cost of one hour of KAM effort (CU/h); the default equals
        ``kamsim.policies.DEFAULT_COST_PER_HOUR``.
    %(log_columns)s

    Returns
    -------
    DataFrame
        One row per group: the group column (named ``by``, or ``group``) then :data:`KPI_COLUMNS`.
    """
    if by not in _BY:
        raise ValueError(f"by must be one of {_BY}, got {by!r}")
    if cost_per_hour < 0:
        raise ValueError(f"cost_per_hour must be >= 0, got {cost_per_hour}")
    is_events = "event_type" in events.columns
    orders = as_transactions(events, customer_col, date_col, amount_col)
    if is_events:
        ev = pd.DataFrame(
            {
                "account_id": events[customer_col].astype("string").to_numpy(),
                "date": pd.to_datetime(events[date_col]).to_numpy(dtype="datetime64[ns]"),
                "event_type": events["event_type"].astype("string").to_numpy(),
            }
        )
        for col in ("amount", "hours", "score", "wait_days"):
            ev[col] = pd.to_numeric(events[col], errors="coerce").to_numpy(dtype="float64") if col in events.columns else np.nan
        ev["stage_to"] = events["stage_to"].astype("string").to_numpy() if "stage_to" in events.columns else pd.NA
    else:
        ev = orders[["account_id", "date"]].assign(event_type="order")

    group_col = by if by is not None else "group"
    if by is None:
        ev["_g"], orders["_g"] = "all", "all"
    elif by == "month":
        ev["_g"] = ev["date"].dt.to_period("M").dt.start_time
        orders["_g"] = orders["date"].dt.to_period("M").dt.start_time
    else:
        mapping = _account_groups(by, accounts, panel, events, customer_col)
        ev["_g"] = ev["account_id"].map(mapping).fillna("unassigned").astype("string")
        orders["_g"] = orders["account_id"].map(mapping).fillna("unassigned").astype("string")

    g_ev = ev.groupby("_g", sort=True)
    out = pd.DataFrame({"accounts": g_ev["account_id"].nunique()})
    g_ord = orders.groupby("_g")
    out["orders"] = g_ord.size().reindex(out.index, fill_value=0)
    out["revenue"] = g_ord["amount"].sum().reindex(out.index, fill_value=0.0)
    out["margin"] = g_ord["margin"].sum(min_count=1).reindex(out.index)

    nan = pd.Series(np.nan, index=out.index)
    out["churn"] = _churn(ev, out, by, panel) if is_events else nan
    out["retention"] = 1.0 - out["churn"]
    if is_events:
        def per_type(kind: str, col: str, how: str) -> pd.Series:
            rows = ev.loc[(ev["event_type"] == kind).to_numpy(dtype=bool, na_value=False)]
            agg = getattr(rows.groupby("_g")[col], how)()
            return agg.reindex(out.index)

        out["satisfaction"] = per_type("survey", "score", "mean")
        out["complaints"] = ev.loc[(ev["event_type"] == "complaint_opened").to_numpy(dtype=bool, na_value=False)].groupby(
            "_g"
        ).size().reindex(out.index, fill_value=0).astype("float64")
        out["complaint_resolution_days"] = per_type("complaint_resolved", "wait_days", "mean")
        out["effort_hours"] = ev.groupby("_g")["hours"].sum().reindex(out.index, fill_value=0.0)
        # Offers carry their cost in ``amount`` (the engine books hours * cost_per_hour there): count it once.
        is_offer = ev["event_type"].isin(["retention_offer", "winback_offer"]).to_numpy(dtype=bool, na_value=False)
        hour_cost = ev["hours"].fillna(0.0) * cost_per_hour
        row_cost = np.where(is_offer & ev["amount"].notna().to_numpy(), ev["amount"].fillna(0.0), hour_cost)
        out["effort_cost"] = pd.Series(row_cost, index=ev.index).groupby(ev["_g"]).sum().reindex(out.index, fill_value=0.0)
        cost = out["effort_cost"].where(out["effort_cost"] > 0)
        out["roi"] = (out["margin"] - cost) / cost
    else:
        for col in ("satisfaction", "complaints", "complaint_resolution_days", "effort_hours", "effort_cost", "roi"):
            out[col] = nan
    out["share_of_wallet"] = _share_of_wallet(ev, out, accounts, by)
    out = out[list(KPI_COLUMNS)]
    out.index.name = group_col
    return out.reset_index()


def _churn(ev: pd.DataFrame, out: pd.DataFrame, by: str | None, panel: pd.DataFrame | None) -> pd.Series:
    stage_rows = (ev["event_type"] == "stage_change").to_numpy(dtype=bool, na_value=False)
    if stage_rows.any():
        lost = ev.loc[stage_rows & (ev["stage_to"] == "lost").to_numpy(dtype=bool, na_value=False)]
        churned = lost.groupby("_g")["account_id"].nunique().reindex(out.index, fill_value=0)
        return churned / out["accounts"]
    if panel is not None and by != "month" and {"account_id", "month", "stage"} <= set(panel.columns):
        p = panel[["account_id", "month", "stage"]]
        ids = p["account_id"].astype("string")
        is_lost = (p["stage"] == "lost").to_numpy(dtype=bool, na_value=False)
        first_lost = p["month"][is_lost].groupby(ids[is_lost]).min()
        first_active = p["month"][~is_lost].groupby(ids[~is_lost]).min()
        became = first_lost[first_lost > first_active.reindex(first_lost.index).fillna(np.inf)].index
        acc_group = ev.drop_duplicates("account_id").set_index("account_id")["_g"]
        churned = acc_group.reindex(pd.Index(became, dtype="string")).dropna().value_counts()
        return churned.reindex(out.index, fill_value=0) / out["accounts"]
    return pd.Series(np.nan, index=out.index)


def _share_of_wallet(ev: pd.DataFrame, out: pd.DataFrame, accounts: pd.DataFrame | None, by: str | None) -> pd.Series:
    if accounts is None or not {"account_id", "annual_potential_spend"} <= set(accounts.columns):
        return pd.Series(np.nan, index=out.index)
    potential = pd.Series(
        pd.to_numeric(accounts["annual_potential_spend"], errors="coerce").to_numpy(dtype="float64"),
        index=accounts["account_id"].astype("string"),
    )
    months = 1.0 if by == "month" else float(ev["date"].dt.to_period("M").nunique())
    pairs = ev[["_g", "account_id"]].drop_duplicates()
    pot = pairs.assign(p=pairs["account_id"].map(potential)).groupby("_g")["p"].sum(min_count=1).reindex(out.index)
    yearly = pot * months / 12.0
    return out["revenue"] / yearly.where(yearly > 0)
