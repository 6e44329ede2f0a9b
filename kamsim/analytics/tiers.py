"""Account tiers: value x potential, the KAM portfolio matrix and the five-criteria screening scorecard.

KAM example: of 500 customers, which deserve a key-account manager?  Three
classic tools from the course answer it:

* :func:`value_potential_tiers` -- current value x future potential gives
  core / important / general accounts (核心 / 重要 / 一般客户).
* :func:`kam_matrix` -- customer attractiveness x our relative position gives
  the four quadrants of the KAM portfolio matrix.
* :func:`screening_scorecard` -- five screening criteria (annual purchase,
  profitability, credit safety, potential, cooperativeness; 年采购额、盈利性、
  信用安全、发展潜力、合作意愿) scored 0-100 and weighted into a total.

All three return objects indexed like their input, so they can be joined to
the accounts table.  kamsim's segmentation policies call them directly.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kamsim.analytics.concentration import abc_classes

#: Tier labels of :func:`value_potential_tiers` with Chinese names.
TIERS_ZH: dict[str, str] = {"core": "核心客户", "important": "重要客户", "general": "一般客户"}

#: Quadrant labels of :func:`kam_matrix` with Chinese names.
QUADRANTS_ZH: dict[str, str] = {
    "strategic": "战略客户",
    "develop": "发展客户",
    "maintain": "维持客户",
    "streamline": "精简客户",
}

#: Screening criteria and the columns tried for each, in order: (column, higher_is_better).
DEFAULT_CRITERIA: dict[str, tuple[tuple[str, bool], ...]] = {
    "annual_purchase": (("annual_purchase", True), ("revenue_12m", True), ("annual_potential_spend", True)),
    "profitability": (("profitability", True), ("margin_12m", True), ("price_sensitivity", False)),
    "credit_safety": (("credit_safety", True), ("credit_risk", False)),
    "potential": (("potential", True), ("growth_potential", True)),
    "cooperativeness": (("cooperativeness", True), ("strategic_fit", True)),
}


def _as_series(x: pd.Series | np.ndarray | list, name: str) -> pd.Series:
    s = x if isinstance(x, pd.Series) else pd.Series(np.asarray(x))
    s = pd.to_numeric(s, errors="coerce").astype("float64")
    bad = s.isna().to_numpy()
    if bad.any():
        raise ValueError(f"{name}: row {s.index[bad][0]!r} is missing or not a number")
    return s


def _check_same_index(a: pd.Series, b: pd.Series, names: tuple[str, str]) -> None:
    if len(a) != len(b) or not a.index.equals(b.index):
        raise ValueError(f"{names[0]} and {names[1]} must have the same index (one value per account)")


def value_potential_tiers(
    value: pd.Series,
    potential: pd.Series,
    value_cut: float = 0.8,
    potential_cut: float = 0.5,
    *,
    value_rule: str = "share",
) -> pd.Series:
    """Tier per account from current value and future potential.

    An account has *high value* when (``value_rule="share"``, default) it is
    among the largest accounts that together hold the first ``value_cut``
    share of total value -- the 'A' class of
    :func:`~kamsim.analytics.concentration.abc_classes` with threshold
    ``value_cut`` -- or (``value_rule="quantile"``) when its value is at or
    above the ``value_cut`` quantile.  It has *high potential* when its
    potential is at or above the ``potential_cut`` quantile (default median).

    * ``core`` (核心) -- high value and high potential;
    * ``important`` (重要) -- high on exactly one of the two;
    * ``general`` (一般) -- high on neither.

    Parameters
    ----------
    value
        Current value per account (e.g. revenue of the last 12 months, CU), >= 0.
    potential
        Potential per account (e.g. ``growth_potential`` 0-1 or headroom in CU).
    value_cut, potential_cut
        Cuts in (0, 1) as described above.

    Returns
    -------
    Series
        ``'core' | 'important' | 'general'`` (dtype string), index of ``value``, name ``tier``.
    """
    v = _as_series(value, "value")
    p = _as_series(potential, "potential")
    _check_same_index(v, p, ("value", "potential"))
    for name, cut in (("value_cut", value_cut), ("potential_cut", potential_cut)):
        if not 0 < cut < 1:
            raise ValueError(f"{name} must be in (0, 1), got {cut}")
    if len(v) == 0:
        return pd.Series([], index=v.index, dtype="string", name="tier")
    if value_rule == "share":
        high_v = (abc_classes(v, thresholds=(value_cut, 1.0)) == "A").to_numpy()
    elif value_rule == "quantile":
        high_v = (v >= v.quantile(value_cut)).to_numpy()
    else:
        raise ValueError(f"value_rule must be 'share' or 'quantile', got {value_rule!r}")
    high_p = (p >= p.quantile(potential_cut)).to_numpy()
    n_high = high_v.astype(int) + high_p.astype(int)
    labels = np.array(["general", "important", "core"])[n_high]
    return pd.Series(labels, index=v.index, dtype="string", name="tier")


def kam_matrix(
    attractiveness: pd.Series,
    position: pd.Series,
    attractiveness_cut: float | None = None,
    position_cut: float | None = None,
) -> pd.Series:
    """Quadrant of the KAM portfolio matrix per account.

    Axes: customer attractiveness (how attractive the account is to us) and
    our relative position with it (how strong we are versus competitors).
    A value at or above its cut is "high"; the default cut is the median.

    =============  ===============  =================================================
    attractiveness position         quadrant (action)
    =============  ===============  =================================================
    high           high             ``strategic`` -- invest, joint planning (战略)
    high           low              ``develop`` -- build position selectively (发展)
    low            high             ``maintain`` -- serve efficiently, keep (维持)
    low            low              ``streamline`` -- reduce cost to serve (精简)
    =============  ===============  =================================================

    Returns
    -------
    Series
        Quadrant labels (dtype string), index of ``attractiveness``, name ``quadrant``.
    """
    a = _as_series(attractiveness, "attractiveness")
    p = _as_series(position, "position")
    _check_same_index(a, p, ("attractiveness", "position"))
    if len(a) == 0:
        return pd.Series([], index=a.index, dtype="string", name="quadrant")
    a_cut = a.median() if attractiveness_cut is None else float(attractiveness_cut)
    p_cut = p.median() if position_cut is None else float(position_cut)
    hi_a = (a >= a_cut).to_numpy()
    hi_p = (p >= p_cut).to_numpy()
    labels = np.select([hi_a & hi_p, hi_a, hi_p], ["strategic", "develop", "maintain"], default="streamline")
    return pd.Series(labels, index=a.index, dtype="string", name="quadrant")


def _resolve_criteria(
    accounts: pd.DataFrame, criteria: Mapping[str, str | tuple[str, bool]] | None
) -> dict[str, tuple[str, bool]]:
    given = dict(criteria or {})
    unknown = sorted(set(given) - set(DEFAULT_CRITERIA))
    if unknown:
        raise ValueError(f"criteria: unknown criterion {unknown}; known: {list(DEFAULT_CRITERIA)}")
    out: dict[str, tuple[str, bool]] = {}
    for name, candidates in DEFAULT_CRITERIA.items():
        if name in given:
            spec = given[name]
            col, higher = (spec, True) if isinstance(spec, str) else (spec[0], bool(spec[1]))
            if col not in accounts.columns:
                raise ValueError(f"criteria: column '{col}' for criterion '{name}' is not in accounts")
            out[name] = (col, higher)
            continue
        found = [(c, h) for c, h in candidates if c in accounts.columns]
        if not found:
            raise ValueError(
                f"screening_scorecard: no column for criterion '{name}'; expected one of "
                f"{[c for c, _ in candidates]} or pass criteria={{'{name}': 'your_column'}}"
            )
        out[name] = found[0]
    return out


def screening_scorecard(
    accounts: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    criteria: Mapping[str, str | tuple[str, bool]] | None = None,
    pass_score: float = 60.0,
) -> pd.DataFrame:
    """Five-criteria screening of candidate key accounts (重点客户筛选).

    Each criterion gets a percentile score ``100 * (rank - 1) / (n - 1)``
    (average ranks for ties; best account 100, worst 0; a single account
    scores 100).  For "lower is better" columns (e.g. ``credit_risk``) the
    ranking is reversed.  ``total = sum(w_k * score_k)`` with the weights
    normalised to sum to 1 (default equal weights, 0.2 each);
    ``passed = total >= pass_score``.

    Columns used by default (first present wins; see :data:`DEFAULT_CRITERIA`):
    annual purchase <- ``annual_purchase`` / ``revenue_12m`` /
    ``annual_potential_spend``; profitability <- ``profitability`` /
    ``margin_12m`` / low ``price_sensitivity``; credit safety <-
    ``credit_safety`` / low ``credit_risk``; potential <- ``potential`` /
    ``growth_potential``; cooperativeness <- ``cooperativeness`` /
    ``strategic_fit``.

    Parameters
    ----------
    accounts
        One row per account.  If it has an ``account_id`` column that becomes
        the index of the result, otherwise its index is kept.
    weights
        Criterion -> weight (>= 0, not all 0); missing criteria get weight 0
        when a dict is given.
    criteria
        Criterion -> column name or ``(column, higher_is_better)``.
    pass_score
        Pass mark for ``total`` (0-100).

    Returns
    -------
    DataFrame
        ``score_annual_purchase, score_profitability, score_credit_safety,
        score_potential, score_cooperativeness`` (0-100), ``total`` (0-100),
        ``rank`` (1 = best total, ties share the lowest rank) and ``passed`` (bool).
    """
    names = list(DEFAULT_CRITERIA)
    if weights is None:
        w = dict.fromkeys(names, 1.0)
    else:
        unknown = sorted(set(weights) - set(names))
        if unknown:
            raise ValueError(f"weights: unknown criterion {unknown}; known: {names}")
        w = {k: float(weights.get(k, 0.0)) for k in names}
        bad = [k for k, x in w.items() if not np.isfinite(x) or x < 0]
        if bad:
            raise ValueError(f"weights: criterion {bad[0]!r} has invalid weight {w[bad[0]]}; weights must be >= 0")
    total_w = sum(w.values())
    if total_w <= 0:
        raise ValueError("weights: at least one weight must be positive")
    cols = _resolve_criteria(accounts, criteria)
    index = pd.Index(accounts["account_id"], name="account_id") if "account_id" in accounts.columns else accounts.index
    n = len(accounts)
    out = pd.DataFrame(index=index)
    total = np.zeros(n)
    for name in names:
        col, higher = cols[name]
        x = pd.to_numeric(accounts[col], errors="coerce").astype("float64")
        bad = x.isna().to_numpy()
        if bad.any():
            raise ValueError(f"screening_scorecard: column '{col}' row {accounts.index[bad][0]!r} is missing or not a number")
        ranks = (x if higher else -x).rank(method="average").to_numpy()
        score = 100.0 * (ranks - 1.0) / (n - 1.0) if n > 1 else np.full(n, 100.0)
        out[f"score_{name}"] = score
        total += w[name] / total_w * score
    out["total"] = total
    out["rank"] = pd.Series(-total).rank(method="min").to_numpy().astype("int64")
    out["passed"] = total >= pass_score - 1e-9
    return out
