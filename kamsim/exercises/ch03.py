"""Checks of chapter 03 (needs identification): cross-selling gaps, forecast holdout error, latent needs.

Each check computes its expected answer from the shipped ``small`` portfolio
with :mod:`kamsim.analytics.needs` and lists plausible mistakes with a
targeted hint each.  The chapter notebook prints the gaps of the whole history
and the holdout errors of a 3-month moving average, so 03.1 looks at the
orders of 2023 and 03.2 at a 6-month window.  03.4 runs the engine with the
needs model on (two seeded 12-month runs, under a second) and asks for the
cross-sell revenue that proactive discovery adds over reactive service.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import integer, number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio

#: Dataset the chapter 03 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"
#: Months kept aside at the end of the series in exercise 03.2, and the moving-average window it asks for.
HOLDOUT = 6
WINDOW = 6
#: Exercise 03.1: the size band whose gaps are analysed and the first day of the orders used (2023).
BAND_03_1 = "enterprise"
SINCE_03_1 = "2023-01-01"


def _gaps(since: str | None = SINCE_03_1) -> pd.DataFrame:
    """mix_gaps by size band (min_penetration 0.5) of the orders from ``since`` on (``None``: whole history)."""
    from kamsim.analytics import mix_gaps

    p = portfolio(DATASET)
    events = p.events if since is None else p.events[p.events["date"] >= since]
    return mix_gaps(events, p.accounts, p.products, by="size_band", min_penetration=0.5)


def _most_common(categories: pd.Series) -> str | None:
    """Most frequent label; ties broken alphabetically; ``None`` if there is none."""
    counts = categories.astype("string").value_counts()
    if counts.empty:
        return None
    top = counts[counts == counts.max()].index
    return str(sorted(top)[0])


def _prize(rows: pd.DataFrame, category: str | None = None) -> float:
    """Sum of ``peer_revenue`` (CU) of the gap rows in ``category`` (default: their most common category)."""
    category = _most_common(rows["category"]) if category is None else category
    if category is None:
        return 0.0
    return float(rows.loc[rows["category"].astype("string") == category, "peer_revenue"].sum())


def _band_gaps(since: str | None = SINCE_03_1) -> pd.DataFrame:
    gaps = _gaps(since)
    return gaps[gaps["gap"] & (gaps["size_band"] == BAND_03_1)]


def _mistakes_03_1(expected: float) -> dict[str, float]:
    gaps = _gaps()
    band = gaps[gaps["size_band"] == BAND_03_1]
    not_bought = band[~band["bought"]]
    rows = _band_gaps()
    return {
        "that category is never bought by most enterprise accounts, but their peers do not buy it either: "
        "count only rows where gap is True, not every category that was not bought.": _prize(
            not_bought, _most_common(not_bought["category"])
        ),
        "that is the most common gap over all size bands; keep only the enterprise accounts.": _prize(
            gaps[gaps["gap"]]
        ),
        "that uses the whole 24-month history; pass only the orders of 2023 (events['date'] >= '2023-01-01') "
        "to mix_gaps.": _prize(_band_gaps(None)),
        "that is the number of gaps in the category; the task asks for the peer revenue at stake: the sum of "
        "their 'peer_revenue' (CU).": float(
            (rows["category"].astype("string") == _most_common(rows["category"])).sum()
        ),
        "that is the peer revenue of every enterprise gap; keep only the rows of the most common gap "
        "category.": float(rows["peer_revenue"].sum()),
        "that is the peer revenue of one gap; add it up over every enterprise account with that gap.": float(
            rows.loc[rows["category"].astype("string") == _most_common(rows["category"]), "peer_revenue"].max()
        )
        if len(rows)
        else 0.0,
    }


@exercise(
    "03.1",
    title="Peer revenue at stake in the enterprise accounts' typical gap",
    hint="orders_2023 = events[events['date'] >= '2023-01-01']; gaps = mix_gaps(orders_2023, accounts, products, "
    "by='size_band', min_penetration=0.5); keep the rows where gap is True and size_band is 'enterprise', find "
    "the most frequent category and add up the 'peer_revenue' of its rows.",
    compare=number(),
    mistakes=_mistakes_03_1,
)
def enterprise_gap() -> float:
    """Summed peer revenue (CU) of the enterprise accounts' most common 2023 gap category (peer group: size band)."""
    return _prize(_band_gaps())


def _monthly() -> pd.Series:
    from kamsim.analytics import revenue_trend

    return revenue_trend(portfolio(DATASET).events)


def _accuracy(holdout: int = HOLDOUT, **params) -> pd.DataFrame:
    from kamsim.analytics import forecast_accuracy

    return forecast_accuracy(_monthly(), holdout, **params)


@exercise(
    "03.2",
    title="Holdout error of a 6-month moving-average forecast",
    hint="monthly = revenue_trend(portfolio.events); fit on all but the last 6 months and forecast them "
    "with forecast_revenue(..., method='moving_average', window=6) - or use holdout_forecast(monthly, 6, "
    "'moving_average', window=6) - then take the mean of the absolute errors.",
    compare=number(),
    mistakes=lambda expected: {
        "that is the error of the 3-month moving average the chapter printed; the task asks for a 6-month "
        "window (window=6).": float(_accuracy(window=3).loc["moving_average", "mae"]),
        "that is the naive forecast's error (repeat the last month); use method='moving_average'.": float(
            _accuracy().loc["naive", "mae"]
        ),
        "that is the root mean squared error; the task asks for the mean absolute error.": float(
            _accuracy(window=WINDOW).loc["moving_average", "rmse"]
        ),
        "that holds out 12 months; keep only the last 6 months aside.": float(
            _accuracy(holdout=12, window=WINDOW).loc["moving_average", "mae"]
        ),
        "that is the mean absolute percentage error (in %); the task asks for the error in CU per month.": float(
            _accuracy(window=WINDOW).loc["moving_average", "mape_pct"]
        ),
    },
)
def moving_average_mae() -> float:
    """MAE (CU per month) of a 6-month moving average forecasting the last 6 months of portfolio revenue."""
    return float(_accuracy(window=WINDOW).loc["moving_average", "mae"])


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


# ----------------------------------------------------------------------------- 03.4 the needs model

#: Exercise 03.4: share of the missing categories that are latent needs, seed and horizon of the two runs.
LATENT_PROB_03_4 = 0.5
SEED_03_4 = 3
MONTHS_03_4 = 12


def bundles_03_4() -> dict:
    """The two allocation bundles of exercise 03.4 (labels as in the student notebook)."""
    from kamsim.policies import PolicyBundle, ProactiveDiscovery, ReactiveService

    return {
        "proactive": PolicyBundle("abc", "none", ProactiveDiscovery(), name="proactive"),
        "reactive": PolicyBundle("abc", "none", ReactiveService(), name="reactive"),
    }


@lru_cache(maxsize=1)
def _runs_03_4() -> dict:
    """One seeded run per bundle with the needs model on: {label: (cross_selling table, kpis)} (cached)."""
    from kamsim.analytics import cross_selling
    from kamsim.engine import simulate
    from kamsim.scenario import Scenario

    p = portfolio(DATASET)
    scenario = Scenario(months=MONTHS_03_4, needs={"latent_prob": LATENT_PROB_03_4})
    out = {}
    for name, bundle in bundles_03_4().items():
        run = simulate(scenario, p, bundle, seed=SEED_03_4)
        out[name] = (cross_selling(run.events, p.products), run.kpis())
    return out


def _cross(name: str, column: str = "cross_sell_revenue") -> float:
    return float(_runs_03_4()[name][0][column].sum())


def _mistakes_03_4(expected: float) -> dict[str, float]:
    runs = _runs_03_4()
    return {
        "that is the cross-sell revenue of proactive discovery alone; subtract reactive service's.": _cross("proactive"),
        "that is reactive minus proactive; the task asks how much *more* proactive discovery earned.": -expected,
        "that is the difference in total revenue; keep the revenue of the categories won by cross-selling "
        "(column cross_sell_revenue).": float(runs["proactive"][1]["revenue"] - runs["reactive"][1]["revenue"]),
        "that is the difference in needs identified; the task asks for revenue (CU).": _cross(
            "proactive", "needs_identified") - _cross("reactive", "needs_identified"),
        "that is the difference in cross-sells (first orders); the task asks for their revenue (CU).": _cross(
            "proactive", "cross_sells") - _cross("reactive", "cross_sells"),
        "that is the difference in million CU; give it in CU.": expected / 1e6,
    }


@exercise(
    "03.4",
    title="The cross-sell revenue of proactive discovery",
    hint="cross_selling(run.events, products) has one row per month; sum its cross_sell_revenue for each run and "
    "subtract reactive service's total from proactive discovery's (CU over the 12 months).",
    compare=number(),
    mistakes=_mistakes_03_4,
)
def discovery_cross_sell() -> float:
    """Cross-sell revenue of proactive discovery minus reactive service (CU, 12 months, needs model on)."""
    return _cross("proactive") - _cross("reactive")
