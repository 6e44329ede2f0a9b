"""Checks of chapter 10 (case studies): concentration, credit flags and a strategy comparison on ``small_zh``.

Every expected answer is computed from the shipped ``small_zh`` portfolio (200
Chinese accounts, 24 months of CRM history) with kamsim functions; 10.3 reruns
a small, seeded comparison of four strategy bundles (4 bundles x 4
replications x 12 months, a few seconds).  The chapter notebook prints the
largest account's revenue share and share of expected credit loss and the
number of flagged accounts, so 10.1 and 10.4 ask about the five largest
accounts and 10.2 about the exposure of the flagged ones.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import best_policy, policy_table, portfolio, run_comparison, snapshot

#: Dataset the chapter 10 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small_zh"

#: Exercises 10.1 and 10.4: the number of largest accounts (by revenue_12m) whose share is asked for.
TOP_N = 5

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


def _top_ids(n: int = TOP_N, column: str = "revenue_12m") -> pd.Index:
    """Ids of the ``n`` accounts of ``small_zh`` with the largest ``column`` of the snapshot."""
    return snapshot(DATASET)[column].nlargest(n).index


# ----------------------------------------------------------------------------------------------- 10.1
@exercise(
    "10.1",
    title="Revenue share of the five largest accounts",
    hint="snap = account_snapshot(portfolio.accounts, portfolio.events, as_of=portfolio.meta['as_of']); "
    "add up the 5 largest values of revenue_12m (.nlargest(5)) and divide by the sum of revenue_12m.",
    compare=number(),
    mistakes=lambda expected: _mistakes_10_1(expected),
)
def top_account_share() -> float:
    """Share (0-1) of the last 12 months' revenue of ``small_zh`` that comes from its five largest accounts."""
    revenue = snapshot(DATASET)["revenue_12m"]
    return float(revenue.nlargest(TOP_N).sum() / revenue.sum())


def _mistakes_10_1(expected: float) -> dict[str, float]:
    from kamsim.analytics import customer_totals, top_share

    snap = snapshot(DATASET)
    revenue = snap["revenue_12m"]
    totals = customer_totals(portfolio(DATASET).events)["revenue"]
    spend = snap["annual_potential_spend"]
    margin = snap["margin_12m"]
    return {
        "that is the share of the single largest account (printed in the chapter); add up the five largest.": float(
            revenue.max() / revenue.sum()
        ),
        "that is the share of the top 20% of accounts; the task asks for the five largest accounts.": float(
            top_share(revenue[revenue > 0], top=0.2)
        ),
        "that uses the whole 24-month history; take revenue_12m, the 12 months before the portfolio date.": float(
            totals.nlargest(TOP_N).sum() / totals.sum()
        ),
        "that is the share of annual_potential_spend (what accounts could buy); use the revenue they actually "
        "placed, revenue_12m.": float(spend.nlargest(TOP_N).sum() / spend.sum()),
        "that is the margin share; the task asks for revenue.": float(margin.nlargest(TOP_N).sum() / margin.sum()),
        "those are the first five rows of the table, not the five largest: sort by revenue_12m (or use "
        ".nlargest(5)) first.": float(revenue.head(TOP_N).sum() / revenue.sum()),
        "those are the five smallest accounts; take the largest.": float(
            revenue.nsmallest(TOP_N).sum() / revenue.sum()
        ),
        "that is the share of the next four accounts without the largest one; include the largest.": float(
            revenue.nlargest(TOP_N).iloc[1:].sum() / revenue.sum()
        ),
    }


# ----------------------------------------------------------------------------------------------- 10.2
@exercise(
    "10.2",
    title="Exposure of the accounts flagged for credit review",
    hint="credit = credit_flags(portfolio.accounts, portfolio.events) with its default settings; add up the "
    "'exposure' of the rows whose 'flag' is True (poor credit AND large exposure).",
    compare=number(),
    mistakes=lambda expected: _mistakes_10_2(expected),
)
def credit_flagged_accounts() -> float:
    """Total exposure (CU, revenue of the last 90 days) of the ``small_zh`` accounts flagged by ``credit_flags``."""
    credit = _credit()
    return float(credit.loc[credit["flag"], "exposure"].sum())


def _mistakes_10_2(expected: float) -> dict[str, float]:
    from kamsim.analytics import credit_flags

    p = portfolio(DATASET)
    credit = _credit()
    wider = credit_flags(p.accounts, p.events, exposure_days=90, exposure_quantile=0.7)
    poor = p.accounts["credit_rating"].isin(["B", "CCC"]).to_numpy()
    return {
        "that is the exposure of every account with poor credit; a flag also needs a large exposure.": float(
            credit.loc[credit["poor_credit"], "exposure"].sum()
        ),
        "that is the exposure of every account with a large exposure; a flag also needs poor credit.": float(
            credit.loc[credit["large_exposure"], "exposure"].sum()
        ),
        "that uses exposure_quantile=0.7 (chapter 02); keep the default settings (top 20% of exposure).": float(
            wider.loc[wider["flag"], "exposure"].sum()
        ),
        "that is the expected loss of the flagged accounts (credit_risk x exposure); the task asks for their "
        "exposure.": float(credit.loc[credit["flag"], "expected_loss"].sum()),
        "that is the number of flagged accounts; the task asks for their total exposure in CU.": float(
            credit["flag"].sum()
        ),
        "that is the exposure of the whole portfolio; keep only the flagged accounts.": float(
            credit["exposure"].sum()
        ),
        "that counts only the ratings B and CCC as poor credit; a default probability of 5% or more counts too "
        "(use the 'flag' column).": float(credit.loc[poor & credit["large_exposure"].to_numpy(), "exposure"].sum()),
    }


# ----------------------------------------------------------------------------------------------- 10.3
@lru_cache(maxsize=1)
def _run_10_3():
    """The seeded comparison of exercise 10.3 (a :class:`kamsim.experiment.Comparison`)."""
    from kamsim.scenario import Scenario

    return run_comparison(
        Scenario(months=MONTHS_10_3), bundles_10_3(), dataset=DATASET, replications=REPLICATIONS_10_3, seed=SEED_10_3
    )


def _paired_10_3() -> pd.DataFrame:
    """Mean paired differences vs status_quo of the exercise 10.3 comparison (index policy, columns kpi)."""
    return policy_table(_run_10_3().paired(), "diff_mean")


def _best(kpi: str, largest: bool = True) -> str:
    return best_policy(_paired_10_3(), kpi, largest)


def _diff(bundle: str, kpi: str = "net_margin") -> float:
    return float(_paired_10_3().loc[bundle, kpi])


def _mistakes_10_3(expected: float) -> dict[str, float]:
    table = _paired_10_3()
    best = _best("net_margin")
    means = policy_table(_run_10_3().summary(), "mean")
    mistakes = {
        "status_quo is the baseline: its paired difference is 0 by definition. Which bundle beats it?": 0.0,
        "that is the largest extra revenue; net margin counts margin, not revenue, and subtracts the retention "
        "cost: read the net_margin rows.": float(table["revenue"].max()),
        "that is the gross-margin difference of the best bundle; net margin also subtracts the retention "
        "cost.": _diff(best, "margin"),
        "that is the best bundle's mean net margin over the run; the task asks for its paired difference against "
        "status_quo (diff_mean of comparison.paired()).": float(means.loc[best, "net_margin"]),
        f"that is the net-margin difference of the bundle that lowers churn the most ({_best('churn_rate', False)}); "
        "the task asks about net margin.": _diff(_best("churn_rate", largest=False)),
        "that is the *lowest* net-margin difference; take the highest.": float(table["net_margin"].min()),
        "that is the difference in million CU; give it in CU.": expected / 1e6,
    }
    for bundle in table.index:
        if bundle != best:
            mistakes[f"that is the net-margin difference of {bundle}; another bundle gains more."] = _diff(bundle)
    return mistakes


@exercise(
    "10.3",
    title="The net-margin gain of the winning strategy bundle",
    hint="comparison.paired() has one row per bundle and KPI; keep kpi == 'net_margin', find the bundle with the "
    "largest diff_mean and give that diff_mean (CU over the 12 months).",
    compare=number(),
    mistakes=_mistakes_10_3,
)
def best_bundle_net_margin() -> float:
    """Highest mean paired net-margin difference (CU, 12 months) vs status_quo of the bundles in exercise 10.3."""
    return _diff(_best("net_margin"))


# ----------------------------------------------------------------------------------------------- 10.4
def _share(column: str, ids: pd.Index | None = None) -> float:
    """Share (0-1) of the ``credit_flags`` column held by the accounts ``ids`` (default: the five largest)."""
    credit = _credit()
    ids = _top_ids() if ids is None else ids
    return float(credit.loc[ids, column].sum() / credit[column].sum())


@exercise(
    "10.4",
    title="The five largest accounts' share of expected credit loss",
    hint="credit = credit_flags(portfolio.accounts, portfolio.events); take the 5 accounts with the largest "
    "revenue_12m (the accounts of 10.1), add up their expected_loss and divide by the sum of expected_loss over "
    "all accounts.",
    compare=number(),
    mistakes=lambda expected: _mistakes_10_4(expected),
)
def top_account_loss_share() -> float:
    """Share (0-1) of the portfolio's expected credit loss carried by ``small_zh``'s five largest accounts."""
    return _share("expected_loss")


def _mistakes_10_4(expected: float) -> dict[str, float]:
    credit = _credit()
    snap = snapshot(DATASET)
    top = _top_ids()
    return {
        "that is the share of the single largest account (printed in the chapter); add up the five largest "
        "accounts of 10.1.": _share("expected_loss", _top_ids(1)),
        "that is their share of the open exposure; expected loss weighs the exposure by the probability of "
        "default (use expected_loss).": _share("exposure"),
        "that is their share of revenue (10.1); the task asks for the share of expected credit loss.": float(
            snap.loc[top, "revenue_12m"].sum() / snap["revenue_12m"].sum()
        ),
        "that is their share of the summed default probabilities (credit_risk); use expected_loss = credit_risk "
        "x exposure.": _share("credit_risk"),
        "those are the five accounts with the largest expected loss; the task asks about the five largest "
        "accounts by revenue_12m.": float(
            credit["expected_loss"].nlargest(TOP_N).sum() / credit["expected_loss"].sum()
        ),
        "that is their expected loss in thousand CU; give the share of the total (0-1).": float(
            credit.loc[top, "expected_loss"].sum() / 1e3
        ),
    }


__all__ = ["DATASET", "MONTHS_10_3", "REPLICATIONS_10_3", "SEED_10_3", "TOP_N", "bundles_10_3"]
