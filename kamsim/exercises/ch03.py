"""Checks of chapter 03 (needs identification): cross-selling gaps, forecast holdout error, latent needs.

Each check computes its expected answer from the shipped ``small`` portfolio
with :mod:`kamsim.analytics.needs` and lists plausible mistakes with a
targeted hint each.
"""

from __future__ import annotations

import pandas as pd

from kamsim.exercises.compare import integer, number, text
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio

#: Dataset the chapter 03 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"
#: Months kept aside at the end of the series in exercise 03.2.
HOLDOUT = 6


def _gaps() -> pd.DataFrame:
    from kamsim.analytics import mix_gaps

    p = portfolio(DATASET)
    return mix_gaps(p.events, p.accounts, p.products, by="size_band", min_penetration=0.5)


def _most_common(categories: pd.Series) -> str:
    """Most frequent label; ties broken alphabetically (value_counts is stable after sorting)."""
    counts = categories.astype("string").value_counts()
    top = counts[counts == counts.max()].index
    return str(sorted(top)[0])


@exercise(
    "03.1",
    title="The typical cross-selling gap of enterprise accounts",
    hint="run mix_gaps(portfolio.events, portfolio.accounts, portfolio.products, by='size_band', "
    "min_penetration=0.5), keep the rows where gap is True and size_band is 'enterprise', and find the most "
    "frequent category.",
    compare=text(),
    mistakes=lambda expected: {
        "that category is never bought by most enterprise accounts, but their peers do not buy it either: "
        "count only rows where gap is True, not every category that was not bought.": _most_common(
            _gaps().query("size_band == 'enterprise' and not bought")["category"]
        ),
        "that is the most common gap over all size bands; keep only the enterprise accounts.": _most_common(
            _gaps().query("gap")["category"]
        ),
    },
)
def enterprise_gap() -> str:
    """Product category most often flagged as a gap among enterprise accounts (peer group: size band)."""
    return _most_common(_gaps().query("gap and size_band == 'enterprise'")["category"])


def _monthly() -> pd.Series:
    from kamsim.analytics import revenue_trend

    return revenue_trend(portfolio(DATASET).events)


def _accuracy(holdout: int = HOLDOUT, **params) -> pd.DataFrame:
    from kamsim.analytics import forecast_accuracy

    return forecast_accuracy(_monthly(), holdout, **params)


@exercise(
    "03.2",
    title="Holdout error of a moving-average forecast",
    hint="monthly = revenue_trend(portfolio.events); fit on all but the last 6 months and forecast them "
    "with forecast_revenue(..., method='moving_average', window=3) - or use holdout_forecast(monthly, 6, "
    "'moving_average', window=3) - then take the mean of the absolute errors.",
    compare=number(rtol=1e-4),
    mistakes=lambda expected: {
        "that is the naive forecast's error (repeat the last month); use method='moving_average'.": float(
            _accuracy().loc["naive", "mae"]
        ),
        "that is the root mean squared error; the task asks for the mean absolute error.": float(
            _accuracy().loc["moving_average", "rmse"]
        ),
        "that moving average uses 6 months; the task asks for a 3-month window.": float(
            _accuracy(window=6).loc["moving_average", "mae"]
        ),
        "that holds out 12 months; keep only the last 6 months aside.": float(
            _accuracy(holdout=12).loc["moving_average", "mae"]
        ),
    },
)
def moving_average_mae() -> float:
    """MAE (CU per month) of a 3-month moving average forecasting the last 6 months of portfolio revenue."""
    return float(_accuracy(window=3).loc["moving_average", "mae"])


def _mix() -> pd.DataFrame:
    from kamsim.analytics import product_mix

    p = portfolio(DATASET)
    return product_mix(p.events, p.products)


def _software_buyers() -> list[str]:
    mix = _mix()
    return list(mix.index[mix["software"] > 0])


def _innovation_ids() -> pd.Series:
    accounts = portfolio(DATASET).accounts
    return accounts.loc[accounts["needs_profile"] == "innovation", "account_id"].astype("string")


def _without_software(ids: pd.Series) -> int:
    return int((~ids.isin(_software_buyers())).sum())


@exercise(
    "03.3",
    title="Innovation-minded accounts that never bought software",
    hint="take the accounts whose needs_profile is 'innovation' and count those without any order of a "
    "product in the 'software' category in portfolio.events (accounts without any order count too).",
    compare=integer(),
    mistakes=lambda expected: {
        "that is every innovation account; remove those that did buy software.": len(_innovation_ids()),
        "that leaves out the innovation accounts that never ordered anything (prospects, lost accounts): they "
        "never bought software either.": _without_software(
            _innovation_ids()[_innovation_ids().isin(list(_mix().index))]
        ),
        "that counts every account without software; keep only the innovation profile.": _without_software(
            portfolio(DATASET).accounts["account_id"].astype("string")
        ),
    },
)
def innovation_without_software() -> int:
    """Accounts with needs_profile 'innovation' that have no software order in the history."""
    return _without_software(_innovation_ids())
