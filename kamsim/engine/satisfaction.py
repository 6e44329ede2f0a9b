"""Satisfaction (客户满意度) dynamics and survey answers.

KAM example: an account starts at its latent baseline (say 7.5/10).  Regular
visits lift it a little; each complaint costs points, more so if it waits for
a handler or is still open at month end; without news it drifts back toward
its baseline.  Now and then the customer answers a survey, which shows the
satisfaction plus noise on a 0-10 scale.

End-of-month update for customer *i* (points on a 0-10 scale, clipped)::

    s <- s + kappa (baseline - s)                      # mean reversion
           + g (1 - exp(-h / h0))                      # effective contact hours h
           - c_new * complaints raised this month
           - c_wait * queue days of complaints resolved this month
           - c_open * complaints still open at month end
           + c_res * complaints resolved this month
           - c_cw * mean waiting days of its manager tasks     # queue model only
           - c_miss * its missed manager tasks                 # queue model only
           + sigma * Z                                 # Z ~ N(0, 1), stream "surveys"

A survey is answered with probability ``survey_prob`` per customer-month; the
score is ``round(s + survey_sd * Z')`` clipped to 0-10.

CRN: the ``surveys`` stream gives four full-length arrays per month (answer
uniform, score normal, day uniform, satisfaction-noise normal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kamsim.engine.lifecycle import saturation
from kamsim.engine.world import World
from kamsim.scenario import Scenario


@dataclass
class SurveyDraws:
    """The ``surveys`` stream's draws for one month."""

    u_answer: np.ndarray
    z_score: np.ndarray
    u_day: np.ndarray
    z_noise: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, n: int) -> SurveyDraws:
        """Full-size draws (always the same amount of randomness)."""
        u_answer, u_day = rng.random((2, n))
        z_score, z_noise = rng.standard_normal((2, n))
        return cls(u_answer, z_score, u_day, z_noise)


def surveys(scenario: Scenario, world: World, draws: SurveyDraws) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Survey answers this month: (account index, score 0-10, position in month)."""
    s = scenario.satisfaction
    answered = world.customers() & (draws.u_answer < s.survey_prob)
    acc = np.flatnonzero(answered)
    score = np.clip(np.round(world.satisfaction[acc] + s.survey_sd * draws.z_score[acc]), 0.0, 10.0)
    return acc, score, draws.u_day[acc]


def update_satisfaction(
    scenario: Scenario,
    world: World,
    effective_hours: np.ndarray,
    new_complaints: np.ndarray,
    queue_days_resolved: np.ndarray,
    resolved: np.ndarray,
    open_at_end: np.ndarray,
    z_noise: np.ndarray,
    *,
    contact_wait_days: np.ndarray | float = 0.0,
    missed_contacts: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Satisfaction after this month (a new array; prospects and lost accounts only revert to baseline).

    ``contact_wait_days`` (mean days the account's manager tasks waited) and ``missed_contacts`` come from
    the queue model (0 in the default model).
    """
    s = scenario.satisfaction
    sat = world.satisfaction
    change = s.mean_reversion * (world.baseline_satisfaction - sat)
    service = (
        s.contact_gain * saturation(effective_hours, s.contact_scale_hours)
        - s.complaint_drop * new_complaints
        - s.wait_drop_per_day * queue_days_resolved
        - s.open_drop * open_at_end
        + s.resolved_gain * resolved
        + s.noise_sd * z_noise
    )
    if np.any(contact_wait_days) or np.any(missed_contacts):
        service = service - s.contact_wait_drop_per_day * contact_wait_days - s.missed_contact_drop * missed_contacts
    change = change + np.where(world.customers(), service, 0.0)
    return np.clip(sat + change, 0.0, 10.0)
