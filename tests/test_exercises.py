"""Every registered exercise: the reference solution passes, the blank fails, each kept mistake fails.

Generic over the registry, so a new chapter's checks are tested as soon as
``kamsim/exercises/chNN.py``, ``exercises/NN_slug.ipynb`` and
``exercises/solutions/NN_slug.py`` exist.  Also: every exercise appears in a
student notebook, student notebooks carry no outputs, and they run top to
bottom with their blanks (each check cell then says "not attempted yet").
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from kamsim.course.refresh import list_notebooks, strip_outputs
from kamsim.course.grading import expected_answer, get_exercise
from kamsim.exercises import check, list_exercises

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SOLUTIONS = EXERCISES / "solutions"
IDS = list_exercises()["exercise_id"].tolist()
#: Student notebooks of both editions (the Chinese ones are built by `python -m kamsim.course translate`).
STUDENT_NOTEBOOKS = list_notebooks(EXERCISES) + (
    list_notebooks(EXERCISES / "zh_CN") if (EXERCISES / "zh_CN").is_dir() else []
)
CHECK_CALL = re.compile(r"""check\(\s*["'](\d{2}\.\d+)["']""")


@lru_cache(maxsize=None)
def _solution_module(chapter: str) -> ModuleType:
    files = sorted(SOLUTIONS.glob(f"{chapter}_*.py"))
    assert len(files) == 1, f"expected exactly one exercises/solutions/{chapter}_*.py, found {[f.name for f in files]}"
    spec = importlib.util.spec_from_file_location(f"_kamsim_solution_{chapter}", files[0])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _solution(exercise_id: str):
    chapter, number = exercise_id.split(".")
    module = _solution_module(chapter)
    name = f"ex_{chapter}_{number}"
    assert hasattr(module, name), f"{module.__file__} has no function {name}() for exercise {exercise_id}"
    return getattr(module, name)


def _notebook_checks() -> dict[str, list[str]]:
    """Exercise ids referenced by ``check("NN.K", ...)`` in each student notebook (code cells only)."""
    found = {}
    for path in list_notebooks(EXERCISES):
        nb = nbformat.read(path, as_version=4)
        found[path.name] = [m for c in nb.cells if c.cell_type == "code" for m in CHECK_CALL.findall(c.source)]
    return found


def test_registry_is_not_empty():
    assert "00.1" in IDS and "00.2" in IDS


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_solution_passes(exercise_id):
    result = check(exercise_id, _solution(exercise_id)())
    assert result.passed, result.message
    assert result.message.startswith(f"✅ {exercise_id} correct")


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("blank", [..., None], ids=["ellipsis", "none"])
def test_blank_is_not_attempted(exercise_id, blank):
    result = check(exercise_id, blank)
    assert not result and result.status == "blank"
    assert "not attempted yet" in result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_plausible_mistakes_fail_with_their_hint(exercise_id):
    mistakes = get_exercise(exercise_id).wrong_answers(expected_answer(exercise_id))
    assert len(mistakes) >= 1, f"exercise {exercise_id} keeps no plausible wrong answer after filtering"
    for hint, wrong in mistakes.items():
        result = check(exercise_id, wrong)
        assert not result.passed, f"{exercise_id}: the mistake {hint!r} passes the check"
        assert result.status == "wrong" and "not quite" in result.message
        assert hint in result.message, f"{exercise_id}: the targeted hint is not shown for {wrong!r}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_wrong_type_fails_with_a_message(exercise_id):
    result = check(exercise_id, "a string is never the answer")
    assert not result.passed and "not quite" in result.message


def test_every_exercise_has_a_student_notebook_cell():
    referenced = {i for ids in _notebook_checks().values() for i in ids}
    missing = [i for i in IDS if i not in referenced]
    assert not missing, f"exercises without a check(...) cell in exercises/*.ipynb: {missing}"


def test_every_notebook_check_is_registered_and_in_its_chapter():
    for name, ids in _notebook_checks().items():
        for exercise_id in ids:
            assert exercise_id in IDS, f"{name} checks unknown exercise {exercise_id}"
            assert name.startswith(exercise_id.split(".")[0] + "_"), f"{name} checks {exercise_id} of another chapter"


def test_every_solution_function_belongs_to_an_exercise():
    for path in SOLUTIONS.glob("[0-9][0-9]_*.py"):
        module = _solution_module(path.name[:2])
        for name in dir(module):
            if name.startswith("ex_"):
                exercise_id = ".".join(name.removeprefix("ex_").split("_", 1))
                assert exercise_id in IDS, f"{path.name}: {name}() has no registered exercise {exercise_id}"


def test_student_notebooks_have_no_outputs():
    notebooks = STUDENT_NOTEBOOKS
    assert notebooks
    dirty = strip_outputs(notebooks, write=False)
    assert not dirty, f"run `python -m kamsim.course strip`: outputs stored in {[p.name for p in dirty]}"


def test_student_notebooks_have_marked_blanks():
    for path in list_notebooks(EXERCISES):
        nb = nbformat.read(path, as_version=4)
        blanks = [c for c in nb.cells if c.cell_type == "code" and re.search(r"^answer\s*=\s*\.\.\.\s*$", c.source, re.M)]
        checks = _notebook_checks()[path.name]
        assert len(blanks) >= len(checks), f"{path.name}: every check(...) needs an 'answer = ...' blank cell"


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_student_notebook_runs_with_its_blanks(path):
    """Opened fresh (kernel python3, cwd its folder), every cell runs; each check says 'not attempted yet'.

    The Chinese edition (exercises/zh_CN) runs the same code and its checks say so in Chinese.
    """
    from kamsim.course.refresh import execute_notebook

    nb, _ = execute_notebook(path, timeout=120)
    outputs = []
    for cell in nb.cells:
        if cell.cell_type == "code" and CHECK_CALL.search(cell.source):
            outputs.append("".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs))
    blank = "尚未作答" if path.parent.name == "zh_CN" else "not attempted yet"
    assert outputs and all(blank in text for text in outputs), outputs
