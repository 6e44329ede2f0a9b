"""Pareto/NBD model of repeat purchases: Poisson buying while alive, dropout at any moment.

KAM example: an account that ordered every month until March and has been
silent since -- is it still a customer?  The Pareto/NBD model (Schmittlein,
Morrison & Colombo 1987, "Counting your customers: who are they and what will
they do next?", *Management Science* 33(1)) answers from ``frequency,
recency, T`` of :func:`~kamsim.analytics.rfm.rfm_table` (``recency`` = age at
the last purchase, as for :class:`~kamsim.analytics.lifetime_value.BetaGeoFitter`).

Model, per customer and in model periods: while alive it buys at Poisson rate
``lambda``; its lifetime is exponential with hazard ``mu`` (it can drop out at
any moment, unobserved); across customers ``lambda ~ Gamma(r, rate alpha)`` and
``mu ~ Gamma(s, rate beta)``, independent.  With ``x`` repeat purchases, the last
at ``t_x``, observed until ``T`` (Fader, Hardie & Lee 2005, "A note on
implementing the Pareto/NBD model in MATLAB")::

    L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A0 ]

    alpha >= beta:  A0 = F(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t_x)) / (alpha+t_x)^(r+s+x)
                       - F(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+T)) / (alpha+T)^(r+s+x)
    alpha <  beta:  A0 = F(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t_x)) / (beta+t_x)^(r+s+x)
                       - F(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+T)) / (beta+T)^(r+s+x)

with ``F`` the Gauss hypergeometric function (``scipy.special.hyp2f1``).  Both
terms of ``A0`` are taken in logs and ``log A0 = log(term1) + log(1 - term2/term1)``;
when they are equal (``t_x = T``: the customer bought at the end of the
window) ``A0 = 0``, its limit.  Then::

    P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0)
    E[Y(t) | x, t_x, T]  = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive)
    E[X(t)]              = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]

and, at ``s = 1``, ``(beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)]`` becomes
its limit ``(beta+T) log((beta+T+t)/(beta+T))`` (computed without a division by
``s - 1`` for every ``s``).  Parameters are estimated by maximum likelihood
over their logarithms (BFGS, then a Newton step), as for BG/NBD.  The gradient
is analytic (digamma) except for ``log A0``: scipy has no derivative of ``F`` in
its parameters, so ``d log A0 / d log theta`` are central differences (step
1e-5 in ``log theta``, error ~1e-10).

Pareto/NBD or BG/NBD?  Both let each customer buy at its own Poisson rate;
they differ in *when* a customer can leave.  BG/NBD lets it drop out only just
after a purchase (probability ``p`` each time), so a customer who never
repurchases is "alive" for ever and heavy buyers die sooner in calendar time;
Pareto/NBD gives every customer a constant dropout *hazard* ``mu`` per period,
whether it buys or not.  The BG/NBD is easier to fit (no hypergeometric
function in the likelihood) and usually forecasts as well; the Pareto/NBD is
the model of a simulator that moves accounts with a monthly churn hazard, such
as kamsim's engine, so its posterior (:meth:`ParetoNBDFitter.posterior`) is
what a calibrated twin needs (docs/analytics.md, docs/calibration.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma, expit, gammaln, hyp2f1

from kamsim.analytics._btyd import as_array, check_frt, compress, fit_unit
from kamsim.analytics._mle import _MLEModel

#: Step of the central differences of ``log A0`` in the log-parameters.
_STEP = 1e-5

#: Columns of :meth:`ParetoNBDFitter.posterior`.
POSTERIOR_COLUMNS: tuple[str, ...] = ("p_alive", "purchase_shape", "purchase_rate", "dropout_shape", "dropout_rate")


def _log_a0(r: float, alpha: float, s: float, beta: float, x: np.ndarray, tx: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``log A0`` of the likelihood (module docstring); ``-inf`` where ``A0 = 0`` (``t_x = T``)."""
    c = r + s + x
    if alpha >= beta:
        b, base, gap = s + 1.0, alpha, alpha - beta
    else:
        b, base, gap = r + x, beta, beta - alpha
    # log of F(c, b; c+1; z) / (base + y)^c at y = t_x and at y = T, z = gap / (base + y) in [0, 1).
    first = np.log(hyp2f1(c, b, c + 1.0, gap / (base + tx))) - c * np.log(base + tx)
    second = np.log(hyp2f1(c, b, c + 1.0, gap / (base + t))) - c * np.log(base + t)
    diff = second - first  # <= 0 in exact arithmetic: A0 integrates a positive density over (t_x, T)
    positive = diff < 0
    log_one_minus = np.log(-np.expm1(np.where(positive, diff, -1.0)))
    return np.where(positive, first + log_one_minus, -np.inf)


def _log_terms(params: np.ndarray, x: np.ndarray, tx: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The logs of the two terms in the bracket of the likelihood: alive at ``T``, and dropped out in ``(t_x, T]``."""
    r, alpha, s, beta = params
    alive = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
    gone = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, tx, t)
    return alive, gone


def _exposure(shape_minus_one: float, rate: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``E[(1 - exp(-mu t)) / mu]`` for ``mu ~ Gamma(shape, rate)``: ``rate/(shape-1) [1 - (rate/(rate+t))^(shape-1)]``.

    Written as ``rate * L * (1 - exp(-y)) / y`` with ``L = log(1 + t/rate)`` and ``y = (shape-1) L``,
    so ``shape = 1`` gives its limit ``rate * L`` (periods of expected lifetime within ``t``).
    """
    log_growth = np.log1p(t / rate)
    y = shape_minus_one * log_growth
    small = np.abs(y) < 1e-8
    ratio = np.where(small, 1.0 - y / 2.0, -np.expm1(-y) / np.where(small, 1.0, y))
    return rate * log_growth * ratio


def _horizon(t, name: str = "t") -> np.ndarray:
    arr = np.asarray(t, dtype="float64")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        raise ValueError(f"{name} must be finite and >= 0 (model periods), got {arr[bad].ravel()[0]}")
    return arr


class ParetoNBDFitter(_MLEModel):
    """Pareto/NBD model of repeat purchases: Poisson buying, exponential lifetime (see module docstring).

    Parameters
    ----------
    initial_params
        Starting values ``(r, alpha, s, beta)`` of the optimiser (default ``(1, T/3, 1, T/3)``
        with ``T`` the mean observation length, so the start scales with the time unit).

    Attributes
    ----------
    params_ : Series
        Fitted ``r, alpha, s, beta``: purchase-rate shape and rate, dropout-hazard shape and rate
        (``alpha`` and ``beta`` in model periods; mean purchase rate ``r/alpha`` and mean dropout
        hazard ``s/beta`` per period).
    log_likelihood_ : float
        Maximised log-likelihood.
    periods_per_month_ : float or None
        Model periods per month of the fitted data (from ``rfm_table``'s attrs), None if unknown.
    """

    _param_names = ("r", "alpha", "s", "beta")

    def __init__(self, initial_params: tuple[float, float, float, float] | None = None) -> None:
        self.initial_params = initial_params

    def _neg_ll(self, log_params: np.ndarray) -> float:
        params = np.exp(np.clip(log_params, -30, 30))
        with np.errstate(all="ignore"):  # the optimiser may try parameters where hyp2f1 overflows
            value = -float(np.sum(self._w * _log_likelihood(params, self._x, self._tx, self._t)))
        return value if np.isfinite(value) else 1e300

    def _neg_ll_and_grad(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        """``_neg_ll`` and its gradient over the log-parameters (module docstring)."""
        inside = np.abs(log_params) < 30  # the clip of the parameters has no slope
        theta = np.clip(log_params, -30, 30)
        params = np.exp(theta)
        r, alpha, s, beta = params
        x, tx, t, w = self._x, self._tx, self._t, self._w
        with np.errstate(all="ignore"):  # as in _neg_ll: hyp2f1 may overflow far from the optimum
            alive, gone = _log_terms(params, x, tx, t)
            mix = np.logaddexp(alive, gone)
            ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + mix
            value = -float(np.sum(w * ll))
            w_alive, w_gone = np.exp(alive - mix), np.exp(gone - mix)  # shares of the two terms of the bracket
            d_a0 = np.zeros((4, len(x)))  # d log A0 / d log theta_i, central differences
            for i, step in enumerate(np.eye(4) * _STEP):
                up, down = _log_a0(*np.exp(theta + step), x, tx, t), _log_a0(*np.exp(theta - step), x, tx, t)
                d_a0[i] = np.where(w_gone > 0, (up - down) / (2 * _STEP), 0.0)
            rsx = r + s + x
            partials = np.array(
                [
                    r * (digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * np.log(alpha + t) - w_gone / rsx),
                    r - w_alive * alpha * (r + x) / (alpha + t),
                    s * (np.log(beta) - w_alive * np.log(beta + t) + w_gone * (1.0 / s - 1.0 / rsx)),
                    s - w_alive * s * beta / (beta + t),
                ]
            ) + w_gone * d_a0
            grad = -(partials @ w) * inside
        if not (np.isfinite(value) and np.isfinite(grad).all()):
            return 1e300, np.zeros(4)
        return value, grad

    def fit(self, frequency, recency, T) -> ParetoNBDFitter:
        """Fit by maximum likelihood; ``recency`` = age at last purchase, all in model periods.

        Parameters
        ----------
        frequency, recency, T
            Repeat purchases ``x``, age at the last purchase ``t_x`` and age at the end of
            the observation ``T`` per customer (periods), e.g. columns of
            :func:`~kamsim.analytics.rfm.rfm_table`; their ``attrs["periods_per_month"]`` is kept.

        Returns
        -------
        ParetoNBDFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            On invalid data (row named) or tables with different periods.
        ConvergenceError
            If the optimiser fails.
        """
        x, tx, t = check_frt(frequency, recency, T)
        if len(x) == 0:
            raise ValueError("ParetoNBDFitter.fit: no customers")
        self.periods_per_month_ = fit_unit("ParetoNBDFitter.fit", frequency, recency, T)
        # Customers with identical (x, t_x, T) share one likelihood term.
        self._x, self._tx, self._t, self._w = compress(x, tx, t)
        if self.initial_params is None:
            scale = max(float(np.mean(t)), 1e-3) / 3.0
            x0 = np.log([1.0, scale, 1.0, scale])
        else:
            start = as_array(self.initial_params, "initial_params")
            if len(start) != 4 or (start <= 0).any():
                raise ValueError(f"initial_params must be four values > 0 (r, alpha, s, beta), got {self.initial_params!r}")
            x0 = np.log(start)
        self._minimise(x0)
        return self

    def log_likelihood(self, frequency, recency, T) -> np.ndarray:
        """Each customer's log-likelihood of ``(x, t_x, T)`` under the fitted parameters (``log L``, no constant)."""
        self._check_fitted("log_likelihood")
        x, tx, t = check_frt(frequency, recency, T)
        return _log_likelihood(self.params_.to_numpy(), x, tx, t)

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(customer still alive at T | x, t_x, T), in [0, 1]; 1 for a purchase at ``T`` itself.

        ``1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0)``; unlike BG/NBD, a customer without
        repeat purchases is not certainly alive (it may have left before buying again).
        """
        self._check_fitted("probability_alive")
        x, tx, t = check_frt(frequency, recency, T)
        return self._p_alive(x, tx, t)

    def _p_alive(self, x: np.ndarray, tx: np.ndarray, t: np.ndarray) -> np.ndarray:
        alive, gone = _log_terms(self.params_.to_numpy(), x, tx, t)
        return expit(alive - gone)

    def predict(self, t: float | np.ndarray, frequency, recency, T) -> np.ndarray:
        """Conditional expected purchases in the next ``t`` periods, E[Y(t) | x, t_x, T].

        ``(r+x)/(alpha+T) * (beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)] * P(alive)``
        (its limit ``(beta+T) log((beta+T+t)/(beta+T))`` at ``s = 1``): the mean purchase rate of
        a customer alive at ``T`` times its expected time alive within ``t``, times P(alive).

        Parameters
        ----------
        t
            Forecast horizon (model periods, >= 0): a number, or an array broadcast against the customers.
        frequency, recency, T
            As in :meth:`fit` (periods).

        Returns
        -------
        ndarray
            Expected number of purchases (purchase periods) per customer.
        """
        self._check_fitted("predict")
        horizon = _horizon(t)
        x, tx, big_t = check_frt(frequency, recency, T)
        r, alpha, s, beta = self.params_.to_numpy()
        rate = (r + x) / (alpha + big_t)
        return rate * _exposure(s - 1.0, beta + big_t, horizon) * self._p_alive(x, tx, big_t)

    def expected_purchases(self, t: float | np.ndarray) -> np.ndarray:
        """Expected purchases of a new customer in ``(0, t]`` (unconditional E[X(t)], ``t`` in periods).

        ``r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]``, at ``s = 1`` ``r beta/alpha log(1 + t/beta)``.
        """
        self._check_fitted("expected_purchases")
        horizon = _horizon(t)
        r, alpha, s, beta = self.params_.to_numpy()
        return r / alpha * _exposure(s - 1.0, np.float64(beta), horizon)

    def posterior(self, frequency, recency, T) -> pd.DataFrame:
        """Each customer's posterior at ``T``: P(alive) and, given alive, its purchase rate and dropout hazard.

        Given the customer is alive at ``T``, its likelihood is ``lambda^x exp(-lambda T) *
        exp(-mu T)`` (``x`` purchases in ``(0, T]`` and no dropout before ``T``; the purchase
        times add no information about ``lambda`` beyond their number).  It factorises, so the
        Gamma priors update independently::

            lambda | alive, x, T ~ Gamma(r + x, rate alpha + T)
            mu     | alive, T    ~ Gamma(s,     rate beta + T)

        With ``1 - p_alive`` the customer has left for good.  Hence
        ``E[Y(t)] = p_alive * E[lambda] * E[(1 - exp(-mu t)) / mu]``, which is :meth:`predict`.

        Parameters
        ----------
        frequency, recency, T
            As in :meth:`fit` (periods).  The index of ``frequency`` is kept if it is a Series.

        Returns
        -------
        DataFrame
            One row per customer: ``p_alive`` (probability alive at ``T``), ``purchase_shape``
            ``= r + x`` and ``purchase_rate = alpha + T`` (Gamma shape and rate of the purchase
            rate, periods; mean ``shape/rate`` purchases per period), ``dropout_shape = s`` and
            ``dropout_rate = beta + T`` (Gamma shape and rate of the dropout hazard, periods).
        """
        self._check_fitted("posterior")
        x, tx, big_t = check_frt(frequency, recency, T)
        r, alpha, s, beta = self.params_.to_numpy()
        index = frequency.index if isinstance(frequency, pd.Series) else None
        return pd.DataFrame(
            {
                "p_alive": self._p_alive(x, tx, big_t),
                "purchase_shape": r + x,
                "purchase_rate": alpha + big_t,
                "dropout_shape": np.full(len(x), s),
                "dropout_rate": beta + big_t,
            },
            index=index,
            columns=list(POSTERIOR_COLUMNS),
        )


def _log_likelihood(params: np.ndarray, x: np.ndarray, tx: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per-customer Pareto/NBD log-likelihood at ``params = (r, alpha, s, beta)``."""
    r, alpha, s, beta = params
    alive, gone = _log_terms(params, x, tx, t)
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.logaddexp(alive, gone)
