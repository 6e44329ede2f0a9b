"""Write a folder of result files without ever leaving half a folder behind.

All files are first written into a fresh hidden folder next to the
destination.  Only when every file is complete does that folder take the
destination's place (one ``rename``; an earlier result folder is swapped out
with a second rename and then deleted).  If anything fails, the temporary
folder and any parent folders created for it are removed.

A non-empty destination is replaced only if it holds an earlier output of the
same kind (recognised by its ``marker`` file, or by an ``is_ours`` test) and
``overwrite=True``; any other non-empty folder is refused, so a typo in
``--out`` never deletes user files.  Used by ``Portfolio.to_dir``,
``Comparison.to_dir`` and ``kamsim simulate``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path


def check_out_dir(
    path: str | os.PathLike[str],
    marker: str,
    overwrite: bool = False,
    *,
    is_ours: Callable[[Path], bool] | None = None,
    kind: str = "kamsim result",
) -> Path:
    """Check that output may be written to ``path``; call before any long work.

    ``is_ours(folder)`` decides whether a non-empty folder holds an earlier output of
    this kind (default: it contains the file ``marker``); ``kind`` names that output in
    messages, e.g. ``"kamsim portfolio"``.

    Raises
    ------
    FileExistsError
        If ``path`` is a file, a non-empty folder that is not ours, or an earlier
        output and ``overwrite`` is False.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        ours = is_ours(target) if is_ours is not None else (target / marker).is_file()
        if not ours:
            raise FileExistsError(
                f"{target} is a non-empty folder that is not a {kind}; refusing to overwrite it, "
                "choose another folder"
            )
        if not overwrite:
            raise FileExistsError(f"{target} already holds a {kind}; pass overwrite=True (CLI: --overwrite) to replace it")
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
    """Call ``write(tmp_dir)`` and move the finished folder to ``path``.

    Parameters
    ----------
    path
        Destination folder; created with its parents if missing.
    write
        Writes the result files (including ``marker``) into the folder it is given.
    marker
        File name that identifies an earlier result folder of this kind.
    overwrite
        Replace an earlier result folder.
    is_ours, kind
        See :func:`check_out_dir`.

    Returns
    -------
    Path
        The destination folder.
    """
    target = check_out_dir(path, marker, overwrite, is_ours=is_ours, kind=kind)
    created = _missing_parents(target.parent)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        write(tmp)
        if not (tmp / marker).is_file():
            raise RuntimeError(f"internal error: the writer did not create {marker}")
        _replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in created:  # deepest first
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    return target


def _replace_dir(tmp: Path, target: Path) -> None:
    if target.exists():
        if any(target.iterdir()):
            backup = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
            target.rename(backup)
            try:
                tmp.rename(target)
            except BaseException:
                backup.rename(target)
                raise
            shutil.rmtree(backup, ignore_errors=True)
            return
        target.rmdir()  # an empty folder: take its place
    tmp.rename(target)


def _missing_parents(folder: Path) -> list[Path]:
    """Folders from ``folder`` upwards that do not exist yet, deepest first."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    return missing
