"""Re-execute the course notebooks and keep their stored outputs fresh.

A trainer who changes the engine wants the chapter notebooks on the shelf to
show the new numbers and figures.  ``python -m kamsim.course refresh`` runs
every ``notebooks/NN_*.ipynb`` top to bottom in a fresh ``python3`` kernel
(working directory ``notebooks/``, the way nbval and JupyterLab run them),
writes it back with its outputs, strips volatile metadata (execution
timestamps) and prints the seconds each notebook took.  A failing cell stops
that notebook, which is then *not* written, and the command exits with 1.

Exercise notebooks (``exercises/*.ipynb``) hold blanks for the students, so
they are never executed here; ``python -m kamsim.course strip`` clears any
outputs a trainer saved into them by accident.

API
---
:func:`select_notebooks` picks notebooks by name, :func:`execute_notebook`
runs one, :func:`refresh` runs and writes many, :func:`write_notebook` stores
one atomically, :func:`strip_outputs` clears outputs, :func:`find_root`
locates the repository.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

#: Per-cell timeout (seconds); the same value nbval uses in pyproject.toml.
CELL_TIMEOUT_S: int = 120
#: Time budget of one notebook (seconds), from the course standard.
NOTEBOOK_BUDGET_S: float = 60.0
KERNEL_NAME = "python3"


class RefreshError(RuntimeError):
    """A notebook failed to execute; the message names the notebook and the cell."""


@dataclass(frozen=True)
class RunReport:
    """Outcome of executing one notebook: path, wall-clock seconds, error text (``None`` if it ran)."""

    path: Path
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def find_root(start: str | Path | None = None) -> Path:
    """The repository root: the first folder at or above ``start`` (default: cwd) holding ``notebooks/``.

    Falls back to the folder above the installed ``kamsim`` package (an
    editable install), and raises ``ValueError`` if neither has ``notebooks/``.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    package_parent = Path(__file__).resolve().parents[2]
    if (package_parent / "notebooks").is_dir():
        return package_parent
    raise ValueError(f"no 'notebooks/' folder found at or above {here}; pass --root")


def list_notebooks(directory: str | Path) -> list[Path]:
    """Course notebooks in ``directory``, sorted; names starting with ``_`` or ``.`` are skipped."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"notebook folder {folder} does not exist")
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith(("_", ".")))


def select_notebooks(directory: str | Path, names: Sequence[str] | None = None) -> list[Path]:
    """Notebooks of ``directory`` matching ``names`` (all if empty).

    A name matches a notebook by file name (``00_getting_started.ipynb``), stem
    (``00_getting_started``) or prefix (``00``).  Unknown names raise
    ``ValueError`` listing the available notebooks.
    """
    available = list_notebooks(directory)
    if not names:
        return available
    chosen: list[Path] = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        hits = [p for p in available if p.stem == stem] or [p for p in available if p.stem.startswith(stem)]
        if not hits:
            listing = ", ".join(p.stem for p in available) or "none"
            raise ValueError(f"no notebook matches {name!r} in {directory} (available: {listing})")
        chosen += [p for p in hits if p not in chosen]
    return chosen


def clean_metadata(nb: NotebookNode) -> NotebookNode:
    """Remove volatile metadata in place: cell execution timestamps, widget state, papermill/collapsed flags.

    The kernelspec is normalised to ``python3`` so that every notebook opens
    with the same kernel in JupyterLab and under nbval.
    """
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL_NAME}
    for cell in nb.cells:
        for key in ("execution", "collapsed", "scrolled", "ExecuteTime"):
            cell.metadata.pop(key, None)
    return nb


def _kernel_env(lang: str | None = None) -> dict[str, str]:
    """Environment of the kernel: the inline backend so that figures are stored as PNG outputs.

    ``KAMSIM_LANG`` is set to ``lang``, or removed so that the notebook's folder picks the
    edition (:func:`kamsim.labels.edition`): a stray setting never mixes the editions.
    """
    from kamsim.labels import LANG_ENV

    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # pytest's conftest sets Agg; refresh wants inline figures
    env.pop(LANG_ENV, None)
    if lang is not None:
        env[LANG_ENV] = lang
    return env


def execute_notebook(
    path: str | Path, *, timeout: int = CELL_TIMEOUT_S, cwd: str | Path | None = None, lang: str | None = None
) -> tuple[NotebookNode, float]:
    """Execute one notebook in a fresh ``python3`` kernel; return it (with outputs) and the seconds taken.

    Parameters
    ----------
    path
        The ``.ipynb`` file; it is not modified.
    timeout
        Per-cell timeout in seconds.
    cwd
        Working directory of the kernel (default: the notebook's folder).
    lang
        Course edition of the kernel (``KAMSIM_LANG``); default: chosen by ``cwd``'s name.

    Raises
    ------
    RefreshError
        If a cell raises or times out; the message names the notebook, the
        cell number and the error.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    source = Path(path)
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        record_timing=False,
        resources={"metadata": {"path": str(Path(cwd or source.parent).resolve())}},
    )
    start = time.perf_counter()
    try:
        client.execute(env=_kernel_env(lang))
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        failed = next(
            (i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            None,
        )
        where = f"cell {failed}" if failed is not None else "a cell"
        summary = f"{getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}"
        raise RefreshError(f"{source.name}: {where} failed: {summary}".strip()) from exc
    return clean_metadata(nb), time.perf_counter() - start


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write atomically: a temporary file next to ``path``, then rename."""
    nbformat.validate(nb)
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(nb, tmp)
    tmp.replace(path)


def refresh(
    paths: Iterable[str | Path],
    *,
    timeout: int = CELL_TIMEOUT_S,
    write: bool = True,
    echo: bool = True,
) -> list[RunReport]:
    """Execute each notebook and (if ``write``) store it with fresh outputs.

    Failing notebooks are reported, not written; the others still run.
    With ``echo`` one line per notebook is printed: ``ok  12.3 s  00_getting_started.ipynb``.
    """
    reports = []
    for path in map(Path, paths):
        start = time.perf_counter()
        try:
            nb, seconds = execute_notebook(path, timeout=timeout)
        except RefreshError as exc:
            report = RunReport(path, time.perf_counter() - start, str(exc))
        else:
            if write:
                write_notebook(nb, path)
            report = RunReport(path, seconds)
        reports.append(report)
        if echo:
            status = "ok  " if report.ok else "FAIL"
            print(f"{status} {report.seconds:6.1f} s  {path.name}" + ("" if report.ok else f"\n     {report.error}"), flush=True)
    return reports


def clear_outputs(nb: NotebookNode) -> bool:
    """Remove the outputs and execution counts of every code cell in place; True if there were any."""
    dirty = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            dirty = True
        cell.outputs = []
        cell.execution_count = None
    return dirty


def strip_outputs(paths: Iterable[str | Path], *, write: bool = True) -> list[Path]:
    """Clear outputs and execution counts of notebooks; return the ones that had any.

    With ``write=False`` nothing is changed (a check for CI: the returned list
    should be empty).
    """
    changed = []
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        dirty = clear_outputs(nb)
        before = nbformat.writes(nb)
        clean_metadata(nb)
        dirty = dirty or nbformat.writes(nb) != before
        if dirty:
            changed.append(path)
            if write:
                write_notebook(nb, path)
    return changed
