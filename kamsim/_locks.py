"""The lock of an output folder and whether a process is alive: the concurrency half of :mod:`kamsim._files`.

A writer of ``OUT`` holds ``.OUT.lock`` (created with ``O_CREAT | O_EXCL``; pid, host, process start time
and a token inside) for the whole write.  A second writer fails at once with :class:`OutputBusyError`, or
with ``wait=True`` waits at most :data:`LOCK_WAIT_SECONDS`.  A lock whose process is dead is taken over:
dead means no such pid on this machine, a zombie, or a pid reused by a younger process (``/proc``); a lock
from another host counts as stale after :data:`FOREIGN_LOCK_STALE_SECONDS`, an unreadable one after
:data:`UNREADABLE_LOCK_STALE_SECONDS`.  :mod:`kamsim._files` explains the whole write protocol.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

#: Seconds a writer with ``overwrite=True`` waits for another writer of the same folder.
LOCK_WAIT_SECONDS = 120.0
#: Seconds between two looks at a busy lock.
LOCK_POLL_SECONDS = 0.1
#: Age (seconds) after which a lock written on another host counts as stale.
FOREIGN_LOCK_STALE_SECONDS = 6 * 3600.0
#: Age (seconds) after which a lock file that cannot be read counts as stale (its writer died
#: between creating and filling it).
UNREADABLE_LOCK_STALE_SECONDS = 10.0


class OutputExistsError(FileExistsError, ValueError):
    """The output folder may not be written: a file, a foreign folder, or an earlier output without overwrite."""


class OutputBusyError(OutputExistsError):
    """Another live process is writing the same output folder right now."""


# ----------------------------------------------------------------------------- the lock


def _lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


@contextmanager
def _locked(target: Path, *, wait: bool, kind: str) -> Iterator[None]:
    """Hold ``.OUT.lock`` (see the module docstring); ``wait``: wait for a live holder instead of failing."""
    lock = _lock_path(target)
    token = secrets.token_hex(8)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not _create_lock(lock, token):
        owner = _read_lock(lock)
        if owner is None:  # released meanwhile
            continue
        if not _lock_alive(owner):
            _break_lock(target, lock, owner)
            continue
        if not wait or time.monotonic() > deadline:
            raise OutputBusyError(_busy_message(target, owner, kind, waited=LOCK_WAIT_SECONDS if wait else None))
        time.sleep(LOCK_POLL_SECONDS)
    try:
        yield
    finally:
        owner = _read_lock(lock)
        if owner is not None and owner.get("token") == token:
            try:
                lock.unlink()
            except OSError:
                pass


def _create_lock(lock: Path, token: str) -> bool:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "process_start": _process_start(os.getpid()),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "token": token,
    }
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(info) + "\n")
    except BaseException:
        lock.unlink(missing_ok=True)
        raise
    return True


def _read_lock(lock: Path) -> dict | None:
    """The lock's content (plus ``raw`` text and ``age`` in seconds); None if there is no lock."""
    try:
        raw = lock.read_text(encoding="utf-8")
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        raw, age = "", 0.0
    try:
        info = json.loads(raw)
    except ValueError:
        info = None
    if not isinstance(info, dict):
        info = {}
    return {**info, "raw": raw, "age": age}


def _lock_alive(owner: dict) -> bool:
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool):  # being written by its creator, or garbage
        return owner["age"] < UNREADABLE_LOCK_STALE_SECONDS
    if owner.get("host") != socket.gethostname():
        return owner["age"] < FOREIGN_LOCK_STALE_SECONDS
    if pid == os.getpid():
        return True  # another thread of this process
    return _pid_alive(pid, owner.get("process_start"))


def _live_lock_owner(lock: Path) -> dict | None:
    owner = _read_lock(lock)
    return owner if owner is not None and _lock_alive(owner) else None


def _break_lock(target: Path, lock: Path, owner: dict) -> None:
    """Take the stale lock ``owner`` away, unless another process replaced it by a live one meanwhile."""
    aside = _hidden(target, "lockstale")
    try:
        lock.rename(aside)
    except FileNotFoundError:
        return  # someone else broke or released it
    try:
        moved = aside.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        moved = ""
    if moved != owner["raw"]:  # we moved a fresh lock: put it back if nobody took the place
        try:
            os.link(aside, lock)
        except OSError:
            pass
    aside.unlink(missing_ok=True)


def _busy_message(target: Path, owner: dict, kind: str, waited: float | None = None) -> str:
    who = f"pid {owner.get('pid', '?')}"
    if owner.get("host") and owner.get("host") != socket.gethostname():
        who += f" on {owner['host']}"
    if owner.get("started"):
        who += f", since {owner['started']}"
    lock = _lock_path(target)
    if waited is not None:
        return (f"{target} is still being written by another process ({who}) after waiting {waited:g} s; "
                f"try again later (lock file {lock})")
    return (f"{target} is being written by another process right now ({who}); wait until it has finished, "
            f"then pass overwrite=True (CLI: --overwrite) to replace its {kind}, or choose another folder "
            f"(lock file {lock})")


# ----------------------------------------------------------------------------- processes


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks) of ``pid`` from ``/proc``; None where there is no ``/proc``."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, UnicodeDecodeError):
        return None
    fields = text.rpartition(")")[2].split()
    return (fields[0], fields[19]) if len(fields) > 19 else None


def _process_start(pid: int) -> str | None:
    stat = _proc_stat(pid)
    return stat[1] if stat is not None else None


def _pid_alive(pid: int, process_start: str | None = None) -> bool:
    """Whether process ``pid`` still runs on this machine (when in doubt: True, so nothing live is touched)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, under another user
    except OSError:
        return True
    stat = _proc_stat(pid)
    if stat is not None:
        state, started = stat
        if state in ("Z", "X"):
            return False  # a zombie: dead, not yet reaped
        if process_start is not None and started != process_start:
            return False  # the pid now belongs to another process
    return True


def _pid_alive_windows(pid: int) -> bool:  # pragma: no cover - Windows only
    # os.kill(pid, 0) would terminate the process on Windows: ask the kernel instead.
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    except Exception:
        return True


# ----------------------------------------------------------------------------- hidden names


def _hidden(target: Path, kind: str) -> Path:
    """A fresh hidden name next to ``target``: ``.NAME.KIND-PID-XXXXXXXX``."""
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


