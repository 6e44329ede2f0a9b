"""Account managers as real queues (客户经理的时间): each manager's working time is a SimPy resource.

KAM example: a manager with 120 hours a month is asked for 150 hours of visits,
calls and complaint escalations.  With the default container model every request
is cut by 20%; in the queue model (``Scenario.managers.queueing``) she works
through her requests one at a time, key accounts first: the others wait, and a
request still waiting after ``managers.deadline_days`` is missed -- the call that
never happened, which customers notice.

Model:

* manager *j* is a ``simpy.PriorityResource`` of capacity 1 that works
  ``capacity_hours_j / DAYS_PER_MONTH`` hours per calendar day, so a task of *h*
  hours holds her for ``h * DAYS_PER_MONTH / capacity_hours_j`` days;
* a task (a QBR, visit or call planned from the allocation policy's hours, a
  retention action, or the escalation of a key account's complaint) arrives at
  its time, requests its manager with a priority (0 first; ties first come, first
  served) and is served without pre-emption;
* a task not started within ``deadline_days`` of its arrival is withdrawn and
  counted as *missed* at its deadline (checked when the manager reaches it and at
  each month's end, which serves the others exactly as a withdrawal on time);
  a manager without capacity (left the company) misses all.

:meth:`ManagerQueues.submit` takes a month's tasks; :meth:`ManagerQueues.collect`
returns those finished or missed since the last call.  The waiting times of one
manager with Poisson arrivals and exponential work match M/M/1 and the
non-preemptive priority-queue formulas (tests/test_engine_queues.py).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from kamsim.vocabulary import DAYS_PER_MONTH


@dataclass
class QueueRecords:
    """Tasks finished or missed in a period (one row each; ``missed`` rows have ``started`` = NaN)."""

    task: np.ndarray
    kind: np.ndarray  # int8 code given by the caller
    account: np.ndarray
    manager: np.ndarray
    hours: np.ndarray
    arrived: np.ndarray  # day
    started: np.ndarray  # day (NaN if missed)
    ended: np.ndarray  # day of completion, or of the deadline for a missed task
    missed: np.ndarray  # bool

    @property
    def wait_days(self) -> np.ndarray:
        """Days from arrival to the start of work (to the deadline for a missed task)."""
        return np.where(self.missed, self.ended - self.arrived, self.started - self.arrived)


class ManagerQueues:
    """The managers of a run as SimPy priority resources working through tasks.

    Parameters
    ----------
    env
        The run's SimPy environment (time in days).
    capacity_hours
        Hours of work per month of each manager (0: no capacity, every task is missed).
    deadline_days
        A task not started this many days after its arrival is missed (``inf``: never).
    """

    def __init__(self, env: simpy.Environment, capacity_hours: np.ndarray, deadline_days: float) -> None:
        self.env = env
        self.resources = [simpy.PriorityResource(env, capacity=1) for _ in range(len(capacity_hours))]
        self.set_capacity(capacity_hours)
        self.deadline = float(deadline_days)
        self._cols: dict[str, list[Any]] = {k: [] for k in ("kind", "account", "manager", "hours", "arrived")}
        self._started: list[float] = []
        self._ended: list[float] = []
        self._missed: list[bool] = []
        self._closed: list[int] = []  # tasks finished or missed, in that order, since the last collect()

    def set_capacity(self, capacity_hours: np.ndarray) -> None:
        """Change the managers' monthly hours (a hire, a departure); tasks already started keep their speed."""
        self.capacity = np.asarray(capacity_hours, dtype="float64").copy()
        self.hours_per_day = self.capacity / DAYS_PER_MONTH

    def submit(
        self,
        kind: np.ndarray,
        account: np.ndarray,
        manager: np.ndarray,
        hours: np.ndarray,
        at_day: np.ndarray,
        priority: np.ndarray,
    ) -> None:
        """Queue tasks arriving at ``at_day`` (days, >= now) for their ``manager`` (index) with ``priority`` (0 first)."""
        order = np.argsort(at_day, kind="stable")
        first = len(self._started)
        cols = self._cols
        for name, values in (("kind", kind), ("account", account), ("manager", manager), ("hours", hours),
                             ("arrived", at_day)):
            cols[name].extend(np.asarray(values)[order].tolist())
        n = len(order)
        self._started.extend([np.nan] * n)
        self._ended.extend([np.nan] * n)
        self._missed.extend([False] * n)
        if n:
            prio = np.asarray(priority)[order].tolist()
            self.env.process(self._arrivals(list(range(first, first + n)), prio))

    def _arrivals(self, tasks: list[int], priority: list[int]) -> Generator[simpy.Event, Any, None]:
        """One process per submitted batch: each task requests its manager when it arrives."""
        env, arrived, manager = self.env, self._cols["arrived"], self._cols["manager"]
        for task, prio in zip(tasks, priority):
            t = arrived[task]
            if t > env.now:
                yield env.timeout(t - env.now)
            m = manager[task]
            if self.hours_per_day[m] <= 0:
                self._close(task, env.now + self.deadline if np.isfinite(self.deadline) else env.now, missed=True)
                continue
            request = self.resources[m].request(priority=prio)
            request.task = task  # type: ignore[attr-defined]
            request.callbacks.append(self._start)

    # Deadlines are checked lazily, without a SimPy timeout per task: when the manager reaches a task
    # (``_start``) and at each month's end (``collect`` -> ``_sweep``).  A task past its deadline takes no
    # time, so the other tasks are served exactly as if it had left the queue at its deadline.

    def _start(self, request: simpy.Event) -> None:
        """The manager reaches the task: work on it (it holds her for its hours at her speed), or miss it."""
        task = request.task  # type: ignore[attr-defined]
        m = self._cols["manager"][task]
        due = self._cols["arrived"][task] + self.deadline
        if self.env.now > due or self.hours_per_day[m] <= 0:  # too late, or she left while it waited
            self.resources[m].release(request)
            self._close(task, min(due, self.env.now), missed=True)
            return
        self._started[task] = self.env.now
        days = self._cols["hours"][task] / self.hours_per_day[m]
        done = self.env.timeout(days, value=request)
        done.callbacks.append(self._finish)

    def _finish(self, event: simpy.Event) -> None:
        request = event.value
        task = request.task
        self.resources[self._cols["manager"][task]].release(request)
        self._close(task, self.env.now, missed=False)

    def _sweep(self) -> None:
        """Withdraw every waiting task whose deadline has passed (missed at its deadline)."""
        now, arrived = self.env.now, self._cols["arrived"]
        for resource in self.resources:
            late = [r for r in resource.queue if arrived[r.task] + self.deadline <= now]
            for request in late:
                request.cancel()
                self._close(request.task, arrived[request.task] + self.deadline, missed=True)

    def _close(self, task: int, day: float, missed: bool) -> None:
        self._ended[task] = day
        self._missed[task] = missed
        self._closed.append(task)

    def collect(self) -> QueueRecords:
        """Tasks finished or missed since the last call (the late ones withdrawn first), in the order they closed."""
        self._sweep()
        closed, self._closed = self._closed, []
        idx = np.asarray(closed, dtype=np.int64)

        def col(values: list[Any], dtype: Any) -> np.ndarray:
            return np.asarray([values[i] for i in closed], dtype=dtype)

        return QueueRecords(
            task=idx,
            kind=col(self._cols["kind"], np.int8),
            account=col(self._cols["account"], np.int64),
            manager=col(self._cols["manager"], np.int64),
            hours=col(self._cols["hours"], np.float64),
            arrived=col(self._cols["arrived"], np.float64),
            started=col(self._started, np.float64),
            ended=col(self._ended, np.float64),
            missed=col(self._missed, bool),
        )

    def open_tasks(self) -> int:
        """Tasks submitted and not yet finished or missed."""
        return int(np.isnan(np.asarray(self._ended, dtype="float64")).sum())
