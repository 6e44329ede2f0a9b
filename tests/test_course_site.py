"""The offline course website (python -m kamsim.course site): built once into a temporary folder.

The build runs on a copy of the course (chapters, exercises, reference documents,
and any 简体中文 notebooks already translated) plus, when chapter 00 has no Chinese
notebook yet, a tiny one made here, so both the translated and the fallback page
are checked.  Browser checks (search and math over file://) use the system's
Chromium and skip without it.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("furo")
pytest.importorskip("mathjax")

from kamsim.course.__main__ import main  # noqa: E402
from kamsim.course.site import MARKER, build_site  # noqa: E402
from kamsim.course.site.sources import REFERENCE_DOCS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ZH_TITLE = "# 00 入门（测试译本）"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None)


def _course_copy(target: Path) -> Path:
    """The course files the site reads, copied from the repository; chapter 00 gets a zh notebook if it has none."""
    for folder in ("notebooks", "exercises"):
        (target / folder).mkdir(parents=True)
        for path in (REPO / folder).glob("[0-9][0-9]_*.ipynb"):
            shutil.copy(path, target / folder / path.name)
        if (REPO / folder / "zh_CN").is_dir():
            shutil.copytree(REPO / folder / "zh_CN", target / folder / "zh_CN")
    for _, en_path, zh_path, _ in REFERENCE_DOCS:
        for rel in (en_path, zh_path):
            if (REPO / rel).is_file():
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(REPO / rel, target / rel)
    zh = target / "notebooks" / "zh_CN" / "00_getting_started.ipynb"
    if not zh.is_file():
        zh.parent.mkdir(parents=True, exist_ok=True)
        nb = {"cells": [
            {"cell_type": "markdown", "id": "t1", "metadata": {}, "source": ZH_TITLE + "\n\n大客户管理：客户细分与客户生命周期。"
             "请完成[本章练习](../../exercises/zh_CN/00_getting_started.ipynb)。"},
            {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1, "source": "1 + 1",
             "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                          "data": {"text/plain": "2"}}]}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
        zh.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = _course_copy(tmp_path_factory.mktemp("course"))
    out = tmp_path_factory.mktemp("out") / "site"
    report = build_site(out, root=root)
    return root, out, report


class _Refs(HTMLParser):
    """Collect (tag, attribute, value) of every src/href and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.refs.append((tag, name, value))
            if name == "style" and value:
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def _parse(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)


def _css_refs(text: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(text)]


def _run_chromium(url: str, tmp_path: Path, *extra: str) -> str:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
           "--virtual-time-budget=10000", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout


# ----------------------------------------------------------------------------------------------- the build itself


def test_build_succeeds_offline_in_time_with_both_editions(site):
    _, out, report = site
    assert (out / "index.html").is_file() and (out / MARKER).is_file()
    assert set(report.pages) == {"en", "zh_CN"} and report.pages["en"] == report.pages["zh_CN"]
    assert report.notebooks == 24
    assert report.translated["en"] == 24 and report.translated["zh_CN"] >= 1
    assert report.seconds < 120, report.summary()
    assert not [w for w in report.warnings if "ERROR" in w], report.warnings


def test_every_course_page_is_there_with_its_download(site):
    root, out, _ = site
    for folder in ("notebooks", "exercises"):
        for nb in sorted((root / folder).glob("[0-9][0-9]_*.ipynb")):
            for edition in ("en", "zh_CN"):
                assert (out / edition / folder / f"{nb.stem}.html").is_file(), (edition, nb.name)
                assert (out / edition / folder / nb.name).is_file(), (edition, nb.name)
            assert (out / "en" / folder / nb.name).read_bytes() == nb.read_bytes()
    for docname, *_ in REFERENCE_DOCS:
        assert (out / "en" / f"{docname}.html").is_file() and (out / "zh_CN" / f"{docname}.html").is_file()
    assert not list(out.rglob("solutions")), "exercise solutions must stay out of the site"
    page = (out / "en" / "notebooks" / "01_customer_segmentation.html").read_text(encoding="utf-8")
    assert 'href="01_customer_segmentation.ipynb" download' in page
    exercise = (out / "en" / "exercises" / "01_customer_segmentation.html").read_text(encoding="utf-8")
    assert "How to open this exercise in JupyterLab" in exercise
    assert "exercises/01_customer_segmentation.ipynb</span>" in exercise  # the path to open in JupyterLab


def test_chapters_in_syllabus_order_with_previous_next_links(site):
    _, out, _ = site
    home = (out / "en" / "index.html").read_text(encoding="utf-8")
    positions = [home.find(f'href="notebooks/{n:02d}_') for n in range(12)]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    page = (out / "en" / "notebooks" / "03_needs_identification.html").read_text(encoding="utf-8")
    assert re.search(r'class="next-page" href="04_building_relationships.html"', page)
    assert re.search(r'class="prev-page" href="02_customer_data_analysis.html"', page)


def test_no_reference_to_an_external_host_in_scripts_styles_or_fonts(site):
    _, out, _ = site
    bad = []
    for path in out.rglob("*.html"):
        parsed = _parse(path)
        for tag, attr, value in parsed.refs:
            if tag in ("script", "link", "img", "iframe", "source", "embed", "object") and EXTERNAL.match(value):
                bad.append(f"{path.relative_to(out)}: <{tag} {attr}={value}>")
        bad += [f"{path.relative_to(out)}: {ref}" for css in parsed.styles for ref in _css_refs(css)
                if EXTERNAL.match(ref)]
    for path in out.rglob("*.css"):
        bad += [f"{path.relative_to(out)}: {ref}" for ref in _css_refs(path.read_text(encoding="utf-8"))
                if EXTERNAL.match(ref)]
    assert not bad, "\n".join(bad[:20])


def test_no_broken_internal_link(site):
    _, out, _ = site
    broken = []

    def check(base: Path, value: str, where: str) -> None:
        parts = urlsplit(value)
        if parts.scheme or value.startswith(("#", "//")) or not parts.path:
            return
        if not (base / unquote(parts.path)).resolve().exists():
            broken.append(f"{where}: {value}")

    for path in out.rglob("*.html"):
        for _, _, value in _parse(path).refs:
            check(path.parent, value, str(path.relative_to(out)))
    for path in out.rglob("*.css"):
        for ref in _css_refs(path.read_text(encoding="utf-8")):
            check(path.parent, ref, str(path.relative_to(out)))
    assert not broken, "\n".join(broken[:20])


def test_search_index_is_a_script_loaded_without_fetch(site):
    _, out, _ = site
    for edition in ("en", "zh_CN"):
        folder = out / edition
        index = (folder / "searchindex.js").read_text(encoding="utf-8")
        assert index.startswith("Search.setIndex(")
        search = (folder / "search.html").read_text(encoding="utf-8")
        assert re.search(r'<script[^>]+src="searchindex\.js"', search)
        tools = (folder / "_static" / "searchtools.js").read_text(encoding="utf-8")
        assert "XMLHttpRequest" not in tools
        assert re.search(r'createElement\("script"\)\)\.src = url', tools)  # loadIndex, if it is ever used
        options = (folder / "_static" / "documentation_options.js").read_text(encoding="utf-8")
        assert re.search(r"SHOW_SEARCH_SUMMARY:\s*false", options)  # summaries would fetch() each page
    index = (out / "zh_CN" / "searchindex.js").read_text(encoding="utf-8").strip()
    terms = json.loads(index[len("Search.setIndex("):].rstrip(";").removesuffix(")"))["terms"]
    assert "客户细分" in terms  # a glossary term is one search word (jieba with the glossary as dictionary)


def test_math_uses_the_bundled_mathjax(site):
    _, out, _ = site
    page = out / "en" / "notebooks" / "05_satisfaction_management.html"
    text = page.read_text(encoding="utf-8")
    assert "\\text{NPS}" in text and 'class="math' in text
    scripts = [v.split("?")[0] for tag, _, v in _parse(page).refs if tag == "script" and "mathjax" in v.lower()]
    assert scripts == ["../_static/mathjax/tex-svg-full.js"]
    assert (page.parent / scripts[0]).resolve().stat().st_size > 1_000_000


def test_chinese_font_subset_is_embedded(site):
    from fontTools.ttLib import TTFont

    _, out, report = site
    css = (out / "zh_CN" / "_static" / "kamsim-cjk.css").read_text(encoding="utf-8")
    match = re.search(r"url\(data:font/(woff2?);base64,([A-Za-z0-9+/=]+)\)", css)
    assert match and "unicode-range" in css
    font = TTFont(io.BytesIO(base64.b64decode(match.group(2))))
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "大客户管理课程章节练习下载")
    assert 10_000 < report.font_bytes["zh_CN"] < 1_500_000
    page = (out / "zh_CN" / "index.html").read_text(encoding="utf-8")
    assert 'href="_static/kamsim-cjk.css' in page


def test_zh_edition_has_lang_switch_and_chinese_pages(site):
    root, out, _ = site
    zh = (out / "zh_CN" / "notebooks" / "00_getting_started.html").read_text(encoding="utf-8")
    en = (out / "en" / "notebooks" / "00_getting_started.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]+lang="zh-CN"', zh) and re.search(r'<html[^>]+lang="en"', en)
    assert 'href="../../en/notebooks/00_getting_started.html"' in zh
    assert 'href="../../zh_CN/notebooks/00_getting_started.html"' in en
    assert "本页暂无中文译本" not in zh and "下载 Notebook" in zh
    if ZH_TITLE[2:] in zh:  # the fixture's notebook: its link to the zh exercise is a link to that page here
        assert 'href="../exercises/00_getting_started.html"' in zh
    title = re.search(r"<h1>(.*?)<", zh).group(1)
    assert re.search(r"[\u4e00-\u9fff]", title)
    if not (root / "notebooks" / "zh_CN" / "01_customer_segmentation.ipynb").is_file():
        fallback = (out / "zh_CN" / "notebooks" / "01_customer_segmentation.html").read_text(encoding="utf-8")
        assert "本页暂无中文译本" in fallback
    home = (out / "zh_CN" / "index.html").read_text(encoding="utf-8")
    assert "章节" in home and "练习" in home and "参考资料" in home and "返回顶部" in zh
    landing = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="en/index.html"' in landing and 'href="zh_CN/index.html"' in landing


# ----------------------------------------------------------------------------------------------- in a browser


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("edition,query", [("en", "churn"), ("zh_CN", "客户细分")])
def test_search_works_over_file_urls(site, tmp_path, edition, query):
    _, out, _ = site
    dom = _run_chromium((out / edition / "search.html").as_uri() + f"?q={query}", tmp_path, "--dump-dom")
    results = re.findall(r'<li[^>]*><a href="([^"]+)"', dom.split('id="search-results"')[-1])
    assert results, dom[-2000:]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_math_renders_over_file_urls(site, tmp_path):
    _, out, _ = site
    dom = _run_chromium((out / "zh_CN" / "notebooks" / "05_satisfaction_management.html").as_uri(), tmp_path,
                        "--dump-dom")
    assert "<mjx-container" in dom and "<svg" in dom


# ----------------------------------------------------------------------------------------------- units


def test_translation_links_follow_the_site_layout(tmp_path):
    from kamsim.course.site.sources import SitePage, _relink

    page = SitePage("notebooks/05_satisfaction_management", REPO / "notebooks/zh_CN/05_satisfaction_management.ipynb",
                    "chapters", True, "notebooks/zh_CN/05_satisfaction_management.ipynb")
    text = ("[a](../../exercises/zh_CN/05_satisfaction_management.ipynb#x) [b](../docs/glossary.md) "
            "[c](06_lifecycle_management.ipynb) [d](https://example.org/) ![e](../../docs/images/explorer.png)")
    assert _relink(text, page, REPO, tmp_path) == (
        "[a](../exercises/05_satisfaction_management.ipynb#x) [b](../docs/glossary.md) "
        "[c](06_lifecycle_management.ipynb) [d](https://example.org/) ![e](../docs/images/explorer.png)")
    assert (tmp_path / "docs" / "images" / "explorer.png").is_file()  # local images are copied into the sources


# ----------------------------------------------------------------------------------------------- refusals


def test_refuses_a_folder_that_is_not_a_site(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not empty"):
        build_site(tmp_path, root=REPO)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_cli_rejects_an_unknown_edition(tmp_path, capsys):
    assert main(["--root", str(REPO), "site", "--out", str(tmp_path / "s"), "--lang", "fr"]) == 2
    assert "unknown edition(s) fr" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
