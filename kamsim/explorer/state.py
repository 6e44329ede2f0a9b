"""The policy explorer's state: the form, the run in a background thread, the result.

KAM example: a strategist compares the status-quo bundle with risk-targeted
retention on the small portfolio, 12 months, 5 replications, without writing
code; the page shows the progress, a cancel button, then the table and a zip::

    from kamsim.explorer import ExplorerState
    state = ExplorerState(dataset="small")
    state.set("months", 12)
    state.set("policies", ["status_quo", "risk_targeted"])
    state.set("replications", 5)
    if state.start():           # False, with state.errors per field, if the form is wrong
        state.wait()
        state.result.table()    # paired differences vs status_quo, readable KPI names

This module is the explorer without a user interface.  :class:`ExplorerState`
is the form of :mod:`kamsim.explorer.form` (values and a message per field,
nothing runs while one is wrong; the scenario knobs of
:mod:`kamsim.explorer.fields`) plus the run: :func:`kamsim.experiment.compare`
in a background thread through the counting, cancellable executor of
:mod:`kamsim.explorer.run`, keeping a :class:`~kamsim.explorer.results.RunResult`
(a readable paired table, a figure, a zip that ``kamsim compare`` reproduces).
It imports no Panel, so it is tested without a browser
(``tests/test_explorer_state.py``); :mod:`kamsim.explorer.app` binds Panel
widgets to it, one state object per browser session.

The names the explorer has always offered from here (:class:`Knob`,
:func:`scenario_knobs`, :class:`RunResult`, ...) are re-exported.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path

from kamsim.explorer.fields import KNOB_CANDIDATES, MISSING_KNOB_NOTES, Knob, scenario_knobs
from kamsim.explorer.form import ExplorerForm
from kamsim.explorer.results import RunResult
from kamsim.explorer.run import Job, RunCancelled, TrackedExecutor
from kamsim.portfolio import Portfolio
from kamsim.scenario import Scenario

__all__ = [
    "KNOB_CANDIDATES", "MISSING_KNOB_NOTES", "ExplorerState", "Knob", "RunCancelled", "RunResult", "scenario_knobs",
]


class ExplorerState(ExplorerForm):
    """Everything one explorer session knows: the form, its checks, the run and the result.

    Parameters
    ----------
    dataset
        Shipped dataset preselected (``kamsim.datasets.available()``).
    portfolio_dir
        A portfolio folder to preselect instead (source ``"folder"``).
    scenario
        The base scenario: a :class:`Scenario`, a YAML/TOML file, or ``None`` (defaults).
        The knobs start from its values; every other parameter is taken from it unchanged.

    Raises
    ------
    ValueError
        If the scenario file cannot be read or is invalid, or ``dataset`` is unknown.

    Notes
    -----
    Form fields (:attr:`FIELDS`) are set with :meth:`set`, which checks that field and keeps
    the message in :attr:`errors`; :meth:`validate` checks them all.  The knob fields are
    named by their dotted Scenario path (``"months"``, ``"complaints.handlers"``, ...).
    Every object is independent: a web app creates one per browser session.
    """

    def __init__(
        self,
        dataset: str | None = None,
        portfolio_dir: str | os.PathLike[str] | None = None,
        scenario: Scenario | str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(dataset, portfolio_dir, scenario)
        # the run
        self._lock = threading.Lock()
        self.status: str = "idle"  # idle | running | cancelling | done | cancelled | error
        self.message: str = "Ready."
        self.done: int = 0
        self.total: int = 0
        self.result: RunResult | None = None
        self._thread: threading.Thread | None = None
        self._cancel_event = threading.Event()
        self._executor: TrackedExecutor | None = None
        self._generated: dict[tuple[int, int, str, int], tuple[Portfolio, Path]] = {}
        self._tmp: Path | None = None  # generated portfolios of this session; removed by close() or at exit

    # ------------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        """True while a run (or its cancelling) is under way."""
        return self.status in ("running", "cancelling")

    @property
    def progress(self) -> float:
        """Share of the replications finished, 0 to 1."""
        return self.done / self.total if self.total else 0.0

    def start(self) -> bool:
        """Check the form and start the comparison in a background thread.

        Returns False, running nothing, if a field is wrong (see :attr:`errors`) or a run is
        under way.
        """
        if self.running:
            self.message = "A comparison is already running."
            return False
        if self.validate():
            self.status = "idle"
            self.message = "Fix the fields marked in red; nothing was run."
            return False
        job = self.snapshot()
        self._cancel_event = threading.Event()
        with self._lock:
            self.status = "running"
            self.message = "Loading the portfolio..."
            self.done = 0
            self.total = len(job.policies) * job.replications
        self._thread = threading.Thread(target=self._run, args=(job, self._cancel_event), name="kamsim-explore", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> bool:
        """Ask the running comparison to stop; returns False if nothing runs."""
        with self._lock:
            if self.status != "running":
                return False
            self.status = "cancelling"
            self.message = "Cancelling: finishing the simulations already started..."
        self._cancel_event.set()
        executor = self._executor
        if executor is not None:
            executor.cancel()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends; True if it has ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def close(self) -> None:
        """Cancel a run and delete the session's temporary files (a browser session ended)."""
        self.cancel()
        self.wait(30)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _tick(self) -> None:
        with self._lock:
            self.done += 1
            if self.status == "running":
                self.message = f"Simulating: {self.done} of {self.total} runs finished."

    def _portfolio(self, job: Job) -> tuple[Portfolio, Path, str]:
        """The portfolio of a job, the folder it is stored in, and its description."""
        if job.source == "folder":
            path = Path(job.folder).expanduser().resolve()
            portfolio = job.portfolio if job.portfolio is not None else Portfolio.from_dir(path)
            return portfolio, path, f"folder {path}"
        if job.source == "dataset":
            from kamsim.datasets import datasets_dir, load

            return load(job.dataset), datasets_dir() / job.dataset, f"shipped dataset {job.dataset!r}"
        n, seed, locale, history = job.generated
        label = f"generated: {n} accounts, seed {seed}, locale {locale}, {history} months of history"
        if job.generated not in self._generated:
            from kamsim.synthetic import generate_portfolio

            if self._tmp is None:
                self._tmp = Path(tempfile.mkdtemp(prefix="kamsim-explore-"))
                weakref.finalize(self, shutil.rmtree, self._tmp, ignore_errors=True)  # a session never closed
            folder = self._tmp / f"portfolio_{n}_{seed}_{locale}_{history}"
            generate_portfolio(n, seed, locale, history_months=history).to_dir(folder, overwrite=True)
            # simulate what the folder holds, so `kamsim compare --portfolio` on the copy gives the same numbers
            self._generated[job.generated] = (Portfolio.from_dir(folder), folder)
        portfolio, folder = self._generated[job.generated]
        return portfolio, folder, label

    def _run(self, job: Job, cancel_event: threading.Event) -> None:
        from kamsim.experiment.api import compare
        from kamsim.explorer.figures import paired_plot_png

        executor: TrackedExecutor | None = None
        try:
            portfolio, folder, label = self._portfolio(job)
            if cancel_event.is_set():
                raise RunCancelled("cancelled")
            with self._lock:
                self.message = f"Simulating: 0 of {self.total} runs finished."
            executor = TrackedExecutor(job.workers, cancel_event, self._tick)
            self._executor = executor
            if cancel_event.is_set():  # cancel() came before the executor existed
                executor.cancel()
            started = time.perf_counter()
            comparison = compare(
                job.scenario,
                list(job.policies),
                portfolio=portfolio,
                replications=job.replications,
                seed=job.seed,
                baseline=job.baseline,
                executor=executor,
                progress=False,
            )
            elapsed = time.perf_counter() - started
            if cancel_event.is_set():
                raise RunCancelled("cancelled")
            with self._lock:
                self.message = "Drawing the figure..."
            result = RunResult(
                comparison=comparison,
                scenario=job.scenario,
                policies=job.policies,
                baseline=job.baseline,
                replications=job.replications,
                workers=job.workers,
                seed=job.seed,
                portfolio_dir=folder,
                portfolio_label=label,
                locale=job.locale,
                elapsed_s=elapsed,
            )
            result.plot_png = paired_plot_png(comparison, job.locale)
            with self._lock:
                self.result = result
                self.status = "done"
                self.message = (
                    f"Done: {len(job.policies)} policies x {job.replications} replications in {elapsed:.1f} s."
                )
        except (RunCancelled, cf.CancelledError):
            with self._lock:
                self.status = "cancelled"
                self.message = f"Cancelled after {self.done} of {self.total} runs; the previous result is kept."
        except Exception as exc:  # shown in the page instead of killing the session
            with self._lock:
                self.status = "error"
                self.message = f"The comparison failed: {type(exc).__name__}: {exc}"
        finally:
            self._executor = None
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------------ results

    def results_zip(self) -> bytes:
        """The last result's folder as zip bytes (see :meth:`RunResult.zip_bytes`).

        Raises
        ------
        ValueError
            If no comparison has finished yet.
        """
        if self.result is None:
            raise ValueError("no result yet: run a comparison first")
        return self.result.zip_bytes()
