"""The explorer's result: a finished comparison, its readable table and the zip a strategist downloads.

KAM example: after comparing status_quo with risk_targeted on the small
portfolio, the key-account director gets a table that says "Net margin" (unit
CU) rather than ``net_margin``, and a zip she can hand to an analyst, who reruns it with
the ``kamsim compare`` command written in its README::

    result = state.result                # a RunResult, once state.start() has finished
    result.table()                       # paired differences vs the baseline, readable KPI names
    result.command()                     # "kamsim compare --scenario scenario.yaml --portfolio portfolio ..."
    Path("comparison.zip").write_bytes(result.zip_bytes())

:class:`RunResult` holds the :class:`~kamsim.experiment.Comparison`, the run
settings, the figure and where the portfolio came from; :meth:`RunResult.zip_bytes`
packs the ``kamsim compare`` files, ``scenario.yaml``, the portfolio and a README.
"""

from __future__ import annotations

import io
import shlex
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kamsim.scenario import Scenario


@dataclass
class RunResult:
    """A finished comparison and everything needed to show, download and reproduce it.

    Attributes
    ----------
    comparison : Comparison
        What :func:`kamsim.experiment.compare` returned.
    scenario : Scenario
        The scenario simulated (the form's knobs applied).
    policies, baseline, replications, workers, seed
        The run settings.
    portfolio_dir : Path
        Folder holding the portfolio simulated (copied into the download).
    portfolio_label : str
        Where the portfolio came from, in words.
    locale : str
        Locale of the portfolio; ``zh_CN`` gives Chinese labels.
    elapsed_s : float
        Wall time of the simulations (seconds).
    plot_png : bytes
        The paired-difference figure (:func:`kamsim.explorer.figures.paired_plot_png`).
    """

    comparison: Any
    scenario: Scenario
    policies: tuple[str, ...]
    baseline: str
    replications: int
    workers: int
    seed: int
    portfolio_dir: Path
    portfolio_label: str
    locale: str
    elapsed_s: float
    plot_png: bytes = b""
    _zip: bytes | None = field(default=None, repr=False)

    def paired(self) -> pd.DataFrame:
        """``Comparison.paired()``: the table that ``paired.csv`` holds."""
        return self.comparison.paired()

    def table(self, locale: str | None = None) -> pd.DataFrame:
        """Paired differences with readable KPI names and headers (Chinese for ``zh_CN``).

        Columns: policy, KPI, unit, baseline mean, difference, CI low, CI high, difference %,
        CI excludes 0 ("yes"/"no"); one row per policy other than the baseline and KPI.
        """
        from kamsim.explorer.labels import column_label, kpi_label, kpi_unit

        loc = self.locale if locale is None else locale
        paired = self.paired()
        frame = pd.DataFrame(
            {
                "policy": paired["policy"].astype(str).to_numpy(),
                "kpi": [kpi_label(k, loc) for k in paired["kpi"]],
                "unit": [kpi_unit(k) for k in paired["kpi"]],
                "baseline_mean": paired["baseline_mean"].to_numpy(dtype=float),
                "diff_mean": paired["diff_mean"].to_numpy(dtype=float),
                "ci_low": paired["ci_low"].to_numpy(dtype=float),
                "ci_high": paired["ci_high"].to_numpy(dtype=float),
                "rel_diff_pct": paired["rel_diff_pct"].to_numpy(dtype=float),
                "significant": [
                    "yes" if (lo > 0 or hi < 0) else "no"
                    for lo, hi in zip(paired["ci_low"].to_numpy(float), paired["ci_high"].to_numpy(float))
                ],
            }
        )
        return frame.rename(columns={c: column_label(c, loc) for c in frame.columns})

    def command(self, out: str = "results") -> str:
        """The ``kamsim compare`` command that reproduces this run from inside the unzipped download."""
        args = [
            "kamsim", "compare",
            "--scenario", "scenario.yaml",
            "--portfolio", "portfolio",
            "--policies", ",".join(self.policies),
            "--baseline", self.baseline,
            "--replications", str(self.replications),
            "--workers", str(self.workers),
            "--seed", str(self.seed),
            "--out", out,
        ]
        return " ".join(shlex.quote(a) for a in args)

    def readme(self) -> str:
        """README.md of the download: what was compared and the command that reproduces it."""
        conf = round(100 * self.comparison.confidence)
        return "\n".join(
            [
                "# kamsim policy comparison (made with `kamsim explore`)",
                "",
                f"- policies: {', '.join(self.policies)} (baseline {self.baseline})",
                f"- portfolio: {self.portfolio_label} (copied to `portfolio/`)",
                f"- scenario: `scenario.yaml` ({self.scenario.months} months)",
                f"- {self.replications} replications per policy, master seed {self.seed}, "
                f"common random numbers, {conf}% confidence intervals",
                "",
                "Files: `paired.csv` (difference vs the baseline with CI), `summary.csv`, `replications.csv`,",
                "`comparison.json`, `comparison.png`, `paired_relative.png` (as written by `kamsim compare`),",
                "`explorer.png` and `paired_readable.csv` (the figure and table shown in the explorer).",
                "",
                "Reproduce (run in this folder; writes the same CSV files to `results/`):",
                "",
                f"    {self.command()}",
                "",
            ]
        )

    def zip_bytes(self) -> bytes:
        """The results folder as a zip: ``kamsim_comparison/`` with CSV, PNG, scenario, portfolio, README."""
        if self._zip is None:
            import dataclasses

            with tempfile.TemporaryDirectory(prefix="kamsim-explore-") as tmp:
                folder = Path(tmp) / "kamsim_comparison"
                comparison = dataclasses.replace(
                    self.comparison,
                    meta={**self.comparison.meta, "scenario_file": "scenario.yaml", "portfolio_dir": "portfolio",
                          "workers": self.workers, "made_with": "kamsim explore"},
                )
                comparison.to_dir(folder)
                self.scenario.to_yaml(folder / "scenario.yaml")
                (folder / "README.md").write_text(self.readme(), encoding="utf-8")
                (folder / "explorer.png").write_bytes(self.plot_png)
                self.table().to_csv(folder / "paired_readable.csv", index=False, encoding="utf-8")
                target = folder / "portfolio"
                target.mkdir()
                for item in sorted(self.portfolio_dir.iterdir()):
                    if item.is_file():
                        shutil.copy2(item, target / item.name)
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                    for item in sorted(folder.rglob("*")):
                        if item.is_file():
                            archive.write(item, item.relative_to(folder.parent).as_posix())
                self._zip = buffer.getvalue()
        return self._zip
