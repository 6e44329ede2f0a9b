"""The 简体中文 edition, built from one source: English notebooks plus translation files.

A translation file ``i18n/<lang>/<kind>/<stem>.yaml`` (``kind`` is
``notebooks`` or ``exercises``) holds the Chinese text of each markdown cell
of ``<kind>/<stem>.ipynb``, keyed by cell id, with the fingerprint of the
English text it translates::

    cells:
      "f24d3e63":
        source_sha: "efbda117ba8a"   # sha1 of the English cell source, first 12 hex digits
        zh: |
          # 第 9 章 绩效评估
          ...

``python -m kamsim.course translate`` writes ``<kind>/<lang>/<stem>.ipynb``:
the English notebook with its markdown replaced and its code cells untouched,
so a code change is made once, in English, and the next build carries it.
Chapter notebooks are then executed in ``notebooks/<lang>/``, where
:func:`kamsim.labels.edition` makes figures and ``check()`` speak Chinese;
exercise notebooks are stored without outputs, like the English ones.

A build refuses (and writes nothing for that notebook) when a markdown cell
has no translation, when the English changed since it was translated (the
fingerprint differs: the message names the cell), or when the file names a
cell the notebook does not have.  The student's answer boxes (cells whose id
starts with ``answer-``) are read by the grader and may stay English.

API
---
:func:`source_sha`, :func:`load_translation`, :func:`translation_problems`,
:func:`build_notebook`, :func:`edition_problems` (is a stored edition
notebook current?) and :func:`translate` (the command).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from kamsim.course import refresh as _refresh

#: Languages with an edition, and the notebook kinds that are translated.
LANGUAGES: tuple[str, ...] = ("zh_CN",)
KINDS: tuple[str, ...] = ("notebooks", "exercises")
#: Folder of the translation files, below the repository root.
TRANSLATIONS_DIR = "i18n"
#: Cells whose id starts with this are students' answer boxes: the grader reads them, so they may stay English.
ANSWER_CELL_PREFIX = "answer-"


class TranslationError(ValueError):
    """A translation file is unreadable or does not fit its notebook; the message names the file and the cell."""


@dataclass(frozen=True)
class CellText:
    """The translation of one markdown cell: the fingerprint of the English it translates, and the text."""

    source_sha: str
    text: str


def source_sha(text: str) -> str:
    """Fingerprint of an English cell source: the first 12 hex digits of its SHA-1 (UTF-8)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def translation_path(root: Path, kind: str, stem: str, lang: str = "zh_CN") -> Path:
    """``<root>/i18n/<lang>/<kind>/<stem>.yaml``."""
    return Path(root) / TRANSLATIONS_DIR / lang / kind / f"{stem}.yaml"


def edition_path(root: Path, kind: str, stem: str, lang: str = "zh_CN") -> Path:
    """Where the built edition notebook lives: ``<root>/<kind>/<lang>/<stem>.ipynb``."""
    return Path(root) / kind / lang / f"{stem}.ipynb"


def load_translation(path: str | Path, lang: str = "zh_CN") -> dict[str, CellText]:
    """Read a translation file: cell id -> :class:`CellText`.

    Raises
    ------
    TranslationError
        If the file is missing, not YAML, has no ``cells`` mapping, or an entry
        lacks ``source_sha`` or the text (the message names the file and the cell).
    """
    import yaml

    p = Path(path)
    if not p.is_file():
        raise TranslationError(f"{p}: no translation file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TranslationError(f"{p}: not a valid UTF-8 YAML file ({exc})") from exc
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, dict):
        raise TranslationError(f"{p}: expected a top-level 'cells' mapping of cell id -> {{source_sha, {_key(lang)}}}")
    out: dict[str, CellText] = {}
    for cell_id, entry in cells.items():
        if not isinstance(entry, dict) or not entry.get("source_sha") or not isinstance(entry.get(_key(lang)), str):
            raise TranslationError(f"{p}: cell {cell_id!r} needs 'source_sha' and a '{_key(lang)}' text")
        if not isinstance(entry["source_sha"], str):  # e.g. 992709374997 unquoted: YAML reads a number
            raise TranslationError(f"{p}: cell {cell_id!r}: quote source_sha (\"{entry['source_sha']}\"); "
                                   "unquoted, YAML reads an all-digit fingerprint as a number")
        out[str(cell_id)] = CellText(entry["source_sha"], entry[_key(lang)])
    return out


def _key(lang: str) -> str:
    """Key of the text in a translation entry: ``zh`` for ``zh_CN``."""
    return lang.split("_")[0]


def _markdown(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "markdown"]


def translation_problems(english: NotebookNode, cells: dict[str, CellText]) -> list[str]:
    """What keeps ``cells`` from translating ``english``: one line per problem (empty when it fits).

    A problem is a markdown cell without a translation, a translation of an older
    English text (``source_sha`` differs), an empty or unchanged (still English)
    translation outside the answer boxes, and an entry for a cell that is not a
    markdown cell of the notebook.
    """
    problems = []
    ids = set()
    for cell in _markdown(english):
        ids.add(cell.id)
        entry = cells.get(cell.id)
        if entry is None:
            problems.append(f"cell {cell.id}: not translated")
        elif entry.source_sha != source_sha(cell.source):
            problems.append(f"cell {cell.id}: the English changed since it was translated "
                            f"(source_sha {entry.source_sha}, now {source_sha(cell.source)})")
        elif not entry.text.strip():
            problems.append(f"cell {cell.id}: empty translation")
        elif entry.text.strip() == cell.source.strip() and not cell.id.startswith(ANSWER_CELL_PREFIX):
            problems.append(f"cell {cell.id}: the translation is the English text")
    problems += [f"cell {cid}: translated, but the notebook has no such markdown cell" for cid in cells if cid not in ids]
    return problems


def build_notebook(english: NotebookNode, cells: dict[str, CellText], lang: str = "zh_CN") -> NotebookNode:
    """The edition notebook: ``english`` with translated markdown, the same code cells, no outputs.

    Raises
    ------
    TranslationError
        If :func:`translation_problems` finds any (the message lists them).
    """
    problems = translation_problems(english, cells)
    if problems:
        raise TranslationError("; ".join(problems))
    nb = copy.deepcopy(english)
    for cell in _markdown(nb):
        cell.source = cells[cell.id].text.rstrip("\n")
    _refresh.clear_outputs(nb)
    nb.metadata["language_info"] = dict(nb.metadata.get("language_info") or {"name": "python"})
    nb.metadata["kamsim"] = {"edition": lang}
    return _refresh.clean_metadata(nb)


def edition_problems(english: NotebookNode, edition: NotebookNode, cells: dict[str, CellText]) -> list[str]:
    """Differences between a stored edition notebook and what a build would give (empty when current).

    Compares cell by cell: the same ids and types in the same order, code cells
    with the English source, markdown cells with their translation.
    """
    wanted = [(c.id, c.cell_type) for c in english.cells]
    found = [(c.get("id"), c.cell_type) for c in edition.cells]
    if wanted != found:
        return ["its cells are not the English notebook's cells (ids, types or order differ)"]
    problems = []
    for en, ed in zip(english.cells, edition.cells):
        if en.cell_type == "code" and ed.source != en.source:
            problems.append(f"code cell {en.id} differs from the English one")
        elif en.cell_type == "markdown" and en.id in cells and ed.source != cells[en.id].text.rstrip("\n"):
            problems.append(f"markdown cell {en.id} differs from its translation")
    return problems


#: Outcome of one notebook: the written path (or the one that would be), seconds taken, error text.
TranslateReport = _refresh.RunReport


def _english_notebooks(root: Path, kinds: Sequence[str], names: Sequence[str] | None) -> list[tuple[str, Path]]:
    chosen = []
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown notebook kind {kind!r}; use one of {', '.join(KINDS)}")
        for path in _refresh.select_notebooks(root / kind, names) if names else _refresh.list_notebooks(root / kind):
            chosen.append((kind, path))
    return chosen


def translate(
    root: str | Path,
    names: Sequence[str] | None = None,
    *,
    lang: str = "zh_CN",
    kinds: Iterable[str] = KINDS,
    execute: bool = True,
    check: bool = False,
    timeout: int = _refresh.CELL_TIMEOUT_S,
    echo: bool = True,
) -> list[TranslateReport]:
    """Build (and execute) the ``lang`` edition of the course notebooks; or, with ``check``, verify it.

    Parameters
    ----------
    root
        Repository root (holds ``notebooks/``, ``exercises/`` and ``i18n/``).
    names
        Notebook names or prefixes (``"03"``); default: every notebook.
    lang
        Edition language (:data:`LANGUAGES`).
    kinds
        ``"notebooks"`` (chapters, executed) and/or ``"exercises"`` (student notebooks, stored blank).
    execute
        Execute the chapter notebooks after building (in ``notebooks/<lang>/``, a fresh
        ``python3`` kernel); ``False`` stores them without outputs.
    check
        Write nothing: report every English notebook whose translation is missing or stale,
        and every stored edition notebook that is missing or out of date.

    Returns
    -------
    list of TranslateReport
        One per notebook; a failed build or execution is reported and not written.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown edition {lang!r}; use one of {', '.join(LANGUAGES)}")
    root = Path(root)
    reports = []
    for kind, source in _english_notebooks(root, tuple(kinds), names):
        target = edition_path(root, kind, source.stem, lang)
        reports.append(_one(kind, source, target, root, lang, execute, check, timeout))
        if echo:
            r = reports[-1]
            status = "ok  " if r.ok else ("STALE" if check else "FAIL")
            print(f"{status} {r.seconds:6.1f} s  {target.relative_to(root)}" + ("" if r.ok else f"\n     {r.error}"),
                  flush=True)
    return reports


def _one(kind: str, source: Path, target: Path, root: Path, lang: str, execute: bool, check: bool,
         timeout: int) -> TranslateReport:
    english = nbformat.read(source, as_version=4)
    try:
        cells = load_translation(translation_path(root, kind, source.stem, lang), lang)
        built = build_notebook(english, cells, lang)
    except TranslationError as exc:
        return TranslateReport(target, 0.0, error=str(exc))
    if check:
        if not target.is_file():
            return TranslateReport(target, 0.0, error="not built yet: run python -m kamsim.course translate")
        problems = edition_problems(english, nbformat.read(target, as_version=4), cells)
        return TranslateReport(target, 0.0, error="; ".join(problems) if problems else None)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind != "notebooks" or not execute:
        _refresh.write_notebook(built, target)
        return TranslateReport(target, 0.0)
    tmp = target.with_name(f".{target.stem}.building.ipynb")
    nbformat.write(built, tmp)
    try:
        executed, seconds = _refresh.execute_notebook(tmp, timeout=timeout, cwd=target.parent, lang=lang)
    except _refresh.RefreshError as exc:
        return TranslateReport(target, 0.0, error=str(exc).replace(tmp.name, target.name))
    finally:
        tmp.unlink(missing_ok=True)
    _refresh.write_notebook(executed, target)
    return TranslateReport(target, seconds)
