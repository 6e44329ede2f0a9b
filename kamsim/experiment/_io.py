"""Write a folder of result files without ever leaving half a folder behind.

All files are first written into a fresh hidden folder next to the
destination.  Only when every file is complete does that folder take the
destination's place (one ``rename``; an earlier result folder is swapped out
with a second rename and then deleted).  If anything fails, the temporary
folder and any parent folders created for it are removed.

A non-empty destination is replaced only if it holds an earlier result of the
same kind (recognised by its ``marker`` file) and ``overwrite=True``; any other
non-empty folder is refused, so a typo in ``--out`` never deletes user files.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path


def check_out_dir(path: str | os.PathLike[str], marker: str, overwrite: bool = False) -> Path:
    """Check that results may be written to ``path``; call before any long work.

    Raises
    ------
    FileExistsError
        If ``path`` is a file, a non-empty folder without ``marker``, or an earlier
        result folder and ``overwrite`` is False.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        if not (target / marker).is_file():
            raise FileExistsError(
                f"{target} is a non-empty folder without {marker} (not an earlier kamsim result); "
                "choose another folder"
            )
        if not overwrite:
            raise FileExistsError(f"{target} already holds results; pass overwrite=True (CLI: --overwrite) to replace them")
    return target


def write_dir_atomic(
    path: str | os.PathLike[str], write: Callable[[Path], None], marker: str, overwrite: bool = False
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

    Returns
    -------
    Path
        The destination folder.
    """
    target = check_out_dir(path, marker, overwrite)
    created = _missing_parents(target.parent)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        write(tmp)
        if not (tmp / marker).is_file():
            raise RuntimeError(f"internal error: result writer did not create {marker}")
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
