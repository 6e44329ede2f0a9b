"""Reference solutions of exercises/10_case_studies.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import account_snapshot, credit_flags
from kamsim.policies import PolicyBundle


def ex_10_1():
    """10.1: share of the last 12 months' revenue that comes from the largest account (small_zh)."""
    portfolio = kamsim.datasets.load("small_zh")
    snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta["as_of"])
    revenue = snap["revenue_12m"]
    answer = revenue.max() / revenue.sum()
    return answer


def ex_10_2():
    """10.2: number of accounts flagged for credit review by credit_flags with its default settings."""
    portfolio = kamsim.datasets.load("small_zh")
    credit = credit_flags(portfolio.accounts, portfolio.events)
    answer = int(credit["flag"].sum())
    return answer


def ex_10_3():
    """10.3: bundle with the highest mean paired net-margin difference against status_quo."""
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
    net = paired[paired["kpi"] == "net_margin"]
    answer = net.loc[net["diff_mean"].idxmax(), "policy"]
    return answer


def ex_10_4():
    """10.4: the largest account's share of the portfolio's expected credit loss (0-1)."""
    portfolio = kamsim.datasets.load("small_zh")
    snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta["as_of"])
    credit = credit_flags(portfolio.accounts, portfolio.events)
    top = snap["revenue_12m"].idxmax()
    answer = credit.loc[top, "expected_loss"] / credit["expected_loss"].sum()
    return answer
