"""Grading: run every submitted exercise notebook on its student's own data and write a gradebook.

KAM example: after the course the trainer collects each participant's ``exercises/``
folder into ``submissions/<student_id>/`` and runs::

    python -m kamsim.course grade submissions/ --roster roster.csv --out gradebook/

For every student it rebuilds their personal datasets (course seed + student id),
runs each of their notebooks in an isolated process (:mod:`kamsim.course.sandbox`:
a time limit per cell, a hard limit per notebook), restores the check cells from
the release copy so an edited check cannot cheat, records each answer and scores
it in a fresh process against the student's own data.  It writes

* ``gradebook.csv`` -- one row per student: ``student_id, name, email``, one column per
  exercise (points earned), one per written question, one sum per chapter (``ch00`` ...)
  and ``total``; ``points_possible.csv`` holds the maximum of every column;
* ``feedback/<student_id>.md`` -- every result with its hint, and what went wrong with
  each notebook (missing, renamed, unreadable, errors, time-outs);
* ``notebooks.csv`` -- one row per student and notebook: how it was found and run;
* ``written_answers.csv`` -- the manual-grading sheet of the open questions with their
  rubric: fill in ``score`` (and ``comment``) and grade again; the scores merge into
  the gradebook.

A missing, renamed, unreadable, crashing or endless notebook is scored and reported;
it never stops the batch.  The same submissions give the same gradebook.  One student's
notebooks are handled by :mod:`kamsim.course.submission`.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kamsim._files import write_dir_atomic
from kamsim.course.refresh import find_root
from kamsim.course.roster import DEFAULT_COURSE_SEED, Student, read_roster, student_seed
from kamsim.course.submission import NotebookOutcome, ReleaseNotebook, grade_student, release_notebooks
from kamsim.course.written import WrittenQuestion, written_questions
from kamsim.exercises.core import expected_answer, get_exercise

#: Per-cell time limit while grading (seconds); the cell is interrupted and the next one runs.
CELL_TIMEOUT_S = 120
#: Hard limit for one notebook (seconds); the process is killed.
NOTEBOOK_TIMEOUT_S = 900
#: Points of an exercise unless a points file says otherwise.
DEFAULT_POINTS = 1.0

__all__ = ["expected_answer", "get_exercise", "grade"]  # the trainer-side API (with release and roster)

GRADEBOOK, POINTS_POSSIBLE, NOTEBOOKS, WRITTEN_SHEET = (
    "gradebook.csv", "points_possible.csv", "notebooks.csv", "written_answers.csv",
)

# ----------------------------------------------------------------------------- the batch


def read_points(path: str | os.PathLike[str] | None, ids: Sequence[str], written: Sequence[WrittenQuestion]) -> dict[str, float]:
    """Points per exercise / question: defaults (1 per exercise, the rubric's points per question) and a CSV."""
    points = {eid: DEFAULT_POINTS for eid in ids} | {q.id: float(q.points) for q in written}
    if path is None:
        return points
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"points {str(file)!r}: no such file")
    with file.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"exercise_id", "points"} <= set(reader.fieldnames):
            raise ValueError(f"points {str(file)!r}: needs columns exercise_id, points")
        for line, row in enumerate(reader, start=2):
            eid = (row["exercise_id"] or "").strip()
            if eid not in points:
                raise ValueError(f"points {str(file)!r} line {line}: unknown exercise {eid!r}")
            try:
                value = float(row["points"])
            except ValueError:
                value = -1.0
            if not (value >= 0 and value < float("inf")):
                raise ValueError(f"points {str(file)!r} line {line}: points must be a number >= 0, got {row['points']!r}")
            points[eid] = value
    return points


def read_manual_scores(path: Path, points: Mapping[str, float]) -> dict[tuple[str, str], tuple[float | None, str]]:
    """``{(student_id, question_id): (score or None, comment)}`` from an earlier, filled-in sheet."""
    if not path.is_file():
        return {}
    scores = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            key = ((row.get("student_id") or "").strip(), (row.get("question_id") or "").strip())
            raw = (row.get("score") or "").strip()
            value: float | None = None
            if raw:
                try:
                    value = float(raw)
                except ValueError:
                    value = None
                top = points.get(key[1], float("inf"))
                if value is None or not 0 <= value <= top:
                    raise ValueError(f"{path} line {line}: score must be a number from 0 to {top:g}, got {raw!r}")
            scores[key] = (value, (row.get("comment") or "").strip())
    return scores


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def grade(
    submissions: str | os.PathLike[str],
    roster: str | os.PathLike[str] | Sequence[Student],
    out: str | os.PathLike[str],
    *,
    course_seed: int = DEFAULT_COURSE_SEED,
    points: str | os.PathLike[str] | None = None,
    cell_timeout: int = CELL_TIMEOUT_S,
    notebook_timeout: float = NOTEBOOK_TIMEOUT_S,
    root: str | os.PathLike[str] | None = None,
    chapters: Sequence[str] | None = None,
    echo: bool = False,
) -> pd.DataFrame:
    """Grade ``submissions/<student_id>/`` for every roster student; write ``out`` atomically; return the gradebook.

    Parameters
    ----------
    submissions
        Folder with one sub-folder per student holding the handed-in exercise notebooks.
    roster
        Roster CSV or students (:mod:`kamsim.course.roster`).
    out
        Gradebook folder: new, empty, or an earlier gradebook (replaced; its filled-in
        ``written_answers.csv`` scores are kept).
    course_seed
        The seed the release used (personal datasets).
    points
        CSV ``exercise_id, points`` (written questions too); default 1 per exercise.
    cell_timeout, notebook_timeout
        Seconds per cell (interrupted) and per notebook (killed).
    chapters
        Only these chapters (``["00", "01"]``); default all.

    Raises
    ------
    ValueError
        For a bad roster, points file, manual score, or an ``out`` that may not be written.
    """
    from kamsim._files import check_out_dir

    students = list(read_roster(roster) if isinstance(roster, (str, os.PathLike)) else roster)
    base = Path(submissions)
    if not base.is_dir():
        raise ValueError(f"submissions {str(base)!r}: no such folder")
    for name, value in (("cell_timeout", cell_timeout), ("notebook_timeout", notebook_timeout)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e6:
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    student_seed(course_seed, "check", "small")
    repo = Path(root) if root is not None else find_root()
    releases = release_notebooks(repo)
    if chapters:
        unknown = sorted(set(chapters) - {r.chapter for r in releases})
        if unknown:
            raise ValueError(f"chapters: no exercise notebook for {unknown}")
        releases = [r for r in releases if r.chapter in set(chapters)]
    questions = [q for q in written_questions() if q.chapter in {r.chapter for r in releases}]
    ids = [e for r in releases for e in r.exercise_ids]
    point_of = read_points(points, ids, questions)
    try:
        target = check_out_dir(out, GRADEBOOK, True, kind="kamsim gradebook")
    except FileExistsError as exc:
        raise ValueError(f"--out {exc}") from None
    manual = read_manual_scores(target / WRITTEN_SHEET, point_of)

    rows, notebook_rows, sheet_rows, feedback = [], [], [], {}
    for student in students:
        if echo:
            print(f"grading {student.student_id} ...", flush=True)
        results, outcomes, written = grade_student(
            student, base / student.student_id, releases, questions, course_seed, cell_timeout, notebook_timeout
        )
        row: dict[str, Any] = {"student_id": student.student_id, "name": student.name, "email": student.email}
        earned: dict[str, float | None] = {}
        for eid in ids:
            earned[eid] = point_of[eid] if results[eid]["status"] == "correct" else 0.0
        for q in questions:
            text = written.get(q.id, "")
            score, comment = manual.get((student.student_id, q.id), (None, ""))
            earned[q.id] = 0.0 if not text else score
            sheet_rows.append({"student_id": student.student_id, "name": student.name, "question_id": q.id,
                               "words": len(text.split()), "answer": text, "max_points": _fmt(point_of[q.id]),
                               "score": _fmt(score) if text else "0", "comment": comment if text else "no answer",
                               "question": q.question, "rubric": q.rubric})
        row |= {key: _fmt(value) for key, value in earned.items()}
        for chapter in dict.fromkeys(r.chapter for r in releases):
            row[f"ch{chapter}"] = _fmt(sum(v or 0.0 for k, v in earned.items() if k.startswith(chapter + ".")))
        row["total"] = _fmt(sum(v or 0.0 for v in earned.values()))
        rows.append(row)
        for outcome in outcomes:
            notebook_rows.append({"student_id": student.student_id, "notebook": outcome.notebook,
                                  "status": outcome.status, "found_as": outcome.found_as,
                                  "notes": " | ".join(outcome.notes)})
        feedback[student.student_id] = _feedback(student, releases, results, outcomes, questions, written, earned,
                                                 point_of, row["total"], manual)

    columns = ["student_id", "name", "email", *ids, *(q.id for q in questions),
               *(f"ch{c}" for c in dict.fromkeys(r.chapter for r in releases)), "total"]
    gradebook = pd.DataFrame(rows, columns=columns)
    possible = {c: "" for c in columns[:3]} | {"student_id": "points_possible"}
    possible |= {k: _fmt(point_of[k]) for k in [*ids, *(q.id for q in questions)]}
    for chapter in dict.fromkeys(r.chapter for r in releases):
        possible[f"ch{chapter}"] = _fmt(sum(v for k, v in point_of.items() if k.startswith(chapter + ".")))
    possible["total"] = _fmt(sum(point_of.values()))

    def write(tmp: Path) -> None:
        gradebook.to_csv(tmp / GRADEBOOK, index=False)
        pd.DataFrame([possible], columns=columns).to_csv(tmp / POINTS_POSSIBLE, index=False)
        pd.DataFrame(notebook_rows, columns=["student_id", "notebook", "status", "found_as", "notes"]).to_csv(
            tmp / NOTEBOOKS, index=False)
        pd.DataFrame(sheet_rows, columns=["student_id", "name", "question_id", "words", "answer", "max_points",
                                          "score", "comment", "question", "rubric"]).to_csv(tmp / WRITTEN_SHEET,
                                                                                            index=False)
        (tmp / "feedback").mkdir()
        for sid, text in feedback.items():
            (tmp / "feedback" / f"{sid}.md").write_text(text, encoding="utf-8")

    write_dir_atomic(target, write, GRADEBOOK, True, kind="kamsim gradebook")
    return gradebook


def _feedback(
    student: Student,
    releases: Sequence[ReleaseNotebook],
    results: Mapping[str, Mapping[str, str]],
    outcomes: Sequence[NotebookOutcome],
    questions: Sequence[WrittenQuestion],
    written: Mapping[str, str],
    earned: Mapping[str, float | None],
    points: Mapping[str, float],
    total: str,
    manual: Mapping[tuple[str, str], tuple[float | None, str]],
) -> str:
    lines = [f"# Feedback for {student.name or student.student_id} ({student.student_id})", "",
             f"Total: **{total}** of {_fmt(sum(points.values()))} points.", ""]
    for release, outcome in zip(releases, outcomes):
        lines += [f"## {release.name}", ""]
        if outcome.notes:
            lines += [f"- note: {note}" for note in outcome.notes] + [""]
        for eid in release.exercise_ids:
            res = results[eid]
            lines.append(f"- **{eid}** ({_fmt(earned[eid])}/{_fmt(points[eid])}): {res['message']}")
        for q in (q for q in questions if q.chapter == release.chapter):
            text = written.get(q.id, "")
            comment = manual.get((student.student_id, q.id), (None, ""))[1]
            state = ("no answer" if not text else
                     f"{len(text.split())} words; " + ("awaiting manual grading" if earned[q.id] is None
                                                      else f"scored {_fmt(earned[q.id])}/{_fmt(points[q.id])}"))
            lines.append(f"- ✍ **{q.id}** written answer: {state}" + (f" — {comment}" if comment and text else ""))
        lines.append("")
    return "\n".join(lines)
