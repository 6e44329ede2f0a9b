"""Checks of chapter 07 (sales strategy): share of wallet, realised discount, differentiated offers.

Every expected answer is computed from the shipped ``small`` portfolio (24
months of CRM history) with kamsim functions; 07.3 reruns a small, seeded
comparison of three effort bundles (3 bundles x 4 replications x 12 months, a
few seconds) and asks for the net margin of the best bundle (a number that
depends on the data; a bundle label could be guessed); 07.4 compares a uniform
5% extra discount (with the engine's price response) against none.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import best_policy, policy_table, portfolio, run_comparison, snapshot

#: Dataset the chapter 07 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"

#: Exercise 07.2: the product category whose realised discount is asked for.
CATEGORY_07_2 = "equipment"

#: Exercise 07.3: retention budget (hours per month), replications, seed and horizon.
BUDGET_HOURS_07_3 = 100.0
REPLICATIONS_07_3 = 4
SEED_07_3 = 7
MONTHS_07_3 = 12


def bundles_07_3() -> dict:
    """The three effort bundles of exercise 07.3 (labels as in the student notebook)."""
    from kamsim.policies import BlanketRetention, PolicyBundle, ValueRiskRetention

    return {
        "uniform": PolicyBundle(
            "value_potential", BlanketRetention(hours_per_account=2.0, budget_hours=BUDGET_HOURS_07_3), "equal",
            name="uniform",
        ),
        "differentiated": PolicyBundle(
            "value_potential", ValueRiskRetention(budget_hours=BUDGET_HOURS_07_3, hours_per_account=2.0), "tier",
            name="differentiated",
        ),
        "generous": PolicyBundle("value_potential", BlanketRetention(hours_per_account=3.0), "tier", name="generous"),
    }


@lru_cache(maxsize=1)
def _tiered_snapshot() -> pd.DataFrame:
    """12-month snapshot of ``small`` plus its value x potential ``tier`` (as in chapter 01; a copy, cached)."""
    from kamsim.analytics import value_potential_tiers

    snap = snapshot(DATASET)
    return snap.assign(
        tier=value_potential_tiers(snap["revenue_12m"], snap["annual_potential_spend"] * snap["growth_potential"])
    )


def _core_accounts() -> pd.DataFrame:
    """Accounts table rows of the core tier."""
    snap = _tiered_snapshot()
    accounts = portfolio(DATASET).accounts
    return accounts[accounts["account_id"].isin(snap.index[snap["tier"] == "core"])]


@exercise(
    "07.1",
    title="Share of wallet of the core tier",
    hint="keep the accounts of the core tier, then share_of_wallet(core_accounts, events, "
    "as_of=portfolio.meta['as_of']) per account; the tier's share is revenue.sum() / potential.sum().",
    compare=number(),
    mistakes=lambda expected: _mistakes_07_1(),
)
def core_share_of_wallet() -> float:
    """Aggregate 12-month share of wallet of the core tier of ``small`` (0-1)."""
    from kamsim.analytics import share_of_wallet

    p = portfolio(DATASET)
    sow = share_of_wallet(_core_accounts(), p.events, as_of=p.meta["as_of"])
    return float(sow["revenue"].sum() / sow["potential"].sum())


def _mistakes_07_1() -> dict[str, float]:
    from kamsim.analytics import share_of_wallet

    p = portfolio(DATASET)
    as_of = p.meta["as_of"]
    core = _core_accounts()
    sow = share_of_wallet(core, p.events, as_of=as_of)
    everyone = share_of_wallet(p.accounts, p.events, as_of=as_of)
    history = share_of_wallet(core, p.events, as_of=as_of, months=24)
    snap = _tiered_snapshot().loc[core["account_id"]]
    growth = snap["annual_potential_spend"] * snap["growth_potential"]
    return {
        "that is the plain mean of the accounts' shares; the tier's share of wallet weighs large wallets more: "
        "sum of revenue / sum of potential.": float(sow["share_of_wallet"].mean()),
        "that is the share of wallet of all accounts; keep the core tier only.": float(
            everyone["revenue"].sum() / everyone["potential"].sum()
        ),
        "that divides two years of revenue by one year of potential; use the 12 months before as_of.": float(
            history["revenue"].sum() / (history["potential"].sum() / 2)
        ),
        "that divides by annual_potential_spend x growth_potential (the growth headroom used for tiering); "
        "the wallet is annual_potential_spend.": float(sow["revenue"].sum() / growth.sum()),
    }


@lru_cache(maxsize=1)
def _discounts() -> pd.DataFrame:
    from kamsim.analytics import discount_table

    p = portfolio(DATASET)
    return discount_table(p.events, p.products, by="category")


@exercise(
    "07.2",
    title="Realised discount of a product category",
    hint="discount_table(events, products, by='category') has one row per category; the realised discount is "
    "1 - revenue / list_amount (column 'discount').",
    compare=number(),
    mistakes=lambda expected: _mistakes_07_2(),
)
def category_discount() -> float:
    """Revenue-weighted realised discount of the equipment category in ``small`` (share of list price, 0-1)."""
    return float(_discounts().loc[CATEGORY_07_2, "discount"])


def _mistakes_07_2() -> dict[str, float]:
    from kamsim.scenario import Scenario

    row = _discounts().loc[CATEGORY_07_2]
    total = _discounts()[["list_amount", "revenue"]].sum()
    return {
        "that is the plain mean of the orders' discounts; weigh each order by its list value: "
        "1 - revenue / list_amount.": float(row["mean_discount"]),
        "that measures the discount against the price paid (list / revenue - 1); a discount is a share of the "
        "list price: 1 - revenue / list_amount.": float(row["list_amount"] / row["revenue"] - 1.0),
        "that is the share of the list-price margin given away, not the discount on the price.": float(
            row["margin_given_away"]
        ),
        "that is the scenario's base discount; the realised discount also includes the price-sensitivity part.":
            float(Scenario().orders.base_discount),
        "that is the discount over all categories; keep the equipment row.": float(
            1.0 - total["revenue"] / total["list_amount"]
        ),
    }


@lru_cache(maxsize=1)
def _means_07_3() -> pd.DataFrame:
    """Mean KPIs per bundle of the exercise 07.3 comparison (index policy, columns kpi)."""
    from kamsim.scenario import Scenario

    comp = run_comparison(
        Scenario(months=MONTHS_07_3), bundles_07_3(), dataset=DATASET, replications=REPLICATIONS_07_3, seed=SEED_07_3
    )
    return policy_table(comp.summary(), "mean")


def _best(kpi: str, largest: bool = True) -> str:
    return best_policy(_means_07_3(), kpi, largest)


def _mean(bundle: str, kpi: str = "net_margin") -> float:
    return float(_means_07_3().loc[bundle, kpi])


def _mistakes_07_3(expected: float) -> dict[str, float]:
    means = _means_07_3()
    best = _best("net_margin")
    mistakes = {
        "that is the largest mean gross margin; net margin also subtracts the cost of the retention hours: "
        "compare the net_margin rows.": float(means["margin"].max()),
        "that is the gross margin of the bundle with the most net margin; the task asks for its net margin.": _mean(
            best, "margin"
        ),
        f"that is the net margin of the bundle that loses the fewest accounts ({_best('churn_rate', False)}); the "
        "task asks for the bundle with the most net margin after the cost of the effort.": _mean(
            _best("churn_rate", largest=False)
        ),
        "that is the *lowest* mean net margin; take the highest.": float(means["net_margin"].min()),
        "that is the bundle's mean revenue; the task asks for its net margin.": _mean(best, "revenue"),
        "that is the net margin in million CU; give it in CU.": expected / 1e6,
    }
    for bundle in means.index:
        if bundle != best:
            mistakes[f"that is the mean net margin of {bundle}; another bundle earns more."] = _mean(bundle)
    return mistakes


@exercise(
    "07.3",
    title="Net margin of the offer bundle that earns the most",
    hint="comparison.summary() has one row per bundle and KPI; keep kpi == 'net_margin', find the bundle with the "
    "largest mean and give that mean (CU over the 12 months).",
    compare=number(),
    mistakes=_mistakes_07_3,
)
def best_bundle() -> float:
    """Highest mean net margin (CU, 12 months) of the three bundles in the exercise 07.3 comparison."""
    return _mean(_best("net_margin"))


# ----------------------------------------------------------------------------- 07.4 price response

#: Exercise 07.4: the uniform extra discount, replications, seed and horizon.
DISCOUNT_07_4 = 0.05
REPLICATIONS_07_4 = 4
SEED_07_4 = 7
MONTHS_07_4 = 12


def offers_07_4() -> dict:
    """The two pricing offers of exercise 07.4 (labels as in the student notebook)."""
    from kamsim.policies import PolicyBundle, UniformDiscount

    return {
        "no extra discount": "status_quo",
        "uniform 5%": PolicyBundle("abc", "none", "equal", name="uniform_5", pricing=UniformDiscount(DISCOUNT_07_4)),
    }


@lru_cache(maxsize=1)
def _paired_07_4() -> pd.DataFrame:
    """Paired differences of the exercise 07.4 comparison (index kpi; the uniform offer against no discount)."""
    from kamsim.scenario import Scenario

    comp = run_comparison(Scenario(months=MONTHS_07_4), offers_07_4(), dataset=DATASET,
                          replications=REPLICATIONS_07_4, seed=SEED_07_4, baseline="no extra discount")
    paired = comp.paired()
    return paired[paired["policy"] == "uniform 5%"].set_index("kpi")


def _mistakes_07_4(expected: float) -> dict[str, float]:
    paired = _paired_07_4()
    return {
        "that is the difference in revenue; the discount's cost shows in net_margin.": float(
            paired.loc["revenue", "diff_mean"]),
        "that is the relative difference in percent; give the mean paired difference in CU.": float(
            paired.loc["net_margin", "rel_diff_pct"]),
        "that has the wrong sign: the discount costs net margin, so the difference (offer minus no discount) is "
        "negative.": -expected,
        "that is the difference in million CU; give it in CU.": expected / 1e6,
        "that is the lower end of the confidence interval; give the mean difference.": float(
            paired.loc["net_margin", "ci_low"]),
    }


@exercise(
    "07.4",
    title="What a uniform 5% discount costs",
    hint="comparison.paired() has one row per offer and KPI (differences to the baseline 'no extra discount'); "
    "take the row of 'uniform 5%' and kpi == 'net_margin', column diff_mean (CU over the 12 months).",
    compare=number(),
    mistakes=_mistakes_07_4,
)
def uniform_discount_cost() -> float:
    """Mean paired difference in net margin (CU, 12 months) of a uniform 5% extra discount against none."""
    return float(_paired_07_4().loc["net_margin", "diff_mean"])


__all__ = ["CATEGORY_07_2", "DATASET", "bundles_07_3", "offers_07_4"]
