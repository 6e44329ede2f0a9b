"""One look for every course figure, with Chinese labels that render.

A trainer's slide says "Revenue by tier (按层级的收入)".  Matplotlib's default
font (DejaVu Sans) has no Chinese glyphs, so without help the Chinese half
turns into empty boxes and matplotlib warns ``Glyph ... missing from font``.

:func:`setup` is the first call of every notebook: it applies the course style
(seaborn's ``whitegrid`` look, fixed figure size and dpi, a colour-blind-safe palette)
and then :func:`use_cjk`, which registers a CJK font and lists it *after*
DejaVu Sans in ``font.family``.  Matplotlib (>= 3.6) falls back glyph by
glyph along that list, so Latin text keeps DejaVu Sans and Chinese characters
come from the CJK font.

The CJK font is searched in this order:

1. Noto Sans CJK SC shipped inside the ``mplfonts`` package (a kamsim
   dependency; registered with ``fontManager.addfont`` only -- mplfonts' own
   initialiser is never called because it rewrites the user's matplotlibrc);
2. fonts installed on the system: Noto Sans CJK SC, Source Han Sans,
   WenQuanYi, SimHei, Microsoft YaHei, PingFang SC.

When none is found, :func:`use_cjk` warns once and :func:`label` drops the
Chinese part, so figures fall back to English labels instead of boxes.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

from kamsim.labels import is_chinese

#: Fixed figure size of course plots (inches) and resolution (dots per inch).
FIGSIZE: tuple[float, float] = (8.0, 4.5)
DPI: int = 100

#: Course palette (Okabe-Ito, colour-blind safe), used for tiers, policies, stages.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#CC79A7",  # purple-pink
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Seaborn's ``whitegrid`` style as matplotlib settings, so the look costs no seaborn (and scipy) import.
WHITEGRID: dict[str, object] = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "figure.facecolor": "white",
    "grid.color": ".8",
    "grid.linestyle": "-",
    "text.color": ".15",
    "xtick.color": ".15",
    "ytick.color": ".15",
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.bottom": False,
    "ytick.left": False,
    "xtick.top": False,
    "ytick.right": False,
    "axes.spines.left": True,
    "axes.spines.bottom": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
}

#: Seaborn's ``notebook`` plotting context (points); other contexts scale it by :data:`CONTEXT_SCALE`.
NOTEBOOK_CONTEXT: dict[str, float] = {
    "font.size": 12.0, "axes.labelsize": 12.0, "axes.titlesize": 12.0, "xtick.labelsize": 11.0,
    "ytick.labelsize": 11.0, "legend.fontsize": 11.0, "legend.title_fontsize": 12.0,
    "axes.linewidth": 1.25, "grid.linewidth": 1.0, "lines.linewidth": 1.5, "lines.markersize": 6.0,
    "patch.linewidth": 1.0, "xtick.major.width": 1.25, "ytick.major.width": 1.25, "xtick.minor.width": 1.0,
    "ytick.minor.width": 1.0, "xtick.major.size": 6.0, "ytick.major.size": 6.0, "xtick.minor.size": 4.0,
    "ytick.minor.size": 4.0,
}

#: Plotting contexts and their scale relative to ``notebook`` (as in seaborn).
CONTEXT_SCALE: dict[str, float] = {"paper": 0.8, "notebook": 1.0, "talk": 1.5, "poster": 2.0}

#: Family name of the font file shipped by mplfonts.
BUNDLED_FONT_NAME = "Noto Sans CJK SC"
BUNDLED_FONT_FILE = "NotoSansCJKsc-Regular.otf"

#: Installed CJK font families accepted, in order of preference.
SYSTEM_CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)

#: Latin font kept first so that English text looks the same with or without CJK.
LATIN_FONT = "DejaVu Sans"

# Process-wide state of the CJK set-up (matplotlib's rcParams are process-wide too).
_STATE: dict[str, object] = {"font": None, "warned": False}


def _bundled_font_path() -> Path | None:
    """Path of Noto Sans CJK SC inside the installed ``mplfonts`` package, or ``None``.

    The package is located without importing it (importing is harmless, but we
    only need the file).
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "fonts" / BUNDLED_FONT_FILE
        if path.is_file():
            return path
    return None


def _find_cjk_font() -> str | None:
    """Register and return the family name of a CJK font, or ``None`` if there is none."""
    path = _bundled_font_path()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for name in SYSTEM_CJK_FONTS:
        if name in installed:
            return name
    return None


def use_cjk() -> str | None:
    """Make matplotlib draw Chinese characters; return the CJK font name or ``None``.

    Sets ``font.family = ["sans-serif", <CJK font>]`` with ``font.sans-serif``
    starting ``[DejaVu Sans, <CJK font>, ...]`` and ``axes.unicode_minus = False``:
    Latin glyphs come from DejaVu Sans, Chinese ones from the CJK font.
    If no CJK font is found, warns once (``UserWarning``) and records it so
    that :func:`label` returns English-only labels.
    """
    name = _find_cjk_font()
    _STATE["font"] = name
    mpl.rcParams["axes.unicode_minus"] = False
    if name is None:
        if not _STATE["warned"]:
            warnings.warn(
                "kamsim.course: no CJK font found (looked for Noto Sans CJK SC from the 'mplfonts' package, then "
                f"installed fonts {', '.join(SYSTEM_CJK_FONTS)}). Figures will use English-only labels; install "
                "'mplfonts' or a Noto Sans CJK font to see Chinese terms.",
                UserWarning,
                stacklevel=2,
            )
            _STATE["warned"] = True
        return None
    # Matplotlib falls back glyph by glyph across the entries of ``font.family``
    # (a generic name such as "sans-serif" resolves to one font), so the CJK
    # family is listed explicitly after the Latin one.
    others = [f for f in mpl.rcParams["font.sans-serif"] if f not in (LATIN_FONT, name)]
    mpl.rcParams["font.sans-serif"] = [LATIN_FONT, name, *others]
    mpl.rcParams["font.family"] = ["sans-serif", name]
    return name


def cjk_enabled() -> bool:
    """Whether the last :func:`use_cjk` call found a CJK font (``False`` before any call)."""
    return _STATE["font"] is not None


def cjk_font() -> str | None:
    """Family name of the CJK font in use, or ``None``."""
    font = _STATE["font"]
    return str(font) if font is not None else None


def label(en: str, zh: str | None = None) -> str:
    """A figure label: ``"English (中文)"``, ``"中文"`` in the Chinese edition, ``"English"`` without a CJK font.

    The English edition shows both languages (students meet the Chinese terms);
    the Chinese edition (:func:`kamsim.labels.edition`) shows the Chinese alone
    when there is a translation, so a notebook's code cells are the same in
    both editions.

    Parameters
    ----------
    en
        English text (always shown).
    zh
        Chinese text.  If omitted, ``en`` is looked up in the course glossary
        (case-insensitive); unknown terms give an English-only label.

    Examples
    --------
    >>> label("Churn rate", "流失率")   # doctest: +SKIP
    'Churn rate (流失率)'
    """
    if zh is None:
        from kamsim.course.terms import translate

        zh = translate(en, default=None)
    if not zh or not cjk_enabled():
        return en
    if is_chinese():
        return zh
    return f"{en} ({zh})"


def setup(cjk: bool = True, *, context: str = "notebook") -> str | None:
    """Apply the course figure style; first call of every notebook.

    Parameters
    ----------
    cjk
        Also register a CJK font (:func:`use_cjk`).  With ``False`` labels are
        English only.
    context
        Plotting context as in seaborn: ``"paper"``, ``"notebook"``, ``"talk"`` (slides) or ``"poster"``.

    Returns
    -------
    str or None
        Name of the CJK font in use, or ``None`` (no CJK font / ``cjk=False``).

    Notes
    -----
    In the Chinese edition (:func:`kamsim.labels.edition`) with a CJK font, plain
    English figure text listed in ``figure_text.csv`` is drawn in Chinese
    (:mod:`kamsim.course.figure_text`); in every other case matplotlib is left as it is.
    """
    if context not in CONTEXT_SCALE:
        raise ValueError(f"context must be one of {list(CONTEXT_SCALE)}, got {context!r}")
    scale = CONTEXT_SCALE[context]
    mpl.rcParams.update(WHITEGRID)
    mpl.rcParams.update({key: value * scale for key, value in NOTEBOOK_CONTEXT.items()})
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
            "figure.figsize": FIGSIZE,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "savefig.bbox": "tight",
            "axes.titlesize": "large",
            "legend.frameon": False,
            "figure.autolayout": False,
            "figure.constrained_layout.use": True,
        }
    )
    from kamsim.course import figure_text

    if not cjk:
        _STATE["font"] = None
        mpl.rcParams["axes.unicode_minus"] = False
        figure_text.install(False)
        return None
    font = use_cjk()
    # the Chinese edition draws the Chinese of plain English figure text (kamsim.course.figure_text)
    figure_text.install(font is not None and is_chinese())
    return font
