"""Reference solutions of exercises/09_performance_evaluation.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import abc_classes, account_snapshot, kpi_scorecard, kpi_targets, target_attainment
from kamsim.policies import NoRetention, PolicyBundle, ValueProportionalAllocation


def _load():
    portfolio = kamsim.datasets.load("small")
    events = portfolio.events
    return portfolio, events[events["month"] < -12], events[events["month"] >= -12]  # 2022, 2023


def ex_09_1():
    """09.1: gross ROI of KAM effort of tier B in 2023, tiers = ABC classes of 2022 revenue (small)."""
    portfolio, _, year_2023 = _load()
    snapshot = account_snapshot(portfolio.accounts, portfolio.events, as_of="2023-01-01")
    tiers = abc_classes(snapshot["revenue_12m"])
    accounts = portfolio.accounts.assign(tier=portfolio.accounts["account_id"].map(tiers))
    card = kpi_scorecard(year_2023, accounts, by="tier").set_index("tier")
    answer = card.loc["B", "roi"]
    return answer


def ex_09_2():
    """09.2: the highest 2023 revenue per hour of effort (CU/h) of an account manager (small)."""
    portfolio, _, year_2023 = _load()
    card = kpi_scorecard(year_2023, portfolio.accounts, by="manager_id").set_index("manager_id")
    per_hour = card["revenue"] / card["effort_hours"]
    best = per_hour.idxmax()  # the manager with the most revenue per hour
    answer = per_hour[best]
    return answer


def ex_09_3():
    """09.3: how much (% of status_quo) the KPI hurt most by a revenue-only incentive gets worse."""
    portfolio = kamsim.datasets.load("small")
    revenue_only = PolicyBundle("abc", NoRetention(), ValueProportionalAllocation(floor_share=0.0),
                                name="revenue_only")
    comparison = kamsim.compare(
        kamsim.Scenario(months=12),
        {"status_quo": "status_quo", "revenue_only": revenue_only},
        portfolio=portfolio,
        replications=5,
        seed=9,
        progress=False,
    )
    paired = comparison.paired().set_index("kpi")
    worse = {
        "revenue": -paired.loc["revenue", "rel_diff_pct"],
        "margin": -paired.loc["margin", "rel_diff_pct"],
        "churn_rate": paired.loc["churn_rate", "rel_diff_pct"],  # lower is better: a rise is worse
        "mean_satisfaction": -paired.loc["mean_satisfaction", "rel_diff_pct"],
    }
    kpi = max(worse, key=worse.get)  # the KPI that got worse by the largest percentage
    answer = worse[kpi]
    return answer


def ex_09_4():
    """09.4: managers who met all three 2023 targets (revenue, margin +10% on 2022; satisfaction >= 7.8)."""
    portfolio, year_2022, year_2023 = _load()
    plan = kpi_scorecard(year_2022, portfolio.accounts, by="manager_id")
    actual = kpi_scorecard(year_2023, portfolio.accounts, by="manager_id")
    targets = kpi_targets(plan, by="manager_id", change={"revenue": 0.10, "margin": 0.10},
                          level={"satisfaction": 7.8})
    review = target_attainment(actual, targets, by="manager_id")
    all_met = review.groupby("manager_id")["met"].all()
    answer = list(all_met[all_met].index)
    return answer
