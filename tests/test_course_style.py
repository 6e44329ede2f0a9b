"""Course figure style: Chinese labels render without missing glyphs, and a clean English fallback."""

from __future__ import annotations

import io
import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from kamsim.course import style  # noqa: E402


@pytest.fixture(autouse=True)
def _restore_style():
    """Each test starts from matplotlib defaults and leaves no CJK state behind."""
    saved = mpl.rcParams.copy()
    state = dict(style._STATE)
    mpl.rcdefaults()
    yield
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mpl.rcParams.update(saved)
    style._STATE.clear()
    style._STATE.update(state)


def _render_chinese_figure() -> bytes:
    fig, ax = plt.subplots()
    ax.bar(["核心客户", "重要客户", "一般客户"], [5.0, -3.0, 1.0], label="收入 revenue")
    ax.set_title("Revenue by tier (按层级的收入)")
    ax.set_xlabel("Customer tier (客户层级)")
    ax.set_ylabel("Revenue, CU (收入)")
    ax.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _glyph_warnings(record: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in record if "Glyph" in str(w.message) and "missing" in str(w.message)]


def test_setup_renders_chinese_without_missing_glyphs():
    font = style.setup()
    assert font is not None, "mplfonts ships Noto Sans CJK SC; setup() should find it"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning (e.g. 'Glyph 23458 missing from font') fails the test
        png = _render_chinese_figure()
    assert png.startswith(b"\x89PNG")
    assert style.cjk_enabled() and style.cjk_font() == font


def test_without_cjk_font_the_glyph_warning_is_raised():
    """Negative control: the check above can fail (DejaVu Sans alone has no Chinese glyphs)."""
    assert style.setup(cjk=False) is None
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        _render_chinese_figure()
    assert _glyph_warnings(record), "rendering Chinese with DejaVu Sans alone should warn about missing glyphs"


def test_bundled_font_is_preferred_and_latin_text_keeps_dejavu():
    assert style._bundled_font_path() is not None
    font = style.use_cjk()
    assert font == style.BUNDLED_FONT_NAME
    assert mpl.rcParams["font.family"] == ["sans-serif", font]
    assert mpl.rcParams["font.sans-serif"][:2] == [style.LATIN_FONT, font]
    assert mpl.rcParams["axes.unicode_minus"] is False
    latin = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert "DejaVuSans" in latin


def test_setup_fixes_figure_size_dpi_and_palette():
    style.setup()
    assert tuple(mpl.rcParams["figure.figsize"]) == style.FIGSIZE
    assert mpl.rcParams["figure.dpi"] == style.DPI
    first = mpl.rcParams["axes.prop_cycle"].by_key()["color"][0]
    assert mpl.colors.to_hex(first) == style.PALETTE[0].lower()


def test_system_font_is_used_when_the_bundled_one_is_missing(monkeypatch):
    monkeypatch.setattr(style, "_bundled_font_path", lambda: None)
    fake = [SimpleNamespace(name="DejaVu Sans"), SimpleNamespace(name="WenQuanYi Zen Hei")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fake)
    assert style._find_cjk_font() == "WenQuanYi Zen Hei"
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fake[:1])
    assert style._find_cjk_font() is None


def test_fallback_without_cjk_font_warns_once_and_uses_english_labels(monkeypatch):
    monkeypatch.setattr(style, "_find_cjk_font", lambda: None)
    style._STATE["warned"] = False
    with pytest.warns(UserWarning, match="no CJK font found"):
        assert style.setup() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second call must stay quiet
        assert style.use_cjk() is None
    assert not style.cjk_enabled()
    assert style.label("Churn rate", "流失率") == "Churn rate"
    assert style.label("churn rate") == "churn rate"


def test_label_is_bilingual_with_a_cjk_font(monkeypatch):
    monkeypatch.setenv("KAMSIM_LANG", "en_US")
    style.setup()
    assert style.label("Churn rate", "流失率") == "Churn rate (流失率)"
    assert style.label("Churn rate") == "Churn rate (流失率)"  # looked up in the glossary
    assert style.label("Months") == "Months"  # not a glossary term: English only


def test_label_is_chinese_only_in_the_chinese_edition(monkeypatch):
    monkeypatch.setenv("KAMSIM_LANG", "zh_CN")
    style.setup()
    assert style.label("Churn rate", "流失率") == "流失率"
    assert style.label("Churn rate") == "流失率"  # the glossary's term
    assert style.label("Months") == "Months"  # no translation: English rather than nothing


def test_setup_without_cjk_gives_english_labels():
    style.setup(cjk=False)
    assert not style.cjk_enabled()
    assert style.label("Churn rate", "流失率") == "Churn rate"
