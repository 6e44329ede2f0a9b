"""Maximum-likelihood machinery shared by the CLV and contractual-retention models (private).

:class:`_MLEModel` minimises a negative log-likelihood over log-parameters, stores ``params_``,
``log_likelihood_`` and delta-method standard errors from a central-difference Hessian, and gives
every fitter the same ``summary`` and not-fitted error.  Two paths:

* a model with ``_neg_ll_and_grad`` (the likelihood and its gradient over the log-parameters, e.g.
  BG/NBD and Gamma-Gamma from digamma): BFGS with that gradient, one Newton step with the
  Hessian from central differences of the gradient, and that Hessian for the standard errors --
  some 30 likelihood evaluations on CDNOW;
* otherwise (or with ``_use_gradient = False``, the path kept as the reference of
  ``benchmarks/bench_analytics_fit.py``): L-BFGS-B with finite differences, then a Nelder-Mead
  polish, and the Hessian from central differences of the likelihood -- some 370 evaluations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

_NOT_FITTED = "{cls} is not fitted yet: call fit(...) before {method}()"


class ConvergenceError(RuntimeError):
    """Maximum-likelihood optimisation did not converge."""


def _hessian_from_gradient(grad, x0: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Hessian of a function whose gradient is ``grad``: central differences of the gradient, symmetrised."""
    k = len(x0)
    rows = [(grad(x0 + h * e) - grad(x0 - h * e)) / (2 * h) for e in np.eye(k)]
    hess = np.array(rows)
    return (hess + hess.T) / 2


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
    #: Use ``_neg_ll_and_grad`` when the model has one (False: finite differences and Nelder-Mead, as before).
    _use_gradient: bool = True

    def _neg_ll(self, log_params: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _minimise(self, x0: np.ndarray) -> None:
        if self._use_gradient and hasattr(self, "_neg_ll_and_grad") and self._minimise_with_gradient(x0):
            return  # else the derivative-free path below, from the start
        res = optimize.minimize(self._neg_ll, x0, method="L-BFGS-B", options={"maxiter": 2000})
        # the function tolerance is relative: a log-likelihood of a million customers is ~1e6, where an
        # absolute 1e-10 is below float resolution and Nelder-Mead would run to maxiter (minutes)
        polish = optimize.minimize(
            self._neg_ll, res.x, method="Nelder-Mead",
            options={"xatol": 1e-8, "fatol": 1e-13 * max(1.0, abs(float(res.fun))), "maxiter": 20000},
        )
        best = polish if polish.fun <= res.fun else res
        if not np.isfinite(best.fun) or not (res.success or polish.success):
            self._not_converged(f"{res.message} / {polish.message}")
        self._store(best, lambda x: _hessian(self._neg_ll, x))

    def _minimise_with_gradient(self, x0: np.ndarray) -> bool:
        """BFGS on the analytic gradient, then a Newton step; False (nothing stored) if BFGS fails.

        BFGS, not L-BFGS-B: with four parameters its dense update is cheaper than L-BFGS-B's LAPACK
        calls, which cost milliseconds per iteration when OpenBLAS starts its threads.
        """
        fun = self._neg_ll_and_grad  # returns (value, gradient)
        res = optimize.minimize(fun, x0, jac=True, method="BFGS", options={"maxiter": 2000})
        if not np.isfinite(res.fun) or not res.success:
            return False
        x, value, g = res.x, float(res.fun), res.jac
        hess = _hessian_from_gradient(lambda z: fun(z)[1], x)
        try:  # the gradient is ~1e-6 at BFGS's stop; a Newton step squares that
            step = np.linalg.solve(hess, -g)
            new_value, new_g = fun(x + step)
            if new_value <= value + 1e-13 * abs(value) and np.linalg.norm(new_g) < np.linalg.norm(g):
                x, value = x + step, float(new_value)
        except np.linalg.LinAlgError:
            pass
        # the step is ~1e-6: the Hessian before it gives the same standard errors to ~1e-6
        self._store(optimize.OptimizeResult(res, x=x, fun=value), lambda z: hess)
        return True

    def _not_converged(self, message: str) -> None:
        raise ConvergenceError(
            f"{type(self).__name__}.fit did not converge: {message}; "
            "check the data (e.g. all customers with frequency 0) or try other initial_params"
        )

    def _store(self, best: optimize.OptimizeResult, hessian) -> None:
        """Keep the optimum ``best`` and the delta-method standard errors from ``hessian(x)`` (log-parameters)."""
        self._log_params = best.x
        self.params_ = pd.Series(np.exp(best.x), index=list(self._param_names), name="coef")
        self.log_likelihood_ = -float(best.fun)
        self.optimizer_result_ = best
        try:
            cov_log = np.linalg.inv(hessian(best.x))
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
