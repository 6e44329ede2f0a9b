"""Reference solutions of exercises/10_case_studies.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import account_snapshot, credit_flags
from kamsim.policies import PolicyBundle


def ex_10_1():
    """10.1: share of the last 12 months' revenue that comes from the five largest accounts (small_zh)."""
    portfolio = kamsim.datasets.load("small_zh")
    snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta["as_of"])
    revenue = snap["revenue_12m"]
    answer = revenue.nlargest(5).sum() / revenue.sum()
    return answer


def ex_10_2():
    """10.2: total exposure (CU) of the accounts flagged for credit review by credit_flags (default settings)."""
    portfolio = kamsim.datasets.load("small_zh")
    credit = credit_flags(portfolio.accounts, portfolio.events)
    answer = credit.loc[credit["flag"], "exposure"].sum()
    return answer


def ex_10_3():
    """10.3: the highest mean paired net-margin difference (CU) against status_quo of the bundles compared with status_quo."""
    portfolio = kamsim.datasets.load("small_zh")
    bundles = {
        "status_quo": "status_quo",
        "kam_tiers": PolicyBundle("value_potential", "risk_targeted", "tier", name="kam_tiers"),
        "kam_roi": PolicyBundle("value_potential", "value_risk", "roi", name="kam_roi"),
        "screening_value": PolicyBundle("screening", "risk_targeted", "value", name="screening_value"),
    }
    comparison = kamsim.compare(
        kamsim.Scenario(months=12), bundles, portfolio=portfolio, replications=4, seed=1, progress=False
    )
    paired = comparison.paired()
    net = paired[paired["kpi"] == "net_margin"].set_index("policy")["diff_mean"]
    best = net.idxmax()  # the bundle that gains the most
    answer = net[best]
    return answer


def ex_10_4():
    """10.4: the five largest accounts' share of the portfolio's expected credit loss (0-1)."""
    portfolio = kamsim.datasets.load("small_zh")
    snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta["as_of"])
    credit = credit_flags(portfolio.accounts, portfolio.events)
    top5 = snap["revenue_12m"].nlargest(5).index
    answer = credit.loc[top5, "expected_loss"].sum() / credit["expected_loss"].sum()
    return answer
