"""Checks of chapter 01 (customer segmentation, 客户细分) on the shipped ``small`` portfolio.

The chapter notebook works on ``medium``; the exercises repeat its steps on
``small`` so the answers are not printed in the chapter.  Every expected
answer is computed here with kamsim functions from the shipped, seeded data:

* 01.1 top-20% share of last-year revenue (Pareto / 二八法则);
* 01.2 number of ABC class-A accounts (ABC分类, 80/95 rule);
* 01.3 ids of the core accounts (核心客户) of the value x potential tiers;
* 01.4 number of accounts passing a weighted five-criteria screening (筛选).

"Last year" is the 12 months before the portfolio date ``meta["as_of"]``
(2024-01-01), i.e. the orders of 2023, as built by
:func:`kamsim.analytics.account_snapshot`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from kamsim.exercises.compare import Comparer, id_set, integer, number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio, snapshot

#: Dataset the chapter 01 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"

#: Screening weights of exercise 01.4 (criterion -> weight; they sum to 1).
SCREENING_WEIGHTS: dict[str, float] = {
    "annual_purchase": 0.3,
    "profitability": 0.3,
    "credit_safety": 0.2,
    "potential": 0.1,
    "cooperativeness": 0.1,
}


def _revenue_buyers() -> pd.Series:
    """Revenue of the last 12 months (CU) of the accounts that ordered in that period."""
    revenue = snapshot(DATASET)["revenue_12m"]
    return revenue[revenue > 0]


def _revenue_all_history() -> pd.Series:
    """Revenue per account over the whole shipped history (24 months, CU): a plausible slip."""
    from kamsim.analytics import customer_totals

    return customer_totals(portfolio(DATASET).events)["revenue"]


def _potential_headroom() -> pd.Series:
    snap = snapshot(DATASET)
    return snap["annual_potential_spend"] * snap["growth_potential"]


def top_share_of(values: pd.Series, top: float) -> float:
    """Value share (0-1) of the largest ``top`` fraction of ``values`` (:func:`kamsim.analytics.top_share`)."""
    from kamsim.analytics import top_share

    return float(top_share(values, top=top))


# ----------------------------------------------------------------------------- 01.1


@exercise(
    "01.1",
    title="Top-20% share of last year's revenue",
    hint="sum the order amounts of 2023 per account (account_snapshot(...)['revenue_12m'] or customer_totals on "
    "the 2023 orders), keep the accounts with revenue > 0, then call top_share(revenue, top=0.2).",
    compare=number(),
    mistakes=lambda expected: {
        "that counts the accounts without any 2023 order too; keep only accounts with revenue > 0.": top_share_of(
            snapshot(DATASET)["revenue_12m"], 0.2
        ),
        "that is the concentration of potential spend (annual_potential_spend), not of the revenue we "
        "actually earned in 2023.": top_share_of(portfolio(DATASET).accounts["annual_potential_spend"], 0.2),
        "that uses the whole 24-month history; keep only the orders of the last 12 months (2023).": top_share_of(
            _revenue_all_history(), 0.2
        ),
        "that is the share of the top 80% of accounts; the Pareto question is about the top 20% (top=0.2).": (
            top_share_of(_revenue_buyers(), 0.8)
        ),
        "that is the share of the *bottom* 80%; the task asks for the share of the largest 20%.": 1.0 - expected,
    },
)
def top20_revenue_share() -> float:
    """Share (0-1) of 2023 revenue held by the largest 20% of the accounts that ordered in 2023."""
    return top_share_of(_revenue_buyers(), 0.2)



# ----------------------------------------------------------------------------- 01.2


def _count_a(values: pd.Series, thresholds: tuple[float, float] = (0.8, 0.95)) -> int:
    from kamsim.analytics import abc_classes

    return int((abc_classes(values, thresholds=thresholds) == "A").sum())


@exercise(
    "01.2",
    title="Number of ABC class-A accounts",
    hint="grade the 2023 revenue per account with abc_classes(revenue) (80/95 rule) and count the 'A' labels.",
    compare=integer(),
    mistakes=lambda expected: {
        "that grades potential spend (annual_potential_spend); grade the revenue of the last 12 months.": _count_a(
            portfolio(DATASET).accounts["annual_potential_spend"]
        ),
        "that counts classes A and B together (the accounts up to 95% of revenue); class A stops at 80%.": int(
            _count_a(_revenue_buyers(), (0.95, 0.99))
        ),
        "that is the top 20% of the accounts (the Pareto head), not the ABC class A: let abc_classes find "
        "the accounts that make up 80% of revenue.": math.ceil(0.2 * len(_revenue_buyers())),
        "that uses the whole 24-month history; grade the revenue of the last 12 months (2023).": _count_a(
            _revenue_all_history()
        ),
    },
)
def class_a_accounts() -> int:
    """Number of accounts in ABC class A (80/95 rule) by 2023 revenue."""
    return _count_a(_revenue_buyers())


# ----------------------------------------------------------------------------- 01.3

#: Labels of :func:`kamsim.analytics.value_potential_tiers`.
TIER_LABELS = frozenset({"core", "important", "general"})


def _not_ids(answer: Any) -> str | None:
    """What ``answer`` is when it holds tier labels or True/False flags instead of account ids, else ``None``."""
    if isinstance(answer, str | bytes | dict | pd.DataFrame) or not isinstance(answer, Iterable):
        return None
    values = list(answer)
    if not values:
        return None
    if all(isinstance(v, bool | np.bool_) for v in values):
        return "a Series of True/False values" if isinstance(answer, pd.Series) else "True/False values"
    if all(isinstance(v, str) and v in TIER_LABELS for v in values):
        return "a Series of tier labels" if isinstance(answer, pd.Series) else "tier labels"
    return None


def core_ids_compare() -> Comparer:
    """:func:`id_set` of account ids that says so when the answer holds tier labels or True/False flags.

    ``tiers`` itself or ``tiers == "core"`` would otherwise be read as a set of
    ids ("43 account ids are missing ...").  When the expected value is such a
    Series too (a listed mistake), the plain id-set comparison applies, so the
    answer meets its targeted hint.
    """
    ids = id_set("account id")

    def compare(answer: Any, expected: Any) -> str | None:
        kind, expected_kind = _not_ids(answer), _not_ids(expected)
        if kind is not None and expected_kind is None:
            return f"expected a list of account ids, got {kind}"
        if kind is not None:  # both hold labels or flags (a listed mistake): the same values, any container
            return None if {str(v) for v in answer} == {str(v) for v in expected} else f"not the same {kind}"
        return ids(answer, expected)

    return compare


def _tier_ids(value: pd.Series, potential: pd.Series, tier: str = "core") -> list[str]:
    from kamsim.analytics import value_potential_tiers

    tiers = value_potential_tiers(value, potential)
    return sorted(str(i) for i in tiers.index[(tiers == tier).to_numpy()])


def _tiers() -> pd.Series:
    from kamsim.analytics import value_potential_tiers

    return value_potential_tiers(snapshot(DATASET)["revenue_12m"], _potential_headroom())


@exercise(
    "01.3",
    title="The core accounts (核心客户) of the value x potential tiers",
    hint="value = 2023 revenue per account (0 if none), potential = annual_potential_spend * growth_potential, "
    "both for all 200 accounts indexed by account_id; tiers = value_potential_tiers(value, potential); keep the "
    "ids whose tier is 'core'.",
    compare=core_ids_compare(),
    mistakes=lambda expected: {
        "that is the tier label of every account, not account ids; give the ids of the 'core' accounts: "
        "list(tiers[tiers == 'core'].index).": _tiers(),
        "that is True/False for every account (tiers == 'core'), not account ids; give the ids of the accounts "
        "where it is True: list(tiers[tiers == 'core'].index).": _tiers() == "core",
        "that Series holds the label 'core' of each core account; the account ids are its index: "
        "list(tiers[tiers == 'core'].index).": _tiers()[_tiers() == "core"],
        "value and potential are swapped: value_potential_tiers(value, potential) takes current value first.": (
            _tier_ids(_potential_headroom(), snapshot(DATASET)["revenue_12m"])
        ),
        "that uses growth_potential alone (a 0-1 rate) as potential; the task multiplies it by "
        "annual_potential_spend to get the growth headroom in CU.": _tier_ids(
            snapshot(DATASET)["revenue_12m"], snapshot(DATASET)["growth_potential"]
        ),
        "that uses potential spend as the current value; current value is the revenue of 2023.": _tier_ids(
            snapshot(DATASET)["annual_potential_spend"], _potential_headroom()
        ),
        "those are the 'important' accounts (high on only one axis); core is high on both.": _tier_ids(
            snapshot(DATASET)["revenue_12m"], _potential_headroom(), "important"
        ),
        "those are only the accounts that ordered in 2023; tier all 200 accounts (revenue 0 if none), the "
        "potential cut is the median over all of them.": _tier_ids(
            _revenue_buyers(), _potential_headroom().loc[_revenue_buyers().index]
        ),
    },
)
def core_account_ids() -> list[str]:
    """Sorted ids of the accounts whose value x potential tier is ``core``."""
    return _tier_ids(snapshot(DATASET)["revenue_12m"], _potential_headroom())


# ----------------------------------------------------------------------------- 01.4


def _passed(accounts: pd.DataFrame, weights: Mapping[str, float] | None) -> int:
    from kamsim.analytics import screening_scorecard

    return int(screening_scorecard(accounts, weights=weights)["passed"].sum())


def _is_float(value: Any) -> bool:
    return isinstance(value, float | np.floating) or (isinstance(value, np.ndarray) and value.ndim == 0
                                                      and np.issubdtype(value.dtype, np.floating))


def screening_count_compare() -> Comparer:
    """:func:`integer` for the count, but a listed mistake that is a float (a mean score or a share) only
    matches a float answer close to it.

    A mean screening score is always 50.0 (the criterion scores are percentile
    ranks), which can equal a plausible wrong *count*; the answer's type tells
    the two slips apart, so each gets its own hint.
    """
    count = integer()

    def compare(answer: Any, expected: Any) -> str | None:
        if _is_float(expected) and not isinstance(expected, bool):
            if _is_float(answer) and np.isclose(float(answer), float(expected), rtol=1e-6, atol=1e-9):
                return None
            return "not this score or share" if isinstance(answer, numbers.Real) else count(answer, 0)
        return count(answer, expected)

    return compare


@exercise(
    "01.4",
    title="Accounts passing the weighted five-criteria screening",
    hint="build the snapshot of all 200 accounts (account_snapshot(portfolio.accounts, portfolio.events, "
    "as_of=portfolio.meta['as_of'])), call screening_scorecard(snapshot, weights=...) with the given weights and "
    "count the rows where 'passed' is True.",
    compare=screening_count_compare(),
    mistakes=lambda expected: {
        "that is a mean screening score (the criterion scores are percentile ranks, so their mean is always 50), "
        "not a number of accounts: count the rows with passed == True.": 50.0,
        "that is the share of the accounts that pass (0-1); the task asks how many pass: sum the 'passed' "
        "column.": float(expected / len(snapshot(DATASET))),
        "that is the result with equal weights; pass the weights of the task "
        "(annual purchase 0.3, profitability 0.3, credit safety 0.2, potential 0.1, cooperativeness 0.1).": (
            _passed(snapshot(DATASET), None)
        ),
        "that screens portfolio.accounts, which has no purchase history (potential spend and price "
        "sensitivity stand in for annual purchase and profitability); screen the snapshot with revenue_12m "
        "and margin_12m.": _passed(portfolio(DATASET).accounts, SCREENING_WEIGHTS),
        "that screens only the accounts that ordered in 2023; score all 200 accounts.": _passed(
            snapshot(DATASET).loc[_revenue_buyers().index], SCREENING_WEIGHTS
        ),
        "pass_score is a score on the 0-100 scale, not a number of accounts: count rows with passed == True.": 60,
    },
)
def screened_accounts() -> int:
    """Number of accounts with a weighted screening total >= 60 (weights :data:`SCREENING_WEIGHTS`)."""
    return _passed(snapshot(DATASET), SCREENING_WEIGHTS)
