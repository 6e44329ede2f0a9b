"""The two editions of the course site and their interface strings.

An edition is a language of the site: ``en`` (the source) and ``zh_CN``
(简体中文, from ``notebooks/zh_CN`` and ``exercises/zh_CN`` when present).
Every string the site adds around the course content lives here, so the
Chinese edition never shows an English button.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edition:
    """One language edition of the site.

    Attributes
    ----------
    code : str
        Folder of the edition inside the site and the translation folder name (``en``, ``zh_CN``).
    sphinx_language : str
        Sphinx ``language`` (UI strings of the theme, ``<html lang>``).
    label : str
        Name of the edition in its own language, shown by the language switch.
    ui : dict of str to str
        Strings the site adds (home page, buttons, notes); see ``EDITIONS``.
    theme : dict of str to str
        Translations of the Furo theme's strings that Sphinx's own catalogue lacks (written as a
        ``sphinx.mo`` catalogue at build time).
    """

    code: str
    sphinx_language: str
    label: str
    ui: dict[str, str] = field(default_factory=dict)
    theme: dict[str, str] = field(default_factory=dict)

    @property
    def is_source(self) -> bool:
        """True for the English edition, whose notebooks are the repository's own."""
        return self.code == "en"


_EN = {
    "project": "kamsim KAM course",
    "title": "Key Account Management course (大客户管理)",
    "intro": (
        "The kamsim course on Key Account Management: eleven chapters that teach with a simulated portfolio of "
        "key accounts, their auto-checked exercises and the reference a class needs. Every page shows the "
        "notebook with its stored outputs; the button at the top of a page downloads the notebook itself."
    ),
    "how": (
        "Read the chapters in order; after each chapter, do its exercises in JupyterLab (each exercise page says "
        "how). The search box (left) searches the whole course. This site works offline, also when opened "
        "straight from the file system."
    ),
    "chapters": "Chapters",
    "exercises": "Exercises",
    "reference": "Reference",
    "download": "Download notebook (.ipynb)",
    "switch_title": "This page in English",
    "untranslated": "",
    "open_title": "How to open this exercise in JupyterLab",
    "open_body": (
        "This page shows the blank exercise notebook. To work on it:\n\n"
        "1. Install kamsim with the course tools, as your trainer tells you "
        "(for example `pip install -e \".[course]\"` in the kamsim repository).\n"
        "2. Open a terminal in the course folder (the repository root or your student pack) and run "
        "`jupyter lab`.\n"
        "3. In JupyterLab's file browser open `{path}`. Run the set-up cell, then each answer cell and the "
        "`check(...)` cell under it.\n\n"
        "Without a course folder, download the notebook with the button at the top of this page and put it "
        "into the `exercises/` folder of a copy of the course: it loads its data through kamsim."
    ),
    "landing": "Open the course",
}

_ZH = {
    "project": "kamsim 大客户管理课程",
    "title": "大客户管理课程",
    "intro": (
        "kamsim 大客户管理（KAM）课程：十一章内容借助模拟的大客户组合进行讲授，每章配有自动检查的练习，"
        "另附课堂所需的参考资料。每一页都展示 Notebook 及其保存的运行结果；页面顶部的按钮可下载该 Notebook。"
    ),
    "how": (
        "请按顺序阅读各章；每学完一章，在 JupyterLab 中完成该章练习（各练习页面说明了打开方法）。"
        "左侧搜索框可检索整个课程。本网站无需联网，直接从本地文件打开即可使用。"
    ),
    "chapters": "章节",
    "exercises": "练习",
    "reference": "参考资料",
    "download": "下载 Notebook（.ipynb）",
    "switch_title": "本页的简体中文版",
    "untranslated": "本页暂无中文译本，以下为英文原文。",
    "open_title": "如何在 JupyterLab 中打开本练习",
    "open_body": (
        "本页展示的是空白练习 Notebook。开始练习：\n\n"
        "1. 按培训师的说明安装带课程工具的 kamsim（例如在 kamsim 代码库中运行 `pip install -e \".[course]\"`）。\n"
        "2. 在课程文件夹（代码库根目录或你的学员资料包）中打开终端，运行 `jupyter lab`。\n"
        "3. 在 JupyterLab 的文件浏览器中打开 `{path}`。先运行设置单元格，再依次运行每个答案单元格及其下方的 "
        "`check(...)` 单元格。\n\n"
        "如果手头没有课程文件夹，可用本页顶部的按钮下载该 Notebook，并放入课程副本的 `exercises/` 文件夹："
        "它通过 kamsim 加载数据。"
    ),
    "landing": "进入课程",
}

_ZH_THEME = {
    "Next": "下一页",
    "Previous": "上一页",
    "Home": "首页",
    "On this page": "本页内容",
    "Back to top": "返回顶部",
    "Skip to content": "跳到正文",
    "Please activate JavaScript to enable the search functionality.": "请启用 JavaScript 以使用搜索功能。",
}

#: The editions in build order; the first is the source edition.
EDITIONS: dict[str, Edition] = {
    "en": Edition("en", "en", "English", _EN),
    "zh_CN": Edition("zh_CN", "zh_CN", "简体中文", _ZH, _ZH_THEME),
}


def get_editions(codes: list[str] | tuple[str, ...] | None) -> list[Edition]:
    """The editions named by ``codes`` (all if ``None``), in the order of ``EDITIONS``.

    Raises
    ------
    ValueError
        If a code is not an edition, naming the known ones.
    """
    if not codes:
        return list(EDITIONS.values())
    unknown = [c for c in codes if c not in EDITIONS]
    if unknown:
        raise ValueError(f"--lang: unknown edition(s) {', '.join(unknown)}; known: {', '.join(EDITIONS)}")
    return [e for code, e in EDITIONS.items() if code in codes]
