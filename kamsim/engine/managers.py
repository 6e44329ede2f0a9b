"""Account managers (客户经理): finite monthly hours as SimPy containers, and the contacts they produce.

KAM example: a manager has 120 hours a month for account work.  The
allocation policy asks for 6 hours at each of her 25 accounts (150 hours): she
can only give 120, so every request is cut by the same share.  Her hours turn
into a quarterly business review (QBR), visits and calls, logged in the CRM.

Model:

* every manager is a ``simpy.Container`` holding ``capacity_hours *
  managers.capacity_multiplier`` hours; at the start of each month it is
  refilled to capacity (unused hours do not carry over);
* the allocation policy's hours (already capped by the team's total) are
  delivered per manager: if a manager's accounts ask for more than she has,
  each request is scaled down proportionally, and the delivered hours are
  taken from her container;
* effective contact hours are ``hours * (skill_floor + skill)``;
* delivered hours become interactions: a QBR (``qbr_hours``) every
  ``qbr_every_months`` months for customers with enough hours, then visits
  (``visit_share`` of the rest, ``visit_hours`` each) and calls (the rest,
  about ``call_hours`` each), at most ``interactions.max_per_month`` records.
  The records' hours add up to the delivered hours.

Retention and win-back hours (from the retention policy) are bought extra
effort (overtime, specialists) paid at the policy's ``cost_per_hour``; they do
not use the managers' regular capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from kamsim.engine.world import PROSPECT, World
from kamsim.scenario import Scenario

#: Interaction kinds in the order of their per-account records.
QBR, VISIT, CALL = 0, 1, 2


class ManagerTeam:
    """The account managers of a run: one ``simpy.Container`` of hours per manager."""

    def __init__(self, env: simpy.Environment, world: World) -> None:
        self.env = env
        self.manager_of = world.manager_of
        self.set_capacity(world.manager_capacity)
        self.used_hours = 0.0
        self.capacity_hours = 0.0
        self.used_by_manager = np.zeros(len(self.capacity))
        self.capacity_by_manager = np.zeros(len(self.capacity))

    def set_capacity(self, capacity: np.ndarray) -> None:
        """(Re)build the containers for these monthly hours per manager (a hire or a departure), full."""
        self.capacity = np.asarray(capacity, dtype="float64").copy()
        self.containers = [simpy.Container(self.env, capacity=max(float(c), 1e-9), init=float(c)) for c in self.capacity]
        self._taken = np.zeros(len(self.capacity))

    @property
    def total_capacity(self) -> float:
        """Hours the whole team has per month."""
        return float(self.capacity.sum())

    def start_month(self) -> None:
        """Refill every container to its monthly capacity (unused hours do not carry over)."""
        for j in np.flatnonzero(self._taken > 0):
            box = self.containers[j]
            box.put(min(float(self._taken[j]), box.capacity - box.level))
        self._taken[:] = 0.0
        self.capacity_hours += self.total_capacity
        self.capacity_by_manager += self.capacity

    def deliver(self, requested: np.ndarray) -> np.ndarray:
        """Hours actually given per account: requests scaled down per manager to fit her hours.

        The delivered total of each manager is taken from her container.
        """
        requested = np.maximum(np.nan_to_num(requested, nan=0.0), 0.0)
        per_manager = np.bincount(self.manager_of, weights=requested, minlength=len(self.capacity))
        scale = np.ones(len(self.capacity))
        over = per_manager > self.capacity
        scale[over] = np.divide(self.capacity[over], per_manager[over], out=np.zeros(int(over.sum())), where=per_manager[over] > 0)
        delivered = requested * scale[self.manager_of]
        totals = np.bincount(self.manager_of, weights=delivered, minlength=len(self.capacity))
        for j in np.flatnonzero(totals > 0):
            box = self.containers[j]
            amount = min(float(totals[j]), box.level)
            box.get(amount)
            self._taken[j] += amount
        self.used_by_manager += totals
        self.used_hours += float(totals.sum())
        return delivered

    def record_used(self, hours_by_manager: np.ndarray) -> None:
        """Book hours that managers worked outside :meth:`deliver` (the queue model's finished tasks)."""
        self.used_by_manager += hours_by_manager
        self.used_hours += float(hours_by_manager.sum())

    def utilisation(self) -> float:
        """Delivered hours / available hours over the run so far (0-1; NaN without capacity)."""
        return self.used_hours / self.capacity_hours if self.capacity_hours > 0 else float("nan")


@dataclass
class Interactions:
    """Interaction records of one month (one row per QBR, visit or call)."""

    account: np.ndarray
    kind: np.ndarray  # QBR, VISIT or CALL
    hours: np.ndarray
    frac: np.ndarray


def plan_interactions(
    scenario: Scenario, world: World, month: int, hours: np.ndarray, u_day: np.ndarray
) -> Interactions:
    """Split delivered hours into QBR / visit / call records.

    Parameters
    ----------
    hours
        Delivered regular hours per account this month.
    u_day
        ``(n, interactions.max_per_month)`` uniforms: record *j* of account *i*
        happens at position ``u_day[i, j]`` of the month.
    """
    it = scenario.interactions
    kmax = it.max_per_month
    hours = np.maximum(hours, 0.0)
    has = hours > 1e-9
    qbr_month = month % it.qbr_every_months == 0
    n_qbr = (has & qbr_month & (world.stage != PROSPECT) & (hours >= it.qbr_hours)).astype(np.int64)
    rest = hours - n_qbr * it.qbr_hours
    visit_h = rest * it.visit_share
    n_visit = np.minimum(np.round(visit_h / it.visit_hours).astype(np.int64), kmax - n_qbr)
    visit_h = np.where(n_visit > 0, visit_h, 0.0)
    call_h = rest - visit_h
    n_call = np.where(call_h > 1e-9, np.maximum(1, np.round(call_h / it.call_hours)).astype(np.int64), 0)
    n_call = np.minimum(n_call, kmax - n_qbr - n_visit)
    # if no room is left for calls, their hours go to the visits (or the QBR)
    lost_call_h = np.where(n_call == 0, call_h, 0.0)
    visit_h = visit_h + np.where(n_visit > 0, lost_call_h, 0.0)
    qbr_extra = np.where((n_visit == 0) & (n_call == 0), lost_call_h, 0.0)
    total = n_qbr + n_visit + n_call
    acc = np.repeat(np.arange(world.n), total)
    start = np.cumsum(total) - total
    pos = np.arange(len(acc)) - np.repeat(start, total)
    kind = np.where(pos < n_qbr[acc], QBR, np.where(pos < (n_qbr + n_visit)[acc], VISIT, CALL))
    per = np.select(
        [kind == QBR, kind == VISIT],
        [it.qbr_hours + qbr_extra[acc], visit_h[acc] / np.maximum(n_visit[acc], 1)],
        call_h[acc] / np.maximum(n_call[acc], 1),
    )
    return Interactions(account=acc, kind=kind, hours=per, frac=u_day[acc, pos])
