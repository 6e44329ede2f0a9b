"""One student's submission: find each notebook, restore its checks, run it in isolation, score its answers.

KAM example: Li Wei hands in ``my segmentation work.ipynb`` instead of
``01_customer_segmentation.ipynb``, has edited a check cell and left an endless loop
in one answer.  :func:`grade_student` still finds the notebook (by the checks it
contains), restores every check cell from the release copy as a recorder of the
answer, runs the notebook in its own process with time limits
(:mod:`kamsim.course.sandbox`), and scores the recorded answers in a fresh process
against Li Wei's own datasets.  :mod:`kamsim.course.grading` runs this for every
student of a roster and writes the gradebook.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from kamsim.course.refresh import list_notebooks
from kamsim.course.roster import Student, student_seed
from kamsim.course.written import WrittenQuestion, answer_marker

_CHECK_CALL = re.compile(r"""check\(\s*["'](\d{2}\.\d+)["']""")
_RECORD_CELL = """from kamsim.course.record import record as _kamsim_record
try:
    _kamsim_record({id!r}, answer)
except NameError:
    _kamsim_record({id!r}, None)
answer = ...  # each exercise starts blank"""


# ----------------------------------------------------------------------------- the release copy


@dataclass(frozen=True)
class ExerciseCells:
    """Where an exercise sits in the release notebook: its check cell and the answer cell before it."""

    exercise_id: str
    check_cell: str
    answer_cell: str | None


@dataclass(frozen=True)
class ReleaseNotebook:
    """One exercise notebook as released: file name, chapter, exercises and written questions."""

    name: str
    chapter: str
    exercises: tuple[ExerciseCells, ...]

    @property
    def exercise_ids(self) -> list[str]:
        return [e.exercise_id for e in self.exercises]


def release_notebooks(root: Path) -> list[ReleaseNotebook]:
    """The exercise notebooks of the repository, with the cell ids of every check."""
    out = []
    for path in list_notebooks(root / "exercises"):
        nb = nbformat.read(path, as_version=4)
        cells: list[ExerciseCells] = []
        previous_code: str | None = None
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            ids = _CHECK_CALL.findall(cell.source)
            if ids:
                cells.append(ExerciseCells(ids[0], cell.get("id", ""), previous_code))
            else:
                previous_code = cell.get("id")
        out.append(ReleaseNotebook(path.name, path.name[:2], tuple(cells)))
    return out


# ----------------------------------------------------------------------------- one submission


@dataclass
class NotebookOutcome:
    """How one expected notebook of one student was found and run."""

    notebook: str
    status: str = "graded"  # graded | missing | unreadable
    found_as: str = ""
    notes: list[str] = field(default_factory=list)


def submission_folder(folder: Path) -> Path:
    """Where a student's notebooks are: ``folder`` itself, or its ``exercises/`` when a whole pack was handed in."""
    inner = folder / "exercises"
    if inner.is_dir() and not any(folder.glob("*.ipynb")):
        return inner
    return folder


def find_submission(folder: Path, expected: ReleaseNotebook, taken: set[str]) -> tuple[Path | None, bool]:
    """The student's file for ``expected`` and whether it was renamed (``None`` if there is none)."""
    exact = folder / expected.name
    if exact.is_file():
        return exact, False
    if not folder.is_dir():
        return None, False
    candidates = sorted(p for p in folder.glob("*.ipynb") if p.name not in taken and not p.name.startswith("."))
    for path in candidates:  # a renamed copy still checks this chapter's exercises
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(f'check(\\"{eid}\\"' in text or f"check(\\'{eid}\\'" in text or f'check("{eid}"' in text
               for eid in expected.exercise_ids):
            return path, True
    for path in candidates:
        if path.name.startswith(expected.chapter):
            return path, True
    return None, False


def instrument(nb: nbformat.NotebookNode, release: ReleaseNotebook) -> list[str]:
    """Replace (or restore) each check cell of ``nb`` by a cell that records the answer; return notes."""
    notes = []
    by_id = {cell.get("id"): i for i, cell in enumerate(nb.cells)}
    for ex in release.exercises:
        source = _RECORD_CELL.format(id=ex.exercise_id)
        index = by_id.get(ex.check_cell)
        if index is None or nb.cells[index].cell_type != "code":
            index = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                          and ex.exercise_id in _CHECK_CALL.findall(c.source)), None)
        if index is not None:
            nb.cells[index].source = source
            continue
        after = by_id.get(ex.answer_cell)
        if after is None:
            notes.append(f"{ex.exercise_id}: the answer and check cells were not found (deleted?)")
            continue
        notes.append(f"{ex.exercise_id}: the check cell was missing and has been restored")
        nb.cells.insert(after + 1, nbformat.v4.new_code_cell(source))
        by_id = {cell.get("id"): i for i, cell in enumerate(nb.cells)}
    return notes


def _run(command: list[str], env: Mapping[str, str], timeout: float) -> str | None:
    """Run a child process; return None on success, else what went wrong (time-out, crash)."""
    try:
        done = subprocess.run(command, env=dict(env), timeout=timeout, capture_output=True, text=True,
                              start_new_session=True)
    except subprocess.TimeoutExpired:
        return f"stopped after {timeout:.0f} s (notebook time limit)"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"grader process failed: {last[:300]}"
    return None


def _student_env(datasets: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["KAMSIM_DATASETS"] = str(datasets)
    env.pop("KAMSIM_GRADING_RECORD", None)
    return env


def grade_student(
    student: Student,
    folder: Path,
    releases: Sequence[ReleaseNotebook],
    questions: Sequence[WrittenQuestion],
    course_seed: int,
    cell_timeout: int,
    notebook_timeout: float,
) -> tuple[dict[str, dict[str, str]], list[NotebookOutcome], dict[str, str]]:
    """Run and score one student's notebooks: ``(results per exercise, notebook outcomes, written answers)``."""
    from kamsim.datasets import DATASETS, build

    results: dict[str, dict[str, str]] = {}
    outcomes: list[NotebookOutcome] = []
    written: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="kamsim-grade-") as tmp_name:
        tmp = Path(tmp_name)
        datasets = tmp / "datasets"
        for name in DATASETS:
            build(name, datasets, seed=student_seed(course_seed, student.student_id, name))
        env = _student_env(datasets)
        records: list[Path] = []
        taken = {r.name for r in releases}
        for release in releases:
            outcome = NotebookOutcome(release.name)
            outcomes.append(outcome)
            path, renamed = find_submission(submission_folder(folder), release, taken)
            if path is None:
                outcome.status = "missing"
                outcome.notes.append(f"{release.name} was not handed in")
                continue
            outcome.found_as = path.name
            if renamed:
                taken.add(path.name)
                outcome.notes.append(f"handed in as {path.name} (renamed)")
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, never raised
                outcome.status = "unreadable"
                outcome.notes.append(f"cannot read the notebook: {type(exc).__name__}")
                continue
            written.update(collect_written(nb, [q for q in questions if q.chapter == release.chapter]))
            outcome.notes += instrument(nb, release)
            work = tmp / release.chapter
            work.mkdir()
            runnable = work / release.name
            nbformat.write(nb, runnable)
            record, report = work / "answers.jsonl", work / "report.json"
            records.append(record)
            problem = _run(
                [sys.executable, "-m", "kamsim.course.sandbox", "execute", str(runnable), "--record", str(record),
                 "--report", str(report), "--timeout", str(cell_timeout)],
                env, notebook_timeout,
            )
            if problem:
                outcome.notes.append(problem)
            if report.is_file():
                info = json.loads(report.read_text(encoding="utf-8"))
                outcome.notes += [f"cell {e['cell']}: {e['error']}" for e in info["errors"]]
                if info.get("failure"):
                    outcome.notes.append(f"the kernel stopped: {info['failure']}")
        scores = tmp / "scores.json"
        ids = [e for r in releases for e in r.exercise_ids]
        command = [sys.executable, "-m", "kamsim.course.sandbox", "score", "--exercises", ",".join(ids),
                   "--out", str(scores)]
        for record in records:
            command += ["--record", str(record)]
        problem = _run(command, env, notebook_timeout)
        if problem is None and scores.is_file():
            results = json.loads(scores.read_text(encoding="utf-8"))
        for release, outcome in zip(releases, outcomes):
            for eid in release.exercise_ids:
                if outcome.status != "graded":
                    results[eid] = {"status": outcome.status, "message": f"⚠ {eid} not graded: {outcome.notes[-1]}"}
                elif eid not in results:
                    results[eid] = {"status": "error", "message": problem or "not scored"}
    return results, outcomes, written


def collect_written(nb: nbformat.NotebookNode, questions: Sequence[WrittenQuestion]) -> dict[str, str]:
    """The student's text under each written question (empty if none was written)."""
    found = {}
    for q in questions:
        marker = answer_marker(q.id)
        cell = next((c for c in nb.cells if c.get("id") == q.answer_cell and c.cell_type == "markdown"), None)
        if cell is None:
            cell = next((c for c in nb.cells if c.cell_type == "markdown" and c.source.lstrip().startswith(marker)), None)
        text = "" if cell is None else cell.source.replace(marker, "", 1).strip()
        found[q.id] = "" if text == q.placeholder.strip() else text
    return found
