"""Tests of ``kamsim generate`` (and ``kamsim --help``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kamsim import schema
from _cli import run_cli
from kamsim.portfolio import Portfolio




def test_generate_writes_portfolio(tmp_path: Path) -> None:
    out = tmp_path / "p"
    code, stdout, _ = run_cli("generate", "--accounts", "120", "--seed", "3", "--out", str(out))
    assert code == 0
    p = Portfolio.from_dir(out)
    assert len(p.accounts) == 120 and p.meta["seed"] == 3 and p.meta["locale"] == "en_US"
    assert len(p.account_managers) == 3
    assert stdout.count("\n") == 1
    assert "120 accounts" in stdout and f"{p.top_share():.1%}" in stdout and str(out) in stdout


def test_generate_options(tmp_path: Path) -> None:
    out = tmp_path / "zh"
    code, _, _ = run_cli("generate", "--accounts", "50", "--seed", "1", "--locale", "zh_CN", "--managers", "4",
        "--products", "5", "--out", str(out),
    )
    assert code == 0
    p = Portfolio.from_dir(out)
    assert p.meta["locale"] == "zh_CN"
    assert len(p.account_managers) == 4 and len(p.products) == 5
    assert p.accounts["company_name"].str.contains(r"[\u4e00-\u9fff]").all()


def test_same_arguments_byte_identical(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run_cli("generate", "--accounts", "80", "--seed", "7", "--out", str(tmp_path / name))[0] == 0
    assert run_cli("generate", "--accounts", "80", "--seed", "8", "--out", str(tmp_path / "c"))[0] == 0
    for table in schema.TABLES:
        assert (tmp_path / "a" / f"{table}.csv").read_bytes() == (tmp_path / "b" / f"{table}.csv").read_bytes()
    assert (tmp_path / "a" / "accounts.csv").read_bytes() != (tmp_path / "c" / "accounts.csv").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accounts", "-5"], "--accounts must be >= 1"),
        (["--accounts", "0"], "--accounts must be >= 1"),
        (["--accounts", "ten"], "invalid int value: 'ten'"),
        (["--accounts", "5", "--seed", "-1"], "--seed must be >= 0"),
        (["--accounts", "5", "--seed", "1.5"], "invalid int value: '1.5'"),
        (["--accounts", "5", "--locale", "fr_FR"], "--locale must be one of en_US, zh_CN"),
        (["--accounts", "5", "--managers", "0"], "--managers must be >= 1"),
        (["--accounts", "5", "--products", "0"], "--products must be >= 1"),
        (["--accounts", "5", "--history-months", "-2"], "--history-months must be >= 0"),
        (["--accounts", "5", "--as-of", "yesterday"], "as_of must be an ISO date"),
    ],
)
def test_bad_arguments(args: list[str], message: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli("generate", *args, "--out", str(out))
    assert code == 2
    assert message in err
    assert not out.exists()


def test_missing_required_arguments() -> None:
    code, _, err = run_cli("generate", "--accounts", "5")
    assert code == 2 and "--out" in err


def test_existing_folders(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    code, _, err = run_cli("generate", "--accounts", "5", "--out", str(foreign), "--overwrite")
    assert code == 2 and "not a kamsim portfolio" in err
    assert (foreign / "thesis.docx").read_text() == "precious"

    out = tmp_path / "p"
    assert run_cli("generate", "--accounts", "5", "--out", str(out))[0] == 0
    code, _, err = run_cli("generate", "--accounts", "6", "--out", str(out))
    assert code == 2 and "--overwrite" in err
    assert len(Portfolio.from_dir(out).accounts) == 5
    assert run_cli("generate", "--accounts", "6", "--out", str(out), "--overwrite")[0] == 0
    assert len(Portfolio.from_dir(out).accounts) == 6

    a_file = tmp_path / "file"
    a_file.write_text("x")
    code, _, err = run_cli("generate", "--accounts", "5", "--out", str(a_file))
    assert code == 2 and "not a folder" in err


def test_help_and_subprocess(tmp_path: Path) -> None:
    help_run = subprocess.run([sys.executable, "-m", "kamsim", "--help"], capture_output=True, text=True, check=False)
    assert help_run.returncode == 0 and "generate" in help_run.stdout
    out = tmp_path / "sub"
    run = subprocess.run(
        [sys.executable, "-m", "kamsim", "generate", "--accounts", "30", "--seed", "2", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "30 accounts" in run.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "kamsim", "generate", "--accounts", "-1", "--out", str(tmp_path / "bad")],
        capture_output=True, text=True, check=False,
    )
    assert bad.returncode == 2 and "kamsim: error: --accounts must be >= 1" in bad.stderr
