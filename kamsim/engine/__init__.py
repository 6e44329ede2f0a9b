"""The kamsim simulation engine: a SimPy model of a key-account portfolio over time.

KAM example: a portfolio of 2,000 accounts, 20 account managers and a
complaint desk is simulated month by month under a policy bundle
(segmentation, retention, allocation).  Accounts move through the lifecycle
prospect -> new -> growing -> mature -> at_risk -> lost (and back via won_back),
place orders, receive visits, calls and QBRs, complain, answer surveys and
sign or renew contracts.  The run returns a CRM-like event log, a monthly
account panel and KPIs::

    from kamsim.engine import simulate
    result = simulate(scenario, portfolio, "risk_targeted", seed=3)
    result.kpis(); result.summary(); result.events; result.panel

Modules: :mod:`~kamsim.engine.world` (per-account state),
:mod:`~kamsim.engine.lifecycle` (stages, hazards), :mod:`~kamsim.engine.orders`,
:mod:`~kamsim.engine.managers` (hours as SimPy containers, interactions),
:mod:`~kamsim.engine.complaints` (SimPy complaint desk),
:mod:`~kamsim.engine.satisfaction` (satisfaction, surveys),
:mod:`~kamsim.engine.contracts`, :mod:`~kamsim.engine.events` (event log),
:mod:`~kamsim.engine.result` (SimulationResult), :mod:`~kamsim.engine.run` (the monthly
SimPy driver), :mod:`~kamsim.engine.simulate` (argument checks, :func:`simulate`, :func:`simulate_kpis`),
:mod:`~kamsim.engine.warmstart` (history),
:mod:`~kamsim.engine.theory` (Markov chain and Erlang C formulas).
The model and its parameters are described in docs/engine.md.
"""

from kamsim.engine.result import KPI_NAMES, PANEL_COLUMNS, SimulationResult
from kamsim.engine.kpis import KpiTotals
from kamsim.engine.simulate import simulate, simulate_kpis
from kamsim.vocabulary import DAYS_PER_MONTH
from kamsim.engine.warmstart import warm_start
from kamsim.engine.theory import (
    AbsorbingChain,
    absorbing_chain,
    batch_means,
    erlang_c,
    erlang_c_wait,
    expected_truncated_time,
    split_chain,
    stage_distribution,
)

__all__ = [
    "DAYS_PER_MONTH",
    "KPI_NAMES",
    "PANEL_COLUMNS",
    "AbsorbingChain",
    "KpiTotals",
    "SimulationResult",
    "absorbing_chain",
    "batch_means",
    "erlang_c",
    "erlang_c_wait",
    "expected_truncated_time",
    "simulate",
    "simulate_kpis",
    "split_chain",
    "stage_distribution",
    "warm_start",
]
