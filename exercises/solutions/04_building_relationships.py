"""Reference solutions of exercises/04_building_relationships.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_04_K`` for exercise ``04.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import (
    abc_classes,
    account_snapshot,
    contact_frequency,
    customer_totals,
    relationship_depth,
    retention_by_contact,
)


def ex_04_1():
    """04.1: mean contacts per account-month (24 months) of the ABC class-A accounts of "small"."""
    portfolio = kamsim.datasets.load("small")
    freq = contact_frequency(portfolio.events, accounts=portfolio.accounts["account_id"])
    revenue = customer_totals(portfolio.events)["revenue"]
    classes = abc_classes(revenue)
    a_accounts = classes[classes == "A"].index
    answer = freq.loc[a_accounts, "contacts_per_month"].mean()
    return answer


def ex_04_2():
    """04.2: revenue of the last 12 months (CU) of the "small" account with the largest relationship-depth index."""
    portfolio = kamsim.datasets.load("small")
    depth = relationship_depth(portfolio.events, portfolio.accounts, portfolio.contacts)
    deepest = depth["depth_index"].idxmax()
    snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta["as_of"])
    answer = snap.loc[deepest, "revenue_12m"]
    return answer


def ex_04_3():
    """04.3: retention rate in the last 12 months of "medium" of the top quartile of contact hours per month (Q4)."""
    portfolio = kamsim.datasets.load("medium")
    table = retention_by_contact(portfolio.events, portfolio.accounts, 4, measure="hours_per_month")
    answer = table.loc[table["group"] == "Q4", "retention_rate"].iloc[0]
    return answer
