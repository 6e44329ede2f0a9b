"""Complaints (投诉): Poisson arrivals, a SimPy desk with finite handlers, six-stage handling.

KAM example: 800 customers each complain about 0.05 times a month; a desk of
four handlers works through them first come, first served.  Each complaint
passes the six stages of seed 003 -- accept/record, investigate, analyse the
cause, propose a solution, implement it, follow up -- and its handling time is
the sum of the six stage durations.  When the desk is short of handlers,
complaints wait; waiting and complaints still open at month end lower the
account's satisfaction (see :mod:`kamsim.engine.satisfaction`).

Model: customer *i* raises ``N_i ~ Poisson(lambda_i)`` complaints in a month,
``lambda_i = base_rate * exp(beta (s_ref - s_i))``, at uniform times within the
month -- so the desk sees a Poisson process.  Each complaint is a SimPy process
that requests one of ``c`` handlers (``simpy.Resource``), holds it for the
handling time and releases it.  With ``handling="exponential"`` the handling
time is exponential with mean ``sum(stage_days)`` (split over the stages in
proportion to their means), which makes the desk an M/M/c queue whose mean
wait is the Erlang C formula (:func:`kamsim.engine.theory.erlang_c_wait`).

CRN: streams ``complaints`` (``n`` count uniforms, ``n x max_per_month`` time
uniforms) and ``handling`` (``n x max_per_month x 6`` standard exponentials)
are drawn in full every month.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import simpy

from kamsim.engine.orders import poisson_inverse
from kamsim.scenario import Scenario
from kamsim.vocabulary import COMPLAINT_STAGES


@dataclass
class ComplaintDraws:
    """The ``complaints`` and ``handling`` streams' draws for one month."""

    u_count: np.ndarray  # (n,)
    u_time: np.ndarray  # (n, K)
    e_stage: np.ndarray  # (n, K, 6) standard exponentials

    @classmethod
    def draw(cls, rng_complaints: np.random.Generator, rng_handling: np.random.Generator, n: int, kmax: int) -> ComplaintDraws:
        """Full-size draws (always the same amount of randomness)."""
        return cls(
            rng_complaints.random(n),
            rng_complaints.random((n, kmax)),
            rng_handling.standard_exponential((n, kmax, len(COMPLAINT_STAGES))),
        )


class ComplaintDesk:
    """The complaint-handling desk: a ``simpy.Resource`` of ``handlers`` servers, FIFO.

    Parameters
    ----------
    env
        The SimPy environment (time in days).
    scenario
        Supplies rates, stage durations and the handling distribution.
    n_accounts
        Number of accounts (size of the per-account counters).
    handlers
        Number of handlers ``c`` (>= 1).
    """

    def __init__(self, env: simpy.Environment, scenario: Scenario, n_accounts: int, handlers: int) -> None:
        c = scenario.complaints
        self.env = env
        self.n_handlers = handlers
        self.free = handlers  # handlers without a complaint
        self.queue: deque[tuple[int, float]] = deque()  # (complaint, handling days) waiting, first come first served
        self.kmax = c.max_per_month
        self.base_rate = c.base_rate
        self.sat_effect = c.satisfaction_effect
        self.sat_ref = scenario.lifecycle.satisfaction_reference
        self.stage_means = c.stage_days.as_array()
        self.exponential = c.handling == "exponential"
        self.n_accounts = n_accounts
        # one record per complaint (python lists: appended by the arrival process)
        self.account: list[int] = []
        self.month: list[int] = []
        self.opened: list[float] = []
        self.started: list[float] = []
        self.resolved: list[float] = []
        self.stages: list[np.ndarray] = []
        # per-account counters for the current month
        self.open_now = np.zeros(n_accounts, dtype=np.int64)
        self.resolved_month = np.zeros(n_accounts, dtype=np.int64)
        self.wait_month = np.zeros(n_accounts)

    def rates(self, satisfaction: np.ndarray, customers: np.ndarray) -> np.ndarray:
        """Monthly complaint rate per account (0 for non-customers)."""
        lam = self.base_rate * np.exp(self.sat_effect * (self.sat_ref - satisfaction))
        return np.where(customers, lam, 0.0)

    def handling_days(self, e_stage: np.ndarray) -> np.ndarray:
        """Stage durations (days), shape ``(m, 6)``, from standard exponentials of shape ``(m, 6)``."""
        if self.exponential:
            total = e_stage[:, 0] * self.stage_means.sum()
            return total[:, None] * (self.stage_means / self.stage_means.sum())[None, :]
        return e_stage * self.stage_means[None, :]

    def open_month(
        self, month: int, start_day: float, month_days: float, rates: np.ndarray, draws: ComplaintDraws
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw this month's complaints and start their SimPy arrival process.

        Returns
        -------
        account, frac, complaint_id : ndarray
            The new complaints (account index, position in the month [0, 1),
            running complaint number), in arrival order.
        """
        self.resolved_month[:] = 0
        self.wait_month[:] = 0.0
        counts = poisson_inverse(draws.u_count, rates, self.kmax)
        acc, col = np.nonzero(np.arange(self.kmax)[None, :] < counts[:, None])
        frac = draws.u_time[acc, col]
        order = np.argsort(frac, kind="stable")
        acc, col, frac = acc[order], col[order], frac[order]
        stage_days = self.handling_days(draws.e_stage[acc, col])
        first = len(self.account)
        ids = np.arange(first, first + len(acc))
        times = start_day + frac * month_days
        self.account.extend(acc.tolist())
        self.month.extend([month] * len(acc))
        self.opened.extend(times.tolist())
        self.started.extend([np.nan] * len(acc))
        self.resolved.extend([np.nan] * len(acc))
        self.stages.append(stage_days)
        if len(acc):
            self.env.process(self._arrivals(ids.tolist(), times.tolist(), stage_days.sum(axis=1).tolist()))
        return acc, frac, ids

    def _arrivals(self, ids: list[int], times: list[float], service: list[float]) -> Generator[simpy.Event, Any, None]:
        """The month's arrival process: each complaint arrives at its time and goes to a free handler or the queue."""
        env = self.env
        for cid, t, s in zip(ids, times, service):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.open_now[self.account[cid]] += 1
            if self.free:
                self.free -= 1
                self._start(cid, s)
            else:
                self.queue.append((cid, s))

    def _start(self, cid: int, service_days: float) -> None:
        """A handler takes complaint ``cid`` now; its handling ends ``service_days`` later (a SimPy timeout)."""
        self.started[cid] = self.env.now
        done = self.env.timeout(service_days, value=cid)
        done.callbacks.append(self._resolve)

    def _resolve(self, event: simpy.Event) -> None:
        """End of handling: book the complaint, then the handler takes the next one waiting (or is free)."""
        cid = event.value
        self.resolved[cid] = self.env.now
        acc = self.account[cid]
        self.open_now[acc] -= 1
        self.resolved_month[acc] += 1
        self.wait_month[acc] += self.started[cid] - self.opened[cid]
        if self.queue:
            self._start(*self.queue.popleft())
        else:
            self.free += 1

    def table(self, account_ids: np.ndarray) -> pd.DataFrame:
        """One row per complaint: ids, month opened, times (days since start), queue and handling days, stage days."""
        n = len(self.account)
        stages = np.vstack(self.stages) if n else np.zeros((0, len(COMPLAINT_STAGES)))
        opened = np.asarray(self.opened, dtype="float64")
        started = np.asarray(self.started, dtype="float64")
        resolved = np.asarray(self.resolved, dtype="float64")
        frame = pd.DataFrame(
            {
                "complaint_id": pd.array([f"K{i + 1:06d}" for i in range(n)], dtype="string"),
                "account_id": pd.array(account_ids[np.asarray(self.account, dtype=np.int64)], dtype="string"),
                "month": np.asarray(self.month, dtype=np.int64),
                "opened_day": opened,
                "started_day": started,
                "resolved_day": resolved,
                "queue_days": started - opened,
                "handling_days": stages.sum(axis=1),
                "resolved": ~np.isnan(resolved),
            }
        )
        for j, name in enumerate(COMPLAINT_STAGES):
            frame[f"{name}_days"] = stages[:, j]
        return frame
