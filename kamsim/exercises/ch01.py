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
from collections.abc import Mapping

import pandas as pd

from kamsim.exercises.compare import id_set, integer, number
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
    compare=number(rtol=1e-3),  # accepts an answer rounded to 3 decimals
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


def _tier_ids(value: pd.Series, potential: pd.Series, tier: str = "core") -> list[str]:
    from kamsim.analytics import value_potential_tiers

    tiers = value_potential_tiers(value, potential)
    return sorted(str(i) for i in tiers.index[(tiers == tier).to_numpy()])


@exercise(
    "01.3",
    title="The core accounts (核心客户) of the value x potential tiers",
    hint="value = 2023 revenue per account (0 if none), potential = annual_potential_spend * growth_potential, "
    "both for all 200 accounts indexed by account_id; tiers = value_potential_tiers(value, potential); keep the "
    "ids whose tier is 'core'.",
    compare=id_set("account id"),
    mistakes=lambda expected: {
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


@exercise(
    "01.4",
    title="Accounts passing the weighted five-criteria screening",
    hint="build the snapshot of all 200 accounts (account_snapshot(portfolio.accounts, portfolio.events, "
    "as_of=portfolio.meta['as_of'])), call screening_scorecard(snapshot, weights=...) with the given weights and "
    "count the rows where 'passed' is True.",
    compare=integer(),
    mistakes=lambda expected: {
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
