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


#: Size band of exercise 00.1: mature accounts of this band are counted.
SIZE_BAND_00_1 = "enterprise"


def _count(stage: str | None = None, size_band: str | None = None, *, either: bool = False) -> int:
    """Accounts in ``stage`` and ``size_band`` (``None``: any); ``either=True`` counts stage OR band."""
    accounts = _accounts()
    in_stage = accounts["stage"] == stage if stage is not None else pd.Series(True, index=accounts.index)
    in_band = accounts["size_band"] == size_band if size_band is not None else pd.Series(True, index=accounts.index)
    return int((in_stage | in_band).sum() if either else (in_stage & in_band).sum())


@exercise(
    "00.1",
    title="Count the mature enterprise accounts",
    hint="keep the rows of portfolio.accounts whose 'stage' equals 'mature' AND whose 'size_band' equals "
    "'enterprise' (combine the two conditions with &), then count them with len(...).",
    compare=integer(),
    mistakes=lambda expected: {
        "that counts every mature account; keep only those whose size_band is also 'enterprise'.": _count("mature"),
        "that counts every enterprise account; keep only those whose stage is also 'mature'.": _count(
            size_band=SIZE_BAND_00_1
        ),
        "that counts the accounts that are mature OR enterprise (|); the task asks for both at once (&).": _count(
            "mature", SIZE_BAND_00_1, either=True
        ),
        "that is the number of all accounts; keep only the mature enterprise accounts.": len(_accounts()),
        "that counts the 'growing' enterprise accounts; the task asks for stage 'mature'.": _count(
            "growing", SIZE_BAND_00_1
        ),
    },
)
def mature_accounts() -> int:
    """Number of accounts of the ``small`` portfolio in lifecycle stage ``mature`` and size band ``enterprise``."""
    return _count("mature", SIZE_BAND_00_1)


@exercise(
    "00.2",
    title="Potential spend of the top-10 accounts",
    hint="sort portfolio.accounts by 'annual_potential_spend' from largest to smallest, take the first 10 rows "
    "and add up that column.",
    compare=number(),
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
