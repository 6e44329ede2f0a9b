"""Chinese company names: real-looking, the industry word fits the account's industry, the legal form its size."""

from __future__ import annotations

import re

import numpy as np
import pytest

from kamsim.generators import generate_portfolio, tables
from kamsim.generators import company_names_zh as cn
from kamsim.generators.firmographics import NameFactory

NAME = re.compile(r"^[\u4e00-\u9fff（）]+$")


@pytest.fixture(scope="module")
def accounts():
    return generate_portfolio(2000, seed=3, locale="zh_CN").accounts


def test_tables_cover_every_industry_and_size_band() -> None:
    assert set(cn.INDUSTRY_WORDS) == set(tables.industry_codes())
    assert set(cn.LEGAL_FORMS) == set(tables.size_band_names())
    assert len(set(cn.TRADE_NAMES)) == len(cn.TRADE_NAMES) and all(len(t) == 2 for t in cn.TRADE_NAMES)
    industry_chars = {w for words in cn.INDUSTRY_WORDS.values() for w in words}
    assert not any(w in t for t in cn.TRADE_NAMES for w in industry_chars)  # a trade name has no industry of its own


def test_names_follow_the_pattern_and_fit_the_industry(accounts) -> None:
    forms = sorted({f for choices in cn.LEGAL_FORMS.values() for f, _ in choices}, key=len, reverse=True)
    for name, industry, band, city in accounts[["company_name", "industry", "size_band", "city"]].itertuples(index=False):
        assert NAME.match(name), name
        form = next(f for f in forms if name.endswith(f))
        assert form in dict(cn.LEGAL_FORMS[band]), (name, band)
        body = name[: -len(form)]
        word = cn.city_word(city)
        body = body.removeprefix(word).removesuffix(f"（{word}）")
        assert body[:2] in cn.TRADE_NAMES, name
        assert body[2:] in cn.INDUSTRY_WORDS[industry], (name, industry)
    assert accounts["company_name"].is_unique


def test_every_pattern_occurs_and_groups_are_large(accounts) -> None:
    names = accounts["company_name"]
    assert names.str.contains("（").any()
    group = names.str.contains("集团")
    assert group.any() and accounts.loc[group, "size_band"].isin(["large", "enterprise"]).all()
    assert not names.str.contains("雨林木风|计算机食品").any()


def test_same_seed_same_names_and_municipalities() -> None:
    a = generate_portfolio(50, seed=9, locale="zh_CN").accounts["company_name"]
    b = generate_portfolio(50, seed=9, locale="zh_CN").accounts["company_name"]
    assert list(a) == list(b)
    assert cn.city_word("上海市") == "上海" and cn.city_word("苏州") == "苏州"


def test_collisions_get_a_third_character_then_a_number() -> None:
    factory = NameFactory("zh_CN", 1)
    cities = np.array(["苏州市"] * 3000, dtype=object)
    names = factory.company_names(cities, np.array(["retail"] * 3000, dtype=object), np.random.default_rng(0),
                                  np.array(["small"] * 3000, dtype=object))
    assert len(set(names)) == 3000


def test_bad_inputs_name_the_field() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="industries"):
        cn.zh_company_composer(np.array(["苏州市"]), np.array(["mining"]), np.array(["small"]), rng)
    with pytest.raises(ValueError, match="size_bands"):
        cn.zh_company_composer(np.array(["苏州市"]), np.array(["retail"]), np.array(["huge"]), rng)
    with pytest.raises(ValueError, match="size_bands"):
        NameFactory("zh_CN", 1).company_names(np.array(["苏州市"]), np.array(["retail"]), rng, np.array([]))
