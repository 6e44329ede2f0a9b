"""Reference solutions of exercises/06_lifecycle_management.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import churn_durations, kaplan_meier, stage_history, transition_matrix
from kamsim.engine.theory import absorbing_chain


def ex_06_1():
    """06.1: estimated monthly probability that a mature account is at risk one month later (small)."""
    portfolio = kamsim.datasets.load("small")
    P = transition_matrix(portfolio.events, final_stage=portfolio.accounts)
    answer = P.loc["mature", "at_risk"]
    return answer


def ex_06_2():
    """06.2: Kaplan-Meier share of customers still a customer after 12 months (small)."""
    portfolio = kamsim.datasets.load("small")
    history = stage_history(portfolio.events, portfolio.accounts, months=range(-24, 1))
    durations = churn_durations(history, method="panel")
    km = kaplan_meier(durations["duration"], durations["churned"])
    answer = km.loc[km["timeline"] <= 12, "survival"].iloc[-1]
    return answer


def ex_06_3():
    """06.3: expected months before a mature account is lost (absorbing chain of the small matrix)."""
    portfolio = kamsim.datasets.load("small")
    P = transition_matrix(portfolio.events, final_stage=portfolio.accounts)
    stages = ["new", "growing", "mature", "at_risk"]
    chain = absorbing_chain(P.loc[stages, stages].to_numpy())
    answer = chain.t[stages.index("mature")]
    return answer


def ex_06_4():
    """06.4: the highest mean paired net-margin difference (CU) vs status_quo in the price war."""
    portfolio = kamsim.datasets.load("small")
    price_war = kamsim.Scenario(
        months=12,
        lifecycle={
            "decline_prob": {"new": 0.04, "growing": 0.03, "mature": 0.03, "at_risk": 0.0, "won_back": 0.05},
            "churn_hazard": {"new": 0.010, "growing": 0.005, "mature": 0.004, "at_risk": 0.08, "won_back": 0.015},
        },
    )
    comparison = kamsim.compare(
        price_war,
        ["status_quo", "blanket", "risk_targeted", "value_risk"],
        portfolio=portfolio,
        replications=5,
        seed=6,
        progress=False,
    )
    paired = comparison.paired()
    net = paired[paired["kpi"] == "net_margin"].set_index("policy")["diff_mean"]
    best = net.idxmax()  # the policy with the largest gain
    answer = net[best]
    return answer
