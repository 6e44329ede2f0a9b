"""Reference solutions of exercises/08_team_collaboration.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_08_K`` for exercise ``08.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""


import kamsim
from kamsim.analytics import coverage_matrix, manager_workload

#: The scenario file of exercise 08.3: scenarios/am_allocation.yaml, found from any folder.
SCENARIO = kamsim.datasets.scenario_path("am_allocation")


def ex_08_1():
    """08.1: 12-month revenue (CU) of the accounts of the "medium" manager who delivered the most hours."""
    medium = kamsim.datasets.load("medium")
    load = manager_workload(medium.events, medium.accounts, medium.account_managers, months=12)
    busiest = load["hours"].idxmax()
    answer = load.loc[busiest, "revenue"]
    return answer


def ex_08_2():
    """08.2: utilisation of manager M002 of "small" in 2022 (months -24 to -13)."""
    small = kamsim.datasets.load("small")
    load = manager_workload(small.events, small.accounts, small.account_managers, months=(-24, -13))
    answer = load.loc["M002", "utilisation"]
    return answer


def ex_08_3():
    """08.3: highest mean retention rate of the four allocation bundles (am_allocation, 3 replications, 12 months)."""
    small = kamsim.datasets.load("small")
    scenario = kamsim.Scenario.from_file(SCENARIO)
    bundles = ["status_quo", "tier_allocation", "value_allocation", "roi_allocation"]
    comp = kamsim.compare(scenario, bundles, portfolio=small, replications=3, seed=1, months=12, progress=False)
    summary = comp.summary()
    retention = summary[summary["kpi"] == "retention_rate"].set_index("policy")["mean"]
    best = retention.idxmax()  # the bundle that keeps the most customers
    answer = retention[best]
    return answer


def ex_08_4():
    """08.4: M001's share of the annual potential of the California accounts of "small"."""
    small = kamsim.datasets.load("small")
    shares = coverage_matrix(small.accounts, by=("manager_id", "region"), values="annual_potential_spend",
                             normalize="columns")
    answer = shares.loc["M001", "California"]
    return answer


def ex_08_5():
    """08.5: contacts M001 missed in 12 months (queue model, status quo) after M003 left in month 3."""
    small = kamsim.datasets.load("small")
    departure = {"month": 3, "action": "leave", "manager": "M003", "to": "M001"}
    scenario = kamsim.Scenario(months=12, managers={"queueing": True, "changes": [departure]})
    panel = kamsim.simulate(scenario, small, "status_quo", seed=8).manager_panel
    answer = panel.loc[panel["manager_id"] == "M001", "tasks_missed"].sum()
    return answer
