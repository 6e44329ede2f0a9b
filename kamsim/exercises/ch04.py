"""Checks of chapter 04 (building relationships, 客户关系建立): contact frequency and relationship depth.

Expected answers are computed from the shipped, seeded portfolios with
:mod:`kamsim.analytics` (``contact_frequency``, ``relationship_depth``,
``retention_by_contact``); nothing is copied from a run.
"""

from __future__ import annotations

import pandas as pd

from kamsim.exercises.compare import number, text
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio

#: Dataset of exercises 04.1 and 04.2; 04.3 needs the larger ``medium`` portfolio (enough losses to bin).
DATASET = "small"
DATASET_RETENTION = "medium"


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
    compare=number(rtol=1e-4),
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


def _depth() -> pd.DataFrame:
    from kamsim.analytics import relationship_depth

    p = portfolio(DATASET)
    return relationship_depth(p.events, p.accounts, p.contacts)


@exercise(
    "04.2",
    title="The deepest relationship",
    hint="compute relationship_depth(portfolio.events, portfolio.accounts, portfolio.contacts) (default window: the "
    "last 12 months) and take the account_id with the largest 'depth_index' (.idxmax()).",
    compare=text(case_sensitive=True),
    mistakes=lambda expected: {
        "that is the account with the *lowest* depth index; use idxmax, not idxmin.": str(
            _depth()["depth_index"].idxmin()
        ),
        "that account reaches the most buying-centre roles, but breadth is only one of the five components; "
        "rank by 'depth_index'.": str(_depth()["roles_reached"].idxmax()),
        "that account has the most contacts per month, but frequency is only one component; rank by "
        "'depth_index'.": str(_depth()["contacts_per_month"].idxmax()),
    },
)
def deepest_relationship() -> str:
    """``account_id`` with the largest relationship-depth index of ``small`` (last 12 months)."""
    return str(_depth()["depth_index"].idxmax())


def _retention_table() -> pd.DataFrame:
    from kamsim.analytics import retention_by_contact

    p = portfolio(DATASET_RETENTION)
    return retention_by_contact(p.events, p.accounts, 4)


def _overall_retention() -> float:
    from kamsim.analytics import later_churn

    p = portfolio(DATASET_RETENTION)
    return float(1.0 - later_churn(p.events, p.accounts)["churned"].mean())


@exercise(
    "04.3",
    title="Retention of the most-contacted quartile",
    hint="call retention_by_contact(portfolio.events, portfolio.accounts, 4) on the 'medium' portfolio and read "
    "'retention_rate' of the row whose group is 'Q4' (the highest contact frequency).",
    compare=number(rtol=1e-4),
    mistakes=lambda expected: {
        "that is the churn rate of Q4; the retention rate is 1 - churn rate.": float(
            _retention_table().set_index("group").loc["Q4", "churn_rate"]
        ),
        "that is the lowest quartile Q1; the task asks for the top quartile Q4.": float(
            _retention_table().set_index("group").loc["Q1", "retention_rate"]
        ),
        "that is the retention rate of all accounts in the analysis; keep only the Q4 row.": _overall_retention(),
    },
)
def retention_top_contact_quartile() -> float:
    """Retention rate (0-1) in the last 12 months of ``medium`` of the top quartile of contacts per month before."""
    return float(_retention_table().set_index("group").loc["Q4", "retention_rate"])
