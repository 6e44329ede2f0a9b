"""Shared, cached data access of the exercise checks.

Every chapter module computes its expected answers (and the plausible wrong
ones) from the same few shipped portfolios, and several exercises rank the
policies of a small seeded comparison.  This module loads each portfolio once
per process and holds the helpers those chapters had in common::

    from kamsim.exercises.data import portfolio, snapshot

    revenue = snapshot("small")["revenue_12m"]       # CU, 12 months before meta["as_of"]
    events = portfolio("small").events

Cached objects are shared by every caller: never modify them in place; take a
copy (``frame.copy()`` or ``frame.assign(...)``) before adding a column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from kamsim.experiment.comparison import Comparison
    from kamsim.portfolio import Portfolio


@lru_cache(maxsize=8)
def portfolio(name: str) -> Portfolio:
    """Shipped dataset ``name`` (:func:`kamsim.datasets.load`), loaded once per process (do not modify)."""
    from kamsim import datasets

    return datasets.load(name)


@lru_cache(maxsize=8)
def snapshot(name: str) -> pd.DataFrame:
    """One row per account of dataset ``name`` as of its portfolio date (do not modify: cached).

    The :func:`kamsim.analytics.account_snapshot` of ``portfolio(name)`` at
    ``meta["as_of"]``: the accounts table indexed by ``account_id`` plus
    ``revenue_12m``, ``margin_12m`` (CU over the 12 months before that date) and
    the other snapshot columns.
    """
    from kamsim.analytics import account_snapshot

    p = portfolio(name)
    return account_snapshot(p.accounts, p.events, as_of=p.meta["as_of"])


def run_comparison(
    scenario: Any,
    policies: Mapping[str, Any] | Sequence[str],
    *,
    dataset: str,
    replications: int,
    seed: int,
    **options: Any,
) -> Comparison:
    """:func:`kamsim.experiment.compare` on the cached portfolio ``dataset``, without a progress bar.

    ``options`` (``months``, ``kpis``, ...) are passed on unchanged.  The result
    is not cached here: each chapter caches its own fixed comparison.
    """
    from kamsim.experiment import compare

    return compare(
        scenario,
        policies,
        portfolio=portfolio(dataset),
        replications=replications,
        seed=seed,
        progress=False,
        **options,
    )


def policy_table(results: pd.DataFrame, value: str) -> pd.DataFrame:
    """Column ``value`` of a comparison table as one row per policy and one column per KPI.

    Parameters
    ----------
    results
        ``Comparison.summary()`` (``value="mean"``) or ``Comparison.paired()``
        (``value="diff_mean"``, ``"rel_diff_pct"``, ...): columns ``policy``, ``kpi`` and ``value``.
    value
        Column to spread out.

    Returns
    -------
    DataFrame
        Index ``policy`` in the order of ``results``, columns the KPIs (KPI units).
    """
    missing = [c for c in ("policy", "kpi", value) if c not in results.columns]
    if missing:
        raise ValueError(f"comparison table has no column(s) {missing}; columns are {list(results.columns)}")
    order = pd.unique(results["policy"])
    return results.pivot(index="policy", columns="kpi", values=value).reindex(order)


def best_policy(table: pd.DataFrame, kpi: str, largest: bool = True) -> str:
    """Label of the policy with the largest (``largest=False``: smallest) ``kpi`` in a :func:`policy_table`.

    Ties go to the policy listed first.
    """
    if kpi not in table.columns:
        raise ValueError(f"no KPI column {kpi!r} in the comparison table; KPIs are {list(table.columns)}")
    values = table[kpi]
    return str(values.idxmax() if largest else values.idxmin())
