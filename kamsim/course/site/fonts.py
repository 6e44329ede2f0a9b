"""A web font with exactly the Chinese characters of the site, so Chinese shows with no CJK system font.

The source is Noto Sans CJK SC as shipped by the ``mplfonts`` package (a kamsim
dependency; the same file the figures use, found by
:func:`kamsim.course.style._bundled_font_path`).  After an edition is built,
:func:`charset` collects every non-ASCII character of its HTML pages and
:func:`font_css` cuts the font down to those glyphs (fontTools, WOFF2) and
embeds it in a stylesheet as a ``data:`` URL: one file, no font request, which
every browser accepts over file:// (Firefox refuses font files from other
folders there).  The course's ~2,000 distinct characters make about 0.3 MB
instead of the 16 MB font.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from pathlib import Path

from kamsim.course.style import _bundled_font_path

#: CSS family name of the subset (used by site_assets/static/kamsim.css).
FAMILY = "Kamsim CJK"

#: Code point ranges the subset serves (its CSS ``unicode-range``): CJK radicals, symbols and punctuation, kana,
#: unified ideographs, compatibility ideographs and forms, full-width forms, the supplementary ideograph planes.
#: Curly quotes, dashes and other punctuation of English text stay with the Latin fonts.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)


def is_cjk(char: str) -> bool:
    """True if ``char`` lies in one of :data:`CJK_RANGES`."""
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in CJK_RANGES)


def charset(paths: Iterable[Path], extra: str = "") -> set[str]:
    """Every CJK character (:func:`is_cjk`) in the files ``paths`` (UTF-8 text) and in ``extra``."""
    chars = set(extra)
    for path in paths:
        chars.update(path.read_text(encoding="utf-8", errors="ignore"))
    return {c for c in chars if is_cjk(c)}


def font_css(chars: set[str], font_path: Path | None = None) -> tuple[str, int]:
    """An ``@font-face`` rule with the glyphs of ``chars`` that the font has, embedded as WOFF2 (or WOFF).

    Parameters
    ----------
    chars : set of str
        Characters the pages use.
    font_path : Path, optional
        The OpenType font (default: Noto Sans CJK SC from ``mplfonts``).

    Returns
    -------
    css : str
        The stylesheet text (a comment only when no character is covered).
    size : int
        Bytes of the embedded font (0 when none).

    Raises
    ------
    ValueError
        If no font file is given or shipped by ``mplfonts``.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = font_path or _bundled_font_path()
    if path is None:
        raise ValueError("Noto Sans CJK SC not found: the mplfonts package (a kamsim dependency) is missing")
    font = TTFont(str(path))
    cmap = font.getBestCmap()
    codepoints = sorted(ord(c) for c in chars if ord(c) in cmap)
    if not codepoints:
        return f"/* {FAMILY}: the pages use no character of {path.name} */\n", 0
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = ["kern", "palt"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the copyright and licence names of the font
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    try:
        import brotli  # noqa: F401  (WOFF2 needs it)

        font.flavor, mime = "woff2", "font/woff2"
    except ImportError:
        font.flavor, mime = "woff", "font/woff"
    buffer = io.BytesIO()
    font.save(buffer)
    data = buffer.getvalue()
    encoded = base64.b64encode(data).decode("ascii")
    ranges = ", ".join(f"U+{lo:X}-{hi:X}" for lo, hi in CJK_RANGES)
    css = (
        f"/* {FAMILY}: {len(codepoints)} glyphs of {path.name} (SIL Open Font License 1.1), "
        "the characters of this site, made by kamsim.course.site at build time. */\n"
        f"@font-face {{\n  font-family: \"{FAMILY}\";\n  font-style: normal;\n  font-weight: 400;\n"
        f"  font-display: swap;\n  unicode-range: {ranges};\n"
        f"  src: url(data:{mime};base64,{encoded}) format(\"{font.flavor}\");\n}}\n"
    )
    return css, len(data)
