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

import os
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from kamsim._locks import (
    FOREIGN_LOCK_STALE_SECONDS,
    LOCK_POLL_SECONDS,
    LOCK_WAIT_SECONDS,
    UNREADABLE_LOCK_STALE_SECONDS,
    OutputBusyError,
    OutputExistsError,
    _busy_message,
    _hidden,
    _live_lock_owner,
    _lock_path,
    _locked,
    _pid_alive,
)

__all__ = [
    "check_out_dir", "write_dir_atomic", "recover_dir",
    "OutputExistsError", "OutputBusyError", "OutputNotWritableError", "OutputPathError",
    "LOCK_WAIT_SECONDS", "LOCK_POLL_SECONDS", "FOREIGN_LOCK_STALE_SECONDS", "UNREADABLE_LOCK_STALE_SECONDS",
]

_LEFTOVER = re.compile(r"(tmp|old|del|probe|lockstale)-(\d+)-[0-9a-f]+")


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


# ----------------------------------------------------------------------------- leftovers and renames


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
