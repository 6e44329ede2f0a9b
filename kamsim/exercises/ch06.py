"""Checks of chapter 06 (lifecycle management): transitions, survival, time to loss, retention policies.

Every expected answer is computed from the shipped ``small`` portfolio (24 months
of CRM history) with kamsim functions; 06.4 reruns a small, seeded policy
comparison (4 policies x 5 replications x 12 months, a few seconds) and asks for
the net-margin gain of the best policy, a number that depends on the data (a
policy name could be guessed).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import best_policy, policy_table, portfolio, run_comparison
from kamsim.vocabulary import CUSTOMER_STAGES

#: Dataset the chapter 06 exercises use (``kamsim.datasets.load(DATASET)``).
DATASET = "small"

#: Transient stages of the exercise's absorbing chain: the customer stages before a loss (``lost`` absorbs).
CHAIN_STAGES = [s for s in CUSTOMER_STAGES if s != "won_back"]

#: Exercise 06.4: policies, replications, seed and horizon of the comparison.
POLICIES_06_4 = ["status_quo", "blanket", "risk_targeted", "value_risk"]
REPLICATIONS_06_4 = 5
SEED_06_4 = 6
MONTHS_06_4 = 12


def price_war_scenario():
    """The "price war" scenario of exercise 06.4: decline and loss hazards well above the defaults."""
    from kamsim.scenario import Scenario

    return Scenario(
        months=MONTHS_06_4,
        lifecycle={
            "decline_prob": {"new": 0.04, "growing": 0.03, "mature": 0.03, "at_risk": 0.0, "won_back": 0.05},
            "churn_hazard": {"new": 0.010, "growing": 0.005, "mature": 0.004, "at_risk": 0.08, "won_back": 0.015},
        },
    )


@lru_cache(maxsize=1)
def _matrix() -> pd.DataFrame:
    from kamsim.analytics import transition_matrix

    p = portfolio(DATASET)
    return transition_matrix(p.events, final_stage=p.accounts)


@lru_cache(maxsize=1)
def _durations() -> pd.DataFrame:
    from kamsim.analytics import churn_durations, stage_history

    p = portfolio(DATASET)
    history = stage_history(p.events, p.accounts, months=range(-24, 1))
    return churn_durations(history, method="panel")


def _survival_at(km: pd.DataFrame, month: float) -> float:
    return float(km.loc[km["timeline"] <= month, "survival"].iloc[-1])


def _chain():
    from kamsim.engine.theory import absorbing_chain

    return absorbing_chain(_matrix().loc[CHAIN_STAGES, CHAIN_STAGES].to_numpy())


@exercise(
    "06.1",
    title="Monthly probability mature -> at_risk",
    hint="P = transition_matrix(portfolio.events, final_stage=portfolio.accounts) gives the monthly "
    "probabilities; read the row 'mature', column 'at_risk'.",
    compare=number(),
    mistakes=lambda expected: _mistakes_06_1(),
)
def mature_to_at_risk() -> float:
    """Estimated monthly probability that a mature account of ``small`` is at risk the next month."""
    return float(_matrix().loc["mature", "at_risk"])


def _mistakes_06_1() -> dict[str, float]:
    from kamsim.analytics import stage_history, transition_matrix

    p = portfolio(DATASET)
    changes = p.events[p.events["event_type"] == "stage_change"]
    from_mature = changes[changes["stage_from"] == "mature"]
    n_moves = int((from_mature["stage_to"] == "at_risk").sum())
    short = transition_matrix(stage_history(p.events, p.accounts))
    return {
        "that divides the moves by the number of mature accounts on the portfolio date; a probability per month "
        "divides by the account-months spent in 'mature' (use transition_matrix).": n_moves
        / int((p.accounts["stage"] == "mature").sum()),
        "that is the share of at_risk among the stage *changes* out of mature; the months in which a mature "
        "account stayed mature count too (use transition_matrix).": n_moves / len(from_mature),
        "that is the reverse move, at_risk -> mature: rows are 'this month', columns 'next month'.": float(
            _matrix().loc["at_risk", "mature"]
        ),
        "that history stops before the moves at the end of the last month; pass the events log with "
        "final_stage=portfolio.accounts to transition_matrix.": float(short.loc["mature", "at_risk"]),
    }


@exercise(
    "06.2",
    title="Kaplan-Meier survival at 12 months",
    hint="history = stage_history(events, accounts, months=range(-24, 1)); durations = "
    "churn_durations(history, method='panel'); km = kaplan_meier(durations['duration'], durations['churned']); "
    "take the survival of the last row with timeline <= 12.",
    compare=number(),
    mistakes=lambda expected: _mistakes_06_2(),
)
def survival_12_months() -> float:
    """Kaplan-Meier share of ``small``'s customers still a customer after 12 months (0-1)."""
    from kamsim.analytics import kaplan_meier

    d = _durations()
    return _survival_at(kaplan_meier(d["duration"], d["churned"]), 12)


def _mistakes_06_2() -> dict[str, float]:
    from kamsim.analytics import kaplan_meier

    d = _durations()
    return {
        "that share ignores censoring: accounts observed for less than 12 months did not survive 12 months "
        "for sure; use kaplan_meier with the churned flags.": 1.0
        - float((d["churned"] & (d["duration"] <= 12)).sum()) / len(d),
        "that is the share of accounts never lost in the whole history, not the survival at 12 months.": 1.0
        - float(d["churned"].mean()),
        "that is the survival at the end of the curve (24 months); read the row with timeline <= 12.": float(
            kaplan_meier(d["duration"], d["churned"])["survival"].iloc[-1]
        ),
    }


@exercise(
    "06.3",
    title="Expected months before a mature account is lost",
    hint="Q = P.loc[stages, stages] for stages new, growing, mature, at_risk; "
    "kamsim.engine.theory.absorbing_chain(Q.to_numpy()).t holds the expected months to loss per start stage.",
    compare=number(),
    mistakes=lambda expected: {
        "1 / P(mature -> lost) ignores the route through at_risk, where most losses happen; use the "
        "fundamental matrix of the four customer stages.": 1.0 / float(_matrix().loc["mature", "lost"]),
        "that is how long an account stays mature before its first move; it then usually comes back from "
        "at_risk. Sum the whole row of N (absorbing_chain(Q).t).": 1.0
        / (1.0 - float(_matrix().loc["mature", "mature"])),
        "that counts only the months spent in 'mature' (N[mature, mature]); add the months in at_risk: "
        "use t = N 1.": float(_chain().N[CHAIN_STAGES.index("mature"), CHAIN_STAGES.index("mature")]),
    },
)
def months_to_loss_from_mature() -> float:
    """Expected months before loss from ``mature``, absorbing chain of the ``small`` transition matrix."""
    return float(_chain().t[CHAIN_STAGES.index("mature")])


@lru_cache(maxsize=1)
def _run_06_4():
    """The seeded price-war comparison of exercise 06.4 (a :class:`kamsim.experiment.Comparison`)."""
    return run_comparison(
        price_war_scenario(), POLICIES_06_4, dataset=DATASET, replications=REPLICATIONS_06_4, seed=SEED_06_4
    )


def _comparison_06_4() -> pd.DataFrame:
    """Mean paired differences vs status_quo of the exercise 06.4 comparison (index policy, columns kpi)."""
    return policy_table(_run_06_4().paired(), "diff_mean")


def _best(kpi: str, largest: bool = True) -> str:
    return best_policy(_comparison_06_4(), kpi, largest)


def _net_diff(policy: str) -> float:
    return float(_comparison_06_4().loc[policy, "net_margin"])


def _mistakes_06_4(expected: float) -> dict[str, float]:
    table = _comparison_06_4()
    best = _best("net_margin")
    means = policy_table(_run_06_4().summary(), "mean")
    mistakes = {
        "status_quo is the baseline: its paired difference is 0 by definition. Which policy beats it?": 0.0,
        "that is the largest difference in gross margin; net margin also subtracts the retention cost: read the "
        "net_margin rows.": float(table["margin"].max()),
        "that is the best policy's mean net margin over the run; the task asks for its paired difference against "
        "status_quo (diff_mean of comparison.paired()).": float(means.loc[best, "net_margin"]),
        "that is the *lowest* mean difference of net_margin; take the highest.": float(table["net_margin"].min()),
        f"that is the net-margin difference of the policy that lowers churn the most ({_best('churn_rate', False)}); "
        "the task asks about net margin after retention cost.": _net_diff(_best("churn_rate", largest=False)),
        "that is the difference in thousand CU; give it in CU.": expected / 1e3,
    }
    for policy in table.index:
        if policy != best:
            mistakes[f"that is the net-margin difference of {policy}; another policy gains more."] = _net_diff(policy)
    return mistakes


@exercise(
    "06.4",
    title="Net-margin gain of the best retention policy in a price war",
    hint="comparison.paired() has one row per policy and KPI; keep kpi == 'net_margin', find the policy with the "
    "largest diff_mean and give that diff_mean (CU).",
    compare=number(),
    mistakes=_mistakes_06_4,
)
def best_policy_price_war() -> float:
    """Largest mean paired net-margin difference (CU, 12 months) vs status_quo in the price-war comparison."""
    return _net_diff(_best("net_margin"))


__all__ = ["DATASET", "POLICIES_06_4", "price_war_scenario"]
