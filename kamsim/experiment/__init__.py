"""Policy experiments: replications, common random numbers, paired confidence intervals, executors.

KAM example: a sales director wants to know whether risk-targeted retention
beats the status quo.  :func:`compare` simulates both policies on the same
portfolio for many replications, each replication feeding both policies the
same random demand, churn and complaints (common random numbers), and returns
a :class:`Comparison` with per-policy KPI means, paired differences versus the
baseline with confidence intervals, plots and CSV/PNG export.

Replications run serially, on a local process pool (``executor=4``) or on any
``concurrent.futures.Executor`` such as a Dask cluster's
``client.get_executor()``; the results are the same in every case.

A portfolio too big for one process runs in shards of account managers:
:func:`simulate_sharded` (:mod:`kamsim.experiment.sharded`).
"""

from kamsim.experiment.api import compare, compare_scenarios
from kamsim.generators import DEFAULT_ACCOUNTS
from kamsim.experiment.comparison import Comparison
from kamsim.experiment.executors import run_tasks
from kamsim.experiment.runner import PortfolioSpec, ReplicationTask, replication_seed, run_replication
from kamsim.experiment.sharded import ShardedResult, ShardedSimulator, simulate_sharded
from kamsim.experiment.stats import paired_summary, summarise, t_interval, variance_ratio

__all__ = [
    "DEFAULT_ACCOUNTS",
    "Comparison",
    "PortfolioSpec",
    "ReplicationTask",
    "ShardedResult",
    "ShardedSimulator",
    "compare",
    "compare_scenarios",
    "paired_summary",
    "replication_seed",
    "run_replication",
    "run_tasks",
    "simulate_sharded",
    "summarise",
    "t_interval",
    "variance_ratio",
]
