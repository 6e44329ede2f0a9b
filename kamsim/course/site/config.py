"""The Sphinx configuration of one edition, written as a ``conf.py`` into its source folder.

A generated file (rather than overrides) so that a maintainer can rebuild or
debug one edition by hand: ``python -m sphinx -b html <work>/<code>/src <out>``.
Choices, all for a site that works from the file system with no network:

- myst-nb reads the notebooks with ``nb_execution_mode = "off"``: the stored
  outputs are shown, nothing is executed;
- MathJax 3 (``tex-svg-full.js``, from the ``django-static-mathjax`` package) is
  copied into ``_static``: SVG output carries its glyphs inside the script, so no
  font file is loaded (Firefox refuses fonts from other folders over file://);
- the search index is ``searchindex.js``, loaded by a ``<script>`` tag; the
  result summaries, which Sphinx fetches page by page (impossible over
  file://), are off;
- the 简体中文 edition indexes words cut by jieba, with the glossary's Chinese
  terms as a user dictionary, so "客户细分" is one search term.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kamsim.course.site.editions import Edition

#: MathJax component bundled with the site (TeX input, SVG output, every TeX extension, no font files).
MATHJAX_FILE = "tex-svg-full.js"


def assets_dir() -> Path:
    """Folder of the site's templates and static files (``kamsim/course/site_assets``)."""
    return Path(str(resources.files("kamsim.course"))) / "site_assets"


def mathjax_source() -> Path:
    """The MathJax 3 file shipped by the ``django-static-mathjax`` package.

    Raises
    ------
    ValueError
        If the package is not installed (``pip install -e ".[site]"``).
    """
    try:
        base = Path(str(resources.files("mathjax")))
    except ModuleNotFoundError as exc:
        raise ValueError("MathJax is missing: install the site tools with pip install -e \".[site]\"") from exc
    path = base / "static" / "mathjax" / "es5" / MATHJAX_FILE
    if not path.is_file():
        raise ValueError(f"{path} not found: the 'mathjax' module is not django-static-mathjax 3.x")
    return path


def write_theme_catalog(edition: Edition, locale_dir: Path) -> Path:
    """Write ``<locale_dir>/<language>/LC_MESSAGES/sphinx.mo`` with ``edition.theme``; return ``locale_dir``.

    Sphinx looks in ``locale_dirs`` before its own catalogue, so these strings fill
    the gaps (the Furo theme's "On this page", "Back to top", ...).
    """
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale=edition.sphinx_language, domain="sphinx")
    for message, translation in edition.theme.items():
        catalog.add(message, translation)
    target = locale_dir / edition.sphinx_language / "LC_MESSAGES" / "sphinx.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_mo(handle, catalog)
    return locale_dir


def conf_text(edition: Edition, switch: list[list[str]], downloads: dict[str, str], static_dirs: list[Path],
              jieba_dict: Path | None, locale_dir: Path | None = None) -> str:
    """Text of ``conf.py`` for ``edition``.

    Parameters
    ----------
    edition : Edition
        The edition built from this configuration.
    switch : list of [code, label, title, hreflang]
        The other editions built next to this one (the language switch).
    downloads : dict of str to str
        Docname -> notebook file offered for download next to the page.
    static_dirs : list of Path
        Folders copied into ``_static`` (the bundled assets, MathJax, the font CSS).
    jieba_dict : Path or None
        jieba user dictionary for the Chinese search index.
    locale_dir : Path, optional
        Folder of the theme catalogue (:func:`write_theme_catalog`).
    """
    settings: dict[str, object] = {
        "project": edition.ui["project"],
        "html_title": edition.ui["project"],
        "language": edition.sphinx_language,
        "extensions": ["myst_nb", "kamsim.course.site.sphinx_ext"],
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "templates_path": [str(assets_dir() / "templates")],
        "html_theme": "furo",
        "html_static_path": [str(p) for p in static_dirs],
        "html_css_files": ["kamsim.css", "kamsim-cjk.css"],
        "html_sidebars": {"**": ["sidebar/brand.html", "sidebar/search.html", "sidebar/kamsim-lang.html",
                                 "sidebar/scroll-start.html", "sidebar/navigation.html",
                                 "sidebar/scroll-end.html"]},
        "html_theme_options": {"top_of_page_buttons": []},
        "html_copy_source": False,
        "html_show_sourcelink": False,
        "html_show_search_summary": False,
        "html_last_updated_fmt": None,
        "mathjax_path": f"mathjax/{MATHJAX_FILE}",
        "nb_execution_mode": "off",
        "nb_merge_streams": True,
        "nb_ipywidgets_js": {},
        "myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence"],
        "myst_heading_anchors": 3,
        "suppress_warnings": ["myst.header", "misc.highlighting_failure"],
        "kamsim_ui": edition.ui,
        "kamsim_switch": switch,
        "kamsim_downloads": downloads,
    }
    if locale_dir is not None:
        settings["locale_dirs"] = [str(locale_dir)]
    if jieba_dict is not None:
        settings["html_search_language"] = "zh"
        settings["html_search_options"] = {"dict": str(jieba_dict)}
    lines = [f'"""Sphinx configuration of the {edition.label} edition; generated by kamsim.course.site."""', ""]
    lines += [f"{name} = {value!r}" for name, value in settings.items()]
    return "\n".join(lines) + "\n"
