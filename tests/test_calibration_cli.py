"""``kamsim calibrate``: the folder it writes runs in ``kamsim simulate``; bad logs fail with exit 2 and write nothing."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kamsim.calibration import pareto_nbd_log
from kamsim.cli import main


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "orders.csv"
    log = pareto_nbd_log(400, seed=2).rename(columns={"account_id": "客户编号", "date": "下单日期", "amount": "金额"})
    log.to_csv(path, index=False)
    return path


def _calibrate(log_file, out, *extra):
    return main(["calibrate", "--transactions", str(log_file), "--as-of", "2023-10-01", "--out", str(out),
                 "--customer-col", "客户编号", "--date-col", "下单日期", "--amount-col", "金额", *extra])


def test_calibrate_then_simulate(log_file, tmp_path, capsys):
    out = tmp_path / "twin"
    assert _calibrate(log_file, out) == 0
    assert "calibrated" in capsys.readouterr().out
    assert (out / "scenario.yaml").is_file()
    meta = json.loads((out / "schema.json").read_text(encoding="utf-8"))["meta"]
    assert meta["calibration"]["model"] == "pareto_nbd"
    assert main(["simulate", "--portfolio", str(out), "--scenario", str(out / "scenario.yaml"), "--months", "3",
                 "--out", str(tmp_path / "run")]) == 0
    events = pd.read_csv(tmp_path / "run" / "events.csv")
    assert (events["event_type"] == "order").any()


def test_existing_twin_needs_overwrite(log_file, tmp_path, capsys):
    out = tmp_path / "twin"
    assert _calibrate(log_file, out) == 0
    with pytest.raises(SystemExit) as exc:
        _calibrate(log_file, out)
    assert exc.value.code == 2
    assert _calibrate(log_file, out, "--overwrite") == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda df: df.assign(下单日期=df["下单日期"].where(df.index != 5, "not a date")), "row 5"),
        (lambda df: df.assign(金额=df["金额"].where(df.index != 3, -1.0)), "row 3"),
        (lambda df: df[df["客户编号"] == df["客户编号"].iloc[0]], "at least 10"),
        (lambda df: df.drop_duplicates("客户编号"), "two different days"),
        (lambda df: df.iloc[0:0], "no order before as_of"),
    ],
    ids=["bad date", "negative amount", "one customer", "single purchases", "empty"],
)
def test_bad_logs_exit_2_and_write_nothing(log_file, tmp_path, capsys, edit, message):
    bad = tmp_path / "bad.csv"
    edit(pd.read_csv(log_file, dtype=str)).to_csv(bad, index=False)
    out = tmp_path / "twin"
    with pytest.raises(SystemExit) as exc:
        _calibrate(bad, out)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_missing_file_and_bad_options(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["calibrate", "--transactions", str(tmp_path / "none.csv"), "--as-of", "2023-10-01", "--out", str(tmp_path / "o")])
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["calibrate", "--transactions", __file__, "--as-of", "2023-10-01", "--out", str(tmp_path / "o"),
              "--margin-rate", "2"])
    assert "--margin-rate" in capsys.readouterr().err
