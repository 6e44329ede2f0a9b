"""The offline course website: ``python -m kamsim.course site --out site/``.

A static site of the whole course, built with Sphinx + myst-nb (Furo theme)
from the stored notebook outputs: the chapters in syllabus order, the exercise
notebooks, the glossary, the data dictionary, the Python primer and the
trainer guide, in an English and a 简体中文 edition that link to each other.
It opens from the file system (search, math and Chinese included); see
docs/site.md.  Needs the ``site`` extra (``pip install -e ".[site]"``).

Modules: ``editions`` (languages and interface strings), ``sources`` (pages and
the Sphinx source folder), ``config`` (the generated ``conf.py``),
``sphinx_ext`` (language switch, download buttons), ``fonts`` (the CJK web
font subset), ``build`` (the whole build).
"""

from kamsim.course.site.build import MARKER, SiteReport, build_site
from kamsim.course.site.editions import EDITIONS, Edition

__all__ = ["EDITIONS", "MARKER", "Edition", "SiteReport", "build_site"]
