"""Reference solutions of exercises/00_getting_started.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim


def ex_00_1():
    """00.1: how many accounts of the "small" portfolio are mature and in the enterprise size band?"""
    portfolio = kamsim.datasets.load("small")
    accounts = portfolio.accounts
    answer = len(accounts[(accounts["stage"] == "mature") & (accounts["size_band"] == "enterprise")])
    return answer


def ex_00_2():
    """00.2: total annual_potential_spend (CU/year) of the 10 accounts with the largest potential."""
    portfolio = kamsim.datasets.load("small")
    top10 = portfolio.accounts.sort_values("annual_potential_spend", ascending=False).head(10)
    answer = top10["annual_potential_spend"].sum()
    return answer
