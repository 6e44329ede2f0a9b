"""Release a pack for a roster, hand in submissions of every kind, grade them twice.

The submissions of chapters 00 and 01 cover: all correct (the reference solutions run
on the student's own data), blank, a syntax error, an endless loop, a missing notebook,
a renamed notebook, an unreadable file and a doctored check cell.  Every gradebook cell
is checked, and a second grading run must give the identical gradebook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kamsim.course.grading import grade
from kamsim.course.submission import release_notebooks
from kamsim.course.pack import release
from kamsim.course.roster import Student, write_roster

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "exercises" / "solutions"
CHAPTERS = ["00", "01"]
NB00, NB01 = "00_getting_started.ipynb", "01_customer_segmentation.ipynb"
STUDENTS = [Student("s001", "Li Wei", "li@example.com"), Student("s002", "Anna Berg", "anna@example.com"),
            Student("s003", "Wang Fang", "wang@example.com")]
COURSE_SEED = 7


def _answer_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """Answer cell of each exercise id: the code cell just before its check cell."""
    releases = {r.name: r for r in release_notebooks(ROOT)}
    cells = {c.get("id"): c for c in nb.cells}
    name = next(n for n, r in releases.items() if r.exercises and r.exercises[0].check_cell in cells)
    return {e.exercise_id: cells[e.answer_cell] for e in releases[name].exercises}


def _solved(path: Path) -> nbformat.NotebookNode:
    """The released notebook with every answer computed by the reference solution."""
    nb = nbformat.read(path, as_version=4)
    solution = next(SOLUTIONS.glob(f"{path.name[:2]}_*.py"))
    for exercise_id, cell in _answer_cells(nb).items():
        chapter, number = exercise_id.split(".")
        cell.source = (
            "import importlib.util as _u\n"
            f"_s = _u.spec_from_file_location('solution', {str(solution)!r})\n"
            "_m = _u.module_from_spec(_s); _s.loader.exec_module(_m)\n"
            f"answer = _m.ex_{chapter}_{number}()"
        )
    return nb


#: Per-cell limit of the graded runs: s003's endless loop costs this much twice, so keep it short.
CELL_TIMEOUT = 10


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("course")
    roster = write_roster(tmp / "roster.csv", STUDENTS)
    packs = release(tmp / "release", roster, course_seed=COURSE_SEED, root=ROOT)
    subs = tmp / "submissions"
    pack = {p.name: p / "exercises" for p in packs}

    # s001: everything right; 01 handed in under another name
    (subs / "s001").mkdir(parents=True)
    nbformat.write(_solved(pack["s001"] / NB00), subs / "s001" / NB00)
    nbformat.write(_solved(pack["s001"] / NB01), subs / "s001" / "my segmentation work.ipynb")

    # s002: 00 blank (as released); 01 correct but one answer has a syntax error, and a doctored check cell
    (subs / "s002").mkdir()
    shutil.copyfile(pack["s002"] / NB00, subs / "s002" / NB00)
    nb = _solved(pack["s002"] / NB01)
    _answer_cells(nb)["01.1"].source = "answer = (0.5 +"
    check_cell = next(c for c in nb.cells if c.cell_type == "code" and 'check("01.2"' in c.source)
    check_cell.source = 'print("✅ 01.2 correct")  # doctored'
    _answer_cells(nb)["01.2"].source = "answer = 999"
    nbformat.write(nb, subs / "s002" / NB01)

    # s003: 00 loops forever in its first answer (the others right); 01 missing; a stray unreadable file
    (subs / "s003").mkdir()
    nb = _solved(pack["s003"] / NB00)
    _answer_cells(nb)["00.1"].source = "while True:\n    pass"
    nbformat.write(nb, subs / "s003" / NB00)
    (subs / "s003" / "notes.ipynb").write_text("{ this is not json", encoding="utf-8")

    kwargs = dict(course_seed=COURSE_SEED, root=ROOT, chapters=CHAPTERS, cell_timeout=CELL_TIMEOUT, notebook_timeout=300)
    first = grade(subs, roster, tmp / "gradebook", **kwargs)
    first_files = {p.name: p.read_bytes() for p in (tmp / "gradebook").rglob("*") if p.is_file()}
    second = grade(subs, roster, tmp / "gradebook", **kwargs)
    second_files = {p.name: p.read_bytes() for p in (tmp / "gradebook").rglob("*") if p.is_file()}
    return {"first": first, "second": second, "first_files": first_files, "second_files": second_files,
            "out": tmp / "gradebook", "ids": [e for r in release_notebooks(ROOT) if r.chapter in CHAPTERS
                                              for e in r.exercise_ids]}


def test_gradebook_has_one_row_per_student_and_a_column_per_exercise(graded):
    book = pd.read_csv(graded["out"] / "gradebook.csv", dtype=str, keep_default_na=False)
    assert book["student_id"].tolist() == ["s001", "s002", "s003"]
    assert list(book.columns) == ["student_id", "name", "email", *graded["ids"], "ch00", "ch01", "total"]
    assert book.loc[0, "name"] == "Li Wei" and book.loc[2, "email"] == "wang@example.com"


def test_every_gradebook_cell(graded):
    book = pd.read_csv(graded["out"] / "gradebook.csv", dtype=str, keep_default_na=False).set_index("student_id")
    ids = graded["ids"]
    ch00 = [e for e in ids if e.startswith("00.")]
    ch01 = [e for e in ids if e.startswith("01.")]
    # s001: all correct, although 01 was renamed
    assert all(book.loc["s001", e] == "1" for e in ids)
    assert (book.loc["s001", "ch00"], book.loc["s001", "ch01"], book.loc["s001", "total"]) == (
        str(len(ch00)), str(len(ch01)), str(len(ids)))
    # s002: 00 blank; 01.1 syntax error, 01.2 doctored check but wrong answer, the rest correct
    assert all(book.loc["s002", e] == "0" for e in ch00)
    assert book.loc["s002", "01.1"] == "0" and book.loc["s002", "01.2"] == "0"
    assert all(book.loc["s002", e] == "1" for e in ch01 if e not in ("01.1", "01.2"))
    assert book.loc["s002", "ch00"] == "0" and book.loc["s002", "ch01"] == str(len(ch01) - 2)
    assert book.loc["s002", "total"] == str(len(ch01) - 2)
    # s003: 00.1 endless loop (interrupted), the rest of 00 correct; 01 missing
    assert book.loc["s003", "00.1"] == "0" and all(book.loc["s003", e] == "1" for e in ch00[1:])
    assert all(book.loc["s003", e] == "0" for e in ch01)
    assert book.loc["s003", "total"] == str(len(ch00) - 1)


def test_points_possible_and_notebook_report(graded):
    possible = pd.read_csv(graded["out"] / "points_possible.csv", dtype=str, keep_default_na=False)
    assert possible.loc[0, "total"] == str(len(graded["ids"]))
    report = pd.read_csv(graded["out"] / "notebooks.csv", dtype=str, keep_default_na=False)
    status = {(r.student_id, r.notebook): r for r in report.itertuples()}
    assert status[("s001", NB01)].found_as == "my segmentation work.ipynb"
    assert "renamed" in status[("s001", NB01)].notes
    assert status[("s003", NB01)].status == "missing"
    assert "SyntaxError" in status[("s002", NB01)].notes
    assert f"timed out: stopped after {CELL_TIMEOUT} s" in status[("s003", NB00)].notes


def test_feedback_file_per_student_with_results_and_hints(graded):
    feedback = graded["out"] / "feedback"
    assert sorted(p.name for p in feedback.iterdir()) == ["s001.md", "s002.md", "s003.md"]
    s002 = (feedback / "s002.md").read_text(encoding="utf-8")
    assert "**00.1** (0/1): ⏳ 00.1 not attempted yet" in s002
    assert "**01.2** (0/1): ❌ 01.2 not quite" in s002 and "Hint:" in s002
    assert "**01.3** (1/1): ✅ 01.3 correct" in s002
    s003 = (feedback / "s003.md").read_text(encoding="utf-8")
    assert "was not handed in" in s003


def test_grading_twice_gives_the_identical_gradebook(graded):
    assert graded["first"].equals(graded["second"])
    assert graded["first_files"] == graded["second_files"]


def test_written_answers_go_to_a_sheet_whose_scores_merge_into_the_gradebook(tmp_path):
    from kamsim.course.written import answer_marker, written_questions

    (question,) = written_questions("06")
    student = Student("w01", "Zhao Min")
    nb = nbformat.read(next((ROOT / "exercises").glob("06_*.ipynb")), as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown"]  # no code: nothing to run, only the essay
    answer = next(c for c in nb.cells if c.get("id") == question.answer_cell)
    answer.source = f"{answer_marker(question.id)}\n\nFund risk-targeted retention as a pilot: its interval excludes zero."
    (tmp_path / "subs" / "w01").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "subs" / "w01" / nb_name("06"))
    out = tmp_path / "book"
    kwargs = dict(course_seed=COURSE_SEED, root=ROOT, chapters=["06"], cell_timeout=20, notebook_timeout=120)

    book = grade(tmp_path / "subs", [student], out, **kwargs)
    sheet = pd.read_csv(out / "written_answers.csv", dtype=str, keep_default_na=False)
    assert sheet.loc[0, "question_id"] == "06.W1" and "risk-targeted" in sheet.loc[0, "answer"]
    assert sheet.loc[0, "score"] == "" and sheet.loc[0, "max_points"] == "10" and "|" in sheet.loc[0, "rubric"]
    assert book.loc[0, "06.W1"] == "" and book.loc[0, "total"] == "0"

    sheet.loc[0, "score"] = "7.5"
    sheet.to_csv(out / "written_answers.csv", index=False)
    book = grade(tmp_path / "subs", [student], out, **kwargs)
    assert book.loc[0, "06.W1"] == "7.5" and book.loc[0, "ch06"] == "7.5" and book.loc[0, "total"] == "7.5"
    assert "scored 7.5/10" in (out / "feedback" / "w01.md").read_text(encoding="utf-8")

    sheet.loc[0, "score"] = "12"
    sheet.to_csv(out / "written_answers.csv", index=False)
    with pytest.raises(ValueError, match="line 2: score must be a number from 0 to 10"):
        grade(tmp_path / "subs", [student], out, **kwargs)


def test_grade_refuses_bad_input_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="submissions .*no such folder"):
        grade(tmp_path / "nowhere", STUDENTS, tmp_path / "out", root=ROOT)
    (tmp_path / "subs").mkdir()
    with pytest.raises(ValueError, match="cell_timeout must be a positive number"):
        grade(tmp_path / "subs", STUDENTS, tmp_path / "out", root=ROOT, cell_timeout=0)
    with pytest.raises(ValueError, match=r"chapters: no exercise notebook for \['42'\]"):
        grade(tmp_path / "subs", STUDENTS, tmp_path / "out", root=ROOT, chapters=["42"])
    points = tmp_path / "points.csv"
    points.write_text("exercise_id,points\n00.1,-2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: points must be a number >= 0"):
        grade(tmp_path / "subs", STUDENTS, tmp_path / "out", root=ROOT, chapters=["00"], points=points)
    assert not (tmp_path / "out").exists()
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "chapter1.docx").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not a kamsim gradebook"):
        grade(tmp_path / "subs", STUDENTS, tmp_path / "thesis", root=ROOT, chapters=["00"])


def nb_name(chapter: str) -> str:
    return next((ROOT / "exercises").glob(f"{chapter}_*.ipynb")).name


def test_a_whole_pack_handed_in_is_graded_from_its_exercises_folder(tmp_path):
    from kamsim.course.submission import submission_folder

    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / NB00).write_text("{}", encoding="utf-8")
    assert submission_folder(flat) == flat
    pack = tmp_path / "pack"
    (pack / "exercises").mkdir(parents=True)
    (pack / "notebooks").mkdir()
    assert submission_folder(pack) == pack / "exercises"
