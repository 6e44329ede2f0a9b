"""Reference solutions of exercises/07_sales_strategy.ipynb (for trainers; students: try first!).

One function per exercise, named ``ex_NN_K`` for exercise ``NN.K``; each
returns the answer a student would assign to ``answer`` in the notebook.
tests/test_exercises.py checks every function with ``kamsim.exercises.check``.
"""

import kamsim
from kamsim.analytics import account_snapshot, discount_table, share_of_wallet, value_potential_tiers
from kamsim.policies import BlanketRetention, PolicyBundle, ValueRiskRetention


def ex_07_1():
    """07.1: 12-month share of wallet of the core tier (small), sum of revenue / sum of potential."""
    portfolio = kamsim.datasets.load("small")
    accounts, events = portfolio.accounts, portfolio.events
    snap = account_snapshot(accounts, events, as_of=portfolio.meta["as_of"])
    snap["tier"] = value_potential_tiers(snap["revenue_12m"], snap["annual_potential_spend"] * snap["growth_potential"])
    core_ids = snap.index[snap["tier"] == "core"]
    core = accounts[accounts["account_id"].isin(core_ids)]
    sow = share_of_wallet(core, events, as_of=portfolio.meta["as_of"])
    answer = sow["revenue"].sum() / sow["potential"].sum()
    return answer


def ex_07_2():
    """07.2: realised discount of the equipment category (small), 1 - revenue / list value."""
    portfolio = kamsim.datasets.load("small")
    table = discount_table(portfolio.events, portfolio.products, by="category")
    answer = table.loc["equipment", "discount"]
    return answer


def ex_07_3():
    """07.3: the highest mean net margin (CU, 12 months) of the three bundles in the comparison."""
    portfolio = kamsim.datasets.load("small")
    bundles = {
        "uniform": PolicyBundle("value_potential", BlanketRetention(hours_per_account=2.0, budget_hours=100.0),
                                "equal", name="uniform"),
        "differentiated": PolicyBundle("value_potential", ValueRiskRetention(budget_hours=100.0, hours_per_account=2.0),
                                       "tier", name="differentiated"),
        "generous": PolicyBundle("value_potential", BlanketRetention(hours_per_account=3.0), "tier", name="generous"),
    }
    comparison = kamsim.compare(kamsim.Scenario(months=12), bundles, portfolio=portfolio, replications=4, seed=7,
                                progress=False)
    summary = comparison.summary()
    net = summary[summary["kpi"] == "net_margin"].set_index("policy")["mean"]
    best = net.idxmax()  # the bundle that earns the most
    answer = net[best]
    return answer


def ex_07_4():
    """07.4: mean paired difference in net margin (CU, 12 months) of a uniform 5% extra discount against none."""
    from kamsim.policies import UniformDiscount

    portfolio = kamsim.datasets.load("small")
    offers = {
        "no extra discount": "status_quo",
        "uniform 5%": PolicyBundle("abc", "none", "equal", name="uniform_5", pricing=UniformDiscount(0.05)),
    }
    pricing = kamsim.compare(kamsim.Scenario(months=12), offers, portfolio=portfolio, replications=4, seed=7,
                             baseline="no extra discount", progress=False)
    paired = pricing.paired().set_index(["policy", "kpi"])
    answer = paired.loc[("uniform 5%", "net_margin"), "diff_mean"]
    return answer
