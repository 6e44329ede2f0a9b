"""The 简体中文 edition from one source: translation files, the build, and the stored edition notebooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kamsim.course import translation as tr
from kamsim.course.refresh import list_notebooks

ROOT = Path(__file__).resolve().parents[1]


def _english() -> nbformat.NotebookNode:
    nb = new_notebook(cells=[
        new_markdown_cell("# Chapter 1\n\nKey accounts.", id="intro"),
        new_code_cell("from kamsim.labels import edition\nprint(edition())", id="code-1",
                      outputs=[new_output("stream", name="stdout", text="en_US\n")], execution_count=1),
        new_markdown_cell("**Your answer (01.W1):**\n\n*(write here)*", id="answer-01-W1"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _cells() -> dict[str, tr.CellText]:
    nb = _english()
    return {
        "intro": tr.CellText(tr.source_sha(nb.cells[0].source), "# 第 1 章\n\n大客户。\n"),
        "answer-01-W1": tr.CellText(tr.source_sha(nb.cells[2].source), nb.cells[2].source),
    }


def _write_yaml(path: Path, cells: dict[str, tr.CellText]) -> Path:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"cells": {cid: {"source_sha": c.source_sha, "zh": c.text} for cid, c in cells.items()}}  # strings: quoted
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_source_sha_is_the_first_12_hex_digits_of_sha1() -> None:
    assert tr.source_sha("abc") == "a9993e364706"


def test_build_replaces_markdown_and_keeps_code_cells() -> None:
    english = _english()
    built = tr.build_notebook(english, _cells())
    assert [c.id for c in built.cells] == [c.id for c in english.cells]
    assert built.cells[0].source == "# 第 1 章\n\n大客户。"
    assert built.cells[1].source == english.cells[1].source
    assert built.cells[1].outputs == [] and built.cells[1].execution_count is None
    assert built.cells[2].source == english.cells[2].source  # the answer box may stay English
    assert built.metadata["kamsim"] == {"edition": "zh_CN"}
    assert english.cells[0].source.startswith("# Chapter 1")  # the English notebook is not modified
    assert tr.edition_problems(english, built, _cells()) == []


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"intro": None}, "cell intro: not translated"),
        ({"intro": tr.CellText("000000000000", "# 第 1 章")}, "cell intro: the English changed since it was translated"),
        ({"intro": tr.CellText(tr.source_sha("# Chapter 1\n\nKey accounts."), "  \n")}, "cell intro: empty translation"),
        ({"intro": tr.CellText(tr.source_sha("# Chapter 1\n\nKey accounts."), "# Chapter 1\n\nKey accounts.")},
         "cell intro: the translation is the English text"),
        ({"code-1": tr.CellText("x", "代码")}, "cell code-1: translated, but the notebook has no such markdown cell"),
    ],
    ids=["missing", "stale", "empty", "untranslated", "not-markdown"],
)
def test_translation_problems_name_the_cell(cells, message) -> None:
    given = _cells()
    for cell_id, text in cells.items():  # None drops the cell's translation
        if text is None:
            given.pop(cell_id)
        else:
            given[cell_id] = text
    problems = tr.translation_problems(_english(), given)
    assert any(p.startswith(message) for p in problems), problems
    with pytest.raises(tr.TranslationError, match=message.split(":")[0]):
        tr.build_notebook(_english(), given)


def test_edition_problems_find_a_changed_code_cell_and_a_stale_markdown_cell() -> None:
    english = _english()
    built = tr.build_notebook(english, _cells())
    english.cells[1].source += "\nprint('new')"
    assert tr.edition_problems(english, built, _cells()) == ["code cell code-1 differs from the English one"]
    built.cells[0].source = "# 旧的"
    assert "markdown cell intro differs from its translation" in tr.edition_problems(english, built, _cells())
    english.cells.pop()
    assert "ids, types or order differ" in tr.edition_problems(english, built, _cells())[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [("cells: [1, 2]\n", "expected a top-level 'cells' mapping"),
     ("cells:\n  intro:\n    zh: 文本\n", "cell 'intro' needs 'source_sha'"),
     ("cells: {intro: [unclosed\n", "not a valid UTF-8 YAML file"),
     ("cells:\n  intro:\n    source_sha: 992709374997\n    zh: 文本\n", "quote source_sha")],
)
def test_load_translation_names_the_file_and_the_cell(tmp_path, text, message) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(tr.TranslationError, match=message) as info:
        tr.load_translation(path)
    assert str(path) in str(info.value)
    with pytest.raises(tr.TranslationError, match="no translation file"):
        tr.load_translation(tmp_path / "missing.yaml")


def _mini_repo(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for kind in tr.KINDS:
        (tmp_path / kind).mkdir()
        nbformat.write(_english(), tmp_path / kind / "01_intro.ipynb")
        _write_yaml(tr.translation_path(tmp_path, kind, "01_intro"), _cells())
    return tmp_path


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kamsim.course", "--root", str(cwd), "translate", *args],
                          capture_output=True, text=True, timeout=300)


def test_translate_builds_executes_and_checks_the_edition(tmp_path) -> None:
    """Chapters run in notebooks/zh_CN (Chinese edition), exercises are stored blank; --check then passes."""
    root = _mini_repo(tmp_path)
    assert _cli("--check", cwd=root).returncode == 1  # nothing built yet
    done = _cli(cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    chapter = nbformat.read(root / "notebooks" / "zh_CN" / "01_intro.ipynb", as_version=4)
    assert chapter.cells[0].source.startswith("# 第 1 章")
    assert chapter.cells[1].outputs[0]["text"] == "zh_CN\n"  # the kernel speaks the edition's language
    exercise = nbformat.read(root / "exercises" / "zh_CN" / "01_intro.ipynb", as_version=4)
    assert exercise.cells[1].outputs == []
    check = _cli("--check", cwd=root)
    assert check.returncode == 0, check.stdout
    assert "2 notebook(s) checked, 0 with problems" in check.stdout


def test_translate_refuses_a_stale_translation_and_writes_nothing(tmp_path) -> None:
    root = _mini_repo(tmp_path)
    english = _english()
    english.cells[0].source = "# Chapter 1\n\nKey accounts, revised."
    nbformat.write(english, root / "notebooks" / "01_intro.ipynb")
    done = _cli("--kind", "notebooks", "--no-execute", cwd=root)
    assert done.returncode == 1
    assert "cell intro: the English changed since it was translated" in done.stdout
    assert not (root / "notebooks" / "zh_CN" / "01_intro.ipynb").exists()


# --- the repository's own edition ------------------------------------------------------------------------------

ENGLISH = [(kind, path) for kind in tr.KINDS for path in list_notebooks(ROOT / kind)]


@pytest.mark.parametrize(("kind", "path"), ENGLISH, ids=[f"{k}/{p.stem}" for k, p in ENGLISH])
def test_every_notebook_has_a_current_chinese_edition(kind, path) -> None:
    """Each chapter and exercise notebook is translated (every markdown cell, from today's English) and built:
    the stored Chinese notebook has exactly the English code cells and the translated markdown."""
    english = nbformat.read(path, as_version=4)
    cells = tr.load_translation(tr.translation_path(ROOT, kind, path.stem))
    assert tr.translation_problems(english, cells) == []
    target = tr.edition_path(ROOT, kind, path.stem)
    assert target.is_file(), f"run python -m kamsim.course translate {path.stem}"
    edition = nbformat.read(target, as_version=4)
    assert tr.edition_problems(english, edition, cells) == [], f"run python -m kamsim.course translate {path.stem}"


def test_the_chinese_edition_has_no_extra_notebooks() -> None:
    for kind in tr.KINDS:
        english = {p.stem for p in list_notebooks(ROOT / kind)}
        built = {p.stem for p in list_notebooks(ROOT / kind / "zh_CN")} if (ROOT / kind / "zh_CN").is_dir() else set()
        files = {p.stem for p in (ROOT / tr.TRANSLATIONS_DIR / "zh_CN" / kind).glob("*.yaml")}
        assert built <= english and files <= english, (kind, built - english, files - english)
