"""Sphinx extension of the course site: language switch, download button, notebook copies.

Loaded by the generated ``conf.py`` (``extensions = [..., "kamsim.course.site.sphinx_ext"]``).
Configuration values (set by :func:`kamsim.course.site.config.conf_text`):

``kamsim_ui``
    the edition's interface strings (``editions.Edition.ui``);
``kamsim_switch``
    the other editions as ``[code, label, title, hreflang]`` lists; every page links
    to the page of the same name in each of them (``../<code>/<docname>.html`` from
    the edition folder: both editions have the same pages);
``kamsim_downloads``
    ``{docname: notebook file}``; the file is copied next to the page's HTML
    (``notebooks/05_x.html`` -> ``notebooks/05_x.ipynb``) and the page gets a
    download button.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    depth = pagename.count("/")
    to_site = "../" * (depth + 1)
    context["kamsim_ui"] = app.config.kamsim_ui
    context["kamsim_switch"] = [
        {"href": f"{to_site}{code}/{pagename}.html", "label": label, "title": title, "hreflang": hreflang}
        for code, label, title, hreflang in app.config.kamsim_switch
    ]
    source = app.config.kamsim_downloads.get(pagename)
    context["kamsim_download"] = Path(pagename).name + ".ipynb" if source else None


def _copy_downloads(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for docname, source in app.config.kamsim_downloads.items():
        target = Path(app.outdir) / (docname + ".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _fix_chinese_search(app: Sphinx) -> None:
    """Work around sphinx-doc/sphinx#14229 (Sphinx 9.0): the Chinese search page names a JS stemmer that
    does not exist (``window.Stemmer = ChineseStemmer``) and finds nothing.

    The Chinese splitter stems Latin words with the English stemmer; naming the
    language "English" makes Sphinx write ``window.Stemmer = EnglishStemmer``.
    Sphinx < 9 (inline stemmer code) and fixed releases are unaffected.
    """
    from sphinx.search import zh

    if getattr(zh.SearchChinese, "js_stemmer_rawcode", None) != "english-stemmer.js":
        return

    class SearchChinese(zh.SearchChinese):
        language_name = "English"

    app.add_search_language(SearchChinese)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration values, the two event handlers and the Chinese search fix."""
    _fix_chinese_search(app)
    app.add_config_value("kamsim_ui", {}, "html")
    app.add_config_value("kamsim_switch", [], "html")
    app.add_config_value("kamsim_downloads", {}, "html")
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _copy_downloads)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
