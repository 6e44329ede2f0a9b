"""Checks of chapter 10 (case studies): concentration, credit flags and a strategy comparison on ``small_zh``.

Every expected answer is computed from the shipped ``small_zh`` portfolio (200
Chinese accounts, 24 months of CRM history) with kamsim functions; 10.3 reruns
a small, seeded comparison of four strategy bundles (4 bundles x 4
replications x 12 months, a few seconds).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import integer, number, text
from kamsim.exercises.core import exercise
from kamsim.exercises.data import best_policy, policy_table, portfolio, run_comparison, snapshot

#: Dataset the chapter 10 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small_zh"

#: Exercise 10.3: replications, seed and horizon (months) of the comparison.
REPLICATIONS_10_3 = 4
SEED_10_3 = 1
MONTHS_10_3 = 12


def bundles_10_3() -> dict:
    """The four strategy bundles of exercise 10.3, by label (fresh objects on every call)."""
    from kamsim.policies import PolicyBundle

    return {
        "status_quo": "status_quo",
        "kam_tiers": PolicyBundle("value_potential", "risk_targeted", "tier", name="kam_tiers"),
        "kam_roi": PolicyBundle("value_potential", "value_risk", "roi", name="kam_roi"),
        "screening_value": PolicyBundle("screening", "risk_targeted", "value", name="screening_value"),
    }


@lru_cache(maxsize=1)
def _credit() -> pd.DataFrame:
    from kamsim.analytics import credit_flags

    p = portfolio(DATASET)
    return credit_flags(p.accounts, p.events)


# ----------------------------------------------------------------------------------------------- 10.1
@exercise(
    "10.1",
    title="Revenue share of the largest account",
    hint="snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta['as_of']); "
    "divide the largest revenue_12m by the sum of revenue_12m.",
    compare=number(rtol=1e-3),
    mistakes=lambda expected: _mistakes_10_1(expected),
)
def top_account_share() -> float:
    """Share (0-1) of the last 12 months' revenue of ``small_zh`` that comes from its largest account."""
    revenue = snapshot(DATASET)["revenue_12m"]
    return float(revenue.max() / revenue.sum())


def _mistakes_10_1(expected: float) -> dict[str, float]:
    from kamsim.analytics import customer_totals, top_share

    snap = snapshot(DATASET)
    revenue = snap["revenue_12m"]
    totals = customer_totals(portfolio(DATASET).events)["revenue"]
    spend = snap["annual_potential_spend"]
    return {
        "that is the share of the top 20% of accounts; the task asks for the single largest account.": float(
            top_share(revenue[revenue > 0], top=0.2)
        ),
        "that uses the whole 24-month history; take revenue_12m, the 12 months before the portfolio date.": float(
            totals.max() / totals.sum()
        ),
        "that is the largest share of annual_potential_spend (what accounts could buy); use the revenue "
        "they actually placed, revenue_12m.": float(spend.max() / spend.sum()),
        "that is the margin share; the task asks for revenue.": float(
            snap["margin_12m"].max() / snap["margin_12m"].sum()
        ),
        "that is the second-largest account; sort from largest to smallest and take the first.": float(
            revenue.nlargest(2).iloc[1] / revenue.sum()
        ),
    }


# ----------------------------------------------------------------------------------------------- 10.2
@exercise(
    "10.2",
    title="Accounts flagged for credit review",
    hint="credit = credit_flags(portfolio.accounts, portfolio.events) with its default settings; count the rows "
    "whose 'flag' is True (poor credit AND large exposure).",
    compare=integer(),
    mistakes=lambda expected: _mistakes_10_2(expected),
)
def credit_flagged_accounts() -> int:
    """Number of ``small_zh`` accounts that ``credit_flags`` flags with its default settings."""
    return int(_credit()["flag"].sum())


def _mistakes_10_2(expected: int) -> dict[str, int]:
    from kamsim.analytics import credit_flags

    p = portfolio(DATASET)
    credit = _credit()
    wider = credit_flags(p.accounts, p.events, exposure_days=90, exposure_quantile=0.7)
    return {
        "that counts every account with poor credit; a flag also needs a large exposure.": int(
            credit["poor_credit"].sum()
        ),
        "that counts every account with a large exposure; a flag also needs poor credit.": int(
            credit["large_exposure"].sum()
        ),
        "that uses exposure_quantile=0.7 (chapter 02); keep the default settings (top 20% of exposure).": int(
            wider["flag"].sum()
        ),
        "that counts only the ratings B and CCC; poor credit also includes a default probability of 5% or "
        "more, and a flag needs a large exposure too.": int(p.accounts["credit_rating"].isin(["B", "CCC"]).sum()),
    }


# ----------------------------------------------------------------------------------------------- 10.3
@lru_cache(maxsize=1)
def _paired_10_3() -> pd.DataFrame:
    """Mean paired differences vs status_quo of the exercise 10.3 comparison (index policy, columns kpi)."""
    from kamsim.scenario import Scenario

    comp = run_comparison(
        Scenario(months=MONTHS_10_3), bundles_10_3(), dataset=DATASET, replications=REPLICATIONS_10_3, seed=SEED_10_3
    )
    return policy_table(comp.paired(), "diff_mean")


def _best(kpi: str, largest: bool = True) -> str:
    return best_policy(_paired_10_3(), kpi, largest)


def _mistakes_10_3(expected: str) -> dict[str, str]:
    return {
        "status_quo is the baseline: its paired difference is 0 by definition. Which bundle beats it?": "status_quo",
        "that bundle brings the most extra revenue, but net margin counts margin, not revenue, and subtracts "
        "the retention cost; compare the net_margin rows.": _best("revenue"),
        "that bundle lowers churn the most, but the task asks about net margin.": _best("churn_rate", largest=False),
        "that bundle has the *lowest* net-margin difference; take the highest.": _best("net_margin", largest=False),
    }


@exercise(
    "10.3",
    title="Which strategy bundle wins on net margin?",
    hint="comparison.paired() has one row per bundle and KPI; keep kpi == 'net_margin' and take the policy with "
    "the largest diff_mean.",
    compare=text(),
    mistakes=_mistakes_10_3,
)
def best_bundle_net_margin() -> str:
    """Bundle label with the highest mean paired net-margin difference vs status_quo in exercise 10.3."""
    return _best("net_margin")


# ----------------------------------------------------------------------------------------------- 10.4
@exercise(
    "10.4",
    title="The largest account's share of expected credit loss",
    hint="credit = credit_flags(portfolio.accounts, portfolio.events); take the expected_loss of the account "
    "with the largest revenue_12m and divide it by the sum of expected_loss over all accounts.",
    compare=number(rtol=1e-3),
    mistakes=lambda expected: _mistakes_10_4(expected),
)
def top_account_loss_share() -> float:
    """Share (0-1) of the portfolio's expected credit loss carried by ``small_zh``'s largest account."""
    credit = _credit()
    top = snapshot(DATASET)["revenue_12m"].idxmax()
    return float(credit.loc[top, "expected_loss"] / credit["expected_loss"].sum())


def _mistakes_10_4(expected: float) -> dict[str, float]:
    credit = _credit()
    snap = snapshot(DATASET)
    top = snap["revenue_12m"].idxmax()
    return {
        "that is its share of the open exposure; expected loss weighs the exposure by the probability of "
        "default (use expected_loss).": float(credit.loc[top, "exposure"] / credit["exposure"].sum()),
        "that is its share of revenue; the task asks for the share of expected credit loss.": float(
            snap.loc[top, "revenue_12m"] / snap["revenue_12m"].sum()
        ),
        "that is its share of the summed default probabilities (credit_risk); use expected_loss = credit_risk "
        "x exposure.": float(credit.loc[top, "credit_risk"] / credit["credit_risk"].sum()),
        "that is the expected loss in thousand CU; give the share of the total (0-1).": float(
            credit.loc[top, "expected_loss"] / 1e3
        ),
    }


__all__ = ["DATASET", "MONTHS_10_3", "REPLICATIONS_10_3", "SEED_10_3", "bundles_10_3"]
