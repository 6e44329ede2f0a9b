"""CLI: kamsim simulate / compare / policies end to end on tiny settings; bad inputs exit 2 and write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kamsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = str(ROOT / "scenarios" / "retention_showdown.yaml")
TINY = ["--accounts", "60", "--months", "12"]


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse and main() report user errors by exiting
        return int(exc.code)


# ----------------------------------------------------------------------------- policies


def test_policies_lists_the_builtin_table(capsys):
    assert main(["policies"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["name", "kind", "description"]
    for name in ("status_quo", "blanket", "risk_targeted", "roi_allocation"):
        assert name in out
    assert "segmentation" in out and "allocation" in out
    assert main(["policies", "--kind", "bundle"]) == 0
    bundles = capsys.readouterr().out
    assert "segmentation " not in bundles and "status_quo" in bundles


# ----------------------------------------------------------------------------- simulate


def test_simulate_writes_events_panel_kpis(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["simulate", "--scenario", SCENARIO, "--policy", "risk_targeted", "--seed", "3", "--out", str(out), *TINY]
    assert main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "kpis.csv", "panel.csv", "run.json"]
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis.columns) == ["kpi", "value"] and "net_margin" in set(kpis["kpi"])
    events = pd.read_csv(out / "events.csv")
    assert {"event_id", "account_id", "event_type", "month"} <= set(events.columns) and len(events) > 0
    panel = pd.read_csv(out / "panel.csv")
    assert panel["month"].nunique() == 12 and panel["account_id"].nunique() <= 60
    info = json.loads((out / "run.json").read_text())
    assert info["policy"] == "risk_targeted" and info["seed"] == 3 and info["accounts"] == 60
    assert "risk_targeted" in capsys.readouterr().out

    # the CLI run is the Python API run with the same seed
    import kamsim
    from kamsim.scenario import Scenario

    result = kamsim.simulate(Scenario.from_file(SCENARIO), kamsim.generate_portfolio(60, 3), "risk_targeted", seed=3, months=12)
    api = result.kpis()
    assert kpis.set_index("kpi")["value"].to_dict() == pytest.approx(api.to_dict(), rel=1e-12, nan_ok=True)

    # an earlier result is only replaced with --overwrite
    assert _exit_code(argv) == 2
    assert main([*argv, "--overwrite"]) == 0


# ----------------------------------------------------------------------------- compare


def test_compare_writes_tables_and_figures(tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", "--scenario", SCENARIO, "--policies", "status_quo,risk_targeted", "--replications", "3",
            "--workers", "1", "--seed", "2", "--baseline", "status_quo", "--out", str(out), "--no-progress", *TINY]
    assert main(argv) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["comparison.json", "comparison.png", "paired.csv", "paired_relative.png", "replications.csv",
                     "summary.csv"]
    reps = pd.read_csv(out / "replications.csv")
    assert list(reps.columns) == ["policy", "replication", "kpi", "value"]
    n_kpis = reps["kpi"].nunique()
    assert len(reps) == 2 * 3 * n_kpis
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["policy", "kpi", "mean", "std", "ci_low", "ci_high", "n"]
    assert len(summary) == 2 * n_kpis and (summary["n"] == 3).all()
    paired = pd.read_csv(out / "paired.csv")
    assert set(paired["policy"]) == {"risk_targeted"} and set(paired["baseline"]) == {"status_quo"}
    assert (out / "comparison.png").stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "difference vs status_quo" in printed and "net_margin" in printed


# ----------------------------------------------------------------------------- bad inputs


def _compare_argv(out: Path, **changes: str) -> list[str]:
    opts = {"--scenario": SCENARIO, "--policies": "status_quo,blanket", "--replications": "3", "--out": str(out)}
    opts.update(changes)
    argv = ["compare", "--no-progress", *TINY]
    for key, value in opts.items():
        argv += [key, value]
    return argv


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"--policies": "status_quo,no_such_policy"}, "unknown policy 'no_such_policy'; available: status_quo"),
        ({"--policies": ","}, "--policies"),
        ({"--replications": "1"}, "--replications must be >= 2"),
        ({"--baseline": "win_back"}, "--baseline 'win_back' is not one of --policies"),
        ({"--scenario": "/no/such/file.yaml"}, "--scenario /no/such/file.yaml: cannot read file"),
        ({"--workers": "0"}, "--workers must be >= 1"),
        ({"--seed": "-1"}, "--seed must be >= 0"),
        ({"--kpis": "profit"}, "kpis"),
    ],
)
def test_compare_bad_inputs_exit_2_and_write_nothing(tmp_path, capsys, changes, message):
    out = tmp_path / "nested" / "out"
    assert _exit_code(_compare_argv(out, **changes)) == 2
    err = capsys.readouterr().err
    assert "kamsim: error:" in err and message in err
    assert list(tmp_path.iterdir()) == []


def test_compare_rejects_invalid_scenario_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("lifecycle:\n  churn_hazard:\n    at_risk: 1.5\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _exit_code(_compare_argv(out, **{"--scenario": str(bad)})) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "at_risk" in err
    broken = tmp_path / "broken.toml"
    broken.write_text("months = [", encoding="utf-8")
    assert _exit_code(_compare_argv(out, **{"--scenario": str(broken)})) == 2
    assert "broken.toml" in capsys.readouterr().err
    assert not out.exists()


def test_cli_refuses_a_foreign_output_folder(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    assert _exit_code(_compare_argv(mine)) == 2
    assert _exit_code(["simulate", "--out", str(mine), "--overwrite", *TINY]) == 2
    assert "not a kamsim result" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--policy", "nope"], "--policy: unknown policy 'nope'"),
        (["--accounts", "0"], "--accounts must be >= 1"),
        (["--scenario", "missing.yaml"], "--scenario missing.yaml"),
        (["--portfolio", "/no/such/dir"], "--portfolio"),
    ],
)
def test_simulate_bad_inputs_exit_2_and_write_nothing(tmp_path, capsys, extra, message):
    out = tmp_path / "run"
    argv = ["simulate", "--out", str(out), "--months", "12", *extra]
    if "--accounts" not in extra and "--portfolio" not in extra:
        argv += ["--accounts", "60"]
    assert _exit_code(argv) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
