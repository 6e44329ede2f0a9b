"""Segmentation policies: which tier (客户分级) each account belongs to this month.

KAM example: before deciding where effort goes, a company grades its
accounts -- by revenue (ABC / Pareto), by buying behaviour (RFM), by current
value and future potential (核心 / 重要 / 一般), by the KAM matrix (account
attractiveness x our relative position) or by a five-criteria screening
scorecard (大客户筛选).  Each policy below turns the monthly ``state`` into one
tier label per account; the analytics themselves live in :mod:`kamsim.analytics`
and are only called here.

* :class:`ABCSegmentation` -- ``A``, ``B``, ``C`` (hook ``value(state)``);
* :class:`RFMSegmentation` -- ``champions``, ``loyal``, ``new``, ``needs_attention``,
  ``at_risk``, ``hibernating`` (hook ``rfm_inputs(state)``);
* :class:`ValuePotentialSegmentation` -- ``core``, ``important``, ``general`` (hook ``value_potential(state)``);
* :class:`KAMMatrixSegmentation` -- ``strategic``, ``develop``, ``maintain``, ``streamline`` (hook ``axes(state)``);
* :class:`ScreeningSegmentation` -- ``key``, ``standard`` (hook ``score(state)``).

Every ``segment`` returns a categorical Series named ``"tier"`` with the
policy's ``tiers`` as categories and index ``state.index``.  Missing numbers
in ``state`` count as 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kamsim._measures import abc_codes
from kamsim.policies.base import SegmentationPolicy
from kamsim.policies.checks import check_fraction, check_non_negative, column
from kamsim.policies.registry import register

#: Average days per month, to turn ``months_since_order`` into the days RFM recency uses.
DAYS_PER_MONTH: float = 365.25 / 12

#: Screening criterion -> (state column, higher is better).
SCREENING_COLUMNS: dict[str, tuple[str, bool]] = {
    "annual_purchase": ("revenue_12m", True),
    "profitability": ("margin_12m", True),
    "credit_safety": ("credit_risk", False),
    "potential": ("growth_potential", True),
    "cooperativeness": ("cooperativeness", True),
}


def _pct_rank(values: np.ndarray) -> np.ndarray:
    """Percentile rank in (0, 1] (average rank of ties / n); an empty array stays empty."""
    if values.size == 0:
        return values.astype("float64")
    return pd.Series(values).rank(method="average", pct=True).to_numpy(dtype="float64")


@register
class ABCSegmentation(SegmentationPolicy):
    """ABC / Pareto grading (ABC分类) on 12-month revenue by the rule of :func:`kamsim.analytics.abc_classes`.

    Parameters
    ----------
    thresholds : tuple of float
        Cumulative value shares closing classes A and B (default 80% and 95%).
    value_col : str
        State column with account value (CU); default ``revenue_12m``.
    fallback_col : str
        Used when ``value_col`` sums to zero over all accounts (no revenue yet,
        e.g. the first month of a cold start); default ``annual_potential_spend``.
    """

    name = "abc"
    tiers = ("A", "B", "C")

    def __init__(
        self,
        thresholds: tuple[float, float] = (0.8, 0.95),
        value_col: str = "revenue_12m",
        fallback_col: str = "annual_potential_spend",
    ) -> None:
        self.thresholds = tuple(thresholds)
        self.value_col = value_col
        self.fallback_col = fallback_col
        if len(self.thresholds) != 2 or not 0 < self.thresholds[0] < self.thresholds[1] <= 1:
            raise ValueError(f"policy {self.name!r}: thresholds must satisfy 0 < A < B <= 1, got {thresholds!r}")

    def value(self, state: pd.DataFrame) -> np.ndarray:
        """Value per account (CU, negatives counted as 0); the fallback column when the value column is all zero."""
        v = np.maximum(column(state, self.value_col, self.name), 0.0)
        if not (v > 0).any():
            v = np.maximum(column(state, self.fallback_col, self.name), 0.0)
        return v

    def segment(self, state: pd.DataFrame) -> pd.Series:
        """``A`` / ``B`` / ``C`` per account by cumulative share of value."""
        codes = abc_codes(self.value(state), thresholds=self.thresholds)  # 0, 1, 2 = self.tiers
        return pd.Series(pd.Categorical.from_codes(codes, categories=list(self.tiers)), index=state.index, name="tier")


@register
class RFMSegmentation(SegmentationPolicy):
    """RFM segments (RFM客户细分) from recency, frequency and monetary value, via :func:`kamsim.analytics.rfm.rfm_scores`.

    The state gives the three inputs directly: recency = ``months_since_order``
    (converted to days; never ordered counts as one month older than the oldest
    order), frequency = ``orders_12m`` and monetary value = ``revenue_12m``.
    ``rfm_scores`` scores each 1..``q`` by percentile rank across the portfolio
    and names the segment from R and F (see its docstring): ``champions``,
    ``loyal``, ``new``, ``needs_attention``, ``at_risk``, ``hibernating``.

    Parameters
    ----------
    q : int
        Number of score levels (>= 2; 5 = quintiles).
    """

    name = "rfm"
    tiers = ("champions", "loyal", "new", "needs_attention", "at_risk", "hibernating")

    def __init__(self, q: int = 5) -> None:
        self.q = q
        if isinstance(q, bool) or not isinstance(q, (int, np.integer)) or q < 2:
            raise ValueError(f"policy {self.name!r}: q must be an integer >= 2, got {q!r}")

    def rfm_inputs(self, state: pd.DataFrame) -> pd.DataFrame:
        """The ``days_since_last``, ``orders`` and ``revenue`` table that ``rfm_scores`` expects."""
        months = column(state, "months_since_order", self.name, fill=np.nan)
        known = ~np.isnan(months)
        never = (months[known].max() if known.any() else 0.0) + 1.0  # never ordered: older than anyone
        return pd.DataFrame(
            {
                "days_since_last": np.where(known, months, never) * DAYS_PER_MONTH,
                "orders": column(state, "orders_12m", self.name),
                "revenue": column(state, "revenue_12m", self.name),
            }
        )

    def segment(self, state: pd.DataFrame) -> pd.Series:
        """RFM segment label per account."""
        from kamsim.analytics.rfm import rfm_scores  # imported on first use: a run under ABC tiers never loads it

        scores = rfm_scores(self.rfm_inputs(state), q=int(self.q))
        return self._labels(state, scores["segment"].to_numpy(dtype=object))


@register
class ValuePotentialSegmentation(SegmentationPolicy):
    """Value x potential tiers 核心 / 重要 / 一般 (core / important / general).

    Tiers come from :func:`kamsim.analytics.tiers.value_potential_tiers`.

    Current value is ``revenue_12m`` (CU/year; ``annual_potential_spend`` when
    no account has revenue yet) and potential is ``annual_potential_spend *
    growth_potential`` (CU/year of growth the account could still bring).
    High value = the accounts holding the first ``value_cut`` share of value;
    high potential = at or above the ``potential_cut`` quantile.  ``core`` is
    high on both, ``important`` on one, ``general`` on neither.

    Parameters
    ----------
    value_cut : float
        Cumulative value share (0-1) of the high-value accounts.
    potential_cut : float
        Quantile (0-1) of potential from which potential is high.
    """

    name = "value_potential"
    tiers = ("core", "important", "general")

    def __init__(self, value_cut: float = 0.8, potential_cut: float = 0.5) -> None:
        self.value_cut = value_cut
        self.potential_cut = potential_cut
        for field in ("value_cut", "potential_cut"):
            v = check_fraction(getattr(self, field), field, self.name)
            if v in (0.0, 1.0):
                raise ValueError(f"policy {self.name!r}: {field} must be in (0, 1), got {getattr(self, field)!r}")

    def value_potential(self, state: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Current value and future potential per account (CU/year), on a 0..n-1 index."""
        spend = np.maximum(column(state, "annual_potential_spend", self.name), 0.0)
        value = np.maximum(column(state, "revenue_12m", self.name), 0.0)
        if not (value > 0).any():
            value = spend
        potential = spend * column(state, "growth_potential", self.name)
        return pd.Series(value), pd.Series(potential)

    def segment(self, state: pd.DataFrame) -> pd.Series:
        """``core`` / ``important`` / ``general`` per account."""
        value, potential = self.value_potential(state)
        from kamsim.analytics.tiers import value_potential_tiers

        tiers = value_potential_tiers(value, potential, value_cut=self.value_cut, potential_cut=self.potential_cut)
        return self._labels(state, tiers.to_numpy(dtype=object))


@register
class KAMMatrixSegmentation(SegmentationPolicy):
    """KAM matrix (大客户矩阵): account attractiveness x our relative position.

    Quadrants come from :func:`kamsim.analytics.tiers.kam_matrix` (high = at or
    above the portfolio median): ``strategic`` (attractive, strong position),
    ``develop`` (attractive, weak position), ``maintain`` (less attractive,
    strong position), ``streamline`` (neither).

    Attractiveness (0-1) is the mean percentile rank of ``annual_potential_spend``
    and ``growth_potential``; relative position (0-1) is the mean of the
    percentile rank of share of wallet (``revenue_12m / annual_potential_spend``,
    clipped to 0-1) and ``satisfaction / 10`` (missing satisfaction counts as 0).
    """

    name = "kam_matrix"
    tiers = ("strategic", "develop", "maintain", "streamline")

    def __init__(self) -> None:
        pass

    def axes(self, state: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Attractiveness and relative position per account (both 0-1), on a 0..n-1 index."""
        potential = column(state, "annual_potential_spend", self.name)
        attractiveness = 0.5 * (_pct_rank(potential) + _pct_rank(column(state, "growth_potential", self.name)))
        revenue = column(state, "revenue_12m", self.name)
        wallet = np.clip(np.divide(revenue, potential, out=np.zeros_like(revenue), where=potential > 0), 0.0, 1.0)
        satisfaction = np.clip(column(state, "satisfaction", self.name), 0.0, 10.0) / 10.0
        position = 0.5 * (_pct_rank(wallet) + satisfaction)
        return pd.Series(attractiveness), pd.Series(position)

    def segment(self, state: pd.DataFrame) -> pd.Series:
        """KAM-matrix quadrant per account."""
        attractiveness, position = self.axes(state)
        from kamsim.analytics.tiers import kam_matrix

        return self._labels(state, kam_matrix(attractiveness, position).to_numpy(dtype=object))


@register
class ScreeningSegmentation(SegmentationPolicy):
    """Five-criteria key-account screening (大客户筛选): total score >= ``pass_score`` -> ``key``, else ``standard``.

    The criteria -- annual purchase, profitability, credit safety, potential and
    cooperativeness -- are scored 0-100 by percentile rank and weighted by
    :func:`kamsim.analytics.tiers.screening_scorecard`, from the state columns
    ``revenue_12m`` (``annual_potential_spend`` when no account has revenue
    yet), ``margin_12m``, ``credit_risk`` (lower is safer), ``growth_potential``
    and ``cooperativeness``.

    Parameters
    ----------
    pass_score : float
        Pass mark on the weighted total (0-100).
    weights : mapping of str to float, optional
        Weight per criterion (``annual_purchase``, ``profitability``,
        ``credit_safety``, ``potential``, ``cooperativeness``); None = equal weights.
    """

    name = "screening"
    tiers = ("key", "standard")

    def __init__(self, pass_score: float = 60.0, weights: Mapping[str, float] | None = None) -> None:
        self.pass_score = pass_score
        self.weights = None if weights is None else dict(weights)
        v = check_non_negative(pass_score, "pass_score", self.name)
        if v is not None and v > 100:
            raise ValueError(f"policy {self.name!r}: pass_score must be in [0, 100], got {pass_score!r}")
        for crit, w in (self.weights or {}).items():
            if crit not in SCREENING_COLUMNS:
                raise ValueError(
                    f"policy {self.name!r}: unknown criterion {crit!r} in weights; known: {list(SCREENING_COLUMNS)}"
                )
            check_non_negative(w, f"weights[{crit!r}]", self.name)
        if self.weights is not None and sum(self.weights.values()) <= 0:
            raise ValueError(f"policy {self.name!r}: weights must have at least one positive value")

    def score(self, state: pd.DataFrame) -> np.ndarray:
        """Weighted screening total per account (0-100)."""
        inputs = {crit: column(state, col, self.name) for crit, (col, _) in SCREENING_COLUMNS.items()}
        if not (inputs["annual_purchase"] > 0).any():
            inputs["annual_purchase"] = column(state, "annual_potential_spend", self.name)
        criteria = {crit: (crit, higher) for crit, (_, higher) in SCREENING_COLUMNS.items()}
        from kamsim.analytics.tiers import screening_scorecard

        card = screening_scorecard(pd.DataFrame(inputs), weights=self.weights, criteria=criteria)
        return card["total"].to_numpy(dtype="float64")

    def segment(self, state: pd.DataFrame) -> pd.Series:
        """``key`` if the screening total reaches ``pass_score``, else ``standard``."""
        return self._labels(state, np.where(self.score(state) >= self.pass_score - 1e-9, "key", "standard"))
