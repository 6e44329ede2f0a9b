"""One replication of one policy: the unit of work that executors ship to workers.

KAM example: "risk-targeted retention, replication 7" means: take the
portfolio, run 24 simulated months under that policy bundle with the random
numbers of replication 7, and report the KPIs (revenue, churn rate, net
margin, ...).  :class:`ReplicationTask` describes that unit of work with
plain, picklable data; :func:`run_replication` executes it and returns a small
``{kpi: value}`` dict.  SimPy environments, generators and other engine objects
are created inside the worker and never cross a process boundary.

Seeds
-----
``simulate`` takes an ``int`` seed.  Replication ``r`` of a comparison with
master seed ``S`` gets::

    replication_seed(S, r)                     # CRN: same for every policy
    replication_seed(S, r, policy="blanket")   # independent streams per policy

that is, the first 32-bit word of ``seed_sequence(S, "replication", r)``
(resp. ``seed_sequence(S, "policy", name, "replication", r)``).  The engine
then splits that int into its named streams (arrivals, orders, churn,
complaints, ...), so with CRN every policy sees the same exogenous draws in
replication ``r``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kamsim._random import check_seed, seed_sequence

if TYPE_CHECKING:  # pragma: no cover
    from kamsim.policies import PolicyBundle
    from kamsim.portfolio import Portfolio
    from kamsim.scenario import Scenario

#: Signature of a simulator: ``simulate(scenario, portfolio, policy, seed) -> result with .kpis()``.
Simulator = Callable[..., Any]


def replication_seed(seed: int, replication: int, policy: str | None = None) -> int:
    """Integer seed passed to ``simulate`` for one replication.

    Parameters
    ----------
    seed
        Master seed of the comparison (non-negative int).
    replication
        Replication index, 0-based.
    policy
        ``None`` for common random numbers (every policy gets the same seed);
        a policy name to give that policy its own independent streams.

    Returns
    -------
    int
        A value in ``[0, 2**32)``, the same on every machine and process.
    """
    check_seed(seed)
    if replication < 0:
        raise ValueError(f"replication must be >= 0, got {replication}")
    if policy is None:
        ss = seed_sequence(seed, "replication", int(replication))
    else:
        ss = seed_sequence(seed, "policy", str(policy), "replication", int(replication))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


@dataclass(frozen=True)
class PortfolioSpec:
    """Recipe for a generated portfolio: built inside each worker instead of being pickled per task.

    ``build()`` calls ``kamsim.generate_portfolio(n_accounts, seed, locale, **options)``
    and caches the result per process, so a worker that runs 20 replications
    generates the portfolio once.  The cached object is shared: simulators must
    not modify the portfolio they are given (kamsim's engine does not).
    """

    n_accounts: int
    seed: int
    locale: str = "en_US"
    options: tuple[tuple[str, Any], ...] = ()

    def build(self) -> Portfolio:
        """The generated portfolio (cached per process)."""
        return _generate_cached(self)


@functools.lru_cache(maxsize=4)
def _generate_cached(spec: PortfolioSpec) -> Portfolio:
    from kamsim.synthetic import generate_portfolio

    return generate_portfolio(spec.n_accounts, spec.seed, spec.locale, **dict(spec.options))


@dataclass(frozen=True)
class ReplicationTask:
    """Everything one worker needs to run one replication (all fields picklable).

    Attributes
    ----------
    scenario
        Engine parameters (a pydantic ``Scenario``).
    portfolio
        A ``Portfolio`` (pickled with the task) or a :class:`PortfolioSpec` (built in the worker).
    policy
        A ``PolicyBundle`` or a registered policy name (resolved in the worker).
    policy_name
        Label of the policy in results.
    replication
        Replication index, 0-based.
    seed
        Integer seed passed to the simulator (see :func:`replication_seed`).
    kpis
        KPI names to keep (``None`` = all, in the engine's order).
    months
        Simulated months (``None`` = the scenario's horizon).
    simulator
        Function with the signature of :func:`kamsim.engine.simulate`; ``None`` = the real engine.
        Must be a top-level function to be picklable.
    """

    scenario: Scenario
    portfolio: Portfolio | PortfolioSpec
    policy: PolicyBundle | str
    policy_name: str
    replication: int
    seed: int
    kpis: tuple[str, ...] | None = None
    months: int | None = None
    simulator: Simulator | None = field(default=None, compare=False)


def run_replication(task: ReplicationTask) -> dict[str, float]:
    """Run one replication and return its KPIs as ``{kpi: float}`` (engine order, or ``task.kpis`` order).

    Raises
    ------
    ValueError
        If a requested KPI is not produced by the simulator (names the KPI and the available ones).
    """
    portfolio = task.portfolio.build() if isinstance(task.portfolio, PortfolioSpec) else task.portfolio
    from kamsim.policies import as_bundle

    policy = as_bundle(task.policy)
    kwargs = {} if task.months is None else {"months": task.months}
    if task.simulator is None:  # the engine's KPI-only run: the same numbers as simulate().kpis(), no event frame
        from kamsim.engine import simulate_kpis

        kpis = simulate_kpis(task.scenario, portfolio, policy, seed=task.seed, **kwargs).kpis(str(policy.name))
    else:
        kpis = task.simulator(task.scenario, portfolio, policy, seed=task.seed, **kwargs).kpis()
    return select_kpis({str(k): float(v) for k, v in kpis.items()}, task.kpis)


def select_kpis(values: dict[str, float], kpis: Sequence[str] | None) -> dict[str, float]:
    """Keep ``kpis`` (in that order) from ``values``; ``None`` keeps everything."""
    if kpis is None:
        return values
    missing = [k for k in kpis if k not in values]
    if missing:
        raise ValueError(f"kpis: unknown KPI name(s) {missing}; the simulator reports {list(values)}")
    return {k: values[k] for k in kpis}
