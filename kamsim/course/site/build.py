"""Build the course site: stage each edition, run Sphinx on it, add the font and the landing page.

Layout of the result (``out``)::

    index.html          landing page: one link per edition
    en/index.html       the English edition (Sphinx + Furo)
    zh_CN/index.html    the 简体中文 edition, same page names
    .kamsim-site        marker: the folder may be replaced by the next build

The editions are built by one ``python -m sphinx`` process each, side by side
(Sphinx keeps its interface translations per process, and two cores build two
editions at once).  The new site is written next to ``out`` and moved into
place at the end, so a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import csv
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kamsim.course.site import config as _config
from kamsim.course.site.editions import Edition, get_editions
from kamsim.course.site.fonts import charset, font_css
from kamsim.course.site.sources import SitePage, collect_pages, stage

#: File marking a folder as a site this command wrote (it may be replaced without --overwrite).
MARKER = ".kamsim-site"


@dataclass
class SiteReport:
    """What :func:`build_site` built.

    Attributes
    ----------
    out : Path
        The site folder; open ``out / "index.html"``.
    pages : dict of str to int
        Pages per edition code.
    translated : dict of str to int
        Notebook pages per edition that show their own language (all of them for ``en``).
    notebooks : int
        Notebook pages per edition.
    font_bytes : dict of str to int
        Size of the embedded CJK font subset per edition, bytes.
    seconds : float
        Wall time of the build, s.
    warnings : list of str
        Sphinx warnings (the build succeeds with warnings).
    """

    out: Path
    pages: dict[str, int] = field(default_factory=dict)
    translated: dict[str, int] = field(default_factory=dict)
    notebooks: int = 0
    font_bytes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for the terminal."""
        parts = [f"{code}: {n} pages ({self.translated[code]} of {self.notebooks} notebooks in this language, "
                 f"CJK font {self.font_bytes.get(code, 0) / 1e3:.0f} kB)" for code, n in self.pages.items()]
        lines = [f"built the course site in {self.seconds:.1f} s -> {self.out / 'index.html'}", *parts]
        if self.warnings:
            lines.append(f"{len(self.warnings)} Sphinx warning(s):")
            lines += [f"  {w}" for w in self.warnings[:10]]
        return "\n".join(lines)


def _hreflang(edition: Edition) -> str:
    return edition.code.replace("_", "-")


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file() and not overwrite:
        raise ValueError(f"--out {out} is not empty and holds no earlier site; choose another folder or --overwrite")


def _jieba_dict(root: Path, target: Path) -> Path:
    """A jieba user dictionary of the glossary's Chinese terms (one word per line)."""
    words: set[str] = set()
    glossary = Path(__file__).resolve().parent.parent / "glossary.csv"
    with glossary.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            words.update(w for w in re.split(r"[\s/、,，;；()（）]+", row.get("term_zh") or "") if len(w) >= 2)
    target.write_text("".join(f"{w} 1000 n\n" for w in sorted(words)), encoding="utf-8")
    return target


def _sphinx_command(srcdir: Path, outdir: Path, doctrees: Path) -> list[str]:
    return [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "-d", str(doctrees), str(srcdir), str(outdir)]


def _stage_edition(root: Path, edition: Edition, editions: list[Edition], work: Path) -> list[SitePage]:
    pages = collect_pages(root, edition)
    base = work / edition.code
    stage(pages, edition, base / "src", root)
    static = base / "static"
    (static / "mathjax").mkdir(parents=True)
    shutil.copyfile(_config.mathjax_source(), static / "mathjax" / _config.MATHJAX_FILE)
    (static / "kamsim-cjk.css").write_text("/* replaced after the build */\n", encoding="utf-8")
    switch = [[o.code, o.label, o.ui["switch_title"], _hreflang(o)] for o in editions if o is not edition]
    downloads = {p.docname: str(p.source) for p in pages if p.is_notebook}
    jieba = None if edition.sphinx_language != "zh_CN" else _jieba_dict(root, base / "jieba_dict.txt")
    locale = _config.write_theme_catalog(edition, base / "locale") if edition.theme else None
    conf = _config.conf_text(edition, switch, downloads, [_config.assets_dir() / "static", static], jieba, locale)
    (base / "src" / "conf.py").write_text(conf, encoding="utf-8")
    return pages


def _run_sphinx(jobs: dict[str, list[str]]) -> list[str]:
    """Run the Sphinx commands side by side; their warnings, or ValueError naming the edition that failed."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    procs = {code: subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for code, cmd in jobs.items()}
    warnings, failed = [], []
    for code, proc in procs.items():
        _, err = proc.communicate()
        lines = [line for line in err.splitlines() if line.strip()]
        warnings += [f"[{code}] {line}" for line in lines if "WARNING" in line or "ERROR" in line]
        if proc.returncode != 0:
            failed.append(f"{code} edition: sphinx exited {proc.returncode}:\n" + "\n".join(lines[-15:]))
    if failed:
        raise ValueError("the site build failed\n" + "\n".join(failed))
    return warnings


_LANDING = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, "Kamsim CJK", sans-serif; margin: 4rem auto;
       max-width: 40rem; padding: 0 1rem; line-height: 1.5; color: #222; }}
a.edition {{ display: block; margin: 1rem 0; padding: 1rem 1.25rem; border: 1px solid #ccc; border-radius: 0.5rem;
            text-decoration: none; color: #0b5394; font-size: 1.25rem; }}
a.edition:hover {{ background: #f3f6fa; }}
</style>
</head>
<body>
<h1>{title}</h1>
{links}
</body>
</html>
"""


def _landing(editions: list[Edition]) -> str:
    links = "\n".join(
        f'<a class="edition" href="{e.code}/index.html" hreflang="{_hreflang(e)}" lang="{_hreflang(e)}">'
        f"{html.escape(e.label)} — {html.escape(e.ui['title'])}</a>" for e in editions)
    title = " · ".join(html.escape(e.ui["project"]) for e in editions)
    return _LANDING.format(title=title, css=f"{editions[0].code}/_static/kamsim-cjk.css", links=links)


def _replace(out: Path, new: Path) -> None:
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=".kamsim-site-old-", dir=out.parent))
        out.rename(old / "site")
    new.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(out: str | Path, root: str | Path | None = None, languages: list[str] | None = None,
               overwrite: bool = False) -> SiteReport:
    """Build the static course site into ``out`` from the stored notebook outputs (nothing is executed).

    Parameters
    ----------
    out : str or Path
        Site folder: new, empty, an earlier site (replaced) or anything with ``overwrite``.
    root : str or Path, optional
        Repository root (default: found from the working directory).
    languages : list of str, optional
        Edition codes (default: every edition, ``en`` and ``zh_CN``).
    overwrite : bool
        Replace ``out`` even if it is not an earlier site.

    Returns
    -------
    SiteReport

    Raises
    ------
    ValueError
        On a bad ``out`` or edition, a missing course file or a failed Sphinx run (its messages included).
    """
    from kamsim.course.refresh import find_root

    start = time.perf_counter()
    root_path = Path(root) if root else find_root()
    out = Path(out).resolve()
    editions = get_editions(languages)
    _check_out(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = SiteReport(out=out)
    with tempfile.TemporaryDirectory(prefix="kamsim-site-") as tmp:
        work = Path(tmp)
        new = Path(tempfile.mkdtemp(prefix=".kamsim-site-new-", dir=out.parent))
        try:
            jobs = {}
            for edition in editions:
                pages = _stage_edition(root_path, edition, editions, work)
                notebooks = [p for p in pages if p.is_notebook]
                report.pages[edition.code] = len(pages) + 1  # + the home page
                report.notebooks = len(notebooks)
                report.translated[edition.code] = sum(p.translated for p in notebooks)
                base = work / edition.code
                # myst-nb writes the output images to <outdir>/../jupyter_execute: keep that inside work/
                jobs[edition.code] = _sphinx_command(base / "src", base / "html", base / "doctrees")
            report.warnings = _run_sphinx(jobs)
            landing = _landing(editions)
            for i, edition in enumerate(editions):
                html_dir = work / edition.code / "html"
                chars = charset(html_dir.rglob("*.html"), extra=landing if i == 0 else "")
                css, size = font_css(chars)
                (html_dir / "_static" / "kamsim-cjk.css").write_text(css, encoding="utf-8")
                report.font_bytes[edition.code] = size
                shutil.rmtree(html_dir / ".doctrees", ignore_errors=True)
                shutil.move(str(html_dir), str(new / edition.code))
            (new / "index.html").write_text(landing, encoding="utf-8")
            (new / MARKER).write_text("built by python -m kamsim.course site\n", encoding="utf-8")
            _replace(out, new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
    report.seconds = time.perf_counter() - start
    return report
