"""Satisfaction surveys and NPS-style summaries (满意度调查, 净推荐值).

KAM example: every month a few key accounts answer "how satisfied are you
with us, 0-10?".  The service director wants one headline number per
quarter, per region and per account manager, and its trend over the year.

* :func:`nps_category` / :func:`nps` -- Net Promoter Score (净推荐值) style
  summary of 0-10 scores: *promoters* score 9-10, *passives* 7-8, *detractors*
  0-6; ``NPS = 100 (promoters - detractors) / answers`` in points (-100..100).
  (The original NPS asks "would you recommend us?"; kamsim applies the same
  bands to its satisfaction survey score.)
* :func:`survey_scores`, :func:`nps_table` (overall or by a column),
  :func:`satisfaction_trend` (per week / month / quarter / year).

Whether unhappy accounts really leave more often is in
:mod:`kamsim.analytics.satisfaction_churn`; how long complaints take from the
first call to the follow-up in :mod:`kamsim.analytics.complaints`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim.analytics._validation import CUSTOMER_COL, DATE_COL, MISSING, require_columns
from kamsim.analytics.io import period_ordinal, period_start

#: NPS categories, worst first.
NPS_CATEGORIES: tuple[str, ...] = ("detractor", "passive", "promoter")
#: Chinese names of the NPS categories.
NPS_CATEGORIES_ZH: dict[str, str] = {"detractor": "贬损者", "passive": "被动者", "promoter": "推荐者"}
#: Band edges of the NPS categories on the 0-10 scale: [0, 7) detractor, [7, 9) passive, [9, 10] promoter.
NPS_EDGES: tuple[float, ...] = (0.0, 7.0, 9.0, 10.0)
_TREND_FREQS = ("W", "M", "Q", "Y")


# ----------------------------------------------------------------------------- scores and NPS


def _check_scores(scores: pd.Series, what: str = "score") -> pd.Series:
    """Float scores; ``ValueError`` naming the row of the first non-numeric or out-of-range value."""
    values = pd.to_numeric(scores, errors="coerce").astype("float64")
    bad_type = values.isna() & scores.notna()
    bad_range = values.notna() & ((values < 0) | (values > 10))
    bad = bad_type | bad_range
    if bad.any():
        row = bad.to_numpy().nonzero()[0][0]
        raise ValueError(
            f"column '{what}' row {row} (index {scores.index[row]!r}): {scores.iloc[row]!r} is not a score between 0 and 10"
        )
    return values


def nps_category(scores: pd.Series | Sequence[float] | np.ndarray) -> pd.Series:
    """NPS category of each 0-10 score: 'detractor' (0-6), 'passive' (7-8) or 'promoter' (9-10).

    Non-integer scores (e.g. an average) are banded by the same edges:
    below 7 detractor, from 7 to below 9 passive, 9 and above promoter.
    Missing scores give a missing category.

    Returns
    -------
    Series
        Ordered categorical with categories :data:`NPS_CATEGORIES`, same index as ``scores``.

    Raises
    ------
    ValueError
        If a score is not a number in [0, 10].
    """
    return satisfaction_band(scores, bins=NPS_EDGES, labels=NPS_CATEGORIES)


def satisfaction_band(
    scores: pd.Series | Sequence[float] | np.ndarray,
    bins: Sequence[float] = NPS_EDGES,
    labels: Sequence[str] | None = None,
) -> pd.Series:
    """Band 0-10 scores by ``bins``: ``[b0, b1), [b1, b2), ..., [b_{k-1}, b_k]`` (last band closed).

    Parameters
    ----------
    scores
        Scores on the 0-10 scale (points).
    bins
        Increasing band edges covering the scores, default :data:`NPS_EDGES`.
    labels
        One label per band; default ``"b0-b1"`` text such as ``"0-7"``.

    Returns
    -------
    Series
        Ordered categorical, same index as ``scores`` (a RangeIndex for non-Series input).
    """
    s = scores if isinstance(scores, pd.Series) else pd.Series(np.asarray(scores, dtype="float64"))
    values = _check_scores(s, str(s.name) if s.name is not None else "score")
    edges = np.asarray(bins, dtype="float64")
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"bins must be at least two increasing edges, got {list(bins)}")
    if labels is None:
        labels = [f"{_fmt(a)}-{_fmt(b)}" for a, b in zip(edges[:-1], edges[1:])]
    labels = [str(x) for x in labels]
    if len(labels) != len(edges) - 1:
        raise ValueError(f"labels: need {len(edges) - 1} labels for {len(edges)} bin edges, got {len(labels)}")
    outside = values.notna() & ((values < edges[0]) | (values > edges[-1]))
    if outside.any():
        row = outside.to_numpy().nonzero()[0][0]
        raise ValueError(f"score {values.iloc[row]} (row {row}) is outside the bins [{edges[0]}, {edges[-1]}]")
    code = np.clip(np.searchsorted(edges, values.fillna(edges[0]).to_numpy(), side="right") - 1, 0, len(labels) - 1)
    code = np.where(values.isna().to_numpy(), -1, code)
    cat = pd.Categorical.from_codes(code, categories=labels, ordered=True)
    return pd.Series(cat, index=s.index, name="band")


def _fmt(x: float) -> str:
    return f"{x:g}"


def nps(scores: pd.Series | Sequence[float] | np.ndarray) -> float:
    """Net Promoter Score of 0-10 scores: ``100 (promoters - detractors) / answers``, in points.

    Missing scores are ignored.  Returns NaN when there is no score.

    Examples
    --------
    >>> nps([10, 9, 8, 7, 6])      # 2 promoters, 2 passives, 1 detractor of 5 answers
    20.0
    """
    cat = nps_category(scores).dropna()
    if len(cat) == 0:
        return float("nan")
    return float(100.0 * ((cat == "promoter").mean() - (cat == "detractor").mean()))


def _survey_rows(events: pd.DataFrame, customer_col: str, date_col: str, score_col: str) -> pd.DataFrame:
    """The survey rows of ``events`` with a score, dates parsed, sorted by date (stable)."""
    require_columns(events, (customer_col, date_col, score_col), "events", verb=MISSING, first=True)
    rows = events
    if "event_type" in events.columns:
        rows = events[(events["event_type"] == "survey").fillna(False).to_numpy(dtype=bool)]
    rows = rows[rows[score_col].notna().to_numpy()].copy()
    rows[date_col] = pd.to_datetime(rows[date_col])
    return rows.sort_values(date_col, kind="stable").reset_index(drop=True)


def survey_scores(
    events: pd.DataFrame,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    score_col: str = "score",
) -> pd.DataFrame:
    """Survey answers of an ``events`` log: columns ``account_id, date, score``, sorted by date.

    With an ``event_type`` column only ``survey`` rows are used; otherwise every
    row with a score (an external survey export).  Rows without a score are dropped.

    Raises
    ------
    ValueError
        If a column is missing or a score is not a number in [0, 10] (names the row).
    """
    rows = _survey_rows(events, customer_col, date_col, score_col)
    return pd.DataFrame(
        {
            "account_id": rows[customer_col].astype("string").to_numpy(),
            "date": rows[date_col].to_numpy(dtype="datetime64[ns]"),
            "score": _check_scores(rows[score_col], score_col).to_numpy(),
        }
    )


def _summary(scores: pd.Series, keys: list[pd.Series] | None) -> pd.DataFrame:
    """responses, counts and shares per category, mean score and NPS, per group of ``keys``."""
    cat = nps_category(scores)
    frame = pd.DataFrame({"score": scores.to_numpy()})
    for name in NPS_CATEGORIES:
        frame[name] = (cat == name).to_numpy().astype("int64")
    if keys:
        key_frame = pd.DataFrame({k.name: k.to_numpy() for k in keys})
        grouped = pd.concat([key_frame, frame], axis=1).groupby([k.name for k in keys], sort=True, observed=True)
        out = grouped.agg(
            responses=("score", "size"),
            promoters=("promoter", "sum"),
            passives=("passive", "sum"),
            detractors=("detractor", "sum"),
            mean_score=("score", "mean"),
        ).reset_index()
    else:
        out = pd.DataFrame(
            {
                "responses": [len(frame)],
                "promoters": [int(frame["promoter"].sum())],
                "passives": [int(frame["passive"].sum())],
                "detractors": [int(frame["detractor"].sum())],
                "mean_score": [frame["score"].mean() if len(frame) else np.nan],
            }
        )
    n = out["responses"].astype("float64").replace(0.0, np.nan)
    out["share_promoters"] = out["promoters"] / n
    out["share_passives"] = out["passives"] / n
    out["share_detractors"] = out["detractors"] / n
    out["nps"] = 100.0 * (out["share_promoters"] - out["share_detractors"])
    return out


def nps_table(
    events: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    accounts: pd.DataFrame | None = None,
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    score_col: str = "score",
) -> pd.DataFrame:
    """NPS summary of the survey answers, overall or per group.

    Parameters
    ----------
    events
        kamsim ``events`` log (``survey`` rows) or a table of answers (customer, date, score).
    by
        ``None`` (one row for all answers) or column name(s) of ``accounts`` (e.g. ``"industry"``,
        ``"region"``) or of the survey rows of ``events`` (e.g. ``"manager_id"``).
    accounts
        Customer file joined on ``account_id`` when ``by`` names one of its columns.
        Answers whose group value is missing are left out of the grouped table.

    Returns
    -------
    DataFrame
        ``[by...,] responses, promoters, passives, detractors, mean_score (0-10),
        share_promoters, share_passives, share_detractors (0-1), nps (points, -100..100)``.
    """
    rows = _survey_rows(events, customer_col, date_col, score_col)
    scores = _check_scores(rows[score_col], score_col)
    if by is None:
        return _summary(scores, None)
    names = [by] if isinstance(by, str) else list(by)
    keys = []
    for name in names:
        if accounts is not None and name in accounts.columns:
            lookup = accounts.set_index(accounts["account_id"].astype("string"))[name]
            values = lookup.reindex(rows[customer_col].astype("string").to_numpy())
        elif name in rows.columns:
            values = rows[name]
        else:
            where = "events" + (" or accounts" if accounts is not None else " (pass accounts= to group by an account column)")
            raise ValueError(f"by: no column '{name}' in {where}")
        keys.append(pd.Series(np.asarray(values.to_numpy(), dtype=object), name=name))
    return _summary(scores, keys)


def satisfaction_trend(
    events: pd.DataFrame,
    freq: str = "M",
    customer_col: str = CUSTOMER_COL,
    date_col: str = DATE_COL,
    score_col: str = "score",
) -> pd.DataFrame:
    """Survey answers per period: the NPS summary of :func:`nps_table` for each week, month, quarter or year.

    Parameters
    ----------
    freq
        ``"W"`` (weeks from Monday), ``"M"``, ``"Q"`` or ``"Y"``.

    Returns
    -------
    DataFrame
        ``period`` (first day of the period) and the columns of :func:`nps_table`; periods
        without answers inside the observed range are present with ``responses == 0`` and NaN
        score columns.
    """
    if freq not in _TREND_FREQS:
        raise ValueError(f"freq must be one of {_TREND_FREQS}, got {freq!r}")
    answers = survey_scores(events, customer_col, date_col, score_col)
    if len(answers) == 0:
        empty = _summary(answers["score"], [pd.Series([], dtype=object, name="period")])
        empty["period"] = pd.Series([], dtype="datetime64[ns]")
        return empty
    ordinal = period_ordinal(answers["date"], freq)
    table = _summary(answers["score"], [pd.Series(ordinal, name="period")])
    full = pd.DataFrame({"period": np.arange(ordinal.min(), ordinal.max() + 1, dtype="int64")})
    table = full.merge(table.astype({"period": "int64"}), on="period", how="left")
    for col in ("responses", "promoters", "passives", "detractors"):
        table[col] = table[col].fillna(0).astype("int64")
    table["period"] = period_start(table["period"].to_numpy(), freq)
    return table
