"""What the course site shows, and the Sphinx source folder made from it.

The pages of an edition (``collect_pages``) are the chapter notebooks
``notebooks/NN_*.ipynb`` in syllabus order, the exercise notebooks
``exercises/NN_*.ipynb`` (never ``exercises/solutions``) and the reference
documents.  The 简体中文 edition takes ``notebooks/zh_CN/<stem>.ipynb`` and
``exercises/zh_CN/<stem>.ipynb`` when they exist (``docs/zh_CN/<name>.md`` and
``datasets/zh_CN/README.md`` for the documents) and otherwise shows the
English page under a note, so both editions always have the same pages and
every page has its counterpart.  ``stage`` copies the pages into a Sphinx
source folder with the repository's own layout (relative links keep working),
adds the exercise instructions and writes the home page.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from kamsim.course.site.editions import Edition

#: A chapter or exercise notebook: two-digit syllabus number, underscore, slug.
CHAPTER_RE = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")

#: Reference documents: (docname in the site, English source, 简体中文 source, bilingual already).
REFERENCE_DOCS: tuple[tuple[str, str, str, bool], ...] = (
    ("docs/glossary", "docs/glossary.md", "docs/zh_CN/glossary.md", True),
    ("datasets/README", "datasets/README.md", "datasets/zh_CN/README.md", False),
    ("docs/python_primer", "docs/python_primer.md", "docs/zh_CN/python_primer.md", False),
    ("docs/trainer_guide", "docs/trainer_guide.md", "docs/zh_CN/trainer_guide.md", False),
)


@dataclass(frozen=True)
class SitePage:
    """One page of an edition.

    Attributes
    ----------
    docname : str
        Path of the page in the site without suffix, the same in every edition
        (``notebooks/05_satisfaction_management``).
    source : Path
        The file the page is made from (``.ipynb`` or ``.md``).
    section : str
        ``chapters``, ``exercises`` or ``reference``.
    translated : bool
        False when a 简体中文 page shows the English source (no translation yet).
    repo_path : str
        Path of ``source`` relative to the repository root (shown to students).
    """

    docname: str
    source: Path
    section: str
    translated: bool
    repo_path: str

    @property
    def is_notebook(self) -> bool:
        """True for notebook pages, which get a download button."""
        return self.source.suffix == ".ipynb"


def _notebook_pages(root: Path, folder: str, section: str, edition: Edition) -> list[SitePage]:
    base = root / folder
    if not base.is_dir():
        raise ValueError(f"course folder {base} does not exist")
    pages = []
    for path in sorted(p for p in base.iterdir() if CHAPTER_RE.match(p.name)):
        source, translated = path, edition.is_source
        translation = base / edition.code / path.name
        if not edition.is_source and translation.is_file():
            source, translated = translation, True
        pages.append(SitePage(f"{folder}/{path.stem}", source, section, translated,
                              source.relative_to(root).as_posix()))
    return pages


def collect_pages(root: Path, edition: Edition) -> list[SitePage]:
    """Every page of ``edition``: chapters, exercises, reference documents (in navigation order).

    Raises
    ------
    ValueError
        If ``notebooks/`` or ``exercises/`` is missing, or a reference document is missing.
    """
    pages = _notebook_pages(root, "notebooks", "chapters", edition)
    if not pages:
        raise ValueError(f"no chapter notebooks NN_*.ipynb in {root / 'notebooks'}")
    pages += _notebook_pages(root, "exercises", "exercises", edition)
    for docname, en_path, zh_path, bilingual in REFERENCE_DOCS:
        source, translated = root / en_path, edition.is_source or bilingual
        if not source.is_file():
            raise ValueError(f"reference document {source} does not exist")
        if not edition.is_source and (root / zh_path).is_file():
            source, translated = root / zh_path, True
        pages.append(SitePage(docname, source, "reference", translated, source.relative_to(root).as_posix()))
    return pages


#: A markdown link or image target ``](target)`` or an HTML ``src="target"``.
_TARGET = re.compile(r"""(\]\(|src=")([^)"\s]+)""")
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|#|/)", re.I)


def _site_path(repo_path: str) -> str:
    """Where a repository file appears in the site: translations take the place of their English file."""
    return re.sub(r"^(notebooks|exercises|docs|datasets)/zh_CN/", r"\1/", repo_path)


def _relink(text: str, page: SitePage, root: Path, srcdir: Path) -> str:
    """Point the relative links of ``page`` at the site's layout and copy the local images it shows.

    A translation lives one folder deeper than the page it becomes
    (``notebooks/zh_CN/05_x.ipynb`` -> ``notebooks/05_x``): its relative links
    are resolved in the repository (from the translation's folder, or from the
    English page's folder when only that names a file) and written relative to
    the page.  A link to another translation becomes a link to that page of the
    same edition.
    """
    repo_dir = posixpath.dirname(page.repo_path)
    site_dir = posixpath.dirname(page.docname)

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if _EXTERNAL.match(target):
            return match.group(0)
        path, hash_, anchor = target.partition("#")
        candidates = [posixpath.normpath(posixpath.join(folder, path)) for folder in (repo_dir, site_dir)]
        # a translation may keep the English page's links as written: take the reading that names a file
        repo_target = next((c for c in candidates if (root / c).exists()), candidates[0])
        site_target = _site_path(repo_target)
        source = root / repo_target
        if source.is_file() and source.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"):
            copy = srcdir / site_target
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
        return match.group(1) + posixpath.relpath(site_target, site_dir or ".") + hash_ + anchor

    return _TARGET.sub(fix, text)


def _markdown_cell(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def _insert_at(cells: list[dict]) -> int:
    """Index just after the title cell (a markdown cell starting with a heading), else 0."""
    if cells and cells[0].get("cell_type") == "markdown":
        text = "".join(cells[0].get("source", ""))
        if text.lstrip().startswith("#"):
            return 1
    return 0


def _note(kind: str, title: str | None, body: str) -> str:
    head = f"```{{admonition}} {title}\n:class: {kind}\n" if title else f"```{{{kind}}}\n"
    return f"{head}{body}\n```\n"


def _stage_notebook(page: SitePage, edition: Edition, target: Path, root: Path, srcdir: Path) -> None:
    try:
        nb = json.loads(page.source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{page.source}: not a readable notebook ({exc})") from exc
    cells = nb.setdefault("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            cell["source"] = _relink("".join(source) if isinstance(source, list) else source, page, root, srcdir)
    added = []
    if not page.translated:
        added.append(_markdown_cell("kamsim-site-untranslated", _note("note", None, edition.ui["untranslated"])))
    if page.section == "exercises":
        body = edition.ui["open_body"].format(path=page.repo_path)
        added.append(_markdown_cell("kamsim-site-open", _note("tip", edition.ui["open_title"], body)))
    at = _insert_at(cells)
    cells[at:at] = added
    target.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def _stage_markdown(page: SitePage, edition: Edition, target: Path, root: Path, srcdir: Path) -> None:
    text = _relink(page.source.read_text(encoding="utf-8"), page, root, srcdir)
    if not page.translated:
        lines = text.splitlines(keepends=True)
        at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
        lines[at:at] = ["\n", _note("note", None, edition.ui["untranslated"]), "\n"]
        text = "".join(lines)
    target.write_text(text, encoding="utf-8")


def home_page(pages: list[SitePage], edition: Edition) -> str:
    """MyST text of the home page: title, introduction and one table of contents per section."""
    ui = edition.ui
    parts = [f"# {ui['title']}\n", f"{ui['intro']}\n", f"{ui['how']}\n"]
    for section in ("chapters", "exercises", "reference"):
        names = "\n".join(p.docname for p in pages if p.section == section)
        parts.append(f"```{{toctree}}\n:caption: {ui[section]}\n:maxdepth: 1\n\n{names}\n```\n")
    return "\n".join(parts)


def stage(pages: list[SitePage], edition: Edition, srcdir: Path, root: Path) -> None:
    """Write the Sphinx sources of ``edition`` into ``srcdir`` (which must be empty or absent).

    Notebooks keep their stored outputs and code; markdown cells are added (the
    exercise instructions, the note on an untranslated page) and their relative
    links and images follow the site's layout (:func:`_relink`).
    """
    srcdir.mkdir(parents=True, exist_ok=True)
    for page in pages:
        target = srcdir / (page.docname + page.source.suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        if page.is_notebook:
            _stage_notebook(page, edition, target, root, srcdir)
        else:
            _stage_markdown(page, edition, target, root, srcdir)
    (srcdir / "index.md").write_text(home_page(pages, edition), encoding="utf-8")
