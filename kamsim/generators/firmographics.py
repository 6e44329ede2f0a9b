"""Firmographics (企业画像): industry, size, region, city, age and names of accounts.

A KAM team's customer file starts with who the customer is: "a 600-person
electronics maker in Suzhou, founded 1998".  :func:`draw_firmographics` draws
those facts from kamsim's curated tables (:mod:`kamsim.generators.tables`), so
larger firms are more common in capital-heavy industries and regions follow
their economic weight.

Names come from Faker, seeded per instance (``seed_instance``) from a kamsim
random stream; Faker is only asked for name *parts* (a fixed-size pool of
surnames, given names and English company suffixes), and the parts are combined
with numpy.  Chinese company names are composed from kamsim's curated word
tables instead (:mod:`kamsim.generators.company_names_zh`: city, trade name,
a word of the account's industry, legal form).  This is fast (10,000 companies in well
under a second) and the output depends only on the seed and Faker's pinned
version, never on the portfolio size.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from faker import Faker

from kamsim.generators import tables
from kamsim.generators.company_names_zh import zh_company_composer

#: Number of Faker draws per name-part pool (independent of the portfolio size).
POOL_SIZE = 1200


def _normalise(weights: np.ndarray | list[float] | tuple[float, ...]) -> np.ndarray:
    w = np.asarray(weights, dtype="float64")
    return w / w.sum()


def _draw_rows(prob: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each i draw a column index from the categorical distribution ``prob[rows[i]]`` (vectorised)."""
    cum = np.cumsum(prob, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(rows.size)
    return (u[:, None] >= cum[rows]).sum(axis=1)


def size_band_probabilities() -> np.ndarray:
    """P(size band | industry): rows follow :data:`tables.INDUSTRIES`, columns :data:`tables.SIZE_BANDS`.

    The base band shares are tilted by each industry's ``size_tilt``
    (log-odds per band step, centred on the middle of the bands).
    """
    base = np.array([b.weight for b in tables.SIZE_BANDS])
    steps = np.arange(len(tables.SIZE_BANDS)) - (len(tables.SIZE_BANDS) - 1) / 2
    tilt = np.array([i.size_tilt for i in tables.INDUSTRIES])
    w = base[None, :] * np.exp(tilt[:, None] * steps[None, :])
    return w / w.sum(axis=1, keepdims=True)


def draw_firmographics(n: int, locale: str, rng: np.random.Generator, as_of_year: int) -> pd.DataFrame:
    """Draw industry, size band, employees, region, city and founding year for ``n`` accounts.

    Parameters
    ----------
    n
        Number of accounts.
    locale
        ``"en_US"`` (US states) or ``"zh_CN"`` (Chinese provinces, names in Chinese).
    rng
        The generator's ``firmographics`` stream.
    as_of_year
        Calendar year of the portfolio date; founding years are at least one year earlier.

    Returns
    -------
    pandas.DataFrame
        Columns ``industry, size_band, employees, region, city, founded_year``.
    """
    industries = tables.INDUSTRIES
    ind = rng.choice(len(industries), size=n, p=_normalise([i.weight for i in industries]))
    band = _draw_rows(size_band_probabilities(), ind, rng)

    lo = np.array([b.min_employees for b in tables.SIZE_BANDS], dtype="float64")[band]
    hi = np.array([b.max_employees for b in tables.SIZE_BANDS], dtype="float64")[band]
    # log-uniform within the band: small firms within a band are more common than large ones
    employees = np.floor(np.exp(np.log(lo) + rng.random(n) * (np.log(hi + 1) - np.log(lo)))).astype("int64")
    employees = np.clip(employees, lo.astype("int64"), hi.astype("int64"))

    regions = tables.REGIONS[locale]
    reg = rng.choice(len(regions), size=n, p=_normalise([r.weight for r in regions]))
    n_cities = max(len(r.cities) for r in regions)
    city_prob = np.zeros((len(regions), n_cities))
    for k, r in enumerate(regions):
        city_prob[k, : len(r.cities)] = _normalise(tables.CITY_WEIGHTS[: len(r.cities)])
    city_idx = _draw_rows(city_prob, reg, rng)
    city_names = np.array([[*r.cities, *([""] * (n_cities - len(r.cities)))] for r in regions], dtype=object)

    median_age = np.array([b.median_age_years for b in tables.SIZE_BANDS])[band]
    age = np.rint(median_age * np.exp(0.6 * rng.standard_normal(n)))
    age = np.clip(age, 1, as_of_year - 1800).astype("int64")

    return pd.DataFrame(
        {
            "industry": np.array([i.code for i in industries], dtype=object)[ind],
            "size_band": np.array(tables.size_band_names(), dtype=object)[band],
            "employees": employees,
            "region": np.array([r.name for r in regions], dtype=object)[reg],
            "city": city_names[reg, city_idx],
            "founded_year": as_of_year - age,
        }
    )


def _unique(compose: Callable[[np.ndarray, int], np.ndarray], n: int, max_rounds: int = 30) -> np.ndarray:
    """Call ``compose(index, round)`` until all ``n`` names are unique.

    ``compose`` returns names for the positions in ``index``; duplicates (all
    but the first occurrence) are redrawn with the next round number.  Names
    still duplicated after ``max_rounds`` get a numeric suffix.
    """
    names = compose(np.arange(n), 0).astype(object)
    for attempt in range(1, max_rounds + 1):
        dup = pd.Series(names).duplicated().to_numpy()
        if not dup.any():
            return names
        idx = np.flatnonzero(dup)
        names[idx] = compose(idx, attempt)
    dup = np.flatnonzero(pd.Series(names).duplicated().to_numpy())
    for k, i in enumerate(dup, start=2):
        names[i] = f"{names[i]} ({k})"
    return names


class NameFactory:
    """Display names for companies and people from a seeded Faker instance.

    Parameters
    ----------
    locale
        ``"en_US"`` or ``"zh_CN"``.
    seed
        Seed for ``Faker.seed_instance``; draw it from a kamsim stream.

    The pools are built in the constructor in a fixed order, so names depend
    only on ``seed`` and on the numpy generator passed to each method.
    """

    def __init__(self, locale: str, seed: int) -> None:
        if locale not in tables.LOCALES:
            raise ValueError(f"locale must be one of {list(tables.LOCALES)}, got {locale!r}")
        self.locale = locale
        fake = Faker(locale)
        fake.seed_instance(int(seed))
        self._last = np.array([fake.last_name() for _ in range(POOL_SIZE)], dtype=object)
        self._first = np.array([fake.first_name() for _ in range(POOL_SIZE)], dtype=object)
        if locale == "zh_CN":  # company names from curated tables (company_names_zh), no Faker suffixes
            self._suffix = np.array([], dtype=object)
        else:
            self._suffix = np.array([fake.company_suffix() for _ in range(POOL_SIZE // 4)], dtype=object)

    def person_names(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` person names ("First Last" for en_US, "姓名" for zh_CN); not necessarily unique."""
        first = self._first[rng.integers(0, self._first.size, n)]
        last = self._last[rng.integers(0, self._last.size, n)]
        if self.locale == "zh_CN":
            return (last + first).astype(object)
        return (first + " " + last).astype(object)

    def company_names(
        self,
        cities: np.ndarray,
        industries: np.ndarray,
        rng: np.random.Generator,
        size_bands: np.ndarray | None = None,
    ) -> np.ndarray:
        """Unique company names, one per account.

        en_US follows Faker's formats ("Lee Inc", "Lee-Park", "Lee, Park and
        Diaz").  zh_CN follows the registered pattern 城市 + 字号 + 行业 + 组织形式,
        e.g. 苏州华远精密机械有限公司, 瑞丰医药（苏州）有限公司 or, for a large group,
        瑞丰医药集团股份有限公司: the industry word fits the account's industry and the
        legal form its size band (:mod:`kamsim.generators.company_names_zh`).

        Parameters
        ----------
        cities, industries
            City and industry code per account.
        rng
            The generator's ``company_names`` stream.
        size_bands
            Size band per account (zh_CN legal forms); default ``"medium"`` for every account.
        """
        cities = np.asarray(cities, dtype=object)
        n = cities.size
        if self.locale == "zh_CN":
            bands = np.full(n, "medium", dtype=object) if size_bands is None else np.asarray(size_bands, dtype=object)
            if bands.size != n:
                raise ValueError(f"size_bands: {bands.size} values for {n} cities")
            return _unique(zh_company_composer(cities, np.asarray(industries, dtype=object), bands, rng), n)
        return _unique(self._en_composer(rng), n)

    def _en_composer(self, rng: np.random.Generator) -> Callable[[np.ndarray, int], np.ndarray]:
        last, suffix = self._last, self._suffix

        def compose(idx: np.ndarray, attempt: int) -> np.ndarray:
            k = idx.size
            fmt = rng.choice(3, size=k, p=[0.45, 0.35, 0.20])
            a, b, c = (last[rng.integers(0, last.size, k)] for _ in range(3))
            s = suffix[rng.integers(0, suffix.size, k)]
            return np.where(fmt == 0, a + " " + s, np.where(fmt == 1, a + "-" + b, a + ", " + b + " and " + c))

        return compose
