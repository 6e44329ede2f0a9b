"""Checks of chapter 00 (getting started): reading the shipped ``small`` portfolio.

This module is the worked pattern for every chapter: each check computes
its expected answer from the shipped, seeded dataset with kamsim functions
(no numbers copied from a run), picks a comparer, and lists plausible
mistakes with a targeted hint each.
"""

from __future__ import annotations

import pandas as pd

from kamsim.exercises.compare import integer, number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio

#: Dataset the chapter 00 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"


def _accounts() -> pd.DataFrame:
    return portfolio(DATASET).accounts


@exercise(
    "00.1",
    title="Count the mature accounts",
    hint="keep the rows of portfolio.accounts whose 'stage' column equals 'mature', then count them with len(...).",
    compare=integer(),
    mistakes=lambda expected: {
        "that is the number of all accounts; keep only the rows whose stage is 'mature' first.": len(_accounts()),
        "that counts the 'growing' accounts; the task asks for stage 'mature'.": int(
            (_accounts()["stage"] == "growing").sum()
        ),
    },
)
def mature_accounts() -> int:
    """Number of accounts in the ``small`` portfolio whose lifecycle stage is ``mature``."""
    return int((_accounts()["stage"] == "mature").sum())


@exercise(
    "00.2",
    title="Potential spend of the top-10 accounts",
    hint="sort portfolio.accounts by 'annual_potential_spend' from largest to smallest, take the first 10 rows "
    "and add up that column.",
    compare=number(rtol=1e-6),
    mistakes=lambda expected: {
        "those are the first 10 rows of the table, not the 10 largest: sort by annual_potential_spend "
        "(ascending=False) first.": float(_accounts()["annual_potential_spend"].head(10).sum()),
        "those are the 10 smallest accounts: sort with ascending=False.": float(
            _accounts()["annual_potential_spend"].nsmallest(10).sum()
        ),
        "that is the potential of every account; keep only the top 10.": float(
            _accounts()["annual_potential_spend"].sum()
        ),
    },
)
def top10_potential() -> float:
    """Total ``annual_potential_spend`` (CU/year) of the 10 accounts with the largest potential."""
    return float(_accounts()["annual_potential_spend"].nlargest(10).sum())
