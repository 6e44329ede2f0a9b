"""Maximum-likelihood machinery shared by the CLV and contractual-retention models (private).

:class:`_MLEModel` minimises a negative log-likelihood over log-parameters
(L-BFGS-B, then a Nelder-Mead polish), stores ``params_``,
``log_likelihood_`` and delta-method standard errors from a central-difference
Hessian, and gives every fitter the same ``summary`` and not-fitted error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

_NOT_FITTED = "{cls} is not fitted yet: call fit(...) before {method}()"


class ConvergenceError(RuntimeError):
    """Maximum-likelihood optimisation did not converge."""


def _hessian(f, x0: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of scalar ``f`` at ``x0``."""
    k = len(x0)
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            val = (f(x0 + ei + ej) - f(x0 + ei - ej) - f(x0 - ei + ej) + f(x0 - ei - ej)) / (4 * h * h)
            hess[i, j] = hess[j, i] = val
    return hess


class _MLEModel:
    """Shared fitting machinery: minimise a negative log-likelihood over log-parameters."""

    _param_names: tuple[str, ...] = ()

    def _neg_ll(self, log_params: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _minimise(self, x0: np.ndarray) -> None:
        res = optimize.minimize(self._neg_ll, x0, method="L-BFGS-B", options={"maxiter": 2000})
        # the function tolerance is relative: a log-likelihood of a million customers is ~1e6, where an
        # absolute 1e-10 is below float resolution and Nelder-Mead would run to maxiter (minutes)
        polish = optimize.minimize(
            self._neg_ll, res.x, method="Nelder-Mead",
            options={"xatol": 1e-8, "fatol": 1e-13 * max(1.0, abs(float(res.fun))), "maxiter": 20000},
        )
        best = polish if polish.fun <= res.fun else res
        if not np.isfinite(best.fun) or not (res.success or polish.success):
            raise ConvergenceError(
                f"{type(self).__name__}.fit did not converge: {res.message} / {polish.message}; "
                "check the data (e.g. all customers with frequency 0) or try other initial_params"
            )
        self._log_params = best.x
        self.params_ = pd.Series(np.exp(best.x), index=list(self._param_names), name="coef")
        self.log_likelihood_ = -float(best.fun)
        self.optimizer_result_ = best
        try:
            cov_log = np.linalg.inv(_hessian(self._neg_ll, best.x))
            se_log = np.sqrt(np.clip(np.diag(cov_log), 0, None))
        except np.linalg.LinAlgError:
            se_log = np.full(len(best.x), np.nan)
        self._se = self.params_.to_numpy() * se_log  # delta method

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "params_"):
            raise ValueError(_NOT_FITTED.format(cls=type(self).__name__, method=method))

    @property
    def summary(self) -> pd.DataFrame:
        """Fitted parameters: ``coef``, ``se`` (delta method from the numerical Hessian), ``lower_95``, ``upper_95``.

        The interval is ``coef * exp(+/- 1.96 se_log)`` (Wald interval on the log scale).
        """
        self._check_fitted("summary")
        coef = self.params_.to_numpy()
        se_log = np.where(coef > 0, self._se / coef, np.nan)
        return pd.DataFrame(
            {
                "coef": coef,
                "se": self._se,
                "lower_95": coef * np.exp(-1.96 * se_log),
                "upper_95": coef * np.exp(1.96 * se_log),
            },
            index=pd.Index(self._param_names, name="param"),
        )
