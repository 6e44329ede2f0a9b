"""Checks of chapter 04 (building relationships, 客户关系建立): contact frequency and relationship depth.

Expected answers are computed from the shipped, seeded portfolios with
:mod:`kamsim.analytics` (``contact_frequency``, ``relationship_depth``,
``retention_by_contact``); nothing is copied from a run.  The chapter notebook
prints the retention of the contact-frequency quartiles of ``medium``, so 04.3
bins the hours per month instead (the chapter only plots those).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio, snapshot

#: Dataset of exercises 04.1 and 04.2; 04.3 needs the larger ``medium`` portfolio (enough losses to bin).
DATASET = "small"
DATASET_RETENTION = "medium"
#: Contact measure that exercise 04.3 bins (a column of ``contact_frequency``).
MEASURE_04_3 = "hours_per_month"


def _frequency_and_tiers() -> tuple[pd.DataFrame, pd.Series]:
    from kamsim.analytics import abc_classes, contact_frequency, customer_totals

    p = portfolio(DATASET)
    freq = contact_frequency(p.events, accounts=p.accounts["account_id"])
    tiers = abc_classes(customer_totals(p.events)["revenue"])
    return freq, tiers


def _tier_mean(column: str, tier: str) -> float:
    freq, tiers = _frequency_and_tiers()
    return float(freq.loc[tiers.index[tiers == tier], column].mean())


@exercise(
    "04.1",
    title="Contacts per account-month of the A accounts",
    hint="compute contact_frequency(portfolio.events, accounts=accounts['account_id']) for the whole history, "
    "get the ABC class of each account with abc_classes(customer_totals(portfolio.events)['revenue']), keep the "
    "class-A accounts and average their 'contacts_per_month'.",
    compare=number(),
    mistakes=lambda expected: {
        "that is the mean over all accounts; keep only the class-A accounts.": float(
            _frequency_and_tiers()[0]["contacts_per_month"].mean()
        ),
        "that is the mean of the class-C accounts; the task asks for class A (the largest revenue).": _tier_mean(
            "contacts_per_month", "C"
        ),
        "that is hours per month; the task asks for contacts (visits + calls + QBRs) per month.": _tier_mean(
            "hours_per_month", "A"
        ),
        "that is the total number of interactions over 24 months; divide by the months "
        "(use 'contacts_per_month').": _tier_mean("interactions", "A"),
    },
)
def contacts_per_month_tier_a() -> float:
    """Mean contacts (visits + calls + QBRs) per account-month of the ABC class-A accounts of ``small`` (24 months)."""
    return _tier_mean("contacts_per_month", "A")


@lru_cache(maxsize=1)
def _depth() -> pd.DataFrame:
    from kamsim.analytics import relationship_depth

    p = portfolio(DATASET)
    return relationship_depth(p.events, p.accounts, p.contacts)


def _revenue_12m(account_id: str, column: str = "revenue_12m") -> float:
    """``column`` of the 12-month snapshot (same window as relationship_depth's default) of one account."""
    return float(snapshot(DATASET).loc[account_id, column])


def _mistakes_04_2(expected: float) -> dict[str, float]:
    from kamsim.analytics import customer_totals

    depth = _depth()
    deepest = str(depth["depth_index"].idxmax())
    return {
        "that is the revenue of the account with the *lowest* depth index; use idxmax, not idxmin.": _revenue_12m(
            str(depth["depth_index"].idxmin())
        ),
        "that account reaches the most buying-centre roles, but breadth is only one of the five components; "
        "rank by 'depth_index'.": _revenue_12m(str(depth["roles_reached"].idxmax())),
        "that account has the most contacts per month, but frequency is only one component; rank by "
        "'depth_index'.": _revenue_12m(str(depth["contacts_per_month"].idxmax())),
        "that account has the longest tenure, but tenure is only one component; rank by 'depth_index'.": (
            _revenue_12m(str(depth["tenure_months"].idxmax()))
        ),
        "that is the account's gross margin; the task asks for its revenue.": _revenue_12m(deepest, "margin_12m"),
        "that is its revenue over the whole 24-month history; the depth index covers the last 12 months, so take "
        "the revenue of those months (revenue_12m).": float(customer_totals(portfolio(DATASET).events)["revenue"].get(
            deepest, 0.0
        )),
        "that is the largest depth_index itself; the task asks for the revenue of that account.": float(
            depth["depth_index"].max()
        ),
    }


@exercise(
    "04.2",
    title="Revenue of the deepest relationship",
    hint="compute relationship_depth(portfolio.events, portfolio.accounts, portfolio.contacts) (default window: the "
    "last 12 months), take the account_id with the largest 'depth_index' (.idxmax()) and read its revenue_12m in "
    "account_snapshot(accounts, events, as_of=portfolio.meta['as_of']).",
    compare=number(),
    mistakes=_mistakes_04_2,
)
def deepest_relationship() -> float:
    """Revenue of the last 12 months (CU) of the ``small`` account with the largest relationship-depth index."""
    return _revenue_12m(str(_depth()["depth_index"].idxmax()))


@lru_cache(maxsize=2)
def _retention_table(measure: str = MEASURE_04_3) -> pd.DataFrame:
    from kamsim.analytics import retention_by_contact

    p = portfolio(DATASET_RETENTION)
    return retention_by_contact(p.events, p.accounts, 4, measure=measure).set_index("group")


def _overall_retention() -> float:
    from kamsim.analytics import later_churn

    p = portfolio(DATASET_RETENTION)
    return float(1.0 - later_churn(p.events, p.accounts)["churned"].mean())


@exercise(
    "04.3",
    title="Retention of the quartile with the most contact hours",
    hint="call retention_by_contact(portfolio.events, portfolio.accounts, 4, measure='hours_per_month') on the "
    "'medium' portfolio and read 'retention_rate' of the row whose group is 'Q4' (the most hours per month).",
    compare=number(),
    mistakes=lambda expected: {
        "that bins the contacts per month (the default measure, printed in the chapter); pass "
        "measure='hours_per_month'.": float(_retention_table("contacts_per_month").loc["Q4", "retention_rate"]),
        "that is the churn rate of Q4; the retention rate is 1 - churn rate.": float(
            _retention_table().loc["Q4", "churn_rate"]
        ),
        "that is the lowest quartile Q1; the task asks for the top quartile Q4.": float(
            _retention_table().loc["Q1", "retention_rate"]
        ),
        "that is the retention rate of all accounts in the analysis; keep only the Q4 row.": _overall_retention(),
    },
)
def retention_top_contact_quartile() -> float:
    """Retention rate (0-1) in the last year of ``medium`` of the top quartile of contact hours per month before."""
    return float(_retention_table().loc["Q4", "retention_rate"])
