"""The KPIs of a run from additive totals, so that parts of a portfolio run apart can be summed.

:meth:`kamsim.engine.SimulationResult.kpis` reduces a run to a dozen ratios
(retention, churn, mean satisfaction, utilisation, ...).  A ratio of two
shards is not the mean of their ratios, but its numerator and denominator
add up: :class:`KpiTotals` holds those sums and counts, ``a + b`` combines
two shards exactly, and :meth:`KpiTotals.kpis` turns them into the KPI
Series.  A sharded run (:mod:`kamsim.experiment.sharded`) gathers one
``KpiTotals`` per shard instead of its whole event log.

Of the event log the KPIs need three things only (:class:`EventTotals`): the losses, the missed
contacts and the waits of finished contacts.  :func:`event_totals` reads them from a result's
``events`` frame; ``EventLog.event_totals`` reads the same values from the engine's compact log,
in the same order, so :func:`kamsim.engine.simulate_kpis` can skip building the frame and still give
the same bits.

The formulas (and their units) are documented at :mod:`kamsim.engine.result`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from kamsim.schema import STAGES
from kamsim.vocabulary import CUSTOMER_STAGES

#: Event types whose ``wait_days`` count in ``mean_contact_wait_days`` (finished manager tasks).
CONTACT_TYPES: tuple[str, ...] = ("visit", "call", "qbr", "escalation")

#: Index of :meth:`SimulationResult.kpis`, in order.
KPI_NAMES: tuple[str, ...] = (
    "revenue",
    "margin",
    "retention_rate",
    "churn_rate",
    "mean_satisfaction",
    "active_accounts_end",
    *(f"share_{s}" for s in STAGES),
    "manager_utilisation",
    "missed_contacts",
    "mean_contact_wait_days",
    "complaints",
    "mean_complaint_wait_days",
    "retention_cost",
    "winback_cost",
    "net_margin",
)


@dataclass(frozen=True)
class KpiTotals:
    """Additive sums and counts behind the KPIs of one run (or of several shards, added with ``+``).

    Attributes
    ----------
    revenue, margin
        Order revenue and gross margin over the run (CU).
    initial_customers, retained_customers
        Customers at the first month, and how many of them are customers at the end.
    losses, customer_months
        Moves to ``lost``, and (account, month) rows in a customer stage.
    satisfaction_sum
        Sum of satisfaction (0-10) over those customer-months.
    final_stages
        Accounts per stage after the last month (tuple in :data:`kamsim.schema.STAGES` order).
    used_hours, capacity_hours
        Delivered regular and available manager hours.
    missed_contacts, contact_waits, contact_wait_days
        Manager tasks missed; finished tasks with a recorded wait, and the sum of those waits (days).
    complaints, resolved_complaints, complaint_wait_days
        Complaints opened; resolved ones, and the sum of their opening-to-resolution times (days).
    retention_cost, winback_cost
        Retention and win-back effort cost (CU).
    events
        Rows of the run's event log (not a KPI: how much the run wrote).
    """

    revenue: float = 0.0
    margin: float = 0.0
    initial_customers: int = 0
    retained_customers: int = 0
    losses: int = 0
    customer_months: int = 0
    satisfaction_sum: float = 0.0
    final_stages: tuple[int, ...] = (0,) * len(STAGES)
    used_hours: float = 0.0
    capacity_hours: float = 0.0
    missed_contacts: int = 0
    contact_waits: int = 0
    contact_wait_days: float = 0.0
    complaints: int = 0
    resolved_complaints: int = 0
    complaint_wait_days: float = 0.0
    retention_cost: float = 0.0
    winback_cost: float = 0.0
    events: int = 0

    def __add__(self, other: KpiTotals) -> KpiTotals:
        if not isinstance(other, KpiTotals):
            return NotImplemented
        values = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            values[f.name] = tuple(x + y for x, y in zip(a, b)) if isinstance(a, tuple) else a + b
        return KpiTotals(**values)

    def kpis(self, name: str | None = None) -> pd.Series:
        """The KPI Series (float, index :data:`KPI_NAMES`); NaN where a ratio has nothing to divide."""
        nan = float("nan")
        monthly = self.losses / self.customer_months if self.customer_months else nan
        accounts = sum(self.final_stages)
        values: dict[str, float] = {
            "revenue": float(self.revenue),
            "margin": float(self.margin),
            "retention_rate": self.retained_customers / self.initial_customers if self.initial_customers else nan,
            "churn_rate": 1.0 - (1.0 - monthly) ** 12 if self.customer_months else nan,
            "mean_satisfaction": self.satisfaction_sum / self.customer_months if self.customer_months else nan,
            "active_accounts_end": float(self._active_end()),
            **{f"share_{s}": (n / accounts if accounts else 0.0) for s, n in zip(STAGES, self.final_stages)},
            "manager_utilisation": self.used_hours / self.capacity_hours if self.capacity_hours > 0 else nan,
            "missed_contacts": float(self.missed_contacts),
            "mean_contact_wait_days": self.contact_wait_days / self.contact_waits if self.contact_waits else 0.0,
            "complaints": float(self.complaints),
            "mean_complaint_wait_days": (self.complaint_wait_days / self.resolved_complaints
                                         if self.resolved_complaints else nan),
            "retention_cost": float(self.retention_cost),
            "winback_cost": float(self.winback_cost),
            "net_margin": float(self.margin) - float(self.retention_cost) - float(self.winback_cost),
        }
        return pd.Series([values[k] for k in KPI_NAMES], index=pd.Index(KPI_NAMES, name="kpi"), name=name,
                         dtype="float64")

    def _active_end(self) -> int:
        return sum(n for s, n in zip(STAGES, self.final_stages) if s in CUSTOMER_STAGES)


@dataclass(frozen=True)
class EventTotals:
    """What the KPIs need from the event log.

    Attributes
    ----------
    losses
        ``stage_change`` rows into ``lost``.
    missed_contacts
        ``contact_missed`` rows.
    contact_waits
        ``wait_days`` of the :data:`CONTACT_TYPES` rows that have one, in event-log order (days).
    rows
        Rows of the log.
    """

    losses: int
    missed_contacts: int
    contact_waits: np.ndarray
    rows: int


def event_totals(events: pd.DataFrame) -> EventTotals:
    """:class:`EventTotals` of an ``events`` frame (schema ``events``)."""
    kind = events["event_type"].astype("object").to_numpy()
    waits = events["wait_days"].to_numpy(dtype="float64", na_value=np.nan)[np.isin(kind, list(CONTACT_TYPES))]
    return EventTotals(
        losses=int(((events["event_type"] == "stage_change") & (events["stage_to"] == "lost")).sum()),
        missed_contacts=int((kind == "contact_missed").sum()),
        contact_waits=waits[~np.isnan(waits)],
        rows=len(events),
    )


def kpi_totals(
    panel: pd.DataFrame,
    final_stage: pd.Series,
    complaints: pd.DataFrame,
    manager_hours: pd.DataFrame,
    events: EventTotals,
    retention_cost: float,
    winback_cost: float,
) -> KpiTotals:
    """The :class:`KpiTotals` of one run from the tables of its :class:`~kamsim.engine.SimulationResult`."""
    customer_rows = panel["stage"].isin(CUSTOMER_STAGES).to_numpy()
    first = panel[panel["month"] == panel["month"].min()]
    initial_customers = first.loc[first["stage"].isin(CUSTOMER_STAGES).to_numpy(), "account_id"]
    final_customer = final_stage.isin(CUSTOMER_STAGES)
    retained = int(final_customer.reindex(initial_customers.to_numpy()).fillna(False).astype(bool).sum())
    counts = final_stage.value_counts().reindex(list(STAGES), fill_value=0)
    resolved = complaints["resolved"].to_numpy(dtype=bool)
    waits = (complaints["resolved_day"] - complaints["opened_day"]).to_numpy()[resolved]
    return KpiTotals(
        revenue=float(panel["revenue"].sum()),
        margin=float(panel["margin"].sum()),
        initial_customers=len(initial_customers),
        retained_customers=retained,
        losses=events.losses,
        customer_months=int(customer_rows.sum()),
        satisfaction_sum=float(panel["satisfaction"].to_numpy()[customer_rows].sum()),
        final_stages=tuple(int(n) for n in counts.to_numpy()),
        used_hours=float(manager_hours["used_hours"].sum()),
        capacity_hours=float(manager_hours["capacity_hours"].sum()),
        missed_contacts=events.missed_contacts,
        contact_waits=len(events.contact_waits),
        contact_wait_days=float(events.contact_waits.sum()),
        complaints=len(complaints),
        resolved_complaints=len(waits),
        complaint_wait_days=float(waits.sum()),
        retention_cost=float(retention_cost),
        winback_cost=float(winback_cost),
        events=events.rows,
    )
