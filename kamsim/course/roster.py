"""A class roster and each student's personal data seeds.

KAM example: a trainer runs the course for a sales team of 25.  Each participant
works the same exercises on a portfolio of their own -- same size, same shape,
other accounts and other numbers -- so answers cannot be copied, and the grader
rebuilds exactly the data each student saw from two things: the course seed and
the student id (nbgrader's lesson: derive the variant from a hash, never store it).

Roster file: a CSV with a ``student_id`` column (letters, digits, ``_ . -``; it names
the student's folders) and optional ``name`` and ``email`` columns.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kamsim._random import check_seed, seed_sequence

#: The course seed used when a trainer does not choose one.
DEFAULT_COURSE_SEED = 2024

#: Roster columns: required first, then optional.
ROSTER_COLUMNS: tuple[str, ...] = ("student_id", "name", "email")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Student:
    """One roster row."""

    student_id: str
    name: str = ""
    email: str = ""


def read_roster(path: str | os.PathLike[str]) -> list[Student]:
    """Students of a roster CSV, in file order.

    Raises
    ------
    ValueError
        Naming the file (and row) for a missing file or ``student_id`` column, an empty,
        unsafe or duplicate id, or a roster without students.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"roster {str(path)!r}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"roster {str(path)!r}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if "student_id" not in columns:
        raise ValueError(f"roster {str(path)!r}: needs a 'student_id' column (columns: {', '.join(ROSTER_COLUMNS)})")
    students: list[Student] = []
    seen: set[str] = set()
    for row_number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        sid = row.get("student_id", "")
        if not _ID.match(sid):
            raise ValueError(
                f"roster {str(path)!r} line {row_number}: student_id {sid!r} must be 1-64 letters, digits, '_', '.' "
                "or '-' (it names the student's folder)"
            )
        if sid in seen:
            raise ValueError(f"roster {str(path)!r} line {row_number}: duplicate student_id {sid!r}")
        seen.add(sid)
        students.append(Student(sid, row.get("name", ""), row.get("email", "")))
    if not students:
        raise ValueError(f"roster {str(path)!r}: no students")
    return students


def write_roster(path: str | os.PathLike[str], students: Sequence[Student]) -> Path:
    """Write ``students`` as a roster CSV (``student_id,name,email``) and return the path."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(ROSTER_COLUMNS)
        writer.writerows((s.student_id, s.name, s.email) for s in students)
    return path


def student_seed(course_seed: int, student_id: str, dataset: str) -> int:
    """The seed of ``dataset`` for one student: the same on every machine, different for every student."""
    sequence = seed_sequence(check_seed(course_seed, "course_seed"), "student", student_id, "dataset", dataset)
    return int(sequence.generate_state(1)[0])
