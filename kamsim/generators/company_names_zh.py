"""Chinese company names (企业名称) that look real and fit the account's industry.

A registered Chinese company name has four parts (企业名称 = 行政区划 + 字号 + 行业 +
组织形式): 苏州 + 华远 + 精密机械 + 有限公司.  The city may also follow the industry in
brackets (瑞丰医药（苏州）有限公司), and a nationwide group may leave it out
(瑞丰医药集团股份有限公司).  This module is the one home of the curated word tables
and of the composer; :class:`kamsim.generators.firmographics.NameFactory` calls
:func:`zh_company_composer` for ``zh_CN`` portfolios.

Nothing comes from Faker: its ``zh_CN`` company prefixes are whole trade names that
often carry an industry of their own (雨林木风计算机 + 食品 = a computer food company).
Here the trade name (:data:`TRADE_NAMES`) is a neutral two-character name, the
industry word (:data:`INDUSTRY_WORDS`) is drawn from the words of the account's own
industry, and the legal form (:data:`LEGAL_FORMS`) follows the size band (groups and
joint-stock companies are large).  The trade names are invented auspicious pairs;
names of well-known companies were left out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Trade names (字号): neutral two-character names, no industry meaning of their own.
TRADE_NAMES: tuple[str, ...] = (
    "华远", "瑞丰", "恒信", "鼎盛", "宏达", "金泰", "永兴", "嘉诚", "博远", "天成",
    "盛华", "新宇", "泰和", "恒通", "宏远", "鑫源", "兴隆", "东升", "长信", "汇通",
    "德润", "润丰", "丰源", "华盛", "安泰", "裕丰", "诚达", "启明", "明德", "信合",
    "海润", "佳禾", "天润", "同创", "卓信", "远航", "腾飞", "晨阳", "金鼎", "嘉禾",
    "宏晟", "恒昌", "昌盛", "协力", "众诚", "和信", "丰泽", "泽润", "瑞泰", "宝丰",
    "鸿达", "鸿图", "康旭", "锦程", "锦华", "方圆", "广源", "广利", "振邦", "远鸿",
    "华晟", "万隆", "聚信", "聚源", "源丰", "辰光", "九洲", "三和", "四方", "永盛",
    "瑞祥", "福顺", "通达", "合力", "立信", "正和", "宏盛", "隆泰", "凯达", "新锐",
)

#: Industry words (行业表述) per industry code of :data:`kamsim.generators.tables.INDUSTRIES`.
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "manufacturing": ("精密机械", "机械制造", "装备制造", "五金制品", "模具"),
    "automotive": ("汽车零部件", "汽车配件", "汽车电子", "汽车部件"),
    "electronics": ("电子", "电子科技", "微电子", "光电科技", "电器"),
    "information_technology": ("信息技术", "软件", "网络科技", "数据科技", "智能科技"),
    "healthcare": ("医药", "医疗器械", "生物医药", "医疗科技", "药业"),
    "retail": ("商贸", "百货", "商业连锁", "超市", "贸易"),
    "logistics": ("物流", "供应链管理", "仓储物流", "运输"),
    "energy": ("能源", "新能源", "电力", "燃气", "热电"),
    "construction": ("建设工程", "建筑工程", "建工", "路桥工程", "建筑安装工程"),
    "food_beverage": ("食品", "饮品", "乳业", "粮油", "酿造"),
    "financial_services": ("投资", "融资租赁", "资产管理", "投资管理"),
}

#: Legal forms (组织形式) with their relative weights per size band: groups and joint-stock companies are large.
LEGAL_FORMS: dict[str, tuple[tuple[str, float], ...]] = {
    "small": (("有限公司", 0.95), ("股份有限公司", 0.05)),
    "medium": (("有限公司", 0.85), ("股份有限公司", 0.15)),
    "large": (("有限公司", 0.60), ("股份有限公司", 0.25), ("集团有限公司", 0.15)),
    "enterprise": (("有限公司", 0.25), ("股份有限公司", 0.30), ("集团有限公司", 0.25), ("集团股份有限公司", 0.20)),
}

#: Share of names with the city in brackets after the industry word (瑞丰医药（苏州）有限公司).
CITY_IN_BRACKETS_SHARE = 0.2

#: Share of group names (集团...) without any city: a nationwide group (瑞丰医药集团股份有限公司).
GROUP_WITHOUT_CITY_SHARE = 0.5

#: Third character of a trade name, used only after repeated collisions (very large portfolios).
EXTRA_CHARS: tuple[str, ...] = tuple("鑫盛泰恒瑞达宏兴华源通力德信博远嘉和永丰安新诚东方天卓越")

#: Collision round from which trade names get a third character.
EXTRA_CHAR_ROUND = 8


def city_word(city: str) -> str:
    """The city as it appears in a company name: 苏州市 -> 苏州 (a name without 市 is kept)."""
    return city[:-1] if city.endswith("市") and len(city) > 2 else city


def zh_company_composer(
    cities: np.ndarray, industries: np.ndarray, size_bands: np.ndarray, rng: np.random.Generator
) -> Callable[[np.ndarray, int], np.ndarray]:
    """A ``compose(index, round)`` function for :func:`kamsim.generators.firmographics._unique`.

    Parameters
    ----------
    cities, industries, size_bands
        One entry per account: city (e.g. ``"苏州市"``), industry code (keys of
        :data:`INDUSTRY_WORDS`) and size band (keys of :data:`LEGAL_FORMS`).
    rng
        The generator's ``company_names`` stream; every call draws a fixed number of
        values per requested name, so names depend only on the seed.

    Returns
    -------
    callable
        ``compose(index, round)`` returns the names of the accounts at positions
        ``index``; ``round`` > 0 after collisions (from :data:`EXTRA_CHAR_ROUND` on, the
        trade name gets a third character).
    """
    industries = np.asarray(industries, dtype=object)
    size_bands = np.asarray(size_bands, dtype=object)
    unknown = sorted(set(industries) - set(INDUSTRY_WORDS))
    if unknown:
        raise ValueError(f"industries: no Chinese industry words for {unknown[:5]}")
    bad_bands = sorted(set(size_bands) - set(LEGAL_FORMS))
    if bad_bands:
        raise ValueError(f"size_bands: no legal forms for {bad_bands[:5]}")
    short = np.array([city_word(str(c)) for c in cities], dtype=object)
    trades = np.array(TRADE_NAMES, dtype=object)
    extra = np.array(EXTRA_CHARS, dtype=object)

    def compose(idx: np.ndarray, attempt: int) -> np.ndarray:
        k = idx.size
        u_word, u_form, u_city, u_group = (rng.random(k) for _ in range(4))
        trade = trades[rng.integers(0, trades.size, k)]
        if attempt >= EXTRA_CHAR_ROUND:
            trade = trade + extra[rng.integers(0, extra.size, k)]
        names = np.empty(k, dtype=object)
        for j, i in enumerate(idx):
            words = INDUSTRY_WORDS[industries[i]]
            word = words[min(int(u_word[j] * len(words)), len(words) - 1)]
            form = _pick(LEGAL_FORMS[size_bands[i]], float(u_form[j]))
            city = short[i]
            if form.startswith("集团") and u_group[j] < GROUP_WITHOUT_CITY_SHARE:
                names[j] = f"{trade[j]}{word}{form}"
            elif u_city[j] < CITY_IN_BRACKETS_SHARE:
                names[j] = f"{trade[j]}{word}（{city}）{form}"
            else:
                names[j] = f"{city}{trade[j]}{word}{form}"
        return names

    return compose


def _pick(choices: tuple[tuple[str, float], ...], u: float) -> str:
    """The choice whose cumulative weight interval holds ``u`` (0-1)."""
    total = sum(w for _, w in choices)
    acc = 0.0
    for value, weight in choices:
        acc += weight / total
        if u < acc:
            return value
    return choices[-1][0]
