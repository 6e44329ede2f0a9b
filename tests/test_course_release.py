"""The student release: what a pack holds, that it holds no solution and no answer, and that data are personal."""

from __future__ import annotations

import json
import numbers
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kamsim.course.pack import PACK_LOGS, RELEASE_FILE, release
from kamsim.course.roster import Student, read_roster, student_seed, write_roster
from kamsim.course.written import answer_marker, written_questions
from kamsim.datasets import DATASETS, PACK_FILE, datasets_dir, find_pack

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = [Student("s001", "Li Wei"), Student("s002", "Anna Berg")]
EXPECTED_ANSWERS = """
import json, sys
import numpy as np, pandas as pd
from kamsim.course.grading import expected_answer
from kamsim.exercises import list_exercises

def plain(v):
    if isinstance(v, pd.Series): return {"series": [plain(x) for x in v.tolist()]}
    if isinstance(v, pd.DataFrame): return {"frame": [[plain(x) for x in row] for row in v.to_numpy().tolist()]}
    if isinstance(v, (list, tuple, set, np.ndarray)): return [plain(x) for x in sorted(v, key=str)]
    if isinstance(v, np.generic): return v.item()
    return v

print(json.dumps({e: plain(expected_answer(e)) for e in list_exercises()["exercise_id"]}))
"""


@lru_cache(maxsize=None)
def _answers_in(folder: Path) -> dict[str, object]:
    """Expected answers of every exercise, computed in a fresh process working inside ``folder`` (once per folder)."""
    done = subprocess.run([sys.executable, "-c", EXPECTED_ANSWERS], cwd=folder, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def _needles(value: object) -> list[str]:
    """Text forms in which a student could read a numeric answer off any file (specific enough not to match by chance).

    Counts, labels and account ids also occur in any table of the data, so only real-valued answers are
    tell-tales that can be searched for.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or isinstance(value, numbers.Integral):
        return []
    if abs(value) >= 1e5:
        forms = [f"{value:,.0f}", f"{value:.0f}"]  # six or more digits: whole CU is specific enough
    elif abs(value) >= 1e3:
        forms = [f"{value:,.2f}", f"{value:.2f}"]
    else:
        forms = [f"{value:.4f}"]
    return [f for f in forms if len(f.strip("-0.,")) >= 4]


def _pack_texts(pack: Path) -> dict[Path, str]:
    """Every file of the pack except the datasets (which are the students' raw data), as text."""
    return {p: p.read_text(encoding="utf-8", errors="replace") for p in pack.rglob("*")
            if p.is_file() and "datasets" not in p.relative_to(pack).parts}


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("release")
    roster = write_roster(tmp / "roster.csv", STUDENTS)
    personal = release(tmp / "personal", roster, course_seed=11, root=ROOT)
    (self_study,) = release(tmp / "self_study", root=ROOT)
    return {"personal": personal, "self_study": self_study, "root": tmp}


def test_a_pack_holds_chapters_blank_exercises_data_glossary_and_a_readme(packs):
    for pack in [*packs["personal"], packs["self_study"]]:
        names = {p.name for p in pack.iterdir()}
        assert {"README.md", "glossary.md", "python_primer.md", "data_dictionary.md", PACK_FILE, "notebooks",
                "exercises", "datasets"} <= names
        assert len(list((pack / "notebooks").glob("*.ipynb"))) == len(list((ROOT / "notebooks").glob("*.ipynb")))
        assert sorted(p.name for p in (pack / "datasets").iterdir()) == sorted([*DATASETS, PACK_LOGS])
        assert (pack / "datasets" / PACK_LOGS / "cdnow_sample.csv").is_file()  # chapter 11 reads it
        for edition in ("zh_CN",):  # the Chinese edition travels with the English one, same file names
            assert sorted(p.name for p in (pack / "notebooks" / edition).glob("*.ipynb")) == sorted(
                p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
            assert sorted(p.name for p in (pack / "exercises" / edition).glob("*.ipynb")) == sorted(
                p.name for p in (ROOT / "exercises").glob("*.ipynb"))
        for path in [*(pack / "exercises").glob("*.ipynb"), *(pack / "exercises" / "zh_CN").glob("*.ipynb")]:
            nb = nbformat.read(path, as_version=4)
            assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells
                       if c.cell_type == "code")
    assert json.loads((packs["personal"][0] / PACK_FILE).read_text())["student_id"] == "s001"
    assert (packs["root"] / "personal" / RELEASE_FILE).is_file()


def test_no_solution_file_and_no_trainer_material_in_any_pack(packs):
    for pack in [*packs["personal"], packs["self_study"]]:
        files = [p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()]
        assert not [f for f in files if "solution" in f.lower() or f.endswith(".py")]
        assert not [f for f in files if "trainer" in f.lower() or f.endswith("written.csv")]
        texts = _pack_texts(pack)
        assert not [p for p, t in texts.items() if "exercises/solutions" in t]
        assert not [p for p, t in texts.items() if "Rubric" in t or "rubric" in t]


def test_no_expected_answer_appears_in_a_personal_pack(packs):
    for pack in packs["personal"]:
        answers = _answers_in(pack / "exercises")
        texts = _pack_texts(pack)
        for exercise_id, value in answers.items():
            for needle in _needles(value):
                found = [p.relative_to(pack).as_posix() for p, t in texts.items() if needle in t]
                assert not found, f"{pack.name}: answer of {exercise_id} ({needle}) appears in {found}"


def test_two_students_have_different_data_and_different_answers(packs):
    first, second = packs["personal"]
    for name in DATASETS:
        a = pd.read_csv(first / "datasets" / name / "accounts.csv")
        b = pd.read_csv(second / "datasets" / name / "accounts.csv")
        assert len(a) == len(b) and not a["annual_potential_spend"].equals(b["annual_potential_spend"])
    answers = [_answers_in(pack / "exercises") for pack in (first, second)]
    same = sorted(e for e in answers[0] if answers[0][e] == answers[1][e])
    # a few answers cannot depend on the data (05.3 is the Erlang C formula with given rates) or coincide
    assert len(same) <= 0.2 * len(answers[0]), f"same answer for both students: {same}"


def test_kamsim_datasets_inside_a_pack_reads_the_pack_data(packs, monkeypatch):
    pack = packs["personal"][1]
    monkeypatch.delenv("KAMSIM_DATASETS", raising=False)
    monkeypatch.chdir(pack / "exercises")
    assert find_pack() == pack / PACK_FILE
    assert datasets_dir() == pack / "datasets"
    meta = json.loads((pack / "datasets" / "small" / "schema.json").read_text())["meta"]
    assert meta["seed"] == student_seed(11, "s002", "small")


def test_the_same_roster_and_course_seed_give_the_same_packs(packs, tmp_path):
    again = release(tmp_path / "again", [STUDENTS[0]], course_seed=11, root=ROOT)[0]
    first = packs["personal"][0]
    for path in (first / "datasets" / "small").iterdir():
        assert path.read_bytes() == (again / "datasets" / "small" / path.name).read_bytes()


def test_release_refuses_bad_input_and_writes_nothing(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("student_id,name\ns1,A\ns1,B\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3: duplicate student_id 's1'"):
        release(tmp_path / "out", bad, root=ROOT)
    bad.write_text("id,name\ns1,A\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a 'student_id' column"):
        release(tmp_path / "out", bad, root=ROOT)
    bad.write_text("student_id\n../evil\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: student_id '../evil'"):
        read_roster(bad)
    with pytest.raises(ValueError, match="course_seed"):
        release(tmp_path / "out", [Student("s1")], course_seed=-1, root=ROOT)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.docx").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not a kamsim release"):
        release(tmp_path / "busy", root=ROOT)
    assert not (tmp_path / "out").exists()


def test_exercise_notebooks_carry_the_written_questions_of_chapters_06_to_11():
    questions = written_questions()
    assert sorted(q.chapter for q in questions) == ["06", "07", "08", "09", "10", "11"]
    for q in questions:
        (path,) = (ROOT / "exercises").glob(f"{q.chapter}_*.ipynb")
        cells = {c.get("id"): c for c in nbformat.read(path, as_version=4).cells}
        assert q.question in cells[q.question_cell].source
        assert cells[q.answer_cell].source.startswith(answer_marker(q.id))
        assert q.points > 0 and len(q.rubric.split(" | ")) >= 3


def test_a_written_roster_reads_back(tmp_path):
    students = [Student("a-1", "Ann, Lee", "ann@example.com"), Student("b.2", "王芳", "")]
    assert read_roster(write_roster(tmp_path / "r.csv", students)) == students
