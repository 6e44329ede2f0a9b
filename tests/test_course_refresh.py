"""``python -m kamsim.course refresh | check-timing | strip``: notebooks executed in place, failures loud."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kamsim.course import refresh as rf
from kamsim.course.__main__ import main


def _write(path: Path, *sources: str, outputs: bool = False) -> Path:
    cells = [new_markdown_cell("# A notebook")] + [new_code_cell(s) for s in sources]
    if outputs:
        cells[1].outputs = [new_output("stream", name="stdout", text="old\n")]
        cells[1].execution_count = 3
        cells[1].metadata["execution"] = {"iopub.execute_input": "2024-01-01T00:00:00Z"}
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "exercises").mkdir()
    _write(tmp_path / "notebooks" / "00_intro.ipynb", "import os\nprint(round(6 * 7, 1), os.path.basename(os.getcwd()))")
    _write(tmp_path / "notebooks" / "01_segments.ipynb", "x = 1")
    _write(tmp_path / "notebooks" / "_draft.ipynb", "raise RuntimeError('never run')")
    _write(tmp_path / "exercises" / "00_intro.ipynb", "answer = ...", outputs=True)
    return tmp_path


def test_select_notebooks_by_prefix_stem_and_file_name(repo):
    folder = repo / "notebooks"
    assert [p.name for p in rf.select_notebooks(folder)] == ["00_intro.ipynb", "01_segments.ipynb"]
    assert [p.name for p in rf.select_notebooks(folder, ["01"])] == ["01_segments.ipynb"]
    assert [p.name for p in rf.select_notebooks(folder, ["00_intro.ipynb", "00"])] == ["00_intro.ipynb"]
    with pytest.raises(ValueError, match=r"no notebook matches '07'.*available: 00_intro, 01_segments"):
        rf.select_notebooks(folder, ["07"])
    with pytest.raises(ValueError, match="does not exist"):
        rf.list_notebooks(repo / "missing")


def test_find_root_walks_up(repo):
    assert rf.find_root(repo / "notebooks") == repo


def test_refresh_writes_outputs_without_volatile_metadata(repo, capsys):
    assert main(["--root", str(repo), "refresh", "00"]) == 0
    nb = nbformat.read(repo / "notebooks" / "00_intro.ipynb", as_version=4)
    cell = nb.cells[1]
    assert cell.outputs[0]["text"] == "42 notebooks\n"  # ran with cwd = notebooks/
    assert cell.execution_count == 1
    assert "execution" not in cell.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3"
    out = capsys.readouterr().out
    assert "ok" in out and " s  00_intro.ipynb" in out and "1 notebook(s)" in out


def test_failing_notebook_is_not_written_and_exits_1(repo, capsys):
    bad = _write(repo / "notebooks" / "02_bad.ipynb", "x = 1", "raise ValueError('broken cell')")
    before = bad.read_text()
    assert main(["--root", str(repo), "refresh", "02"]) == 1
    assert bad.read_text() == before
    captured = capsys.readouterr()
    assert "FAIL" in captured.out
    assert "02_bad.ipynb: cell 2 failed: ValueError: broken cell" in captured.err


def test_check_timing_fails_over_budget_and_writes_nothing(repo, capsys):
    path = repo / "notebooks" / "01_segments.ipynb"
    before = path.read_text()
    assert main(["--root", str(repo), "check-timing", "01", "--budget", "0"]) == 1
    assert "OVER BUDGET: 01_segments.ipynb" in capsys.readouterr().out
    assert path.read_text() == before


def test_strip_clears_exercise_outputs(repo, capsys):
    target = repo / "exercises" / "00_intro.ipynb"
    assert main(["--root", str(repo), "strip", "--check"]) == 1
    assert "has outputs" in capsys.readouterr().out
    assert main(["--root", str(repo), "strip"]) == 0
    nb = nbformat.read(target, as_version=4)
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None
    assert "execution" not in nb.cells[1].metadata
    assert main(["--root", str(repo), "strip", "--check"]) == 0


def test_unknown_name_is_a_clear_cli_error(repo, capsys):
    assert main(["--root", str(repo), "refresh", "99"]) == 2
    assert "no notebook matches '99'" in capsys.readouterr().err
