"""Checks of chapter 05 (satisfaction management): NPS, complaint queue waits, Erlang C, churn by band.

Expected answers are computed from the shipped, seeded datasets (``small``
for 05.1 and 05.2, ``medium`` for 05.4) and from
:mod:`kamsim.engine.theory` (05.3), never copied from a run.  The chapter
notebook prints the churn per band of the *last* survey answer, so 05.4 bands
the accounts by their *mean* answer.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from kamsim.exercises.compare import number
from kamsim.exercises.core import exercise
from kamsim.exercises.data import portfolio

#: Dataset of exercises 05.1 and 05.2.
DATASET = "small"
#: Dataset of exercise 05.4 (more accounts, so every satisfaction band has churners).
DATASET_CHURN = "medium"
#: Exercise 05.4 bands accounts by the mean of their answers before the cutoff (the chapter: the last answer).
SCORE_05_4 = "mean"
#: Exercise 05.2: simulated months, handlers and seed.
QUEUE_MONTHS, QUEUE_HANDLERS, QUEUE_SEED = 12, 2, 5
#: Exercise 05.3: arrival rate (complaints per day), mean handling time (days), handlers.
ERLANG_LAMBDA, ERLANG_HANDLING_DAYS, ERLANG_HANDLERS = 0.25, 8.0, 3


def _scores() -> pd.Series:
    events = portfolio(DATASET).events
    return events.loc[events["event_type"] == "survey", "score"].astype("float64")


@lru_cache(maxsize=4)
def _complaints(handlers: int | None) -> pd.DataFrame:
    """``SimulationResult.complaints`` of the 05.2 run (``handlers=None``: the scenario default)."""
    from kamsim.engine import simulate
    from kamsim.scenario import Scenario

    scenario = Scenario(months=QUEUE_MONTHS)
    if handlers is not None:
        scenario = scenario.updated({"complaints.handlers": handlers})
    result = simulate(scenario, portfolio(DATASET), seed=QUEUE_SEED)
    return result.complaints


@lru_cache(maxsize=2)
def _churn_table(score: str = SCORE_05_4) -> pd.DataFrame:
    """churn_by_satisfaction of ``medium`` (12-month horizon), bands by the ``score`` summary, index band."""
    from kamsim.analytics import churn_by_satisfaction

    return churn_by_satisfaction(portfolio(DATASET_CHURN).events, horizon_months=12, score=score).set_index("band")


@exercise(
    "05.1",
    title="NPS of the shipped survey answers",
    hint="keep the rows of portfolio.events whose event_type is 'survey'; promoters score 9-10, detractors 0-6; "
    "NPS = 100 * (share of promoters - share of detractors), or use kamsim.analytics.nps(scores).",
    compare=number(),
    mistakes=lambda expected: {
        "passives (7-8) are neither promoters nor detractors: only scores 9 and 10 count as promoters.": 100.0
        * float((_scores() >= 7).mean() - (_scores() <= 6).mean()),
        "that is a share between -1 and 1; NPS is given in points: multiply by 100.": expected / 100.0,
        "that is the mean survey score, not the NPS.": float(_scores().mean()),
        "detractors score 0-6; a 7 is a passive, not a detractor.": 100.0
        * float((_scores() >= 9).mean() - (_scores() <= 7).mean()),
    },
)
def survey_nps() -> float:
    """NPS (points, -100..100) of all survey answers in the events of the ``small`` portfolio."""
    from kamsim.analytics import nps

    return nps(_scores())


@exercise(
    "05.2",
    title="Mean queue wait with two complaint handlers",
    hint="set complaints.handlers to 2 with Scenario(months=12).updated({...}), simulate the small portfolio with "
    "seed=5, keep the rows of result.complaints with resolved == True and average 'queue_days' "
    "(or read complaint_stats(result.complaints)).",
    compare=number(),
    mistakes=lambda expected: {
        "that is the mean handling time (the six stages), not the time spent waiting for a handler: "
        "use 'queue_days'.": float(_complaints(QUEUE_HANDLERS).query("resolved")["handling_days"].mean()),
        "that is the mean time from opening to resolution (waiting + handling, the KPI "
        "mean_complaint_wait_days); the task asks for the queue wait only.": float(
            (lambda c: (c["resolved_day"] - c["opened_day"]).mean())(_complaints(QUEUE_HANDLERS).query("resolved"))
        ),
        "that is the default number of handlers (3 for 200 accounts): set complaints.handlers to 2.": float(
            _complaints(None).query("resolved")["queue_days"].mean()
        ),
        "that includes complaints still waiting or in handling at the end; keep the resolved ones.": float(
            _complaints(QUEUE_HANDLERS)["queue_days"].mean()
        ),
    },
)
def queue_wait_two_handlers() -> float:
    """Mean ``queue_days`` of the complaints resolved in a 12-month run with 2 handlers (days)."""
    complaints = _complaints(QUEUE_HANDLERS)
    return float(complaints.loc[complaints["resolved"], "queue_days"].mean())


@exercise(
    "05.3",
    title="Erlang C expected wait",
    hint="the service rate of one handler is mu = 1 / mean handling time; then "
    "kamsim.engine.theory.erlang_c_wait(lam, mu, c) gives the mean wait in queue in days.",
    compare=number(),
    mistakes=lambda expected: {
        "erlang_c_wait needs the service *rate* mu = 1 / 8 per day, not the mean handling time of 8 days.": _wait(
            ERLANG_LAMBDA, ERLANG_HANDLING_DAYS
        ),
        "that is the probability of having to wait (erlang_c); the task asks for the mean wait in days.": _prob(),
        "that adds the handling time (time in the system); the task asks for the wait in queue only.": expected
        + ERLANG_HANDLING_DAYS,
    },
)
def erlang_wait() -> float:
    """M/M/c mean wait in queue (days) for lambda = 0.25 per day, mean handling 8 days, 3 handlers."""
    return _wait(ERLANG_LAMBDA, 1.0 / ERLANG_HANDLING_DAYS)


def _wait(lam: float, mu: float) -> float:
    from kamsim.engine.theory import erlang_c_wait

    return float(erlang_c_wait(lam, mu, ERLANG_HANDLERS))


def _prob() -> float:
    from kamsim.engine.theory import erlang_c

    return float(erlang_c(ERLANG_LAMBDA, 1.0 / ERLANG_HANDLING_DAYS, ERLANG_HANDLERS))


@exercise(
    "05.4",
    title="Churn rate of detractors by their mean score",
    hint="churn_by_satisfaction(portfolio.events, horizon_months=12, score='mean') on the medium portfolio gives one "
    "row per band of the accounts' mean survey score before the cutoff; read the 'churn_rate' of the 'detractor' row.",
    compare=number(),
    mistakes=lambda expected: {
        "that bands the accounts by their last answer (the default score='last', printed in the chapter); pass "
        "score='mean'.": float(_churn_table("last").loc["detractor", "churn_rate"]),
        "that is the churn rate of the promoters; the task asks for the detractors (mean score below 7).": float(
            _churn_table().loc["promoter", "churn_rate"]
        ),
        "that is the churn rate of all surveyed accounts together; keep the detractor band.": float(
            _churn_table()["churned"].sum() / _churn_table()["accounts"].sum()
        ),
        "that is the number of detractors who churned; divide by the number of detractor accounts.": float(
            _churn_table().loc["detractor", "churned"]
        ),
        "that is the share of the accounts that stayed; the churn rate is the share that was lost.": 1.0 - expected,
    },
)
def detractor_churn() -> float:
    """Share of detractor accounts (mean survey score below 7 before the cutoff) lost within 12 months (0-1)."""
    return float(_churn_table().loc["detractor", "churn_rate"])
