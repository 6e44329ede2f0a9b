"""Lifecycle stages and monthly hazards (客户生命周期): who is acquired, grows, declines, is lost or won back.

KAM example: a mature account whose satisfaction fell from 8 to 5, whose
contract ran out and who has two complaints open is far more likely to slip
to *at risk* -- and from there to *lost* -- than a satisfied account that sees
its account manager every week.  This module turns those drivers into monthly
probabilities.

Behavioural mode (default).  For a current customer *i* the churn multiplier is

.. math::

    m_i = \\exp\\big(\\beta_s (s_{ref} - s_i) + \\beta_c\\,credit_i + \\beta_p (price_i - 0.5)
          - \\beta_o (coop_i - 0.5) - \\beta_h (1 - e^{-h_i/h_0}) + \\beta_k\\,open_i\\big)
          \\cdot M_{nc}^{[\\text{no contract}]} \\cdot (1 - r_{max}(1 - e^{-R_i/R_0}))

with satisfaction *s*, effective contact hours *h*, open complaints, retention
hours *R*.  A base monthly probability *p* becomes ``1 - (1 - p) ** m``
(proportional hazards), for churn (-> lost) and decline (-> at_risk); recovery
(at_risk -> mature) uses ``1/m``.  Progress (new -> growing -> mature, won_back
-> mature) scales with growth potential; acquisition (prospect -> new) with
strategic fit and business-development hours; win-back (lost -> won_back) with
win-back hours.  Each month a customer first faces churn (stream ``churn``),
then, if not lost, decline / progress / recovery (stream ``transitions``);
prospects use stream ``arrivals``.

Constant-hazard mode (``scenario.lifecycle.constant_hazards``): every account
moves with the fixed matrix ``P = lifecycle.transition_matrix()`` using one
uniform draw from stream ``transitions`` -- an absorbing Markov chain when a
row of ``P`` is a unit vector (see :mod:`kamsim.engine.theory`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kamsim.engine.calibrated import CalibratedRates
from kamsim.engine.world import AT_RISK, GROWING, IS_CUSTOMER, LOST, MATURE, NEW, PROSPECT, WON_BACK, World
from kamsim.scenario import Scenario
from kamsim.vocabulary import CUSTOMER_STAGES

#: Largest log churn multiplier used: ``exp(700)`` (about 1e304) already makes every hazard 1, and a
#: larger one (a huge backlog of open complaints, extreme Scenario effects) would overflow to inf.
MAX_LOG_MULTIPLIER: float = 700.0

#: Smallest churn multiplier divided by (the recovery hazard uses ``1 / m``; ``m`` is 0 at full retention effect).
MIN_MULTIPLIER: float = 1e-300

#: Next stage on progress, by stage code (-1: no progress from this stage).
NEXT_STAGE: np.ndarray = np.array([-1, GROWING, MATURE, -1, -1, -1, MATURE])


def saturation(hours: np.ndarray, scale: float) -> np.ndarray:
    """Diminishing-returns response ``1 - exp(-hours/scale)`` in [0, 1)."""
    return -np.expm1(-np.maximum(hours, 0.0) / scale)


_CUSTOMER_CODES: dict[str, int] = {"new": NEW, "growing": GROWING, "mature": MATURE, "at_risk": AT_RISK, "won_back": WON_BACK}


def stage_array(values: object, default: float = 0.0) -> np.ndarray:
    """Per-stage values (a StageProbabilities/StageValues section) as an array indexed by stage code."""
    out = np.full(len(IS_CUSTOMER), default)
    for name in CUSTOMER_STAGES:
        out[_CUSTOMER_CODES[name]] = getattr(values, name)
    return out


def cumulative_rows(matrix: np.ndarray) -> np.ndarray:
    """Row-wise cumulative probabilities for inverse-CDF draws; exactly 1 from each row's last non-zero entry on."""
    cum = np.minimum(np.cumsum(matrix, axis=1), 1.0)
    for i, row in enumerate(matrix):
        last = int(np.flatnonzero(row > 0)[-1])
        cum[i, last:] = 1.0
    return cum


def scale_probability(p: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
    """Proportional hazards on a monthly probability: ``1 - (1 - p) ** multiplier``."""
    p = np.clip(p, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        rate = -np.log1p(-np.minimum(p, 1.0 - 1e-12))
    return -np.expm1(-rate * multiplier)


@dataclass
class Hazards:
    """Monthly probabilities for every account (arrays of length n; 0 where not applicable)."""

    churn: np.ndarray
    decline: np.ndarray
    progress: np.ndarray
    recover: np.ndarray
    acquire: np.ndarray
    winback: np.ndarray


class Lifecycle:
    """Computes hazards and applies stage transitions for one run."""

    def __init__(self, scenario: Scenario, world: World, calibrated: CalibratedRates | None = None) -> None:
        lc = scenario.lifecycle
        self.calibrated = calibrated
        self.lc = lc
        self.retention = scenario.retention
        self.pricing = scenario.pricing
        self.churn_base = stage_array(lc.churn_hazard)
        self.decline_base = stage_array(lc.decline_prob)
        self.progress_base = stage_array(lc.progress_prob)
        self.constant = lc.constant_hazards
        self.matrix = lc.transition_matrix()
        self.cum_matrix = cumulative_rows(self.matrix)
        # part of the log multiplier fixed by latent traits
        self.static_log = (
            lc.credit_risk_effect * world.credit_risk
            + lc.price_sensitivity_effect * (world.price_sensitivity - 0.5)
            - lc.cooperativeness_effect * (world.cooperativeness - 0.5)
        )
        self.progress_trait = np.clip(1.0 + lc.growth_effect * (world.growth - 0.5), 0.0, None)
        self.acquire_trait = np.clip(0.5 + world.strategic_fit, 0.0, None)

    def multiplier(self, world: World, month: int, contact_hours: np.ndarray) -> np.ndarray:
        """Churn multiplier ``m_i`` without retention effort (1 = reference account)."""
        lc = self.lc
        log_m = (
            self.static_log
            + lc.satisfaction_effect * (lc.satisfaction_reference - world.satisfaction)
            - lc.contact_effect * saturation(contact_hours, lc.contact_scale_hours)
            + lc.open_complaint_effect * world.open_complaints
        )
        m = np.exp(np.minimum(log_m, MAX_LOG_MULTIPLIER))
        no_contract = world.customers() & ~world.in_contract(month)
        return np.where(no_contract, m * lc.no_contract_multiplier, m)

    def retention_factor(self, retention_hours: np.ndarray) -> np.ndarray:
        """Share of the hazard left after retention effort: ``1 - r_max (1 - exp(-R/R0))``."""
        return 1.0 - self.retention.max_reduction * saturation(retention_hours, self.retention.scale_hours)

    def discount_factor(self, world: World, discount: np.ndarray | None) -> np.ndarray | float:
        """Share of the churn and decline hazard left after a pricing policy's discount (1 without one).

        ``1 - min(churn_effect * discount * price_sensitivity, max_hazard_reduction)`` (``Scenario.pricing``).
        """
        if discount is None or not np.any(discount > 0):
            return 1.0
        pr = self.pricing
        return 1.0 - np.minimum(pr.churn_effect * discount * world.price_sensitivity, pr.max_hazard_reduction)

    def churn_probability(self, world: World, month: int, contact_hours: np.ndarray, retention_hours: np.ndarray) -> np.ndarray:
        """Monthly probability of being lost (0 for prospects and lost accounts)."""
        if self.constant:
            return self.matrix[world.stage, LOST] * (world.stage != LOST)
        m = self.multiplier(world, month, contact_hours) * self.retention_factor(retention_hours)
        churn = scale_probability(self.churn_base[world.stage], m)
        cal = self.calibrated
        if cal is not None:
            gone = cal.estimated_gone(month)
            estimate = gone + (1.0 - gone) * scale_probability(cal.estimated_base_churn(month), m)
            churn = np.where(cal.mask, estimate, churn)
        return np.where(world.customers(), churn, 0.0)

    def hazards(
        self,
        world: World,
        month: int,
        contact_hours: np.ndarray,
        retention_hours: np.ndarray,
        bd_hours: np.ndarray,
        winback_hours: np.ndarray,
        discount: np.ndarray | None = None,
    ) -> Hazards:
        """All monthly probabilities (behavioural mode).

        Parameters
        ----------
        contact_hours
            Effective regular contact hours this month (hours).
        retention_hours
            Retention hours of current customers (hours).
        bd_hours
            Effective business-development hours of prospects (hours).
        winback_hours
            Win-back hours of lost accounts (hours).
        discount
            The pricing policy's discount per account (share of list price; None = none).
        """
        lc = self.lc
        stage = world.stage
        customer = world.customers()
        m = self.multiplier(world, month, contact_hours) * self.retention_factor(retention_hours)
        factor = self.discount_factor(world, discount)
        if isinstance(factor, np.ndarray):
            m = m * factor
        # calibrated accounts: their own hazard, lost for sure at the end of month 0 if already dormant,
        # and no other moves between customer stages
        cal = self.calibrated
        base = self.churn_base[stage]
        calibrated = np.zeros(world.n, dtype=bool)
        if cal is not None:
            base = np.where(cal.mask, cal.base_churn(), base)
            calibrated = cal.mask
        churn = np.where(customer, scale_probability(base, m), 0.0)
        if cal is not None:
            churn = np.where(customer & cal.dormant(month), 1.0, churn)
        staged = customer & ~calibrated
        decline = np.where(staged & (stage != AT_RISK), scale_probability(self.decline_base[stage], m), 0.0)
        progress = np.where(calibrated, 0.0, np.clip(self.progress_base[stage] * self.progress_trait, 0.0, 1.0))
        total = decline + progress
        progress = np.where(total > 1.0, progress / np.maximum(total, 1e-300) * (1.0 - decline), progress)
        inverse_m = 1.0 / np.maximum(m, MIN_MULTIPLIER)
        recover = np.where(staged & (stage == AT_RISK), scale_probability(np.full(world.n, lc.recover_prob), inverse_m), 0.0)
        acquire = np.where(
            stage == PROSPECT,
            np.clip(
                lc.acquisition_prob
                * self.acquire_trait
                * (1.0 + lc.acquisition_contact_effect * saturation(bd_hours, lc.contact_scale_hours)),
                0.0,
                1.0,
            ),
            0.0,
        )
        winback = np.where(
            stage == LOST,
            np.clip(lc.winback_prob * (1.0 + lc.winback_effect * saturation(winback_hours, lc.winback_scale_hours)), 0.0, 1.0),
            0.0,
        )
        return Hazards(churn, decline, progress, recover, acquire, winback)

    def order_stop(self, world: World, churn: np.ndarray, u_churn: np.ndarray) -> np.ndarray | None:
        """Fraction of this month after which each account places no orders (1 = the whole month).

        A calibrated account lost this month stops buying at its continuous-time loss
        moment ``tau = log(1 - u) / log(1 - p)`` (``u`` its ``churn`` uniform, ``p`` its loss
        probability; ``tau < 1`` exactly when ``u < p``), as in the Pareto/NBD it was fitted
        with; the loss itself is recorded at the month's end.  Other accounts buy all month
        (``None`` when the run has no calibrated account).
        """
        cal = self.calibrated
        if cal is None or self.constant:
            return None
        lost = cal.mask & world.customers() & (u_churn < churn)
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = np.log1p(-u_churn) / np.log1p(-np.minimum(churn, 1.0))
        return np.where(lost, np.nan_to_num(tau, nan=0.0, posinf=1.0), 1.0)

    def step(
        self, world: World, hz: Hazards | None, u_churn: np.ndarray, u_trans: np.ndarray, u_arrival: np.ndarray
    ) -> np.ndarray:
        """The stage after this month's transitions (a new array; ``world`` is not changed)."""
        stage = world.stage
        if self.constant:
            # inverse-CDF draw from the row of the current stage
            cum = self.cum_matrix[stage]
            nxt = (u_trans[:, None] >= cum).sum(axis=1)
            return np.minimum(nxt, len(IS_CUSTOMER) - 1).astype(stage.dtype)
        assert hz is not None
        new = stage.copy()
        lost = (u_churn < hz.churn) & world.customers()
        declined = ~lost & (u_trans < hz.decline)
        progressed = ~lost & ~declined & (u_trans < hz.decline + hz.progress) & (NEXT_STAGE[stage] >= 0)
        recovered = ~lost & (stage == AT_RISK) & (u_trans < hz.recover)
        acquired = (stage == PROSPECT) & (u_arrival < hz.acquire)
        won = (stage == LOST) & (u_trans < hz.winback)
        new[declined] = AT_RISK
        new[progressed] = NEXT_STAGE[stage[progressed]]
        new[recovered] = MATURE
        new[acquired] = NEW
        new[won] = WON_BACK
        new[lost] = LOST
        return new
