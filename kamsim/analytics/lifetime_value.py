"""Customer lifetime value: BG/NBD purchase model + Gamma-Gamma spend model.

KAM example: two accounts each ordered 6 times last year, one last week and
one eight months ago.  How many orders will each place next year, how likely
is each still "alive", and what are they worth today?  The BG/NBD model
(Fader, Hardie & Lee 2005, "Counting your customers the easy way") answers
the first two from ``frequency, recency, T`` of :func:`~kamsim.analytics.rfm.rfm_table`
(``recency`` in the BG/NBD sense: age at last purchase); the Gamma-Gamma
model (Fader, Hardie & Lee 2005, "RFM and CLV") adds the value per order.

BG/NBD: while alive a customer buys at Poisson rate ``lambda ~ Gamma(r,
alpha)``; after each purchase it dies with probability ``p ~ Beta(a, b)``.
Per customer with ``x`` repeat purchases, last at ``t_x``, observed until
``T`` (all in model periods)::

    L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / Gamma(r)
        * [ (alpha+T)^-(r+x) + 1{x>0} a/(b+x-1) (alpha+t_x)^-(r+x) ]

Parameters are estimated by maximum likelihood over their logarithms with
``scipy.optimize.minimize`` (BFGS with the analytic gradient, then a Newton
step).  With ``w = exp(A4) / (exp(A3) + exp(A4))`` the weight of the second term
of the bracket (``A3``, ``A4`` its two logs) and ``psi`` the digamma function::

    d log L / d r     = psi(r+x) - psi(r) + log alpha - (1-w) log(alpha+T) - w log(alpha+t_x)
    d log L / d alpha = r/alpha - (r+x) [(1-w)/(alpha+T) + w/(alpha+t_x)]
    d log L / d a     = psi(a+b) - psi(a+b+x) + w/a
    d log L / d b     = psi(b+x) - psi(b) + psi(a+b) - psi(a+b+x) - w/(b+x-1)

(``d/d log theta = theta d/d theta``; the optimiser works on the logs).

Gamma-Gamma: the mean spend ``m_x`` of a customer's ``x`` repeat purchases has
``E[M | x, m_x] = (p (v + x m_x)) / (p x + q - 1)``; its likelihood
``log L = log Gamma(px+q) - log Gamma(px) - log Gamma(q) + q log v + (px-1) log m_x
+ px log x - (px+q) log(v + x m_x)`` has the gradient ``d/dp = x [psi(px+q) - psi(px)
+ log m_x + log x - log(v + x m_x)]``, ``d/dq = psi(px+q) - psi(q) + log v - log(v + x m_x)``,
``d/dv = q/v - (px+q)/(v + x m_x)``.

:func:`clv` discounts expected monthly purchases times expected spend:
``CLV = sum_{k=1..months} (E[Y(k)] - E[Y(k-1)]) * E[M] / (1 + d)^k``
with ``E[Y(k)]`` the BG/NBD conditional expected purchases in the first ``k``
months (``k * periods_per_month`` model periods) and ``d`` the monthly
discount rate.  The model period comes with the data: ``rfm_table`` stores
``attrs["periods_per_month"]``, the fitters keep it (``periods_per_month_``)
and :func:`clv` uses it, raising ``ValueError`` when units disagree or are unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize  # noqa: F401  (tests patch lifetime_value.optimize.minimize)
from scipy.special import betaln, digamma, gammaln, hyp2f1

from kamsim.analytics._btyd import as_array, check_frt, compress, fit_unit, same_unit, units
from kamsim.analytics._mle import ConvergenceError, _MLEModel

if TYPE_CHECKING:
    from kamsim.analytics.pareto_nbd import ParetoNBDFitter


class BetaGeoFitter(_MLEModel):
    """BG/NBD model of repeat purchases ("buy till you die").

    Parameters
    ----------
    initial_params
        Starting values ``(r, alpha, a, b)`` of the optimiser (default ``(1, 1, 1, 1)``
        with ``alpha`` scaled to the data).

    Attributes
    ----------
    params_ : Series
        Fitted ``r, alpha, a, b`` (``alpha`` in model periods).
    log_likelihood_ : float
        Maximised log-likelihood.
    """

    _param_names = ("r", "alpha", "a", "b")

    def __init__(self, initial_params: tuple[float, float, float, float] | None = None) -> None:
        self.initial_params = initial_params

    def _neg_ll(self, log_params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(np.clip(log_params, -30, 30))
        x, tx, t, w = self._x, self._tx, self._t, self._w
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b)
        a3 = -(r + x) * np.log(alpha + t)
        with np.errstate(divide="ignore", invalid="ignore"):
            a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
        ll = a1 + a2 + np.logaddexp(a3, a4)
        value = -float(np.sum(w * ll))
        return value if np.isfinite(value) else 1e300

    def _neg_ll_and_grad(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        """``_neg_ll`` and its gradient over the log-parameters (module docstring)."""
        inside = np.abs(log_params) < 30  # the clip of the parameters has no slope
        params = np.exp(np.clip(log_params, -30, 30))
        r, alpha, a, b = params
        x, tx, t, w = self._x, self._tx, self._t, self._w
        bought = x > 0
        log_at, log_atx = np.log(alpha + t), np.log(alpha + tx)
        bx1 = np.where(bought, b + x - 1, 1.0)
        a3 = -(r + x) * log_at
        a4 = np.where(bought, np.log(a) - np.log(bx1) - (r + x) * log_atx, -np.inf)
        mix = np.logaddexp(a3, a4)
        ll = (gammaln(r + x) - gammaln(r) + r * np.log(alpha)) + (betaln(a, b + x) - betaln(a, b)) + mix
        value = -float(np.sum(w * ll))
        w4 = np.exp(a4 - mix)  # weight of the second term of the bracket
        w3 = 1.0 - w4
        psi_abx, psi_ab = digamma(a + b + x), digamma(a + b)
        partials = np.array(
            [
                w @ (digamma(r + x) - digamma(r) + np.log(alpha) - w3 * log_at - w4 * log_atx),
                w @ (r / alpha - (r + x) * (w3 / (alpha + t) + w4 / (alpha + tx))),
                w @ (psi_ab - psi_abx + w4 / a),
                w @ (digamma(b + x) - digamma(b) + psi_ab - psi_abx - w4 / bx1),
            ]
        )
        grad = -params * partials * inside
        if not (np.isfinite(value) and np.isfinite(grad).all()):
            return 1e300, np.zeros(4)
        return value, grad

    def fit(self, frequency, recency, T) -> BetaGeoFitter:
        """Fit by maximum likelihood; ``recency`` = age at last purchase, all in model periods.

        Raises
        ------
        ValueError
            On invalid data (row named).
        ConvergenceError
            If the optimiser fails.
        """
        x, tx, t = check_frt(frequency, recency, T)
        if len(x) == 0:
            raise ValueError("BetaGeoFitter.fit: no customers")
        #: Model periods per month of the fitted data (from ``rfm_table``'s attrs), None if unknown.
        self.periods_per_month_ = fit_unit("BetaGeoFitter.fit", frequency, recency, T)
        # Customers with identical (x, t_x, T) share one likelihood term.
        self._x, self._tx, self._t, self._w = compress(x, tx, t)
        if self.initial_params is None:
            x0 = np.log([1.0, max(float(np.mean(t)), 1e-3) / 10.0, 1.0, 1.0])
        else:
            x0 = np.log(np.asarray(self.initial_params, dtype=float))
        self._minimise(x0)
        return self

    def expected_purchases(self, t: float | np.ndarray) -> np.ndarray:
        """Expected purchases of a new customer in ``(0, t]`` (unconditional E[X(t)])."""
        self._check_fitted("expected_purchases")
        r, alpha, a, b = self.params_.to_numpy()
        t = np.asarray(t, dtype=float)
        z = t / (alpha + t)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))

    def predict(self, t: float, frequency, recency, T) -> np.ndarray:
        """Conditional expected purchases in the next ``t`` periods, E[Y(t) | x, t_x, T]."""
        self._check_fitted("predict")
        x, tx, big_t = check_frt(frequency, recency, T)
        r, alpha, a, b = self.params_.to_numpy()
        z = t / (alpha + big_t + t)
        head = (a + b + x - 1) / (a - 1)
        bracket = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return head * bracket / self._alive_denominator(x, tx, big_t)

    def _alive_denominator(self, x, tx, big_t) -> np.ndarray:
        r, alpha, a, b = self.params_.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = np.where(
                x > 0,
                a / np.maximum(b + x - 1, 1e-300) * np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))),
                0.0,
            )
        return 1.0 + odds

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(customer still alive at T | x, t_x, T); 1 for customers without repeat purchases."""
        self._check_fitted("probability_alive")
        x, tx, big_t = check_frt(frequency, recency, T)
        return 1.0 / self._alive_denominator(x, tx, big_t)


class GammaGammaFitter(_MLEModel):
    """Gamma-Gamma model of the mean value of repeat purchases (CU).

    Fit on customers with ``frequency > 0`` only (``monetary_value`` = mean of
    repeat purchases, as in :func:`~kamsim.analytics.rfm.rfm_table`).  The model
    assumes spend is independent of frequency; check ``corr(frequency,
    monetary_value)`` is small before using it.

    Attributes
    ----------
    params_ : Series
        Fitted ``p, q, v``.
    """

    _param_names = ("p", "q", "v")

    def __init__(self, initial_params: tuple[float, float, float] | None = None) -> None:
        self.initial_params = initial_params

    def _neg_ll(self, log_params: np.ndarray) -> float:
        p, q, v = np.exp(np.clip(log_params, -30, 30))
        x, m = self._x, self._m
        ll = (
            gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(v + x * m)
        )
        value = -float(np.sum(ll))
        return value if np.isfinite(value) else 1e300

    def _neg_ll_and_grad(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        """``_neg_ll`` and its gradient over the log-parameters (module docstring)."""
        inside = np.abs(log_params) < 30  # the clip of the parameters has no slope
        params = np.exp(np.clip(log_params, -30, 30))
        p, q, v = params
        x, m = self._x, self._m
        px, log_vxm, psi_pxq = p * x, np.log(v + x * m), digamma(p * x + q)
        ll = (
            gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * log_vxm
        )
        value = -float(np.sum(ll))
        partials = np.array(
            [
                np.sum(x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_vxm)),
                np.sum(psi_pxq - digamma(q) + np.log(v) - log_vxm),
                np.sum(q / v - (px + q) / (v + x * m)),
            ]
        )
        grad = -params * partials * inside
        if not (np.isfinite(value) and np.isfinite(grad).all()):
            return 1e300, np.zeros(3)
        return value, grad

    def fit(self, frequency, monetary_value) -> GammaGammaFitter:
        """Fit by maximum likelihood on customers with ``frequency > 0`` and ``monetary_value > 0``."""
        x = as_array(frequency, "frequency")
        m = as_array(monetary_value, "monetary_value")
        if len(x) != len(m):
            raise ValueError(f"frequency and monetary_value must have the same length ({len(x)}, {len(m)})")
        bad = np.flatnonzero((x > 0) & (m <= 0))
        if len(bad):
            raise ValueError(f"monetary_value: row {int(bad[0])} is {m[bad[0]]} but frequency > 0; spend must be > 0")
        keep = x > 0
        if keep.sum() < 2:
            raise ValueError("GammaGammaFitter.fit needs at least 2 customers with frequency > 0")
        self._x, self._m = x[keep], m[keep]
        x0 = np.log(self.initial_params if self.initial_params is not None else (1.0, 1.0, float(np.mean(self._m))))
        self._minimise(np.asarray(x0, dtype=float))
        return self

    def expected_spend(self, frequency, monetary_value) -> np.ndarray:
        """E[M | x, m_x] (CU per purchase); customers with ``frequency == 0`` get the population mean ``p v / (q - 1)``."""
        self._check_fitted("expected_spend")
        x = as_array(frequency, "frequency")
        m = as_array(monetary_value, "monetary_value")
        p, q, v = self.params_.to_numpy()
        m = np.where(x > 0, m, 0.0)
        return p * (v + x * m) / (p * x + q - 1)


def clv(
    bgf: BetaGeoFitter | ParetoNBDFitter,
    ggf: GammaGammaFitter,
    frequency,
    recency,
    T,
    monetary_value,
    months: int = 12,
    discount_rate: float = 0.01,
    periods_per_month: float | None = None,
) -> np.ndarray:
    """Discounted expected value of each customer's purchases over the next ``months`` months (CU).

    ``CLV = sum_{k=1..months} (E[Y(k m)] - E[Y((k-1) m)]) * E[M] / (1 + d)^k`` with
    ``m = periods_per_month`` (e.g. 1 for monthly RFM, 30.4375 for daily,
    4.348 for weekly), ``E[Y]`` from :meth:`BetaGeoFitter.predict` (or
    :meth:`~kamsim.analytics.pareto_nbd.ParetoNBDFitter.predict`: ``bgf`` may be either fitter) and
    ``E[M]`` from :meth:`GammaGammaFitter.expected_spend`; ``d`` is the monthly
    discount rate (0.01 = 1 % per month).  Pass margins instead of revenue as
    ``monetary_value`` to get a margin CLV.

    ``periods_per_month=None`` (default) takes the unit from the data: the
    ``attrs["periods_per_month"]`` of :func:`~kamsim.analytics.rfm.rfm_table`
    columns passed here or used to fit ``bgf``.  ``ValueError`` if the unit is
    unknown (plain arrays: pass it), or if the given or carried units disagree
    (e.g. a daily RFM table with ``periods_per_month=1``).
    """
    if months < 1:
        raise ValueError(f"months must be >= 1, got {months}")
    if discount_rate <= -1:
        raise ValueError(f"discount_rate must be > -1, got {discount_rate}")
    known = units(frequency, recency, T, monetary_value)
    if getattr(bgf, "periods_per_month_", None) is not None:
        known.add(bgf.periods_per_month_)
    if periods_per_month is not None:
        clash = [u for u in known if not same_unit(u, periods_per_month)]
        if clash:
            raise ValueError(
                f"clv: periods_per_month={periods_per_month} but the RFM data is in periods with "
                f"{clash[0]:.4g} per month (rfm_table attrs); pass periods_per_month=None to use the data's unit"
            )
    else:
        if not known:
            raise ValueError(
                "clv: the model period is unknown; pass periods_per_month (30.4375 for daily, 4.348 for weekly, "
                "1 for monthly RFM) or the columns of an rfm_table"
            )
        if any(not same_unit(u, min(known)) for u in known):
            raise ValueError(f"clv: the inputs and the fitted model use different periods per month {sorted(known)}")
        periods_per_month = min(known)
    if periods_per_month <= 0:
        raise ValueError(f"periods_per_month must be > 0, got {periods_per_month}")
    spend = ggf.expected_spend(frequency, monetary_value)
    total = np.zeros_like(spend)
    previous = np.zeros_like(spend)
    for k in range(1, months + 1):
        cumulative = bgf.predict(k * periods_per_month, frequency, recency, T)
        total += (cumulative - previous) * spend / (1.0 + discount_rate) ** k
        previous = cumulative
    return total
