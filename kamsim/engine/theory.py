"""Closed-form results the engine is validated against (also handy in notebooks).

KAM example: if every month 2% of mature accounts slip to *at risk* and 6% of
accounts at risk are lost, how long does a mature account stay a customer on
average?  With constant monthly probabilities the lifecycle is an absorbing
Markov chain and the answer is a row sum of the fundamental matrix
``N = (I - Q)^-1``.  And if complaints arrive as a Poisson process and each
handler needs an exponential time, the complaint desk is an M/M/c queue whose
mean wait is the Erlang C formula.

Functions:

* :func:`split_chain` -- transient block ``Q`` and absorbing block ``R`` of a transition matrix;
* :func:`absorbing_chain` -- fundamental matrix, expected steps to absorption and their variance,
  absorption probabilities;
* :func:`stage_distribution` -- ``p0 P^m`` for m = 0..months;
* :func:`expected_truncated_time` -- ``E[min(T, H)]``, the mean time in transient states within a horizon;
* :func:`erlang_c`, :func:`erlang_c_wait` -- M/M/c probability of waiting and mean wait in queue;
* :func:`batch_means` -- mean and standard error of an autocorrelated series (e.g. successive waits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AbsorbingChain:
    """Results for an absorbing Markov chain with transient block ``Q``.

    Attributes
    ----------
    N : ndarray
        Fundamental matrix ``(I - Q)^-1``: expected visits to transient state j starting in i.
    t : ndarray
        Expected number of steps before absorption from each transient state, ``N 1``.
    t_var : ndarray
        Variance of the number of steps, ``(2N - I) t - t**2``.
    B : ndarray or None
        Absorption probabilities ``N R`` (only if ``R`` was given).
    """

    N: np.ndarray
    t: np.ndarray
    t_var: np.ndarray
    B: np.ndarray | None = None


def split_chain(P: np.ndarray, absorbing: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split a transition matrix into ``Q`` (transient -> transient), ``R`` (transient -> absorbing).

    Returns
    -------
    Q, R, transient : ndarray
        ``transient`` holds the indices of the transient states in ``P``.

    Raises
    ------
    ValueError
        If ``P`` is not a square stochastic matrix or an absorbing state can be left.
    """
    P = np.asarray(P, dtype="float64")
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"P must be a square matrix, got shape {P.shape}")
    if np.any(P < -1e-12) or not np.allclose(P.sum(axis=1), 1.0, atol=1e-9):
        raise ValueError("P must have non-negative entries and rows summing to 1")
    absorbing = sorted(int(a) for a in absorbing)
    for a in absorbing:
        if not np.isclose(P[a, a], 1.0):
            raise ValueError(f"state {a} is listed as absorbing but P[{a}, {a}] = {P[a, a]:.6g} != 1")
    transient = np.array([i for i in range(P.shape[0]) if i not in absorbing], dtype=np.int64)
    return P[np.ix_(transient, transient)], P[np.ix_(transient, absorbing)], transient


def absorbing_chain(Q: np.ndarray, R: np.ndarray | None = None) -> AbsorbingChain:
    """Fundamental matrix and absorption times of an absorbing Markov chain.

    Parameters
    ----------
    Q
        Transient-to-transient transition probabilities (per step, here per month).
    R
        Transient-to-absorbing probabilities (optional).

    Raises
    ------
    ValueError
        If ``I - Q`` is singular (some transient state can never be left).
    """
    Q = np.asarray(Q, dtype="float64")
    eye = np.eye(Q.shape[0])
    try:
        N = np.linalg.inv(eye - Q)
    except np.linalg.LinAlgError:
        raise ValueError("I - Q is singular: a transient state is never left (check Q)") from None
    t = N.sum(axis=1)
    t_var = (2 * N - eye) @ t - t**2
    B = None if R is None else N @ np.asarray(R, dtype="float64")
    return AbsorbingChain(N=N, t=t, t_var=t_var, B=B)


def stage_distribution(P: np.ndarray, p0: np.ndarray, months: int) -> np.ndarray:
    """Distribution over states after 0..months steps: row m is ``p0 P^m`` (shape ``(months+1, k)``)."""
    P = np.asarray(P, dtype="float64")
    out = np.empty((months + 1, P.shape[0]))
    out[0] = np.asarray(p0, dtype="float64")
    for m in range(months):
        out[m + 1] = out[m] @ P
    return out


def expected_truncated_time(Q: np.ndarray, p0: np.ndarray, horizon: int) -> float:
    """``E[min(T, H)]``: expected steps spent in transient states during the first ``horizon`` steps.

    ``p0`` is the starting distribution over the transient states.  Equals
    ``sum_{k<H} p0 Q^k 1``; it tends to ``p0 N 1`` as ``H`` grows.
    """
    v = np.asarray(p0, dtype="float64")
    total = 0.0
    for _ in range(horizon):
        total += v.sum()
        v = v @ np.asarray(Q, dtype="float64")
    return float(total)


def _check_queue(lam: float, mu: float, c: int) -> None:
    if lam < 0 or mu <= 0:
        raise ValueError(f"need lam >= 0 and mu > 0, got lam={lam}, mu={mu}")
    if int(c) != c or c < 1:
        raise ValueError(f"c (handlers) must be a positive integer, got {c}")
    if lam >= c * mu:
        raise ValueError(f"unstable queue: lam={lam} >= c*mu={c * mu} (utilisation >= 1)")


def erlang_c(lam: float, mu: float, c: int) -> float:
    """Probability that an arrival has to wait in an M/M/c queue (Erlang C).

    Parameters
    ----------
    lam
        Arrival rate (per unit time, e.g. complaints per day).
    mu
        Service rate of one handler (per unit time; 1 / mean handling time).
    c
        Number of handlers.
    """
    _check_queue(lam, mu, c)
    a = lam / mu
    erlang_b = 1.0
    for k in range(1, int(c) + 1):  # stable recursion for Erlang B
        erlang_b = a * erlang_b / (k + a * erlang_b)
    return float(c * erlang_b / (c - a * (1.0 - erlang_b)))


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean waiting time in queue ``Wq = C(c, a) / (c mu - lam)`` of an M/M/c queue (time unit of ``1/mu``)."""
    return erlang_c(lam, mu, c) / (c * mu - lam)


def batch_means(x: np.ndarray, n_batches: int = 20) -> tuple[float, float]:
    """Mean and standard error from ``n_batches`` contiguous batch means.

    Successive waiting times in a queue are correlated; the means of long
    batches are nearly independent, so their spread gives an honest standard
    error.  Leftover observations at the end are dropped.
    """
    x = np.asarray(x, dtype="float64")
    if n_batches < 2 or len(x) < n_batches:
        raise ValueError(f"need at least n_batches >= 2 observations per batch; got {len(x)} values, {n_batches} batches")
    size = len(x) // n_batches
    means = x[: size * n_batches].reshape(n_batches, size).mean(axis=1)
    return float(means.mean()), float(means.std(ddof=1) / np.sqrt(n_batches))
