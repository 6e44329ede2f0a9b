"""Reference solutions of exercises/03_needs_identification.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import holdout_forecast, mix_gaps, product_mix, revenue_trend


def ex_03_1():
    """03.1: peer revenue (CU) of the enterprise accounts' most common cross-selling gap in the orders of 2023."""
    portfolio = kamsim.datasets.load("small")
    events = portfolio.events
    orders_2023 = events[events["date"] >= "2023-01-01"]
    gaps = mix_gaps(orders_2023, portfolio.accounts, portfolio.products, by="size_band", min_penetration=0.5)
    enterprise_gaps = gaps[gaps["gap"] & (gaps["size_band"] == "enterprise")]
    counts = enterprise_gaps["category"].value_counts()
    category = sorted(counts[counts == counts.max()].index)[0]  # ties: the first in alphabetical order
    answer = enterprise_gaps.loc[enterprise_gaps["category"] == category, "peer_revenue"].sum()
    return answer


def ex_03_2():
    """03.2: holdout MAE (CU per month) of a 6-month moving average over the last 6 months of revenue."""
    portfolio = kamsim.datasets.load("small")
    monthly = revenue_trend(portfolio.events)
    backtest = holdout_forecast(monthly, 6, "moving_average", window=6)
    answer = backtest["abs_error"].mean()
    return answer


def ex_03_3():
    """03.3: accounts whose needs_profile is 'innovation' but which never ordered a software product."""
    portfolio = kamsim.datasets.load("small")
    mix = product_mix(portfolio.events, portfolio.products)
    software_buyers = mix.index[mix["software"] > 0]
    accounts = portfolio.accounts
    innovation = accounts[accounts["needs_profile"] == "innovation"]
    answer = (~innovation["account_id"].isin(software_buyers)).sum()
    return answer


def ex_03_4():
    """03.4: cross-sell revenue (CU, 12 months) of proactive discovery minus reactive service, needs model on."""
    from kamsim.analytics import cross_selling
    from kamsim.policies import PolicyBundle, ProactiveDiscovery, ReactiveService

    portfolio = kamsim.datasets.load("small")
    scenario = kamsim.Scenario(months=12, needs={"latent_prob": 0.5})
    won = {}
    for name, allocation in (("proactive", ProactiveDiscovery()), ("reactive", ReactiveService())):
        run = kamsim.simulate(scenario, portfolio, PolicyBundle("abc", "none", allocation, name=name), seed=3)
        won[name] = cross_selling(run.events, portfolio.products)["cross_sell_revenue"].sum()
    answer = won["proactive"] - won["reactive"]
    return answer
