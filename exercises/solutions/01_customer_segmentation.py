"""Reference solutions of exercises/01_customer_segmentation.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_01_K`` for exercise ``01.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import abc_classes, account_snapshot, screening_scorecard, top_share, value_potential_tiers


def _snapshot():
    """All 200 accounts with revenue_12m, margin_12m, ... of the 12 months before 2024-01-01."""
    portfolio = kamsim.datasets.load("small")
    return account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta["as_of"])


def ex_01_1():
    """01.1: share of 2023 revenue held by the top 20% of the accounts that ordered in 2023."""
    portfolio = kamsim.datasets.load("small")
    orders = portfolio.transactions
    orders_2023 = orders[(orders["date"] >= "2023-01-01") & (orders["date"] < "2024-01-01")]
    revenue = orders_2023.groupby("account_id")["amount"].sum()  # only accounts with orders appear
    revenue = revenue[revenue > 0]
    answer = top_share(revenue, top=0.2)
    return answer


def ex_01_2():
    """01.2: number of class-A accounts of the ABC grading (80/95) of 2023 revenue."""
    snapshot = _snapshot()
    classes = abc_classes(snapshot["revenue_12m"], thresholds=(0.8, 0.95))
    answer = int((classes == "A").sum())
    return answer


def ex_01_3():
    """01.3: ids of the 'core' accounts of the value x potential tiers."""
    snapshot = _snapshot()
    value = snapshot["revenue_12m"]
    potential = snapshot["annual_potential_spend"] * snapshot["growth_potential"]
    tiers = value_potential_tiers(value, potential)
    answer = list(tiers[tiers == "core"].index)
    return answer


def ex_01_4():
    """01.4: number of accounts passing the weighted five-criteria screening (pass mark 60)."""
    snapshot = _snapshot()
    weights = {"annual_purchase": 0.3, "profitability": 0.3, "credit_safety": 0.2, "potential": 0.1,
               "cooperativeness": 0.1}
    card = screening_scorecard(snapshot, weights=weights)
    answer = int(card["passed"].sum())
    return answer
