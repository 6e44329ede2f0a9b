"""Tests of kamsim.generators: schema, reproducibility, value concentration, traits, locales, bad input."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import kamsim
from kamsim import schema
from kamsim.analytics import top_share
from kamsim.generators import TOP20_SHARE_BAND, default_n_managers, generate_portfolio, tables
from kamsim.generators.firmographics import NameFactory, _unique, size_band_probabilities
from kamsim.generators.relations import allocate_seats, make_ids
from kamsim.generators.traits import credit_rating
from kamsim.generators.value import potential_spend, spend_quantiles
from kamsim.portfolio import Portfolio

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def small() -> Portfolio:
    return generate_portfolio(300, seed=11)


@pytest.fixture(scope="module")
def medium() -> Portfolio:
    return generate_portfolio(2000, seed=5)


@pytest.fixture(scope="module")
def small_zh() -> Portfolio:
    return generate_portfolio(300, seed=11, locale="zh_CN")


def test_top_level_export_and_schema(small: Portfolio) -> None:
    assert isinstance(small, Portfolio)
    for name, frame in small.tables().items():
        assert list(frame.columns) == schema.column_names(name)
    assert len(small.accounts) == 300
    assert small.events.empty
    small.validate()  # does not raise
    assert small.accounts["account_id"].iloc[0] == "A00001"
    assert small.contacts["contact_id"].iloc[0] == "C000001"
    assert small.products["product_id"].iloc[0] == "P001"
    assert small.account_managers["manager_id"].iloc[0] == "M001"
    assert small.accounts["company_name"].is_unique


def test_meta(small: Portfolio) -> None:
    m = small.meta
    assert {"seed", "locale", "n_accounts", "as_of", "currency", "kamsim_version", "history_months"} <= set(m)
    assert (m["seed"], m["locale"], m["n_accounts"], m["as_of"]) == (11, "en_US", 300, "2024-01-01")
    assert m["kamsim_version"] == kamsim.__version__
    assert m["history_months"] == 0
    assert m["currency"] == "CNY"


def test_same_seed_identical_frames(small: Portfolio) -> None:
    again = generate_portfolio(300, seed=11)
    for name, frame in small.tables().items():
        pd.testing.assert_frame_equal(frame, getattr(again, name))
    assert again.meta == small.meta


def test_different_seeds_differ(small: Portfolio) -> None:
    other = generate_portfolio(300, seed=12)
    assert not small.accounts["annual_potential_spend"].equals(other.accounts["annual_potential_spend"])
    assert (small.accounts["company_name"] != other.accounts["company_name"]).mean() > 0.9
    assert not small.contacts["name"].equals(other.contacts["name"])


def test_streams_are_independent_of_other_settings(small: Portfolio) -> None:
    more_products = generate_portfolio(300, seed=11, n_products=20)
    pd.testing.assert_frame_equal(small.accounts, more_products.accounts)
    pd.testing.assert_frame_equal(small.contacts, more_products.contacts)
    more_managers = generate_portfolio(300, seed=11, n_managers=30)
    cols = [c for c in small.accounts.columns if c != "manager_id"]
    pd.testing.assert_frame_equal(small.accounts[cols], more_managers.accounts[cols])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_top20_share_in_documented_band_n2000(seed: int) -> None:
    p = generate_portfolio(2000, seed=seed)
    share = p.top_share()
    assert TOP20_SHARE_BAND == (0.70, 0.85)
    assert TOP20_SHARE_BAND[0] <= share <= TOP20_SHARE_BAND[1]
    assert share == pytest.approx(top_share(p.accounts["annual_potential_spend"]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_top20_share_in_band_for_small_portfolios(seed: int) -> None:
    share = generate_portfolio(200, seed=seed, locale="zh_CN").top_share()
    assert TOP20_SHARE_BAND[0] <= share <= TOP20_SHARE_BAND[1]


def test_pareto_shape_tunes_concentration() -> None:
    shares = [generate_portfolio(1000, seed=3, pareto_shape=a).top_share() for a in (1.05, 1.16, 1.5, 3.0)]
    assert shares == sorted(shares, reverse=True)
    assert shares[-1] < TOP20_SHARE_BAND[0]  # a light tail leaves the band: the parameter really matters


def test_spend_rises_with_size(medium: Portfolio) -> None:
    acc = medium.accounts
    medians = acc.groupby("size_band")["annual_potential_spend"].median()[list(tables.size_band_names())]
    assert medians.is_monotonic_increasing
    rho = acc["employees"].rank().corr(acc["annual_potential_spend"].rank())
    assert rho > 0.4
    assert (acc["annual_potential_spend"] > 0).all()


def test_employees_within_band(medium: Portfolio) -> None:
    acc = medium.accounts
    for band in tables.SIZE_BANDS:
        emp = acc.loc[acc["size_band"] == band.name, "employees"]
        assert len(emp) > 0
        assert emp.between(band.min_employees, band.max_employees).all()


def test_size_band_tilts_by_industry() -> None:
    prob = size_band_probabilities()
    assert np.allclose(prob.sum(axis=1), 1.0)
    codes = tables.industry_codes()
    # energy (tilt 0.8) has more enterprises than information technology (tilt 0)
    assert prob[codes.index("energy"), -1] > prob[codes.index("information_technology"), -1]


def test_en_us_regions_and_cities_from_tables(medium: Portfolio) -> None:
    cities = {r.name: set(r.cities) for r in tables.US_STATES}
    acc = medium.accounts
    assert set(acc["region"]) <= set(cities)
    assert all(c in cities[r] for r, c in zip(acc["region"], acc["city"]))
    assert not acc["company_name"].str.contains(CJK).any()


def test_zh_cn_names_provinces_and_cities(small_zh: Portfolio) -> None:
    acc = small_zh.accounts
    cities = {r.name: set(r.cities) for r in tables.CN_PROVINCES}
    assert set(acc["region"]) <= set(cities)
    assert all(c in cities[r] for r, c in zip(acc["region"], acc["city"]))
    assert acc["company_name"].str.contains(CJK).all()
    assert acc["company_name"].str.endswith("公司").all()
    assert acc["company_name"].is_unique
    # 城市 + 字号 + 行业 + 组织形式, the city in brackets after the industry, or (groups only) no city
    for name, city, band in zip(acc["company_name"], acc["city"], acc["size_band"]):
        word = city.removesuffix("市")
        assert name.startswith(word) or f"（{word}）" in name or ("集团" in name and band in {"large", "enterprise"})
    assert acc["company_name"].str.startswith(tuple(acc["city"].str.removesuffix("市"))).mean() > 0.5
    assert small_zh.contacts["name"].str.contains(CJK).all()
    assert small_zh.account_managers["region"].isin(list(cities)).all()


def test_contacts_per_account(medium: Portfolio) -> None:
    acc = medium.accounts.set_index("account_id")
    c = medium.contacts
    counts = c.groupby("account_id").size().reindex(acc.index, fill_value=0)
    for band in tables.SIZE_BANDS:
        k = counts[acc["size_band"] == band.name]
        assert k.between(*band.contacts).all()
    assert counts.between(1, 5).all()
    primary = c[c["is_primary"]]
    assert primary["account_id"].is_unique and len(primary) == len(acc)
    assert (primary["role"] == "decision_maker").all()
    assert set(c["role"]) == {"decision_maker", "influencer", "buyer", "user", "gatekeeper"}
    assert c["contact_id"].is_unique


def test_products_catalogue(small: Portfolio) -> None:
    prod = small.products
    assert len(prod) == 12
    assert set(prod["category"]) == {t.category for t in tables.PRODUCT_TEMPLATES}
    assert (prod["list_price"] > 0).all()
    assert prod["margin_rate"].between(0.0, 1.0, inclusive="neither").all()
    big = generate_portfolio(20, seed=1, n_products=40).products
    assert len(big) == 40 and big["name"].is_unique
    zh = generate_portfolio(20, seed=1, locale="zh_CN").products
    assert zh["name"].str.contains(CJK).all()


def test_account_managers(medium: Portfolio) -> None:
    m = medium.account_managers
    assert len(m) == default_n_managers(2000) == 50
    assert m["capacity_hours"].between(120, 140).all()
    assert m["skill"].between(0.3, 0.95).all()
    acc = medium.accounts
    assert acc["manager_id"].isin(m["manager_id"]).all()
    # an account whose region has a manager is served by a manager of that region
    home = m.set_index("manager_id")["region"]
    covered = acc["region"].isin(set(m["region"]))
    assert (acc.loc[covered, "manager_id"].map(home) == acc.loc[covered, "region"]).all()
    load = acc["manager_id"].value_counts()
    assert load.max() <= 2 * math.ceil(len(acc) / len(m))
    assert default_n_managers(1) == 2 and default_n_managers(81) == 3


def test_allocate_seats_is_proportional() -> None:
    seats = allocate_seats(pd.Series([60, 30, 10], index=["a", "b", "c"]), 10)
    assert seats.tolist() == [6, 3, 1]


def test_lifecycle(medium: Portfolio) -> None:
    acc = medium.accounts
    as_of = pd.Timestamp("2024-01-01")
    assert set(acc["stage"]) == {"prospect", "new", "growing", "mature"}
    prospects = acc["stage"] == "prospect"
    assert acc.loc[prospects, "acquisition_date"].isna().all()
    cust = acc.loc[~prospects]
    assert cust["acquisition_date"].notna().all()
    assert (cust["acquisition_date"] < as_of).all()
    assert (cust["acquisition_date"].dt.year >= cust["founded_year"]).all()
    tenure = (as_of - cust["acquisition_date"]).dt.days
    by_stage = tenure.groupby(cust["stage"]).median()
    assert by_stage["new"] < by_stage["growing"] < by_stage["mature"]
    assert 0.05 < prospects.mean() < 0.35
    assert (acc["founded_year"] < 2024).all()


def test_traits_ranges_and_correlations(medium: Portfolio) -> None:
    acc = medium.accounts
    for col in ("credit_risk", "growth_potential", "price_sensitivity", "cooperativeness", "strategic_fit"):
        assert acc[col].between(0, 1).all(), col
    assert acc["baseline_satisfaction"].between(0, 10).all()
    risk = acc.groupby("size_band")["credit_risk"].mean()
    assert risk["small"] > risk["enterprise"]
    price = acc.groupby(acc["needs_profile"] == "price")["price_sensitivity"].mean()
    assert price[True] > price[False] + 0.1
    assert acc["cooperativeness"].corr(acc["strategic_fit"]) > 0.2
    assert (credit_rating(acc["credit_risk"].to_numpy()) == acc["credit_rating"].to_numpy()).all()


def test_credit_rating_bands() -> None:
    assert list(credit_rating(np.array([0.0005, 0.001, 0.002, 0.05, 0.1, 0.3]))) == ["AAA", "AAA", "AA", "BB", "B", "CCC"]


def test_spend_quantiles_and_potential_spend() -> None:
    rng = np.random.default_rng(0)
    q = spend_quantiles(1000, rng, lognormal_sigma=0.0, scale=10.0)
    assert np.all(np.diff(q) > 0) and q[0] >= 10.0
    spend = potential_spend(np.full(500, 10), np.ones(500), np.random.default_rng(1), size_correlation=1.0)
    assert spend.shape == (500,)
    emp = np.arange(1, 501)
    ordered = potential_spend(emp, np.ones(500), np.random.default_rng(1), size_correlation=1.0)
    assert np.all(np.diff(ordered) > 0)  # perfectly size-ordered
    with pytest.raises(ValueError, match="pareto_shape"):
        spend_quantiles(10, rng, pareto_shape=0)
    with pytest.raises(ValueError, match="employees"):
        potential_spend(np.array([0]), np.ones(1), rng)
    with pytest.raises(ValueError, match="size_correlation"):
        potential_spend(np.ones(3), np.ones(3), rng, size_correlation=1.5)


def test_name_factory() -> None:
    with pytest.raises(ValueError, match="locale"):
        NameFactory("fr_FR", 1)
    a = NameFactory("en_US", 3).person_names(5, np.random.default_rng(0))
    b = NameFactory("en_US", 3).person_names(5, np.random.default_rng(0))
    assert list(a) == list(b)
    names = _unique(lambda idx, attempt: np.array(["same"] * idx.size, dtype=object), 3, max_rounds=2)
    assert list(names) == ["same", "same (2)", "same (3)"]
    assert list(make_ids("A", 3, 5)) == ["A00001", "A00002", "A00003"]
    assert make_ids("P", 1000, 3)[-1] == "P1000"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_accounts": 0}, "n_accounts"),
        ({"n_accounts": -5}, "n_accounts"),
        ({"n_accounts": 2.5}, "n_accounts"),
        ({"n_accounts": True}, "n_accounts"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": "1"}, "seed"),
        ({"locale": "fr_FR"}, "locale"),
        ({"n_products": 0}, "n_products"),
        ({"n_managers": 0}, "n_managers"),
        ({"pareto_shape": 0.0}, "pareto_shape"),
        ({"pareto_shape": "heavy"}, "pareto_shape"),
        ({"as_of": "2024-13-40"}, "as_of"),
        ({"as_of": 20240101}, "as_of"),
    ],
)
def test_bad_input(kwargs: dict, match: str) -> None:
    args = {"n_accounts": 10, "seed": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        generate_portfolio(**args)
