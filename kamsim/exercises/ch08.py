"""Checks of chapter 08 (team collaboration, 团队协作): workload, utilisation, coverage, allocation rules.

Expected answers are computed from the shipped, seeded portfolios with
:func:`kamsim.analytics.manager_workload`, :func:`kamsim.analytics.coverage_matrix`
and :func:`kamsim.compare`; nothing is copied from a run.  08.3 reruns a small
seeded comparison (4 bundles x 3 replications x 12 months, a few seconds).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from kamsim.exercises.compare import number, text
from kamsim.exercises.core import exercise
from kamsim.exercises.data import best_policy, policy_table, portfolio, run_comparison

#: Dataset of 08.2 - 08.4; 08.1 uses the 50-manager ``medium`` portfolio.
DATASET = "small"
DATASET_TEAM = "medium"

#: Manager of exercise 08.2 and of 08.4.
MANAGER_08_2 = "M002"
MANAGER_08_4 = "M001"
REGION_08_4 = "California"

#: Exercise 08.3: bundles, replications, seed and horizon of the comparison on scenarios/am_allocation.yaml.
BUNDLES_08_3 = ["status_quo", "tier_allocation", "value_allocation", "roi_allocation"]
REPLICATIONS_08_3 = 3
SEED_08_3 = 1
MONTHS_08_3 = 12


@lru_cache(maxsize=4)
def _workload(name: str, months: int | None = 12) -> pd.DataFrame:
    from kamsim.analytics import manager_workload

    p = portfolio(name)
    return manager_workload(p.events, p.accounts, p.account_managers, months=months)


@exercise(
    "08.1",
    title="The busiest account manager",
    hint="load = manager_workload(medium.events, medium.accounts, medium.account_managers, months=12); the "
    "'hours' column holds the visit, call and QBR hours each manager delivered; take load['hours'].idxmax().",
    compare=text(case_sensitive=True),
    mistakes=lambda expected: {
        "that manager owns the most accounts, but owning accounts is not the same as spending hours on "
        "them; rank by 'hours'.": str(_workload(DATASET_TEAM)["accounts"].idxmax()),
        "that manager has the largest monthly capacity; the task asks who delivered the most hours.": str(
            _workload(DATASET_TEAM)["capacity_hours"].idxmax()
        ),
        "that manager's accounts brought the most revenue; the task asks about hours worked.": str(
            _workload(DATASET_TEAM)["revenue"].idxmax()
        ),
        "that is the manager with the *fewest* hours; use idxmax, not idxmin.": str(
            _workload(DATASET_TEAM)["hours"].idxmin()
        ),
    },
)
def busiest_manager() -> str:
    """``manager_id`` of ``medium`` with the most interaction hours in the last 12 months of history."""
    return str(_workload(DATASET_TEAM)["hours"].idxmax())


@exercise(
    "08.2",
    title="Utilisation of one account manager",
    hint=f"load = manager_workload(events, accounts, managers, months=12) on 'small'; read "
    f"load.loc['{MANAGER_08_2}', 'utilisation'] (hours delivered / (capacity_hours x 12 months)).",
    compare=number(rtol=1e-3),
    mistakes=lambda expected: {
        "that divides 12 months of hours by one month of capacity; available hours are capacity_hours x 12.": float(
            _workload(DATASET).loc[MANAGER_08_2, "hours"] / _workload(DATASET).loc[MANAGER_08_2, "capacity_hours"]
        ),
        "that is the utilisation over the whole 24-month history; use the last 12 months (months=12).": float(
            _workload(DATASET, None).loc[MANAGER_08_2, "utilisation"]
        ),
        "that is the utilisation of the whole team; read the row of the one manager.": float(
            _workload(DATASET)["hours"].sum() / _workload(DATASET)["available_hours"].sum()
        ),
        "that is the share of hours left unused; utilisation is the share used.": 1.0
        - float(_workload(DATASET).loc[MANAGER_08_2, "utilisation"]),
    },
)
def manager_utilisation() -> float:
    """Utilisation (0-1) of manager M002 of ``small`` over the last 12 months of history."""
    return float(_workload(DATASET).loc[MANAGER_08_2, "utilisation"])


def allocation_scenario_path() -> Path:
    """``scenarios/am_allocation.yaml`` of the kamsim repository (next to the shipped datasets)."""
    return Path(__file__).resolve().parents[2] / "scenarios" / "am_allocation.yaml"


@lru_cache(maxsize=1)
def _summary_08_3() -> pd.DataFrame:
    """Mean KPI per bundle (index policy, columns kpi) of the exercise 08.3 comparison."""
    from kamsim.scenario import Scenario

    comp = run_comparison(
        Scenario.from_file(allocation_scenario_path()),
        BUNDLES_08_3,
        dataset=DATASET,
        replications=REPLICATIONS_08_3,
        seed=SEED_08_3,
        months=MONTHS_08_3,
        kpis=["retention_rate", "mean_satisfaction", "net_margin", "manager_utilisation"],
    )
    return policy_table(comp.summary(), "mean")


@exercise(
    "08.3",
    title="Which allocation rule keeps the most customers?",
    hint="comp = kamsim.compare(kamsim.Scenario.from_file('../scenarios/am_allocation.yaml'), [the four bundles], "
    "portfolio=small, replications=3, seed=1, months=12, progress=False); in comp.summary() keep the "
    "'retention_rate' rows and take the policy with the largest 'mean'.",
    compare=text(case_sensitive=True),
    mistakes=lambda expected: {
        "that bundle has the highest mean satisfaction, not the highest retention rate.": best_policy(
            _summary_08_3(), "mean_satisfaction"
        ),
        "that bundle keeps the *fewest* customers; take the largest mean retention_rate.": best_policy(
            _summary_08_3(), "retention_rate", largest=False
        ),
        "that bundle uses the managers' hours best, but the task asks about retention.": best_policy(
            _summary_08_3(), "manager_utilisation"
        ),
    },
)
def best_retention_bundle() -> str:
    """Bundle with the highest mean retention rate in the fixed 08.3 comparison (am_allocation, 12 months)."""
    return best_policy(_summary_08_3(), "retention_rate")


def _coverage(values: str | None, normalize: str) -> float:
    from kamsim.analytics import coverage_matrix

    table = coverage_matrix(portfolio(DATASET).accounts, by=("manager_id", "region"), values=values, normalize=normalize)
    return float(table.loc[MANAGER_08_4, REGION_08_4])


@exercise(
    "08.4",
    title="Who covers the California potential?",
    hint="coverage_matrix(accounts, by=('manager_id', 'region'), values='annual_potential_spend', "
    f"normalize='columns') gives each manager's share of a region's potential; read the cell "
    f"('{MANAGER_08_4}', '{REGION_08_4}').",
    compare=number(rtol=1e-4),
    mistakes=lambda expected: {
        "that is M001's share of the California *accounts*; weight them by annual_potential_spend "
        "(values='annual_potential_spend').": _coverage(None, "columns"),
        "that is the share of M001's own potential that lies in California (normalize='index'); the task asks "
        "for M001's share of California's potential (normalize='columns').": _coverage(
            "annual_potential_spend", "index"
        ),
        "that is a share of the whole portfolio's potential (normalize='all'); divide by California's total "
        "(normalize='columns').": _coverage("annual_potential_spend", "all"),
    },
)
def california_potential_share() -> float:
    """Share (0-1) of the annual potential of ``small``'s California accounts owned by manager M001."""
    return _coverage("annual_potential_spend", "columns")
