"""Checks of chapter 09 (performance evaluation): ROI per tier, revenue per hour, targets, incentive side effects.

Every expected answer is computed from the shipped ``small`` portfolio (24 months
of CRM history: 2022 = months -24..-13, 2023 = months -12..-1) with kamsim
functions; 09.3 reruns a small, seeded comparison (2 policies x 5 replications x
12 months, about two seconds).  09.2 and 09.3 ask for the number that belongs to
the right manager or KPI (a label could be guessed).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import id_set, number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio, run_comparison

#: Dataset the chapter 09 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"

#: Plan date: tiers and targets of 2023 are set from the 12 months before it.
PLAN_DATE = "2023-01-01"

#: Exercise 09.3: KPIs judged, replications, seed and horizon of the comparison.
KPIS_09_3 = ["revenue", "margin", "churn_rate", "mean_satisfaction"]
REPLICATIONS_09_3 = 5
SEED_09_3 = 9
MONTHS_09_3 = 12

#: Exercise 09.4: relative growth targets on 2022 and the satisfaction level.
GROWTH_09_4 = 0.10
SATISFACTION_09_4 = 7.8


def revenue_only_bundle():
    """The behaviour a revenue-only bonus rewards: hours in proportion to 12-month revenue, no retention."""
    from kamsim.policies import NoRetention, PolicyBundle, ValueProportionalAllocation

    return PolicyBundle("abc", NoRetention(), ValueProportionalAllocation(floor_share=0.0), name="revenue_only")


def _years() -> tuple[pd.DataFrame, pd.DataFrame]:
    events = portfolio(DATASET).events
    return events[events["month"] < -12], events[events["month"] >= -12]


@lru_cache(maxsize=2)
def _accounts_with_tiers(as_of: str = PLAN_DATE) -> pd.DataFrame:
    """``accounts`` plus the ABC tier by revenue of the 12 months before ``as_of``."""
    from kamsim.analytics import abc_classes, account_snapshot

    p = portfolio(DATASET)
    snap = account_snapshot(p.accounts, p.events, as_of=as_of)
    return p.accounts.assign(tier=p.accounts["account_id"].map(abc_classes(snap["revenue_12m"])))


def _tier_card(events: pd.DataFrame, as_of: str = PLAN_DATE) -> pd.DataFrame:
    from kamsim.analytics import kpi_scorecard

    return kpi_scorecard(events, _accounts_with_tiers(as_of), by="tier").set_index("tier")


@exercise(
    "09.1",
    title="ROI of KAM effort in tier B",
    hint="tiers: abc_classes(account_snapshot(accounts, events, as_of='2023-01-01')['revenue_12m']); "
    "put them in accounts['tier'], then kpi_scorecard(2023 events, accounts, by='tier') and read the 'roi' of B.",
    compare=number(),
    mistakes=lambda expected: _mistakes_09_1(expected),
)
def roi_tier_b() -> float:
    """Gross ROI of KAM effort of tier B in 2023 (``small``; tiers by 2022 revenue)."""
    return float(_tier_card(_years()[1]).loc["B", "roi"])


def _mistakes_09_1(expected: float) -> dict[str, float]:
    from kamsim.analytics import kpi_scorecard

    p = portfolio(DATASET)
    year = _years()[1]
    card = _tier_card(year)
    b = card.loc["B"]
    return {
        "that is margin / effort cost; ROI subtracts the cost first: (margin - cost) / cost.": float(
            b["margin"] / b["effort_cost"]
        ),
        "that uses revenue; the return on effort is the margin we keep, not the revenue.": float(
            (b["revenue"] - b["effort_cost"]) / b["effort_cost"]
        ),
        "that is the ROI of tier A; the task asks for tier B.": float(card.loc["A", "roi"]),
        "that is the ROI of all accounts together; group by tier (by='tier').": float(
            kpi_scorecard(year, p.accounts, by=None)["roi"].iloc[0]
        ),
        "that covers both years of the log; keep only 2023 (months -12 .. -1).": float(
            _tier_card(p.events).loc["B", "roi"]
        ),
        "those tiers come from the 2023 revenue (as_of the portfolio date); the plan graded accounts on "
        "1 January 2023 by their 2022 revenue.": float(_tier_card(year, p.meta["as_of"]).loc["B", "roi"]),
    }


def _manager_card(events: pd.DataFrame) -> pd.DataFrame:
    from kamsim.analytics import kpi_scorecard

    return kpi_scorecard(events, portfolio(DATASET).accounts, by="manager_id").set_index("manager_id")


def _per_hour(card: pd.DataFrame, column: str = "revenue") -> pd.Series:
    return card[column] / card["effort_hours"]


@exercise(
    "09.2",
    title="The highest revenue per hour of a manager",
    hint="kpi_scorecard(2023 events, accounts, by='manager_id'); divide 'revenue' by 'effort_hours' and take the "
    "largest value (the manager with the most revenue per hour, CU/h).",
    compare=number(),
    mistakes=lambda expected: _mistakes_09_2(expected),
)
def best_revenue_per_hour() -> float:
    """Largest 2023 revenue per hour of recorded effort (CU/h) among the managers of ``small``."""
    return float(_per_hour(_manager_card(_years()[1])).max())


def _mistakes_09_2(expected: float) -> dict[str, float]:
    card = _manager_card(_years()[1])
    per_hour = _per_hour(card)
    return {
        "that is the revenue per hour of the manager with the highest ROI (margin-based); the task asks for the "
        "highest revenue per effort hour.": float(per_hour[card["roi"].idxmax()]),
        "that is margin per hour; use revenue.": float(_per_hour(card, "margin").max()),
        "that is the *lowest* revenue per hour; take the largest.": float(per_hour.min()),
        "that is revenue per account; divide by effort_hours instead.": float(
            (card["revenue"] / card["accounts"]).max()
        ),
        "that is revenue per CU of effort cost; divide by effort_hours (hours, not CU).": float(
            (card["revenue"] / card["effort_cost"]).max()
        ),
        "that covers both years of the log; keep only 2023 (months -12 .. -1).": float(
            _per_hour(_manager_card(portfolio(DATASET).events)).max()
        ),
        "that is the revenue per hour of the whole team; compare the managers one by one.": float(
            card["revenue"].sum() / card["effort_hours"].sum()
        ),
    }


@lru_cache(maxsize=1)
def _comparison_09_3() -> pd.DataFrame:
    """Paired differences (rel_diff_pct) of revenue_only vs status_quo in exercise 09.3 (index kpi)."""
    from kamsim.scenario import Scenario

    comp = run_comparison(
        Scenario(months=MONTHS_09_3),
        {"status_quo": "status_quo", "revenue_only": revenue_only_bundle()},
        dataset=DATASET,
        replications=REPLICATIONS_09_3,
        seed=SEED_09_3,
    )
    paired = comp.paired()
    return paired[paired["kpi"].isin(KPIS_09_3)].set_index("kpi").reindex(KPIS_09_3)


def _worsening_pct() -> pd.Series:
    """How much worse each KPI is under revenue_only, in % of status_quo (positive = worse)."""
    from kamsim.analytics.targets import KPI_DIRECTIONS

    rel = _comparison_09_3()["rel_diff_pct"]
    return -rel * pd.Series({k: KPI_DIRECTIONS[k] for k in KPIS_09_3})


@exercise(
    "09.3",
    title="How much worse the KPI a revenue-only incentive hurts most gets",
    hint="comparison.paired() gives rel_diff_pct (% of status_quo) per KPI; a rise is bad for churn_rate "
    "(lower is better) and a fall is bad for the other three. Find the KPI that got worse by the largest "
    "percentage and give that worsening as a positive number of percent.",
    compare=number(),
    mistakes=lambda expected: _mistakes_09_3(expected),
)
def most_hurt_kpi() -> float:
    """Largest worsening (% of status_quo, positive) of revenue, margin, churn_rate or mean_satisfaction."""
    return float(_worsening_pct().max())


def _mistakes_09_3(expected: float) -> dict[str, float]:
    paired = _comparison_09_3()
    worse = _worsening_pct()
    return {
        "that is how much the KPI with the most negative rel_diff_pct got worse, but for churn_rate a *rise* is "
        "the bad direction; turn the sign of churn_rate around before comparing.": float(
            -paired["rel_diff_pct"].min()
        ),
        "that is the most negative rel_diff_pct itself; for churn_rate a rise is the bad direction, and give the "
        "worsening as a positive number.": float(paired["rel_diff_pct"].min()),
        "give the worsening as a positive percentage of status_quo.": -expected,
        "that is a share of status_quo; give it in percent (rel_diff_pct).": expected / 100.0,
        "that is the change in the KPI's own units (diff_mean); the task asks for the change in % of status_quo "
        "(rel_diff_pct).": float(abs(paired.loc[worse.idxmax(), "diff_mean"])),
        "that is the change of revenue, the KPI the incentive pays for; did it get worse? Look for the KPI that "
        "moved most in the bad direction.": float(paired.loc["revenue", "rel_diff_pct"]),
        "that is how much margin changed; it moved with revenue. Look for the KPI that moved most in the bad "
        "direction.": float(paired.loc["margin", "rel_diff_pct"]),
    }


def _review_09_4(growth: float = GROWTH_09_4) -> pd.DataFrame:
    from kamsim.analytics import kpi_scorecard, kpi_targets, target_attainment

    last, this = _years()
    accounts = portfolio(DATASET).accounts
    plan = kpi_scorecard(last, accounts, by="manager_id")
    actual = kpi_scorecard(this, accounts, by="manager_id")
    targets = kpi_targets(plan, by="manager_id", change={"revenue": growth, "margin": growth},
                          level={"satisfaction": SATISFACTION_09_4})
    return target_attainment(actual, targets, by="manager_id")


@exercise(
    "09.4",
    title="Managers who met all their 2023 targets",
    hint="targets = kpi_targets(2022 scorecard by manager_id, by='manager_id', change={'revenue': 0.1, "
    "'margin': 0.1}, level={'satisfaction': 7.8}); review = target_attainment(2023 scorecard, targets, "
    "by='manager_id'); keep the managers whose 'met' is True for every KPI.",
    compare=id_set("manager id"),
    mistakes=lambda expected: _mistakes_09_4(expected),
)
def managers_on_target() -> list[str]:
    """Managers of ``small`` meeting the revenue, margin and satisfaction targets of 2023."""
    met = _review_09_4().groupby("manager_id")["met"].all()
    return sorted(str(m) for m in met[met].index)


def _mistakes_09_4(expected: list[str]) -> dict[str, list[str]]:
    review = _review_09_4()
    met = review.groupby("manager_id")["met"]

    def ids(mask: pd.Series) -> list[str]:
        return sorted(str(m) for m in mask[mask].index)

    no_growth = _review_09_4(growth=0.0).groupby("manager_id")["met"].all()
    revenue = review[review["kpi"] == "revenue"].set_index("manager_id")["met"]
    return {
        "those met at least one target; keep the managers who met all three.": ids(met.any()),
        "those met the revenue target only; the margin and satisfaction targets count too.": ids(revenue),
        "those are the managers who missed a target; the task asks for the ones who met all three.": ids(~met.all()),
        "the revenue and margin targets are 10% above each manager's own 2022 figures (change=0.1), not equal "
        "to them.": ids(no_growth),
    }


__all__ = ["DATASET", "KPIS_09_3", "PLAN_DATE", "revenue_only_bundle"]
