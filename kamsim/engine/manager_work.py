"""A month of manager work in the queue model: tasks submitted to :class:`ManagerQueues`, results booked.

The run calls :meth:`ManagerWork.submit` after the policy's decisions (the month's QBRs,
visits and calls, retention and win-back actions, escalations of first-tier
complaints) and :meth:`ManagerWork.close` after SimPy has run the month, which logs
the finished tasks (interactions and ``escalation`` rows, with ``wait_days``) and the
missed ones (``contact_missed``) and returns the per-account and per-manager totals.

Priorities (0 first): retention, win-back and escalations 0; interactions ``1 + r``
with ``r`` the position of the account's tier in the segmentation's tiers (best
first; accounts without a tier last).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from kamsim.engine.events import END_OF_MONTH, EventLog
from kamsim.engine.managers import CALL, QBR, VISIT, Interactions
from kamsim.engine.queues import ManagerQueues
from kamsim.engine.world import World
from kamsim.scenario import Scenario
from kamsim.vocabulary import DAYS_PER_MONTH, EVENT_TYPES, INTERACTION_TYPES

_CODE = {name: EVENT_TYPES.index(name) for name in EVENT_TYPES}
#: Event code of each interaction kind, indexed by ``QBR``, ``VISIT``, ``CALL``.
_INTERACTION = np.array([_CODE[k] for k in ("qbr", "visit", "call")], dtype=np.int8)[[QBR, VISIT, CALL]]
_CONTACT_CODES = np.array([_CODE[k] for k in INTERACTION_TYPES], dtype=np.int8)
_TYPE_NAMES = np.array(EVENT_TYPES, dtype=object)


@dataclass
class MonthWork:
    """Totals of the tasks closed this month."""

    contact_hours: np.ndarray  # per account: hours of finished QBRs, visits and calls
    mean_wait_days: np.ndarray  # per account: mean wait of its closed tasks (0 without any)
    missed: np.ndarray  # per account: missed tasks
    used_hours: np.ndarray  # per manager: hours of finished tasks
    done: np.ndarray  # per manager: finished tasks
    missed_by_manager: np.ndarray  # per manager
    wait_days_by_manager: np.ndarray  # per manager: summed waits of closed tasks


class ManagerWork:
    """Queue-mode manager work of one run (see the module docstring)."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, world: World, tiers: tuple[str, ...]) -> None:
        self.queues = ManagerQueues(env, world.manager_capacity, scenario.managers.deadline_days)
        self.escalation_hours = scenario.managers.escalation_hours
        self.rank = {label: i for i, label in enumerate(tiers)}
        self.first_tier = tiers[0] if tiers else None

    def _priority(self, tiers: np.ndarray, accounts: np.ndarray) -> np.ndarray:
        worst = len(self.rank)
        return np.array([1 + self.rank.get(t, worst) if isinstance(t, str) else 1 + worst for t in tiers[accounts]],
                        dtype=np.int64)

    def submit(self, world: World, start_day: float, it: Interactions, tiers: np.ndarray, retention: np.ndarray,
               winback: np.ndarray, complaint_account: np.ndarray, complaint_frac: np.ndarray) -> None:
        """Queue this month's tasks (days since the start of the run)."""
        parts = [(_INTERACTION[it.kind], it.account, it.hours, it.frac, self._priority(tiers, it.account))]
        for code, hours in ((_CODE["retention_offer"], retention), (_CODE["winback_offer"], winback)):
            acc = np.flatnonzero(hours > 0)
            parts.append((np.full(len(acc), code, np.int8), acc, hours[acc], np.zeros(len(acc)), np.zeros(len(acc), int)))
        if self.first_tier is not None and self.escalation_hours > 0:
            key = np.array([t == self.first_tier for t in tiers[complaint_account]], dtype=bool)
            acc = complaint_account[key]
            parts.append((np.full(len(acc), _CODE["escalation"], np.int8), acc, np.full(len(acc), self.escalation_hours),
                          complaint_frac[key], np.zeros(len(acc), int)))
        kind, acc, hours, frac, prio = (np.concatenate(cols) for cols in zip(*parts))
        self.queues.submit(kind, acc, world.manager_of[acc], hours, start_day + frac * DAYS_PER_MONTH, prio)

    def close(self, month: int, world: World, log: EventLog) -> MonthWork:
        """Log the tasks closed this month and return their totals."""
        r = self.queues.collect()
        n, k = world.n, len(world.manager_ids)
        frac = np.clip(r.ended / DAYS_PER_MONTH - month, 0.0, END_OF_MONTH)
        done, missed = ~r.missed, r.missed
        contact = done & np.isin(r.kind, _CONTACT_CODES)
        esc = done & (r.kind == _CODE["escalation"])
        wait = r.wait_days
        for mask, kind in ((contact, r.kind[contact]), (esc, "escalation")):
            log.add(kind, r.account[mask], month, frac[mask], hours=r.hours[mask], wait_days=wait[mask],
                    manager=r.manager[mask])
        log.add("contact_missed", r.account[missed], month, frac[missed], hours=r.hours[missed], wait_days=wait[missed],
                manager=r.manager[missed], detail=_TYPE_NAMES[r.kind[missed]])
        closed = np.bincount(r.account, minlength=n)
        return MonthWork(
            contact_hours=np.bincount(r.account[contact], weights=r.hours[contact], minlength=n),
            mean_wait_days=np.divide(np.bincount(r.account, weights=wait, minlength=n), closed,
                                     out=np.zeros(n), where=closed > 0),
            missed=np.bincount(r.account[missed], minlength=n),
            used_hours=np.bincount(r.manager[done], weights=r.hours[done], minlength=k),
            done=np.bincount(r.manager[done], minlength=k),
            missed_by_manager=np.bincount(r.manager[missed], minlength=k),
            wait_days_by_manager=np.bincount(r.manager, weights=wait, minlength=k),
        )


def manager_panel(manager_ids: np.ndarray, month_offset: int, capacity: np.ndarray, used: np.ndarray,
                  done: np.ndarray, missed: np.ndarray, wait: np.ndarray) -> pd.DataFrame:
    """One row per (month, manager) from ``(months, managers)`` arrays (see ``SimulationResult.manager_panel``)."""
    months, k = capacity.shape
    closed = done + missed
    return pd.DataFrame(
        {
            "month": np.repeat(np.arange(months, dtype=np.int64) + month_offset, k),
            "manager_id": pd.array(np.tile(manager_ids.astype(str), months), dtype="string"),
            "capacity_hours": capacity.ravel(),
            "used_hours": used.ravel(),
            "utilisation": np.divide(used, capacity, out=np.full(used.shape, np.nan), where=capacity > 0).ravel(),
            "tasks_done": done.ravel().astype(np.int64),
            "tasks_missed": missed.ravel().astype(np.int64),
            "mean_wait_days": np.divide(wait, closed, out=np.zeros(wait.shape), where=closed > 0).ravel(),
        }
    )
