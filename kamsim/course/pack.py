"""The student release: a pack of chapters, exercises and data with no solution and no answer in it.

KAM example: on the Monday of a course a trainer hands each participant a folder.
It holds the chapter notebooks to read and re-run, the exercise notebooks (blank,
no outputs), the datasets, the glossary and a README -- and, with a roster, each
participant's datasets are generated from their own seed, so the same exercise
has other numbers for every participant::

    python -m kamsim.course release --out release/ --roster roster.csv

writes ``release/<student_id>/`` per student (without ``--roster``: one pack in
``release/`` on the shipped datasets, for self-study).  The reference solutions
(``exercises/solutions/``), the trainer guide and the rubrics stay in the repository.
Each pack has a ``kamsim-pack.json`` at its root; :func:`kamsim.datasets.load` run
anywhere inside the pack reads the pack's own datasets.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import nbformat

from kamsim._files import write_dir_atomic
from kamsim._version import __version__
from kamsim.course.refresh import clean_metadata, clear_outputs, find_root, list_notebooks
from kamsim.course.roster import DEFAULT_COURSE_SEED, Student, read_roster, student_seed
from kamsim.course.translation import LANGUAGES
from kamsim.datasets import DATASETS, PACK_FILE, build

#: File at the root of a release folder (marks it, lists the packs).
RELEASE_FILE = "kamsim-release.json"

#: Folders of a pack, relative to its root.
PACK_NOTEBOOKS, PACK_EXERCISES, PACK_DATASETS = "notebooks", "exercises", "datasets"

#: Folder of ``<repo>/datasets`` with real transaction logs (chapter 11), copied unchanged into every pack.
PACK_LOGS = "logs"

_STUDENT_README = """# {title}

Welcome to the Key Account Management (KAM, 大客户管理) course.  This folder is yours{whose}.

| folder / file | what |
|---|---|
| `notebooks/` | the chapters 00-11: read them, run them, change them |
| `exercises/` | the exercise notebooks: replace each `...` with your answer and run the `check(...)` cell under it |
| `notebooks/zh_CN/`, `exercises/zh_CN/` | 简体中文版: the same chapters and exercises in Chinese, with the same code and the same checks |
| `datasets/` | the portfolios the notebooks load with `kamsim.datasets.load("small")` etc.{data_note} `logs/` holds the public transaction log of chapter 11, the same for everyone. |
| `glossary.md` | every KAM term with its Chinese term |
| `python_primer.md` | never written Python? 15 minutes of cells, variables and tables before chapter 00 |
| `data_dictionary.md` | the columns of every table |

## Getting started

1. Install kamsim as your trainer tells you (for example `pip install kamsim-*.whl` or
   `pip install -e ".[course]"` in a copy of the kamsim repository).
2. Open a terminal **in this folder** and run `jupyter lab`.
3. Start with `notebooks/00_getting_started.ipynb`, then `exercises/00_getting_started.ipynb`.

`check("01.2", answer)` says `✅ correct`, `⏳ not attempted yet` or `❌ not quite` with a hint, for
your own data.  From chapter 06 on, each exercise notebook ends with a written question: answer it in the
Markdown cell under the question.  Hand in the `exercises/` notebooks (or their Chinese twins from
`exercises/zh_CN/`, which have the same file names) as your trainer asks; keep their file names.{personal_note}
"""


def _pack_json(student: Student | None) -> dict:
    return {
        "format": "kamsim-student-pack",
        "kamsim_version": __version__,
        "datasets": PACK_DATASETS,
        "student_id": student.student_id if student else None,
        "name": student.name if student else None,
    }


def student_exercise_notebook(path: Path) -> nbformat.NotebookNode:
    """An exercise notebook as students get it: no outputs, no execution counts, clean metadata."""
    nb = nbformat.read(path, as_version=4)
    clear_outputs(nb)
    return clean_metadata(nb)


def write_pack(folder: Path, root: Path, student: Student | None, course_seed: int) -> None:
    """Write one student pack into the (empty) ``folder`` from the repository ``root``."""
    for edition in ("", *LANGUAGES):  # English, then each translated edition (notebooks/zh_CN, ...) if it was built
        if edition and not (root / "notebooks" / edition).is_dir():
            continue
        (folder / PACK_NOTEBOOKS / edition).mkdir(parents=True)
        for path in list_notebooks(root / "notebooks" / edition):
            shutil.copyfile(path, folder / PACK_NOTEBOOKS / edition / path.name)
        (folder / PACK_EXERCISES / edition).mkdir(parents=True, exist_ok=True)
        for path in list_notebooks(root / "exercises" / edition) if (root / "exercises" / edition).is_dir() else []:
            nbformat.write(student_exercise_notebook(path), folder / PACK_EXERCISES / edition / path.name)
    datasets = folder / PACK_DATASETS
    datasets.mkdir()
    for name in DATASETS:
        if student is None:
            shutil.copytree(root / "datasets" / name, datasets / name)
        else:
            build(name, datasets, seed=student_seed(course_seed, student.student_id, name))
    if (root / "datasets" / PACK_LOGS).is_dir():  # public logs are the same for everyone
        shutil.copytree(root / "datasets" / PACK_LOGS, datasets / PACK_LOGS)
    shutil.copyfile(root / "docs" / "glossary.md", folder / "glossary.md")
    shutil.copyfile(root / "docs" / "python_primer.md", folder / "python_primer.md")
    shutil.copyfile(root / "datasets" / "README.md", folder / "data_dictionary.md")
    whose = f", {student.name or student.student_id}" if student else ""
    readme = _STUDENT_README.format(
        title="KAM course pack" + (f" of {student.name or student.student_id}" if student else ""),
        whose=whose,
        data_note=" They were generated for you alone: your numbers differ from your classmates'."
        if student
        else "",
        personal_note="\n\nThe stored outputs of the chapter notebooks show the course's reference data; when you "
        "re-run a chapter it uses your own datasets, so its numbers change." if student else "",
    )
    (folder / "README.md").write_text(readme, encoding="utf-8")
    (folder / PACK_FILE).write_text(json.dumps(_pack_json(student), indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")


def release(
    out: str | os.PathLike[str],
    roster: str | os.PathLike[str] | Sequence[Student] | None = None,
    *,
    course_seed: int = DEFAULT_COURSE_SEED,
    root: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write the student release into ``out`` atomically and return the pack folders.

    Parameters
    ----------
    out
        Release folder: new or empty, or an earlier release with ``overwrite``.
    roster
        A roster CSV (:func:`kamsim.course.roster.read_roster`) or a list of students: one pack per
        student in ``out/<student_id>/`` with personal datasets.  ``None``: ``out`` is one pack on the
        shipped datasets (self-study).
    course_seed
        Seed of the course; with the student id it determines each student's datasets
        (keep it with the roster: grading needs the same one).
    root
        The kamsim repository (default: found from the working directory).

    Raises
    ------
    ValueError
        For a bad roster or course seed, or an ``out`` that may not be written (nothing is written).
    """
    students = list(read_roster(roster) if isinstance(roster, (str, os.PathLike)) else roster or [])
    repo = Path(root) if root is not None else find_root()
    if roster is not None and not students:
        raise ValueError("roster: no students")
    student_seed(course_seed, "check", "small")  # validates the course seed before any work

    def write(tmp: Path) -> None:
        if students:
            for student in students:
                write_pack(tmp / student.student_id, repo, student, course_seed)
        else:
            write_pack(tmp, repo, None, course_seed)
        info = {
            "format": "kamsim-release",
            "kamsim_version": __version__,
            "packs": [s.student_id for s in students] if students else ["."],
        }
        (tmp / RELEASE_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")

    try:
        folder = write_dir_atomic(out, write, RELEASE_FILE, overwrite, kind="kamsim release")
    except FileExistsError as exc:
        raise ValueError(f"--out {exc}") from None
    return [folder / s.student_id for s in students] if students else [folder]
