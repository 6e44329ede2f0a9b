"""Issue 15, items 2, 6, 7, 10: concurrent writers, verified portfolio folders, ``--out`` checked first, kill -9.

One section per numbered item of the issue, each starting from the issue's reproduction.
"""

from __future__ import annotations

import errno
import json
import os
import pathlib
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kamsim import _files, _locks
from _cli import run_cli
from kamsim.generators import generate_portfolio
from kamsim.portfolio import Portfolio
from kamsim.schema import SchemaError

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = str(ROOT / "scenarios" / "retention_showdown.yaml")
KAMSIM = [sys.executable, "-m", "kamsim"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0




def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _compare_argv(out: Path | str, accounts: int = 40) -> list[str]:
    return ["compare", "--scenario", SCENARIO, "--policies", "status_quo,blanket", "--replications", "2",
            "--accounts", str(accounts), "--months", "6", "--no-progress", "--out", str(out)]


def _edit_cell(file: Path, column: str, row: int, value: str) -> None:
    """Set one field of a CSV written by to_dir, keeping every other byte as it was."""
    import pandas as pd

    frame = pd.read_csv(file, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(file, index=False, lineterminator="\n")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _write_lock(folder: Path, target_name: str, pid: int, **extra: object) -> Path:
    lock = folder / f".{target_name}.lock"
    lock.write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "started": "2024-01-01T00:00:00+00:00",
                                **extra}), encoding="utf-8")
    return lock


@pytest.fixture(scope="module")
def small() -> Portfolio:
    return generate_portfolio(30, seed=5)


# ============================================================================ item 2: concurrent writers


@pytest.mark.parametrize("command", ["generate", "compare"])
def test_item2_two_writers_started_together_exactly_one_wins(command: str, tmp_path: Path) -> None:
    """Issue: two ``kamsim generate ... --out d`` (or ``compare``) without --overwrite both exit 0."""
    out = tmp_path / "d"
    if command == "generate":
        argvs = [["generate", "--accounts", str(n), "--seed", "1", "--out", str(out)] for n in (3000, 3001)]
    else:
        argvs = [_compare_argv(out, accounts=n) for n in (40, 41)]
    procs = [subprocess.Popen([*KAMSIM, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for argv in argvs]
    results = []
    for proc in procs:
        out_text, err_text = proc.communicate(timeout=120)
        results.append((proc.returncode, out_text, err_text))
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    winner = next(i for i, (code, _, _) in enumerate(results) if code == 0)
    loser_err = results[1 - winner][2]
    assert loser_err.startswith("kamsim: error: ") and "Traceback" not in loser_err
    # either the lock was held, or the winner had finished when the loser looked again before writing
    assert ("is being written by another process" in loser_err
            or "written by another process while this one was working" in loser_err
            or "already holds" in loser_err), loser_err
    assert "--overwrite" in loser_err
    # the surviving folder is the winner's, complete and valid; nothing else is left next to it
    assert _names(tmp_path) == ["d"]
    if command == "generate":
        assert len(Portfolio.from_dir(out).accounts) == (3000, 3001)[winner]  # verify=True: rows and checksums
    else:
        assert _names(out) == ["comparison.json", "comparison.png", "paired.csv", "paired_relative.png",
                               "replications.csv", "summary.csv"]
        assert json.loads((out / "comparison.json").read_text())["portfolio"]["n_accounts"] == (40, 41)[winner]


def test_item2_live_lock_refuses_waits_with_overwrite_and_a_dead_lock_is_taken_over(
    small: Portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "p"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = _write_lock(tmp_path, "p", holder.pid)
        # without overwrite: refused at once, naming the writer and the lock, by the library and the CLI
        busy = rf"is being written by another process right now \(pid {holder.pid}"
        with pytest.raises(_files.OutputBusyError, match=busy):
            small.to_dir(target)
        start = time.monotonic()
        code, _, err = run_cli("generate", "--accounts", "5", "--out", str(target))
        assert code == 2 and f"--out {target} is being written by another process" in err and str(lock) in err
        assert time.monotonic() - start < 5  # before any work
        # with overwrite: waits for the writer (here at most 0.3 s), then gives up clearly
        monkeypatch.setattr(_locks, "LOCK_WAIT_SECONDS", 0.3)  # read by the lock, in kamsim._locks
        with pytest.raises(_files.OutputBusyError, match="still being written by another process .* waiting 0.3 s"):
            small.to_dir(target, overwrite=True)
        # ... and goes ahead as soon as the writer is gone
        monkeypatch.setattr(_locks, "LOCK_WAIT_SECONDS", 30.0)
        threading.Timer(0.3, lambda: (holder.kill(), holder.wait())).start()
        small.to_dir(target, overwrite=True)
    finally:
        holder.kill()
        holder.wait()
    assert len(Portfolio.from_dir(target).accounts) == 30
    assert _names(tmp_path) == ["p"]  # the stale lock was taken over and removed
    # a lock left by a dead process never blocks, with or without overwrite
    _write_lock(tmp_path, "q", _dead_pid())
    small.to_dir(tmp_path / "q")
    assert _names(tmp_path) == ["p", "q"]


def test_item2_lock_of_a_reused_pid_or_unreadable_lock(small: Portfolio, tmp_path: Path) -> None:
    # a live pid whose start time differs from the one recorded: the pid was reused, the lock is stale
    if not Path(f"/proc/{os.getpid()}/stat").exists():
        pytest.skip("no /proc: process start times are not available on this system")
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _write_lock(tmp_path, "p", holder.pid, process_start="1")
        small.to_dir(tmp_path / "p")
    finally:
        holder.kill()
        holder.wait()
    # an empty lock file (its writer died before filling it) counts as stale after a few seconds
    lock = tmp_path / ".r.lock"
    lock.write_text("", encoding="utf-8")
    with pytest.raises(_files.OutputBusyError):
        small.to_dir(tmp_path / "r")
    old = time.time() - 2 * _files.UNREADABLE_LOCK_STALE_SECONDS
    os.utime(lock, (old, old))
    small.to_dir(tmp_path / "r")
    assert _names(tmp_path) == ["p", "r"]


# ============================================================================ item 6: verified portfolio folders


@pytest.fixture(scope="module")
def history_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kamsim.synthetic import generate_portfolio as with_history

    return with_history(40, seed=3, history_months=6).to_dir(tmp_path_factory.mktemp("hist") / "p")


@pytest.fixture()
def copy_of(history_dir: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(history_dir, tmp_path / "p"))


def test_item6_schema_json_records_rows_and_checksums(history_dir: Path) -> None:
    import hashlib

    doc = json.loads((history_dir / "schema.json").read_text(encoding="utf-8"))
    for name, entry in doc["tables"].items():
        data = (history_dir / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["rows"] == len(Portfolio.from_dir(history_dir).tables()[name])
    assert doc["tables"]["events"]["rows"] > 100


@pytest.mark.parametrize("cut", ["line_boundary", "after_a_field", "header_only"])
def test_item6_truncated_events_csv_is_rejected_naming_the_file(cut: str, copy_of: Path) -> None:
    """Issue: an events.csv truncated at a line boundary, cut after a field, or reduced to its header loads."""
    file = copy_of / "events.csv"
    data = file.read_bytes()
    lines = data.splitlines(keepends=True)
    rows = len(lines) - 1
    if cut == "line_boundary":
        file.write_bytes(b"".join(lines[:51]))
        message = rf"events\.csv: 50 rows, schema\.json says {rows} — the file is truncated or was edited"
    elif cut == "after_a_field":
        file.write_bytes(data[: data.rstrip(b"\n").rindex(b",")])  # the last row loses its last field
        message = r"events\.csv: contents differ from the SHA-256 checksum in schema\.json"
    else:
        file.write_bytes(lines[0])
        message = rf"events\.csv: 0 rows, schema\.json says {rows} — the file is truncated"
    with pytest.raises(SchemaError, match=message):
        Portfolio.from_dir(copy_of)


def test_item6_hand_edited_file_is_an_error_unless_verify_false(copy_of: Path) -> None:
    employees = int(Portfolio.from_dir(copy_of).accounts["employees"].iloc[0]) + 1
    _edit_cell(copy_of / "accounts.csv", "employees", 0, str(employees))  # a valid value
    hint = r"use Portfolio\.from_dir\(path, verify=False\)"
    with pytest.raises(SchemaError, match=rf"accounts\.csv: contents differ .*{hint}"):
        Portfolio.from_dir(copy_of)
    edited = Portfolio.from_dir(copy_of, verify=False)
    assert edited.accounts["employees"].iloc[0] == employees
    # verify=False also accepts rows removed on purpose
    (copy_of / "events.csv").write_bytes(b"".join((copy_of / "events.csv").read_bytes().splitlines(keepends=True)[:11]))
    assert len(Portfolio.from_dir(copy_of, verify=False).events) == 10


def test_item6_folders_without_checksums_still_load(copy_of: Path) -> None:
    schema_file = copy_of / "schema.json"
    doc = json.loads(schema_file.read_text(encoding="utf-8"))
    for entry in doc["tables"].values():
        del entry["sha256"]  # as written before checksums existed
    schema_file.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    assert len(Portfolio.from_dir(copy_of).accounts) == 40
    # their row counts are still checked
    events = copy_of / "events.csv"
    events.write_bytes(b"".join(events.read_bytes().splitlines(keepends=True)[:51]))
    with pytest.raises(SchemaError, match=r"events\.csv: 50 rows, schema\.json says"):
        Portfolio.from_dir(copy_of)


@pytest.mark.parametrize(("value", "message"), [
    ("inf", r"inf is not a finite number"),
    ("-inf", r"-inf is not a finite number"),
    ("1e300", r"1e\+300 outside \[0, 1e\+13\]"),
    ("2e13", r"20000000000000\.0 outside \[0, 1e\+13\]"),
])
def test_item6_infinite_or_absurd_money_is_rejected(value: str, message: str, copy_of: Path) -> None:
    """Issue: annual_potential_spend = inf or 1e300 passes the range checks (revenue inf, margin finite)."""
    _edit_cell(copy_of / "accounts.csv", "annual_potential_spend", 3, value)
    for verify in (True, False):  # the content check comes first and does not depend on verify
        with pytest.raises(SchemaError, match=rf"accounts\.csv: column 'annual_potential_spend' row 3: {message}"):
            Portfolio.from_dir(copy_of, verify=verify)


def test_item6_in_memory_tables_must_be_finite(small: Portfolio) -> None:
    import numpy as np

    for table, column, value, message in [
        ("accounts", "annual_potential_spend", np.inf, "not a finite number"),
        ("accounts", "annual_potential_spend", 1e300, "outside"),
        ("products", "list_price", 1e14, "outside"),
        ("accounts", "credit_risk", -np.inf, "not a finite number"),
    ]:
        frames = {name: frame.copy() for name, frame in small.tables().items()}
        frames[table].loc[2, column] = value
        with pytest.raises(SchemaError, match=rf"{table}: column '{column}' row 2: .*{message}"):
            Portfolio(**frames, meta={}).validate()
    import pandas as pd

    from kamsim import schema

    order = dict.fromkeys(schema.column_names("events")) | dict(
        event_id=0, account_id="A00001", date="2023-12-01", month=-1, event_type="order", product_id="P001",
        quantity=1.0, amount=np.inf, margin=1.0)
    with pytest.raises(SchemaError, match=r"events: column 'amount' row 0: inf is not a finite number"):
        schema.validate_frame(pd.DataFrame([order]), "events")


# ============================================================================ item 7: --out checked first


def test_item7_out_under_a_file_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue: ``--out afile.txt/sub`` says ``[Errno 17] File exists``."""
    monkeypatch.chdir(tmp_path)
    Path("afile.txt").write_text("x", encoding="utf-8")
    code, _, err = run_cli("generate", "--accounts", "5", "--out", "afile.txt/sub")
    assert code == 2 and "kamsim: error: --out afile.txt/sub: afile.txt is a file, not a folder" in err
    code, _, err = run_cli("generate", "--accounts", "5", "--out", "afile.txt/a/b")
    assert code == 2 and "--out afile.txt/a/b: afile.txt is a file, not a folder" in err
    calls = _no_compare(monkeypatch)
    code, _, err = run_cli(*_compare_argv("afile.txt/sub"))
    assert code == 2 and "--out afile.txt/sub: afile.txt is a file, not a folder" in err and calls == []
    with pytest.raises(_files.OutputPathError, match="afile.txt is a file, not a folder") as info:
        generate_portfolio(5, seed=1).to_dir("afile.txt/sub")
    assert isinstance(info.value, NotADirectoryError) and isinstance(info.value, ValueError)
    assert _names(tmp_path) == ["afile.txt"]


def _no_compare(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Replace the comparison by a recorder: the CLI must fail before it runs any replication."""
    import kamsim.experiment.api as api

    calls: list[object] = []
    monkeypatch.setattr(api, "compare", lambda *a, **k: calls.append((a, k)))
    return calls


@pytest.mark.skipif(IS_ROOT, reason="running as root: root may write in a chmod 555 folder, so it cannot be made "
                                    "read-only this way (test_item7_unwritable_place_as_any_user covers the check)")
def test_item7_read_only_folder_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue: --out in a read-only folder fails with a PermissionError traceback after all the work."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        calls = _no_compare(monkeypatch)
        start = time.monotonic()
        code, _, err = run_cli(*_compare_argv(ro / "x"))
        assert code == 2 and f"--out {ro / 'x'}: cannot write in {ro} (permission denied)" in err
        assert calls == [] and time.monotonic() - start < 5
        code, _, err = run_cli("generate", "--accounts", "5", "--out", str(ro / "x" / "y"))
        assert code == 2 and f"cannot write in {ro} (permission denied)" in err
        assert _names(ro) == []
    finally:
        ro.chmod(0o755)


def test_item7_unwritable_place_as_any_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same check as the read-only test, made to fail in ways root respects too."""
    ro = tmp_path / "ro"
    ro.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == ro else real_access(p, mode, **k))
    calls = _no_compare(monkeypatch)
    start = time.monotonic()
    code, _, err = run_cli(*_compare_argv(ro / "x"))
    assert code == 2 and f"kamsim: error: --out {ro / 'x'}: cannot write in {ro} (permission denied)" in err
    assert calls == [] and time.monotonic() - start < 5
    monkeypatch.setattr(os, "access", real_access)
    # os.access says yes but creating a folder fails (e.g. a read-only file system): the probe folder catches it
    real_mkdir = pathlib.Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if ".probe-" in self.name:
            raise OSError(errno.EROFS, "Read-only file system")
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)
    code, _, err = run_cli("generate", "--accounts", "5", "--out", str(ro / "x"))
    assert code == 2 and f"--out {ro / 'x'}: cannot write in {ro} (read-only file system)" in err
    with pytest.raises(_files.OutputNotWritableError) as info:
        generate_portfolio(5, seed=1).to_dir(ro / "x")
    assert isinstance(info.value, PermissionError) and isinstance(info.value, ValueError)
    monkeypatch.setattr(pathlib.Path, "mkdir", real_mkdir)
    assert _names(ro) == []  # the probe folder never stays


# ============================================================================ item 10: kill -9 while writing


def _leftovers(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def test_item10_kill9_at_random_points_of_a_large_generate(tmp_path: Path) -> None:
    """Issue: kill -9 while writing leaves .OUT.tmp-PID-* folders that nothing removes, or --out missing."""
    target = tmp_path / "big"
    generate_portfolio(50, seed=1).to_dir(target)  # the old result
    rng = random.Random(15)
    seen: set[str] = set()
    for attempt in range(4):
        before = len(Portfolio.from_dir(target).accounts)
        new = 20_000 + attempt  # each run writes a result of its own size
        argv = [*KAMSIM, "generate", "--accounts", str(new), "--seed", "3", "--out", str(target), "--overwrite"]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if attempt == 0:
            time.sleep(rng.uniform(0.3, 2.5))  # anywhere in the run, generation included
        else:  # somewhere in the writing phase: wait for the temporary folder, then a random delay
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if any(".tmp-" in n for n in _leftovers(tmp_path, "big")):
                    break
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.7))
        proc.kill()  # SIGKILL
        proc.wait()
        seen.update(n.split("-")[0] for n in _leftovers(tmp_path, "big"))
        # the target holds the old or the new result, complete (row counts and checksums verified)
        after = len(Portfolio.from_dir(target).accounts)
        assert after in {before, new}, (attempt, before, after)
        assert (proc.returncode == 0) <= (after == new)
    final = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert _names(tmp_path) == ["big"], seen  # no .big.tmp-*, .big.old-*, .big.lock left
    assert len(Portfolio.from_dir(target).accounts) == new


KILL_BETWEEN_RENAMES = """
import os, signal, sys
from pathlib import Path
from kamsim.generators import generate_portfolio

real_rename = Path.rename

def rename(self, target):
    result = real_rename(self, target)
    if ".old-" in Path(target).name:  # the earlier result has just been moved aside
        os.kill(os.getpid(), signal.SIGKILL)
    return result

Path.rename = rename
generate_portfolio(int(sys.argv[2]), seed=2).to_dir(sys.argv[1], overwrite=True)
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_item10_kill9_between_the_two_renames_is_recovered(
    tmp_path: Path
) -> None:
    """Issue: a kill between the two renames leaves --out missing, the old result only in .OUT.old-*."""
    target = tmp_path / "out"
    generate_portfolio(20, seed=1).to_dir(target)
    for reader in ("from_dir", "cli_write"):
        done = subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, str(target), "25"], timeout=120)
        assert done.returncode == -9
        assert not target.exists()
        kinds = sorted(n.split("-")[0] for n in _leftovers(tmp_path, "out"))
        assert kinds == [".out.lock", ".out.old", ".out.tmp"]
        if reader == "from_dir":  # reading puts the old result back
            assert len(Portfolio.from_dir(target).accounts) == 20
        else:  # so does the next write, which then refuses to replace it without --overwrite
            code, _, err = run_cli("generate", "--accounts", "7", "--out", str(target))
            assert code == 2 and "already holds a kamsim portfolio" in err
            assert len(Portfolio.from_dir(target).accounts) == 20
        assert not any(".old-" in n for n in _leftovers(tmp_path, "out"))
    # the next successful write removes the dead writer's temporary folder and takes over its lock
    assert run_cli("generate", "--accounts", "7", "--out", str(target), "--overwrite")[0] == 0
    assert _names(tmp_path) == ["out"]
    assert len(Portfolio.from_dir(target).accounts) == 7


def test_item10_leftovers_of_live_processes_are_kept(small: Portfolio, tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = _dead_pid()
    try:
        live_tmp = tmp_path / f".p.tmp-{holder.pid}-0badc0de"
        dead_tmp = tmp_path / f".p.tmp-{dead}-0badc0de"
        dead_del = tmp_path / f".p.del-{dead}-12345678"
        other = tmp_path / f".q.tmp-{dead}-0badc0de"  # another target's: not ours to clean
        for folder in (live_tmp, dead_tmp, dead_del, other):
            folder.mkdir()
            (folder / "big.csv").write_text("x" * 1000)
        small.to_dir(tmp_path / "p")
        assert _names(tmp_path) == sorted(["p", live_tmp.name, other.name])
    finally:
        holder.kill()
        holder.wait()
    small.to_dir(tmp_path / "p", overwrite=True)
    assert _names(tmp_path) == sorted(["p", other.name])
