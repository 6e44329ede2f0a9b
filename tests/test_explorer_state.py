"""The policy explorer without a browser: form checks, a tiny run equal to ``kamsim.compare``, cancel, sessions.

``kamsim.explorer.state`` imports no Panel, so most tests here need none; the tests of the Panel
callbacks (``ExplorerApp``) skip with a reason when the ``explore`` extra is not installed.
"""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

import kamsim
from kamsim.cli import main
from kamsim.course.terms import translate
from kamsim.explorer import ExplorerState, scenario_knobs
from kamsim.explorer.labels import kpi_label
from kamsim.scenario import Scenario

POLICIES = ["status_quo", "blanket"]


def tiny(**changes: object) -> ExplorerState:
    """A state set for a tiny run: 20 generated accounts, 2 months, 2 replications."""
    state = ExplorerState()
    settings: dict[str, object] = {
        "source": "generated", "gen_accounts": 20, "gen_seed": 3, "gen_history_months": 0,
        "months": 2, "replications": 2, "seed": 7, "policies": POLICIES,
    }
    settings.update(changes)
    for name, value in settings.items():
        assert state.set(name, value) is None, (name, state.errors)
    return state


def run(state: ExplorerState, timeout: float = 120) -> None:
    assert state.start(), state.errors
    assert state.wait(timeout), "the run did not finish"
    assert state.status == "done", state.message


def expected(state: ExplorerState, accounts: int = 20, gen_seed: int = 3, locale: str = "en_US"):
    """``kamsim.compare`` with the same settings, written independently of the explorer."""
    portfolio = kamsim.generate_portfolio(accounts, gen_seed, locale)
    return kamsim.compare(
        Scenario(months=int(state.knob_values["months"])), list(state.ordered_policies()), portfolio=portfolio,
        replications=int(state.replications), seed=int(state.seed), progress=False,
    )


# ----------------------------------------------------------------------------- the knobs


def test_knobs_take_units_and_ranges_from_the_scenario_fields() -> None:
    knobs, notes = scenario_knobs()
    paths = [k.path for k in knobs]
    assert {"months", "managers.capacity_multiplier", "complaints.handlers", "orders.base_discount"} <= set(paths)
    for knob in knobs:
        section, _, name = knob.path.rpartition(".")
        model = Scenario if not section else type(getattr(Scenario(), section))
        info = model.model_fields[name]
        assert knob.unit == info.json_schema_extra["unit"]
        assert knob.description in info.description
        bounds = {type(m).__name__: m for m in info.metadata}
        if "Ge" in bounds:
            assert knob.minimum == bounds["Ge"].ge and not knob.min_exclusive
        if "Le" in bounds:
            assert knob.maximum == bounds["Le"].le
        assert knob.range_text() and knob.unit in knob.requirement()
    assert scenario_knobs()[0][0].kind == "int"  # months
    assert next(k for k in knobs if k.path == "complaints.handlers").optional
    if not any("budget" in p for p in paths):  # the Scenario has no retention budget: left out, with a note
        assert any("Retention budget" in n for n in notes)


def test_knobs_start_from_the_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    Scenario(months=7, complaints={"handlers": 3}).to_yaml(path)
    state = ExplorerState(scenario=path)
    assert state.knob_values["months"] == 7 and state.knob_values["complaints.handlers"] == 3
    assert state.scenario() == Scenario.from_file(path)
    with pytest.raises(ValueError, match="scenario files must end"):
        ExplorerState(scenario=tmp_path / "s.txt")


# ----------------------------------------------------------------------------- checks per field


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("managers.capacity_multiplier", -1, ["Manager capacity", "from 0", "ratio", "-1"]),
        ("managers.capacity_multiplier", "lots", ["Manager capacity", "enter a number", "'lots'"]),
        ("complaints.handlers", 0, ["Complaint handlers", "whole number", "empty for automatic", "got 0"]),
        ("complaints.handlers", 2.5, ["Complaint handlers", "whole number"]),
        ("months", 0, ["Months simulated", "from 1"]),
        ("months", None, ["Months simulated", "enter a value"]),
        ("orders.base_discount", 1.5, ["Discount", "from 0 to 1", "share of list price"]),
        ("replications", 0, ["Replications", "at least 2", "got 0"]),
        ("replications", 1, ["Replications", "at least 2"]),
        ("workers", 0, ["Workers", "between 1"]),
        ("seed", -1, ["non-negative"]),
        ("policies", ["status_quo"], ["at least two"]),
        ("policies", ["status_quo", "nonsense"], ["unknown policy bundle", "nonsense"]),
    ],
)
def test_bad_input_gives_a_message_by_its_field_and_runs_nothing(field: str, value: object, words: list[str]) -> None:
    state = ExplorerState(dataset="small")
    message = state.set(field, value)
    assert message is not None and state.errors[field] == message
    for word in words:
        assert word in message, (word, message)
    others = {k: v for k, v in state.validate().items() if k != field}
    assert others == {}, "only the wrong field has a message"
    assert state.start() is False
    assert state.status == "idle" and state.result is None and state.done == 0 and state._thread is None
    assert "nothing was run" in state.message


def test_an_empty_handlers_field_means_automatic() -> None:
    state = ExplorerState()
    assert state.set("complaints.handlers", None) is None
    assert state.set("complaints.handlers", "") is None
    assert state.scenario().complaints.handlers is None
    assert state.set("complaints.handlers", "4") is None and state.scenario().complaints.handlers == 4


@pytest.mark.parametrize("kind", ["missing", "file", "not_a_portfolio", "broken"])
def test_an_unreadable_folder_is_named_by_the_folder_field(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "p"
    if kind == "file":
        folder.write_text("x")
    elif kind == "not_a_portfolio":
        folder.mkdir()
        (folder / "notes.txt").write_text("hello")
    elif kind == "broken":
        kamsim.generate_portfolio(5, 1).to_dir(folder)
        (folder / "accounts.csv").write_text("account_id\nA1\n", encoding="utf-8")
    state = ExplorerState()
    state.set("source", "folder")
    message = state.set("folder", str(folder))
    assert message is not None and message.startswith(f"cannot read {folder}")
    assert list(state.validate()) == ["folder"]
    assert state.start() is False and state.result is None


def test_fields_of_other_sources_are_not_checked(tmp_path: Path) -> None:
    state = ExplorerState(dataset="small")
    state.folder = str(tmp_path / "missing")
    state.gen_accounts = -5
    assert state.validate() == {}
    state.set("source", "generated")
    assert list(state.validate()) == ["gen_accounts"]
    state.set("source", "dataset")
    assert state.errors == {}


def test_a_portfolio_folder_is_read_and_its_locale_used(tmp_path: Path) -> None:
    kamsim.generate_portfolio(10, 2, "zh_CN").to_dir(tmp_path / "p")
    state = ExplorerState(portfolio_dir=tmp_path / "p")
    assert state.source == "folder" and state.errors == {} and state.locale == "zh_CN"


# ----------------------------------------------------------------------------- running


def test_a_tiny_run_equals_kamsim_compare_with_the_same_seed() -> None:
    state = tiny()
    run(state)
    result = state.result
    pdt.assert_frame_equal(result.paired(), expected(state).paired())
    assert state.done == state.total == 4 and state.progress == 1.0
    assert result.plot_png.startswith(b"\x89PNG")
    table = result.table()
    assert list(table.columns[:3]) == ["Policy", "KPI", "Unit"]
    assert "Net margin" in set(table["KPI"]) and "Churn rate" in set(table["KPI"])
    assert len(table) == len(result.paired())


def test_the_zip_holds_the_results_and_reproduces_with_kamsim_compare(tmp_path: Path, monkeypatch, capsys) -> None:
    state = tiny(seed=11)
    run(state)
    archive = zipfile.ZipFile(io.BytesIO(state.results_zip()))
    names = set(archive.namelist())
    for name in ("paired.csv", "summary.csv", "replications.csv", "comparison.json", "comparison.png",
                 "explorer.png", "scenario.yaml", "README.md", "paired_readable.csv", "portfolio/accounts.csv"):
        assert f"kamsim_comparison/{name}" in names, name
    archive.extractall(tmp_path)
    folder = tmp_path / "kamsim_comparison"
    assert Scenario.from_file(folder / "scenario.yaml") == state.result.scenario
    readme = (folder / "README.md").read_text(encoding="utf-8")
    command = next(line.strip() for line in readme.splitlines() if line.strip().startswith("kamsim compare"))
    argv = shlex.split(command)[1:]
    monkeypatch.chdir(folder)
    assert main(argv + ["--no-progress"]) == 0
    capsys.readouterr()
    again = (folder / "results" / "paired.csv").read_text(encoding="utf-8")
    assert again == (folder / "paired.csv").read_text(encoding="utf-8")
    assert again == state.result.paired().to_csv(index=False)


def test_chinese_locale_gives_glossary_labels() -> None:
    state = tiny(gen_locale="zh_CN")
    assert state.locale == "zh_CN"
    run(state)
    table = state.result.table()
    assert table.columns[0].startswith(translate("strategy bundle"))
    assert table.columns[1].startswith(translate("KPI"))
    kpis = set(table.iloc[:, 1])
    assert f"{translate('churn rate')} (Churn rate)" in kpis
    assert f"{translate('net margin')} (Net margin)" in kpis
    assert kpi_label("complaints", "zh_CN") == "Complaints"  # no glossary term: English, never invented
    english = state.result.table(locale="en_US")
    assert "Churn rate" in set(english["KPI"])
    pdt.assert_frame_equal(state.result.paired(), expected(state, locale="zh_CN").paired())


def test_cancel_stops_the_run_and_keeps_the_previous_result() -> None:
    state = tiny()
    run(state)
    first = state.result
    state.set("months", 12)
    state.set("replications", 200)
    assert state.start()
    assert state.start() is False and "already running" in state.message
    deadline = time.monotonic() + 60
    while state.done == 0 and state.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state.cancel()
    assert state.status in ("cancelling", "cancelled")
    assert state.wait(60)
    assert state.status == "cancelled", state.message
    assert 0 < state.done < state.total == 400
    assert state.result is first
    assert state.cancel() is False  # nothing runs any more
    state.set("replications", 2)
    state.set("months", 2)
    run(state)  # a new run after a cancel works
    pdt.assert_frame_equal(state.result.paired(), first.paired())


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 cores for 2 worker processes")
def test_worker_processes_give_the_same_numbers_and_cancel() -> None:
    state = tiny(workers=2)
    run(state)
    pdt.assert_frame_equal(state.result.paired(), expected(state).paired())
    state.set("replications", 300)
    state.set("months", 12)
    assert state.start()
    deadline = time.monotonic() + 60
    while state.done == 0 and state.running and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    state.cancel()
    assert state.wait(60) and state.status == "cancelled", state.message
    assert time.monotonic() - started < 30
    assert state.done < state.total


def test_two_states_never_share_anything() -> None:
    a, b = tiny(seed=1), tiny(seed=2, policies=["status_quo", "risk_targeted"])
    a.set("managers.capacity_multiplier", -3)
    assert "managers.capacity_multiplier" in a.errors and b.errors == {}
    assert b.knob_values["managers.capacity_multiplier"] == 1.0
    a.set("managers.capacity_multiplier", 1.0)
    assert a.policies is not b.policies and a.knob_values is not b.knob_values
    assert a.start() and b.start()  # both run at the same time
    assert a.wait(120) and b.wait(120)
    assert a.status == b.status == "done"
    assert a.result is not b.result
    assert a.result.policies == ("status_quo", "blanket") and b.result.policies == ("status_quo", "risk_targeted")
    pdt.assert_frame_equal(a.result.paired(), expected(a).paired())
    pdt.assert_frame_equal(b.result.paired(), expected(b).paired())


def test_no_zip_before_a_result() -> None:
    with pytest.raises(ValueError, match="no result yet"):
        ExplorerState().results_zip()


# ----------------------------------------------------------------------------- command line


def test_kamsim_help_does_not_import_panel() -> None:
    code = (
        "import sys\n"
        "from kamsim.cli import main\n"
        "for argv in (['--help'], ['explore', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "assert 'panel' not in sys.modules and 'bokeh' not in sys.modules, 'panel imported by --help'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "explore" in done.stdout and "--port" in done.stdout


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--portfolio", "/no/such/folder"], "no such portfolio folder"),
        (["--dataset", "nope"], "unknown dataset"),
        (["--scenario", "/no/such.yaml"], "cannot read file"),
    ],
)
def test_explore_options_are_checked_before_serving(argv: list[str], words: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["explore", *argv])
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err


# ----------------------------------------------------------------------------- the Panel callbacks


@pytest.fixture
def app_class():
    pytest.importorskip("panel", reason='the Panel callbacks need the explore extra: pip install "kamsim[explore]"')
    from kamsim.explorer.app import ExplorerApp

    return ExplorerApp


def test_widgets_write_into_the_state_and_show_messages(app_class) -> None:
    app = app_class(ExplorerState(dataset="small"))
    app.widgets["managers.capacity_multiplier"].value_input = "-2"  # every keystroke reaches the state
    assert app.state.knob_values["managers.capacity_multiplier"] == "-2"
    pane = app.messages["managers.capacity_multiplier"]
    assert pane.visible and "Manager capacity" in pane.object
    app.widgets["replications"].value_input = "0"
    assert app.messages["replications"].visible
    assert app._on_run() is False and app.form_message.visible and app.state.result is None
    app.widgets["managers.capacity_multiplier"].value_input = "1.5"
    assert not pane.visible and app.state.scenario().managers.capacity_multiplier == 1.5
    app.widgets["source"].value = "folder"
    assert app._folder_box.visible and not app._dataset_box.visible
    app.widgets["policies"].value = ["blanket", "risk_targeted"]
    assert app.widgets["baseline"].options == ["blanket", "risk_targeted"]
    assert app.widgets["baseline"].value == "blanket"


def test_run_button_shows_plot_table_and_download(app_class) -> None:
    app = app_class(tiny())
    assert app._on_run() is True
    assert app.run_button.disabled and not app.cancel_button.disabled
    assert app.state.wait(120)
    app._refresh()
    assert app.state.status == "done" and app.progress.value == 100
    assert app.plot.visible and app.plot.object.startswith(b"\x89PNG")
    assert app.table.visible and "Net margin" in set(app.table.object["KPI"])
    assert not app.download.disabled and not app.run_button.disabled
    data = app._zip().getvalue()
    paired = pd.read_csv(zipfile.ZipFile(io.BytesIO(data)).open("kamsim_comparison/paired.csv"))
    assert len(paired) == len(app.state.result.paired())
    assert "kamsim compare" in app.command.object


def test_each_app_has_its_own_state(app_class) -> None:
    first, second = app_class(ExplorerState()), app_class(ExplorerState())
    first.widgets["seed"].value_input = "42"
    assert first.state.seed == "42" and second.state.seed == 1
    assert first.state is not second.state
