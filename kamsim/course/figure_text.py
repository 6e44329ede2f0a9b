"""Chinese figure text in the Chinese edition, from the same code cells as the English one.

Chapter code labels its figures two ways: ``label("Churn rate", "流失率")``
(:func:`kamsim.course.style.label`, Chinese alone in the Chinese edition) and
plain English strings (``ax.set_xlabel("Month")``, a pandas column name in a
legend).  For the second kind this module keeps one table,
``figure_text.csv`` (columns ``en``, ``zh``; package data), and
:func:`install` makes matplotlib draw the Chinese of any text that equals an
English entry.  It wraps :meth:`matplotlib.text.Text.set_text`, through which
titles, axis labels, legend entries and annotations all pass; anything not in
the table (numbers, tick labels, account ids) is drawn as given.

:func:`kamsim.course.setup` installs it in the Chinese edition only
(:func:`kamsim.labels.edition`) and removes it otherwise, so English figures
never change.
"""

from __future__ import annotations

import csv
import io
import os
import re
from functools import lru_cache
from importlib import resources

from matplotlib.text import Text

from kamsim.labels import CJK_CHARACTER

#: Package file of the table (UTF-8 CSV with columns ``en``, ``zh``).
TABLE_FILE = "figure_text.csv"

#: Environment variable naming a file to which English text drawn in Chinese figures is appended (one per line):
#: set it while running the Chinese notebooks to list what the table still lacks (docs/course_authoring.md).
MISSING_LOG_ENV = "KAMSIM_FIGURE_TEXT_LOG"

_ORIGINAL_SET_TEXT = Text.set_text
#: Text worth translating: a word of three or more letters and no Chinese character.
_ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}")


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """English figure text -> Chinese, from ``figure_text.csv``.

    Raises
    ------
    ValueError
        If a row lacks either text or an English text appears twice (the message names the row).
    """
    raw = resources.files("kamsim.course").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(raw)))
    out: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        en, zh = (row.get("en") or "").strip(), (row.get("zh") or "").strip()
        if not en or not zh:
            raise ValueError(f"{TABLE_FILE} line {number}: both 'en' and 'zh' are needed")
        if en in out:
            raise ValueError(f"{TABLE_FILE} line {number}: {en!r} is listed twice")
        out[en] = zh
    return out


def to_chinese(text: object) -> object:
    """The Chinese of ``text`` if the table lists it (surrounding spaces ignored), else ``text`` unchanged."""
    if not isinstance(text, str):
        return text
    return table().get(text.strip(), text)


def _set_text(self: Text, s: object) -> None:
    shown = to_chinese(s)
    if shown is s and isinstance(s, str) and _ENGLISH_WORDS.search(s) and not CJK_CHARACTER.search(s):
        _log_missing(s)
    _ORIGINAL_SET_TEXT(self, shown)


def _log_missing(text: str) -> None:
    path = os.environ.get(MISSING_LOG_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(text.replace("\n", "\\n") + "\n")


def install(on: bool = True) -> None:
    """Translate figure text from now on (``on``), or restore matplotlib's own behaviour."""
    Text.set_text = _set_text if on else _ORIGINAL_SET_TEXT


def installed() -> bool:
    """Whether figure text is being translated."""
    return Text.set_text is _set_text
