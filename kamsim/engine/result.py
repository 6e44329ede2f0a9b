"""SimulationResult: the event log, the monthly panel, KPIs and a summary table of one run.

KAM example: after simulating 36 months under a retention policy, a manager
asks "how much revenue and margin did we make, how many customers did we keep,
how busy were the account managers, how long did complaints wait?" --
:meth:`SimulationResult.kpis` answers with one number each, and
:meth:`SimulationResult.summary` breaks the panel down by stage and tier.

KPI definitions (index of :meth:`kpis`, all floats):

==========================  =====================================================================
``revenue``                 total order revenue over the run (CU)
``margin``                  total gross margin of orders (CU)
``retention_rate``          share of the customers at the first month that are customers at the end
``churn_rate``              annualised loss rate: ``1 - (1 - L / C) ** 12`` with L losses and C
                            customer-months
``mean_satisfaction``       mean satisfaction (0-10) over customer-months
``active_accounts_end``     number of customers after the last month
``share_<stage>``           share of all accounts in each stage after the last month
``manager_utilisation``     delivered regular hours / available manager hours (0-1)
``missed_contacts``         manager tasks not started by their deadline (queue model; 0 otherwise)
``mean_contact_wait_days``  mean days a finished manager task waited (queue model; 0 otherwise)
``complaints``              number of complaints opened
``mean_complaint_wait_days``  mean days from opening to resolution of resolved complaints (NaN if none)
``retention_cost``          retention hours x cost per hour (CU)
``winback_cost``            win-back hours x cost per hour (CU)
``net_margin``              margin - retention_cost - winback_cost (CU)
==========================  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kamsim.engine.kpis import (  # noqa: F401 (KPI_NAMES: the index of kpis(), re-exported)
    KPI_NAMES,
    KpiTotals,
    event_totals,
    kpi_totals,
)
from kamsim.scenario import Scenario
from kamsim.schema import STAGES

#: Columns of :attr:`SimulationResult.panel`, in order.
PANEL_COLUMNS: tuple[str, ...] = (
    "month",
    "account_id",
    "stage",
    "satisfaction",
    "revenue",
    "margin",
    "contact_hours",
    "complaints",
    "tier",
    "retention_hours",
    "churn_hazard",
)


@dataclass
class SimulationResult:
    """Everything one :func:`kamsim.engine.simulate` run produced.

    Attributes
    ----------
    events : DataFrame
        The CRM-like event log (``schema.EVENTS`` columns and dtypes).
    panel : DataFrame
        One row per (month, account): ``stage`` and ``satisfaction`` at the start
        of the month (what the policy saw), ``revenue`` and ``margin`` of the
        month (CU), ``contact_hours`` delivered (hours), ``complaints`` raised,
        ``tier`` assigned, ``retention_hours`` (retention or win-back effort)
        and ``churn_hazard`` (probability of loss in the month).
    complaints : DataFrame
        One row per complaint: times in days since the start, ``queue_days``,
        ``handling_days`` (planned for complaints still open) and the six stage durations.
    final_stage : Series
        Stage of each account after the last month (index ``account_id``).
    manager_hours : DataFrame
        Per manager: ``capacity_hours`` and ``used_hours`` over the run.
    manager_panel : DataFrame
        One row per (month, manager): ``capacity_hours`` and ``used_hours`` (hours), ``utilisation``
        (used / capacity; NaN without hours), ``tasks_done`` (interactions; in the queue model every finished
        task), ``tasks_missed`` and ``mean_wait_days`` (queue model; 0 otherwise).
    scenario, policy_name, seed, portfolio, months
        The inputs (``portfolio`` by reference).
    meta : dict
        ``start`` (ISO date of month 0), ``handlers``, ``days_per_month``, ``orders_cut`` (orders
        drawn beyond the cap ``orders.max_per_month`` and dropped, with their spend; see
        docs/engine.md, "Orders"), ``orders_max_per_month`` and ``discount_cost`` (revenue given away by the
        pricing policy's discounts, CU).
    """

    events: pd.DataFrame
    panel: pd.DataFrame
    complaints: pd.DataFrame
    final_stage: pd.Series
    manager_hours: pd.DataFrame
    scenario: Scenario
    policy_name: str
    seed: int
    portfolio: Any
    months: int
    retention_cost: float = 0.0
    winback_cost: float = 0.0
    simpy_events: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    manager_panel: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        return (
            f"SimulationResult(policy={self.policy_name!r}, seed={self.seed}, months={self.months}, "
            f"accounts={len(self.final_stage)}, events={len(self.events)})"
        )

    def kpis(self) -> pd.Series:
        """Key figures of the run (float Series, index :data:`KPI_NAMES`, name = policy name)."""
        return self.kpi_totals().kpis(self.policy_name)

    def kpi_totals(self) -> KpiTotals:
        """The additive sums and counts behind :meth:`kpis` (:class:`kamsim.engine.kpis.KpiTotals`)."""
        return kpi_totals(self.panel, self.final_stage, self.complaints, self.manager_hours, event_totals(self.events),
                          self.retention_cost, self.winback_cost)

    def summary(self) -> pd.DataFrame:
        """Panel totals by stage (all stages, in lifecycle order) and by tier.

        Returns
        -------
        DataFrame
            Index (``by``, ``group``) with ``by`` in {"stage", "tier"}; columns
            ``account_months``, ``accounts`` (distinct), ``revenue``, ``margin`` (CU),
            ``mean_satisfaction``, ``contact_hours``, ``retention_hours`` (hours),
            ``complaints`` and ``mean_churn_hazard`` (per month).
        """
        panel = self.panel
        frames = []
        for by in ("stage", "tier"):
            key = panel[by].astype("object").where(panel[by].notna(), "(none)")
            grouped = panel.groupby(key.to_numpy(), sort=False)
            table = pd.DataFrame(
                {
                    "account_months": grouped.size(),
                    "accounts": grouped["account_id"].nunique(),
                    "revenue": grouped["revenue"].sum(),
                    "margin": grouped["margin"].sum(),
                    "mean_satisfaction": grouped["satisfaction"].mean(),
                    "contact_hours": grouped["contact_hours"].sum(),
                    "retention_hours": grouped["retention_hours"].sum(),
                    "complaints": grouped["complaints"].sum(),
                    "mean_churn_hazard": grouped["churn_hazard"].mean(),
                }
            )
            if by == "stage":
                table = table.reindex(list(STAGES))
                totals = ["account_months", "accounts", "revenue", "margin", "contact_hours", "retention_hours", "complaints"]
                table[totals] = table[totals].fillna(0)
            else:
                table = table.sort_index()
            table.index = pd.MultiIndex.from_product([[by], table.index], names=["by", "group"])
            frames.append(table)
        out = pd.concat(frames)
        out["account_months"] = out["account_months"].astype(np.int64)
        out["accounts"] = out["accounts"].astype(np.int64)
        return out
