"""A segmentation policy that decides on a degraded copy of the customer file.

KAM example: two sales directors use the same value x potential rule to name
their core accounts, but one of them reads a CRM full of typos and empty
fields.  :class:`NoisyDataSegmentation` wraps any segmentation policy and
feeds it a copy of the monthly ``state`` whose chosen columns carry
measurement noise and missing values (:func:`kamsim.analytics.data_quality.degrade`);
the engine then serves accounts by the tiers picked on the bad data, while
their true revenue, potential and churn follow the clean data.  Comparing the
two bundles with :func:`kamsim.compare` prices poor data quality (数据质量).

The errors are a fixed property of the customer file, not new noise each
month: they come from ``seed`` and the account order (the state is sorted by
``account_id`` before degrading), so the policy stays a pure function of
``state`` and its settings, as the policy contract requires.  Missing
numbers count as 0, as in every built-in policy.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kamsim.analytics.data_quality import degrade
from kamsim._random import check_seed
from kamsim.policies.base import SegmentationPolicy
from kamsim.policies.checks import check_fraction, check_non_negative
from kamsim.policies.registry import register


@register
class NoisyDataSegmentation(SegmentationPolicy):
    """Run ``inner`` on a copy of ``state`` with noisy / missing ``columns``.

    Parameters
    ----------
    inner : SegmentationPolicy or str
        The segmentation rule, e.g. ``ValuePotentialSegmentation()`` or a
        registered name such as ``"value_potential"``.
    columns : sequence of str
        State columns to degrade; default the value and potential inputs
        ``revenue_12m`` and ``annual_potential_spend`` (CU/year).
    noise_sd : float
        Standard deviation of the log-normal error factor (>= 0; 0.5 = errors of about +-50 %).
    missing_share : float
        Share of accounts (0-1) whose value in each column is missing.
    seed : int
        Seed of the errors (non-negative); the same seed gives the same bad customer file.
    """

    name = "noisy_data"

    def __init__(
        self,
        inner: SegmentationPolicy | str = "value_potential",
        columns: Sequence[str] = ("revenue_12m", "annual_potential_spend"),
        noise_sd: float = 0.5,
        missing_share: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.inner = inner
        self.columns = tuple(columns)
        self.noise_sd = noise_sd
        self.missing_share = missing_share
        self.seed = seed
        check_non_negative(noise_sd, "noise_sd", self.name)
        check_fraction(missing_share, "missing_share", self.name)
        check_seed(seed, f"policy {self.name!r}: seed")
        if not self.columns:
            raise ValueError(f"policy {self.name!r}: columns must name at least one state column")
        self._inner = self._resolve(inner)

    def _resolve(self, inner: SegmentationPolicy | str) -> SegmentationPolicy:
        if isinstance(inner, str):
            from kamsim.policies.registry import get_policy

            inner = get_policy("segmentation", inner)
        if not isinstance(inner, SegmentationPolicy):
            raise ValueError(
                f"policy {self.name!r}: inner must be a SegmentationPolicy or a registered name, "
                f"got {type(inner).__name__}"
            )
        return inner

    @property
    def tiers(self) -> tuple[str, ...]:  # type: ignore[override]
        """The tiers of the wrapped policy."""
        return tuple(self._inner.tiers)

    def degraded_state(self, state: pd.DataFrame) -> pd.DataFrame:
        """``state`` with the configured errors in ``columns`` (same index and row order as ``state``)."""
        missing = [c for c in self.columns if c not in state.columns]
        if missing:
            raise ValueError(f"policy {self.name!r}: state has no column(s) {missing}")
        ordered = state.sort_index(kind="mergesort")
        numeric = ordered.astype({c: "float64" for c in self.columns})
        bad = degrade(numeric, list(self.columns), noise_sd=float(self.noise_sd),
                      missing_share=float(self.missing_share), seed=int(self.seed))
        return bad.reindex(state.index)

    def segment(self, state: pd.DataFrame) -> pd.Series:
        """Tier per account, decided by ``inner`` on the degraded state."""
        tiers = self._inner.segment(self.degraded_state(state))
        return self._labels(state, tiers.reindex(state.index).astype(object).to_numpy())
