"""The result of a policy comparison: replications, summaries, paired differences, plots, files.

KAM example: after :func:`kamsim.compare` ran "status_quo", "blanket" and
"risk_targeted" retention for 30 replications, a :class:`Comparison` holds
every KPI of every replication in one tidy table and answers:

* ``summary()`` — what does each policy achieve? (mean and CI per policy x KPI)
* ``paired()`` — how much better than the baseline, and is it more than noise?
  (mean paired difference and CI, also in % of the baseline mean)
* ``plot()`` — the same as figures; ``to_dir(path)`` — CSV + PNG files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kamsim.experiment import stats

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from matplotlib.figure import Figure

#: File that marks a folder written by :meth:`Comparison.to_dir`.
RESULT_MARKER: str = "comparison.json"

#: Columns of :attr:`Comparison.replications`.
REPLICATION_COLUMNS: tuple[str, ...] = ("policy", "replication", "kpi", "value")


@dataclass
class Comparison:
    """KPIs of several policies over the same replications.

    Attributes
    ----------
    replications : DataFrame
        Tidy: ``policy`` (str), ``replication`` (int, 0-based), ``kpi`` (str), ``value`` (float; KPI units),
        ordered by policy (in the order given to ``compare``), replication, then the engine's KPI order.
    baseline : str
        Policy the others are compared with in :meth:`paired`.
    confidence : float
        Two-sided confidence level of all intervals (default 0.95).
    crn : bool
        True if replication *r* used the same random numbers for every policy.
    meta : dict
        Settings of the run (seed, replications, scenario, ...); written to ``comparison.json``.
    """

    replications: pd.DataFrame
    baseline: str
    confidence: float = 0.95
    crn: bool = True
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in REPLICATION_COLUMNS if c not in self.replications.columns]
        if missing:
            raise ValueError(f"Comparison.replications is missing column(s) {missing}")
        if not (self.replications["policy"] == self.baseline).any():
            raise ValueError(f"baseline {self.baseline!r} is not one of the policies {self.policies}")
        stats.check_confidence(self.confidence)

    # ------------------------------------------------------------------ structure
    @property
    def policies(self) -> list[str]:
        """Policy names in comparison order."""
        return [str(p) for p in pd.unique(self.replications["policy"])]

    @property
    def kpis(self) -> list[str]:
        """KPI names in the engine's order."""
        return [str(k) for k in pd.unique(self.replications["kpi"])]

    @property
    def n_replications(self) -> int:
        """Number of replications per policy."""
        return int(self.replications["replication"].nunique())

    def __repr__(self) -> str:
        return (
            f"Comparison(policies={self.policies}, baseline={self.baseline!r}, "
            f"replications={self.n_replications}, kpis={len(self.kpis)}, crn={self.crn})"
        )

    # ------------------------------------------------------------------ tables
    def summary(self, confidence: float | None = None) -> pd.DataFrame:
        """Mean, std and t-CI of every KPI per policy.

        Returns
        -------
        DataFrame
            ``policy, kpi, mean, std, ci_low, ci_high, n`` (KPI units; ``n`` = replications).
        """
        return stats.summarise(self.replications, ("policy", "kpi"), "value", confidence or self.confidence)

    def paired(self, confidence: float | None = None) -> pd.DataFrame:
        """Paired differences ``policy - baseline`` per policy x KPI, with t-CIs.

        The CI is that of the per-replication differences (see :meth:`differences`).

        Returns
        -------
        DataFrame
            ``policy, kpi, baseline, baseline_mean, diff_mean, diff_std, ci_low, ci_high, n,
            rel_diff_pct, rel_ci_low_pct, rel_ci_high_pct`` (the baseline itself is not listed).
        """
        return stats.paired_summary(self.replications, self.baseline, confidence or self.confidence)

    def differences(self) -> pd.DataFrame:
        """Per-replication differences vs the baseline: ``policy, replication, kpi, value, baseline_value, diff``."""
        return stats.paired_differences(self.replications, self.baseline)

    def to_frame(self, wide: bool = False) -> pd.DataFrame:
        """The replications as a new DataFrame.

        Parameters
        ----------
        wide
            False (default): the tidy frame ``policy, replication, kpi, value``.
            True: one row per ``policy, replication`` and one column per KPI.
        """
        if not wide:
            return self.replications.copy()
        frame = self.replications.pivot(index=["policy", "replication"], columns="kpi", values="value")
        frame = frame.reindex(columns=self.kpis)
        order = {p: i for i, p in enumerate(self.policies)}
        frame = frame.reset_index()
        frame = frame.sort_values(
            ["policy", "replication"], key=lambda s: s.map(order) if s.name == "policy" else s, kind="stable"
        )
        frame.columns.name = None
        return frame.reset_index(drop=True)

    # ------------------------------------------------------------------ figures and files
    def plot(self, kpis: Sequence[str] | None = None, *, locale: str | None = None) -> Figure:
        """KPI distributions per policy and paired-difference forest plots (see :mod:`kamsim.experiment.plots`).

        Readable KPI names with units; ``locale`` ``"zh_CN"`` gives Chinese labels (default: the
        course edition, environment variable ``KAMSIM_LANG``).
        """
        from kamsim.experiment.plots import plot_comparison

        return plot_comparison(self, kpis, locale=locale)

    def plot_relative(self, kpis: Sequence[str] | None = None, *, locale: str | None = None) -> Figure:
        """All KPIs' paired differences in % of the baseline mean, on one forest plot (``locale`` as in :meth:`plot`)."""
        from kamsim.experiment.plots import plot_relative

        return plot_relative(self, kpis, locale=locale)

    def to_dir(
        self,
        path: str | os.PathLike[str],
        kpis: Sequence[str] | None = None,
        *,
        overwrite: bool = False,
        format: str = "csv",
    ) -> Path:
        """Write ``replications.csv``, ``summary.csv``, ``paired.csv``, ``comparison.json``,
        ``comparison.png`` (:meth:`plot` of ``kpis``) and ``paired_relative.png`` to folder ``path``.

        Everything is written to a temporary folder first and moved in place
        only when complete; nothing is left behind on error.

        Parameters
        ----------
        path
            Output folder: new, empty, or (with ``overwrite=True``) an earlier comparison folder.
        kpis
            KPIs of ``comparison.png`` (default: headline KPIs).
        overwrite
            Replace an earlier comparison folder (recognised by its ``comparison.json``).
        format
            ``"csv"`` (default) or ``"parquet"`` (needs pyarrow) for the three tables.

        Returns
        -------
        Path
            The output folder.

        Raises
        ------
        FileExistsError
            If ``path`` is a non-empty folder that is not an earlier comparison, or one and
            ``overwrite`` is False.
        """
        import matplotlib.pyplot as plt

        from kamsim._files import write_dir_atomic
        from kamsim.portfolio import check_format, write_frame

        check_format(format)
        summary, paired = self.summary(), self.paired()

        def write(tmp: Path) -> None:
            for name, table in (("replications", self.replications), ("summary", summary), ("paired", paired)):
                write_frame(table, tmp, name, format)
            info = {
                "policies": self.policies,
                "baseline": self.baseline,
                "replications": self.n_replications,
                "confidence": self.confidence,
                "crn": self.crn,
                "kpis": self.kpis,
                **self.meta,
            }
            (tmp / "comparison.json").write_text(json.dumps(info, indent=2, default=str), encoding="utf-8")
            for name, make in (("comparison.png", self.plot), ("paired_relative.png", self.plot_relative)):
                fig = make(kpis) if name == "comparison.png" else make()
                try:
                    fig.savefig(tmp / name, dpi=110)
                finally:
                    plt.close(fig)

        return write_dir_atomic(path, write, marker=RESULT_MARKER, overwrite=overwrite)
