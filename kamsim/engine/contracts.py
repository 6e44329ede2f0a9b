"""Contracts (合同): 1- or 2-year terms, renewal depending on satisfaction.

KAM example: a customer signs a 24-month frame contract when it is won.  When
the term runs out it renews if it is satisfied (at the reference satisfaction
7/10 with probability 85%, more likely when happier); otherwise the contract
ends and the account, now without a contract, is more likely to be lost
(``lifecycle.no_contract_multiplier``).  A customer without a contract signs a
new one with probability ``resign_prob`` a month.

``World.contract_end[i]`` is the first month *not* covered by account *i*'s
contract (-1: none).  Contracts signed at acquisition or win-back (end of
month *m*) cover months ``m+1 .. m+term``; renewals at the start of month *m*
cover ``m .. m+term-1``.  Event ``detail`` is ``"term=12m"`` / ``"term=24m"``
for signatures and renewals, ``"expired"`` or ``"lost"`` for ended contracts.

CRN: the ``contracts`` stream gives two full-length uniform arrays a month
(renewal decision, term) -- plus three at initialisation for running
contracts of the starting customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kamsim.engine.world import IS_CUSTOMER, LOST, World
from kamsim.scenario import Scenario
from kamsim.vocabulary import contract_details

SIGNED, RENEWED, ENDED = "contract_signed", "contract_renewed", "contract_ended"


@dataclass
class ContractDraws:
    """The ``contracts`` stream's draws for one month."""

    u_decision: np.ndarray
    u_term: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, n: int) -> ContractDraws:
        """Full-size draws (always the same amount of randomness)."""
        u_decision, u_term = rng.random((2, n))
        return cls(u_decision, u_term)


@dataclass
class ContractEvents:
    """Contract events of one step: account index, event type and detail per row."""

    account: np.ndarray
    kind: np.ndarray  # object array of event type names
    detail: np.ndarray  # object array


def renewal_probability(scenario: Scenario, satisfaction: np.ndarray) -> np.ndarray:
    """Probability to renew at term end: ``logistic(logit(renewal_prob) + beta (s - s_ref))``."""
    c = scenario.contracts
    p0 = min(max(c.renewal_prob, 1e-9), 1 - 1e-9)
    logit = np.log(p0 / (1 - p0)) + c.renewal_satisfaction_effect * (satisfaction - scenario.lifecycle.satisfaction_reference)
    return 1.0 / (1.0 + np.exp(-logit))


def terms(scenario: Scenario, u_term: np.ndarray) -> np.ndarray:
    """Contract length in months (12 or 24) from uniforms."""
    return np.where(u_term < scenario.contracts.two_year_share, 24, 12)


def start_of_month(scenario: Scenario, world: World, month: int, draws: ContractDraws) -> ContractEvents:
    """Renew or end contracts whose term ran out; let customers without a contract sign one.

    Updates ``world.contract_end`` in place.
    """
    customer = world.customers()
    due = customer & (world.contract_end == month)
    renew = due & (draws.u_decision < renewal_probability(scenario, world.satisfaction))
    ended = due & ~renew
    none = customer & (world.contract_end < month)
    sign = none & (draws.u_decision < scenario.contracts.resign_prob)
    term = terms(scenario, draws.u_term)
    world.contract_end = np.where(renew | sign, month + term, np.where(ended, -1, world.contract_end))
    acc = np.flatnonzero(renew | ended | sign)
    kind = np.where(renew[acc], RENEWED, np.where(sign[acc], SIGNED, ENDED)).astype(object)
    detail = np.where(ended[acc], "expired", contract_details(term[acc])).astype(object)
    return ContractEvents(acc, kind, detail)


def after_transitions(
    scenario: Scenario, world: World, month: int, old_stage: np.ndarray, new_stage: np.ndarray, u_term: np.ndarray
) -> ContractEvents:
    """Sign contracts for accounts acquired or won back, end running contracts of lost accounts.

    Called with the stages before and after this month's transitions; updates
    ``world.contract_end`` in place.
    """
    became_customer = ~IS_CUSTOMER[old_stage] & IS_CUSTOMER[new_stage]
    became_lost = (new_stage == LOST) & (old_stage != LOST) & (world.contract_end > month)
    term = terms(scenario, u_term)
    world.contract_end = np.where(became_customer, month + 1 + term, np.where(new_stage == LOST, -1, world.contract_end))
    acc = np.flatnonzero(became_customer | became_lost)
    kind = np.where(became_customer[acc], SIGNED, ENDED).astype(object)
    detail = np.where(became_customer[acc], contract_details(term[acc]), "lost").astype(object)
    return ContractEvents(acc, kind, detail)
