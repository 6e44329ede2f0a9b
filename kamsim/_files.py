"""Write a folder of result files without ever leaving half a folder behind.

Used by ``Portfolio.to_dir``, ``Comparison.to_dir``, ``kamsim simulate`` and the course tools.
Below, ``OUT`` is the destination folder; every helper file lives next to it, in its parent.

How a write goes (:func:`write_dir_atomic`)
-------------------------------------------
1. :func:`check_out_dir` -- the CLI calls it before any long work, the writer again -- refuses
   a destination that is a file or lies under a file, a non-empty folder that is not an
   earlier output of this kind (recognised by its ``marker`` file or an ``is_ours`` test, so
   a typo in ``--out`` never deletes user files), an earlier output without
   ``overwrite=True``, and a place that cannot be written: the nearest existing folder must
   pass ``os.access`` and let a probe folder be created and removed.  A read-only place thus
   fails in a second, not after the work.
2. The writer takes the lock file ``.OUT.lock``, created with ``O_CREAT | O_EXCL`` and holding
   the writer's pid, host and start time.  A second writer to the same ``OUT`` fails at once
   with :class:`OutputBusyError`; with ``overwrite=True`` it waits for the first one (at most
   :data:`LOCK_WAIT_SECONDS`) and then replaces its result.  A lock whose process is dead is
   taken over (see below), so no lock blocks forever.
3. Under the lock it removes the leftovers of dead writers, checks ``OUT`` again (another
   process may have written it meanwhile: :class:`OutputExistsError` unless ``overwrite``),
   and calls ``write`` on a fresh hidden folder ``.OUT.tmp-PID-XXXXXXXX``.
4. Only when every file is complete does that folder take ``OUT``'s place: an earlier result
   is renamed to ``.OUT.old-PID-XXXXXXXX``, the new folder to ``OUT`` (``OUT`` is checked once
   more just before), and the old one to ``.OUT.del-PID-XXXXXXXX`` and deleted.  If anything
   fails, the temporary folder, the lock and the parent folders created for the write are
   removed and the earlier result stays in place.

After kill -9, a crash or a power cut
-------------------------------------
``OUT`` always holds the old or the new complete result -- except when the writer died
between the two renames: then ``OUT`` is missing and the old result is in ``.OUT.old-PID-*``.
A dead writer may also leave ``.OUT.tmp-PID-*`` (possibly large), ``.OUT.del-PID-*`` and
``.OUT.lock``.  Nothing has to be cleaned by hand:

* recovery (:func:`recover_dir`): when ``OUT`` is missing and a ``.OUT.old-PID-*`` folder of a
  dead process exists, it is renamed back to ``OUT`` -- the last result whose write had
  completed.  This happens on the next write to ``OUT`` (in :func:`check_out_dir`) and when
  ``OUT`` is read (``Portfolio.from_dir`` calls it);
* clean-up: the next write to ``OUT`` deletes the ``.OUT.tmp-*``, ``.OUT.old-*``,
  ``.OUT.del-*`` leftovers of dead processes and takes over their lock.

The pid is in every leftover's name.  A process counts as dead when no process with that pid
runs on this machine (``os.kill(pid, 0)``; where ``/proc`` exists, a zombie or a pid reused by
a younger process counts as dead too).  Leftovers of live processes are never touched; a lock
written on another host (a shared network folder) counts as stale only after
:data:`FOREIGN_LOCK_STALE_SECONDS`.

Errors
------
Refusals are ``ValueError`` as well as the matching ``OSError`` (:class:`OutputExistsError` is
a ``FileExistsError``, :class:`OutputBusyError` one of those, :class:`OutputNotWritableError`
a ``PermissionError``, :class:`OutputPathError` a ``NotADirectoryError``), with messages that
name the folder, so the CLI reports them as ``kamsim: error: ...`` with exit code 2.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Callable, Iterator
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

_LEFTOVER = re.compile(r"(tmp|old|del|probe|lockstale)-(\d+)-[0-9a-f]+")


class OutputExistsError(FileExistsError, ValueError):
    """The output folder may not be written: a file, a foreign folder, or an earlier output without overwrite."""


class OutputBusyError(OutputExistsError):
    """Another live process is writing the same output folder right now."""


class OutputNotWritableError(PermissionError, ValueError):
    """The folder the output goes into cannot be written (permissions, read-only file system)."""


class OutputPathError(NotADirectoryError, ValueError):
    """A parent of the output folder is a file, not a folder."""


# ----------------------------------------------------------------------------- public API


def check_out_dir(
    path: str | os.PathLike[str],
    marker: str,
    overwrite: bool = False,
    *,
    is_ours: Callable[[Path], bool] | None = None,
    kind: str = "kamsim result",
) -> Path:
    """Check that output may be written to ``path``; call before any long work.

    First puts back the result of a write to ``path`` that was killed half-way
    (:func:`recover_dir`).  ``is_ours(folder)`` decides whether a non-empty folder holds an
    earlier output of this kind (default: it contains the file ``marker``); ``kind`` names
    that output in messages, e.g. ``"kamsim portfolio"``.

    Raises
    ------
    OutputExistsError
        (a ``FileExistsError``) If ``path`` is a file, a non-empty folder that is not ours, or
        an earlier output and ``overwrite`` is False; :class:`OutputBusyError` if another live
        process is writing it right now and ``overwrite`` is False.
    OutputPathError
        (a ``NotADirectoryError``) If a parent of ``path`` is a file.
    OutputNotWritableError
        (a ``PermissionError``) If the folder ``path`` goes into cannot be written.
    """
    target = Path(path)
    recover_dir(target)
    if target.exists() and not target.is_dir():
        raise OutputExistsError(f"{target} exists and is not a folder")
    base = _existing_base(target)
    _check_target(target, marker, overwrite, is_ours, kind)
    _check_writable(target, base)
    if not overwrite:
        owner = _live_lock_owner(_lock_path(target))
        if owner is not None:
            raise OutputBusyError(_busy_message(target, owner, kind))
    return target


def write_dir_atomic(
    path: str | os.PathLike[str],
    write: Callable[[Path], None],
    marker: str,
    overwrite: bool = False,
    *,
    is_ours: Callable[[Path], bool] | None = None,
    kind: str = "kamsim result",
) -> Path:
    """Call ``write(tmp_dir)`` and move the finished folder to ``path`` (see the module docstring).

    Parameters
    ----------
    path
        Destination folder; created with its parents if missing.
    write
        Writes the result files (including ``marker``) into the folder it is given.
    marker
        File name that identifies an earlier result folder of this kind.
    overwrite
        Replace an earlier result folder; wait for a concurrent writer of the same folder
        instead of failing.
    is_ours, kind
        See :func:`check_out_dir`.

    Returns
    -------
    Path
        The destination folder.

    Raises
    ------
    OutputExistsError, OutputBusyError, OutputPathError, OutputNotWritableError
        As :func:`check_out_dir`, also when another process wrote ``path`` meanwhile.
    """
    target = check_out_dir(path, marker, overwrite, is_ours=is_ours, kind=kind)
    created = _missing_parents(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target, wait=overwrite, kind=kind):
            recover_dir(target)
            _remove_leftovers(target)
            _check_target(target, marker, overwrite, is_ours, kind, meanwhile=True)
            tmp = _hidden(target, "tmp")
            try:
                tmp.mkdir()
                write(tmp)
                if not (tmp / marker).is_file():
                    raise RuntimeError(f"internal error: the writer did not create {marker}")
                _check_target(target, marker, overwrite, is_ours, kind, meanwhile=True)
                _replace_dir(tmp, target, kind)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except BaseException:
        for folder in created:  # deepest first
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    return target


def recover_dir(path: str | os.PathLike[str]) -> bool:
    """Put back the earlier result of a write to ``path`` killed between its two renames.

    If ``path`` does not exist but a ``.NAME.old-PID-*`` folder of a dead process lies next
    to it, that folder (the newest, if several) is renamed back to ``path``.  Best effort:
    returns True if a folder was put back, False otherwise (also when the parent cannot be
    written).
    """
    target = Path(path)
    try:
        if target.exists() or target.is_symlink() or not target.parent.is_dir():
            return False
        olds = [p for p, kind, pid in _leftovers(target) if kind == "old" and not _pid_alive(pid)]
    except OSError:
        return False
    for old in sorted(olds, key=_mtime, reverse=True):
        try:
            old.rename(target)
            return True
        except OSError:
            if target.exists():  # another process put it back first
                return False
    return False


# ----------------------------------------------------------------------------- checks


def _check_target(
    target: Path,
    marker: str,
    overwrite: bool,
    is_ours: Callable[[Path], bool] | None,
    kind: str,
    *,
    meanwhile: bool = False,
) -> None:
    """The overwrite rules for an existing ``target`` (``meanwhile``: it appeared while we worked)."""
    if target.exists() and not target.is_dir():
        raise OutputExistsError(f"{target} exists and is not a folder" + (" (created meanwhile)" if meanwhile else ""))
    if not (target.is_dir() and any(target.iterdir())):
        return
    ours = is_ours(target) if is_ours is not None else (target / marker).is_file()
    when = " (written by another process while this one was working)" if meanwhile else ""
    if not ours:
        raise OutputExistsError(
            f"{target} is a non-empty folder that is not a {kind}{when}; refusing to overwrite it, "
            "choose another folder"
        )
    if not overwrite:
        raise OutputExistsError(
            f"{target} already holds a {kind}{when}; pass overwrite=True (CLI: --overwrite) to replace it"
        )


def _existing_base(target: Path) -> Path:
    """The nearest existing folder above ``target``; :class:`OutputPathError` if a file is in the way."""
    current = target.parent
    while True:
        if current.exists():
            if not current.is_dir():
                raise OutputPathError(f"{target}: {current} is a file, not a folder")
            return current
        if current == current.parent:
            return current
        current = current.parent


def _check_writable(target: Path, base: Path) -> None:
    """:class:`OutputNotWritableError` unless folders can be created and renamed in ``base``."""
    reason = None
    if not os.access(base, os.W_OK | os.X_OK):
        reason = "permission denied"
    else:
        probe = base / f".{target.name or 'out'}.probe-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            probe.mkdir()
        except OSError as exc:
            reason = (exc.strerror or type(exc).__name__).lower()
        else:
            try:
                probe.rmdir()
            except OSError:
                pass
    if reason is not None:
        raise OutputNotWritableError(f"{target}: cannot write in {base} ({reason})")


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


# ----------------------------------------------------------------------------- leftovers and renames


def _hidden(target: Path, kind: str) -> Path:
    """A fresh hidden name next to ``target``: ``.NAME.KIND-PID-XXXXXXXX``."""
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _leftovers(target: Path) -> list[tuple[Path, str, int]]:
    """(path, kind, pid) of the hidden helper entries of ``target`` in its parent folder."""
    prefix = f".{target.name}."
    found = []
    with os.scandir(target.parent) as entries:
        for entry in entries:
            if entry.name.startswith(prefix):
                m = _LEFTOVER.fullmatch(entry.name[len(prefix):])
                if m:
                    found.append((Path(entry.path), m.group(1), int(m.group(2))))
    return found


def _remove_leftovers(target: Path) -> None:
    """Delete the helper folders and files of ``target`` left by dead processes."""
    try:
        leftovers = _leftovers(target)
    except OSError:
        return
    for path, _kind, pid in leftovers:
        if pid == os.getpid() or _pid_alive(pid):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink()
            except OSError:
                pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _replace_dir(tmp: Path, target: Path, kind: str) -> None:
    if target.exists():
        if any(target.iterdir()):
            backup = _hidden(target, "old")
            target.rename(backup)
            try:
                tmp.rename(target)
            except BaseException:
                backup.rename(target)
                raise
            # rename first: a half-deleted folder must never look like a recoverable .old-*
            doomed = _hidden(target, "del")
            try:
                backup.rename(doomed)
            except OSError:
                doomed = backup
            shutil.rmtree(doomed, ignore_errors=True)
            return
        target.rmdir()  # an empty folder: take its place
    try:
        tmp.rename(target)
    except OSError:
        if target.exists():
            raise OutputExistsError(
                f"{target} was created by another process while this one was working; "
                f"the {kind} was not written, choose another folder"
            ) from None
        raise


def _missing_parents(folder: Path) -> list[Path]:
    """Folders from ``folder`` upwards that do not exist yet, deepest first."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    return missing
