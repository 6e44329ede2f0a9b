"""Checks of chapter 08 (team collaboration, 团队协作): workload, utilisation, coverage, allocation rules.

Expected answers are computed from the shipped, seeded portfolios with
:func:`kamsim.analytics.manager_workload`, :func:`kamsim.analytics.coverage_matrix`
and :func:`kamsim.compare`; nothing is copied from a run.  08.3 reruns a small
seeded comparison (4 bundles x 3 replications x 12 months, a few seconds).
08.1 and 08.3 ask for a number that belongs to the right manager or bundle (a
label could be guessed); 08.2 looks at 2022 because the chapter prints the
utilisation of the last 12 months.  08.5 runs the queue model (one seeded
12-month run) with a departure and asks how many contacts the receiving manager missed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from kamsim.exercises.compare import number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import best_policy, policy_table, portfolio, run_comparison

#: Dataset of 08.2 - 08.4; 08.1 uses the 50-manager ``medium`` portfolio.
DATASET = "small"
DATASET_TEAM = "medium"

#: Manager of exercise 08.2 and of 08.4.
MANAGER_08_2 = "M002"
MANAGER_08_4 = "M001"
REGION_08_4 = "California"

#: Window of exercise 08.2: the first year of the history, 2022 (the chapter prints the last 12 months).
WINDOW_08_2 = (-24, -13)

#: Exercise 08.3: bundles, replications, seed and horizon of the comparison on scenarios/am_allocation.yaml.
BUNDLES_08_3 = ["status_quo", "tier_allocation", "value_allocation", "roi_allocation"]
REPLICATIONS_08_3 = 3
SEED_08_3 = 1
MONTHS_08_3 = 12


@lru_cache(maxsize=6)
def _workload(name: str, months: int | tuple[int, int] | None = 12) -> pd.DataFrame:
    from kamsim.analytics import manager_workload

    p = portfolio(name)
    return manager_workload(p.events, p.accounts, p.account_managers, months=months)


def _book(manager: str, column: str = "revenue") -> float:
    """``column`` of ``manager`` in the 12-month workload of ``medium`` (revenue of the owned accounts, CU)."""
    return float(_workload(DATASET_TEAM).loc[manager, column])


def _mistakes_08_1(expected: float) -> dict[str, float]:
    load = _workload(DATASET_TEAM)
    busiest = str(load["hours"].idxmax())
    return {
        "that is the book of the manager who owns the most accounts; owning accounts is not the same as "
        "spending hours on them: rank by 'hours'.": _book(str(load["accounts"].idxmax())),
        "that is the book of the manager with the largest monthly capacity; the task asks who delivered the "
        "most hours.": _book(str(load["capacity_hours"].idxmax())),
        "that is the largest book of the team; the task asks for the book of the manager who delivered the most "
        "hours.": float(load["revenue"].max()),
        "that is the book of the manager with the *fewest* hours; use idxmax, not idxmin.": _book(
            str(load["hours"].idxmin())
        ),
        "that is the gross margin of the busiest manager's accounts; the task asks for their revenue.": _book(
            busiest, "margin"
        ),
        "that is the annual potential spend of the busiest manager's accounts; the task asks for the revenue they "
        "placed in the last 12 months.": _book(busiest, "potential"),
        "that is the number of hours the busiest manager delivered; the task asks for the revenue of the "
        "accounts.": _book(busiest, "hours"),
        "that is the busiest manager's share of the team's revenue (0-1); give the revenue in CU.": _book(
            busiest, "share_revenue"
        ),
    }


@exercise(
    "08.1",
    title="The book of the busiest account manager",
    hint="load = manager_workload(medium.events, medium.accounts, medium.account_managers, months=12); the "
    "'hours' column holds the visit, call and QBR hours each manager delivered; busiest = load['hours'].idxmax(); "
    "read load.loc[busiest, 'revenue'].",
    compare=number(),
    mistakes=_mistakes_08_1,
)
def busiest_manager() -> float:
    """12-month revenue (CU) of the accounts of the ``medium`` manager who delivered the most interaction hours."""
    return _book(str(_workload(DATASET_TEAM)["hours"].idxmax()))


@exercise(
    "08.2",
    title="Utilisation of one account manager in 2022",
    hint=f"load = manager_workload(events, accounts, managers, months={WINDOW_08_2}) on 'small' (months -24 to -13, "
    f"the year 2022); read load.loc['{MANAGER_08_2}', 'utilisation'] (hours delivered / (capacity_hours x 12 "
    "months)).",
    compare=number(),
    mistakes=lambda expected: {
        "that is the utilisation of the last 12 months (months=12, printed in the chapter); the task asks for 2022, "
        f"months={WINDOW_08_2}.": float(_workload(DATASET).loc[MANAGER_08_2, "utilisation"]),
        "that divides 12 months of hours by one month of capacity; available hours are capacity_hours x 12.": float(
            _workload(DATASET, WINDOW_08_2).loc[MANAGER_08_2, "hours"]
            / _workload(DATASET, WINDOW_08_2).loc[MANAGER_08_2, "capacity_hours"]
        ),
        "that is the utilisation over the whole 24-month history; keep only 2022 (months -24 to -13).": float(
            _workload(DATASET, None).loc[MANAGER_08_2, "utilisation"]
        ),
        "that is the 2022 utilisation of the whole team; read the row of the one manager.": float(
            _workload(DATASET, WINDOW_08_2)["hours"].sum() / _workload(DATASET, WINDOW_08_2)["available_hours"].sum()
        ),
        "that is the share of hours left unused; utilisation is the share used.": 1.0 - expected,
        "that window has 13 months (-24 to -12); 2022 is months -24 to -13.": float(
            _workload(DATASET, (-24, -12)).loc[MANAGER_08_2, "utilisation"]
        ),
    },
)
def manager_utilisation() -> float:
    """Utilisation (0-1) of manager M002 of ``small`` in 2022, the first 12 months of the history."""
    return float(_workload(DATASET, WINDOW_08_2).loc[MANAGER_08_2, "utilisation"])


def allocation_scenario_path() -> Path:
    """``scenarios/am_allocation.yaml`` (:func:`kamsim.datasets.scenario_path`)."""
    from kamsim.datasets import scenario_path

    return scenario_path("am_allocation")


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


def _retention(bundle: str) -> float:
    return float(_summary_08_3().loc[bundle, "retention_rate"])


def _mistakes_08_3(expected: float) -> dict[str, float]:
    summary = _summary_08_3()
    best = best_policy(summary, "retention_rate")
    mistakes = {
        "that is the retention rate of the bundle with the highest mean satisfaction, not of the one that keeps "
        "the most customers.": _retention(best_policy(summary, "mean_satisfaction")),
        "that is the *lowest* mean retention rate; take the largest.": float(summary["retention_rate"].min()),
        "that is the retention rate of the bundle that uses the managers' hours best; the task asks about "
        "retention.": _retention(best_policy(summary, "manager_utilisation")),
        "that is the share of customers lost (1 - retention rate); give the retention rate.": 1.0 - expected,
        "that is the retention rate in percent; give a share between 0 and 1.": 100.0 * expected,
    }
    for bundle in summary.index:
        if bundle != best:
            mistakes[f"that is the mean retention rate of {bundle}; another bundle keeps more customers."] = (
                _retention(bundle)
            )
    return mistakes


@exercise(
    "08.3",
    title="Retention under the allocation rule that keeps the most customers",
    hint="comp = kamsim.compare(kamsim.Scenario.from_file(kamsim.datasets.scenario_path('am_allocation')), "
    "[the four bundles], "
    "portfolio=small, replications=3, seed=1, months=12, progress=False); in comp.summary() keep the "
    "'retention_rate' rows, find the bundle with the largest 'mean' and give that mean.",
    compare=number(),
    mistakes=_mistakes_08_3,
)
def best_retention_bundle() -> float:
    """Highest mean retention rate (0-1) of the four bundles in the fixed 08.3 comparison (am_allocation, 12 months)."""
    return _retention(best_policy(_summary_08_3(), "retention_rate"))


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
    compare=number(),
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


# ----------------------------------------------------------------------------- 08.5 managers as queues

#: Exercise 08.5: the departure (month, who leaves, who takes the accounts), seed and horizon of the queue-model run.
DEPARTURE_08_5 = {"month": 3, "action": "leave", "manager": "M003", "to": "M001"}
SEED_08_5 = 8
MONTHS_08_5 = 12


@lru_cache(maxsize=2)
def _queue_panel(with_departure: bool = True) -> pd.DataFrame:
    """manager_panel of the exercise 08.5 run (status quo, queue model), with or without the departure (cached)."""
    from kamsim.engine import simulate
    from kamsim.scenario import Scenario

    changes = [DEPARTURE_08_5] if with_departure else []
    scenario = Scenario(months=MONTHS_08_5, managers={"queueing": True, "changes": changes})
    return simulate(scenario, portfolio(DATASET), "status_quo", seed=SEED_08_5).manager_panel


def _panel_sum(column: str, manager: str | None = "M001", with_departure: bool = True) -> int:
    panel = _queue_panel(with_departure)
    if manager is not None:
        panel = panel[panel["manager_id"] == manager]
    return int(panel[column].sum())


@exercise(
    "08.5",
    title="Missed contacts after a departure",
    hint="run.manager_panel has one row per month and manager; keep manager_id == 'M001' and sum tasks_missed "
    "over the 12 months.",
    compare=number(),
    mistakes=lambda expected: {
        "that counts every manager's missed contacts; keep M001's rows.": _panel_sum("tasks_missed", None),
        "that is the number of tasks M001 finished (tasks_done); the task asks for the missed ones.": _panel_sum(
            "tasks_done"),
        "that is M003's count; her accounts moved to M001, who misses the contacts.": _panel_sum(
            "tasks_missed", "M003"),
        "that is the run without the departure; add the change to managers.changes.": _panel_sum(
            "tasks_missed", "M001", with_departure=False),
    },
)
def missed_after_departure() -> float:
    """Contacts M001 missed in 12 months (queue model, status quo) after M003 left in month 3 (a count)."""
    return float(_panel_sum("tasks_missed"))
