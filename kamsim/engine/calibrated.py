"""Calibrated accounts: per-account order rates and dropout hazards estimated from a real log.

KAM example: a distributor's CRM log shows that account 1042 ordered 14 times in
two years and last ordered a week ago, while account 2210 ordered twice and has
been silent for eight months.  :func:`kamsim.calibrate` turns each history into
that account's own behaviour (the columns of ``schema.CALIBRATED_ACCOUNT_COLUMNS``);
this module makes the engine follow it.

The model is the Pareto/NBD ("buy till you die") in continuous time, which is what
a hazard-based monthly engine simulates.  For a calibrated account *i*, at the start
of every run (stream ``latent``, one draw each per account whatever the policy does):

* it is still active with probability ``p_active`` (otherwise it has silently
  stopped buying: no orders, and it is lost at the end of month 0 whatever is done);
* its order rate ``lambda_i ~ Gamma(order_rate_shape, rate=order_rate_exposure)``
  (orders per month) -- Poisson orders every month it is a customer;
* its dropout hazard ``mu_i ~ Gamma(dropout_shape, rate=dropout_exposure)`` (per month):
  the monthly loss probability at the reference churn multiplier is ``1 - exp(-mu_i)``,
  and the multiplier (retention effort, and whatever behavioural effects the scenario
  keeps) scales it as for every account;
* an order is worth ``order_value`` CU on average.

Drawing the rates once per run (instead of using their means) gives each account the
right predictive spread: averaged over replications, the expected orders of an
account equal the Pareto/NBD conditional expectation.  Calibrated accounts keep their
stage until they are lost (no decline, progress or recovery moves).

What policies see: ``state.churn_risk`` of a calibrated account is the risk the CRM
can estimate -- ``1 - p_active`` of being already gone (month 0 only) plus the loss
probability at the posterior mean hazard given the months survived since ``as_of``
-- not the account's drawn rate, which nobody can observe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamsim.schema import CALIBRATED_ACCOUNT_COLUMNS

#: Names of the calibrated accounts columns, in schema order.
CALIBRATED_COLUMNS: tuple[str, ...] = tuple(c.name for c in CALIBRATED_ACCOUNT_COLUMNS)


@dataclass
class CalibratedRates:
    """Per-account calibrated behaviour of one run (arrays of length n; ``mask`` False = stage model)."""

    mask: np.ndarray
    p_active: np.ndarray
    dropout_shape: np.ndarray
    dropout_exposure: np.ndarray
    order_value: np.ndarray
    active: np.ndarray  # drawn: still buying at as_of
    order_rate: np.ndarray  # drawn lambda_i, orders per month
    dropout_rate: np.ndarray  # drawn mu_i, per month

    @classmethod
    def from_accounts(cls, accounts: pd.DataFrame, rng: np.random.Generator) -> CalibratedRates | None:
        """The calibrated behaviour in ``accounts`` (``None`` without the columns), with this run's draws.

        Always draws ``3 n`` numbers from ``rng`` (the ``latent`` stream) when the columns exist.

        Raises
        ------
        ValueError
            If only some of the calibrated columns exist, or a row fills only some of them.
        """
        present = [c for c in CALIBRATED_COLUMNS if c in accounts.columns]
        if not present:
            return None
        missing = [c for c in CALIBRATED_COLUMNS if c not in accounts.columns]
        if missing:
            raise ValueError(f"accounts: calibrated columns need all of {list(CALIBRATED_COLUMNS)}; missing {missing}")
        values = {c: accounts[c].to_numpy(dtype="float64", na_value=np.nan) for c in CALIBRATED_COLUMNS}
        filled = np.column_stack([~np.isnan(v) for v in values.values()])
        partial = filled.any(axis=1) & ~filled.all(axis=1)
        if partial.any():
            row = int(np.flatnonzero(partial)[0])
            empty = [c for c, f in zip(CALIBRATED_COLUMNS, filled[row]) if not f]
            raise ValueError(f"accounts: row {row}: calibrated columns {empty} are empty while others are filled")
        mask = filled.all(axis=1)
        one = np.ones(len(mask))

        def where(name: str) -> np.ndarray:
            return np.where(mask, values[name], one)

        u_active = rng.random(len(mask))
        order_rate = rng.gamma(where("order_rate_shape"), 1.0 / where("order_rate_exposure"))
        dropout_rate = rng.gamma(where("dropout_shape"), 1.0 / where("dropout_exposure"))
        return cls(
            mask=mask,
            p_active=where("p_active"),
            dropout_shape=where("dropout_shape"),
            dropout_exposure=where("dropout_exposure"),
            order_value=np.where(mask, values["order_value"], 0.0),
            active=~mask | (u_active < where("p_active")),
            order_rate=np.where(mask, order_rate, 0.0),
            dropout_rate=np.where(mask, dropout_rate, 0.0),
        )

    def dormant(self, month: int) -> np.ndarray:
        """Accounts that had silently stopped buying before ``as_of`` (only in month 0; they are lost at its end)."""
        if month == 0:
            return self.mask & ~self.active
        return np.zeros(len(self.mask), dtype=bool)

    def order_rate_now(self, month: int) -> np.ndarray:
        """Orders per month of each calibrated account this month (0 while dormant)."""
        return np.where(self.dormant(month), 0.0, self.order_rate)

    def base_churn(self) -> np.ndarray:
        """Monthly loss probability at the reference multiplier, from the drawn hazard."""
        return -np.expm1(-self.dropout_rate)

    def estimated_base_churn(self, month: int) -> np.ndarray:
        """The loss probability the CRM can estimate: posterior mean hazard after ``month`` months survived."""
        mean_hazard = self.dropout_shape / (self.dropout_exposure + month)
        return -np.expm1(-mean_hazard)

    def estimated_gone(self, month: int) -> np.ndarray:
        """Estimated probability the account is already gone (``1 - p_active`` in month 0, else 0)."""
        return np.where(self.mask, 1.0 - self.p_active, 0.0) if month == 0 else np.zeros(len(self.mask))
