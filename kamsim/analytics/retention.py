"""Retention by a measure: do the accounts we call on more often stay with us longer?

KAM example: the key-account director suspects that accounts with frequent
visits and regular business reviews churn less.  Split the log in two: in an
*observation window* measure each customer's contact frequency (or its
relationship depth); in the *outcome window* after it see who was lost.  Then
compare the churn rate of the low-contact and the high-contact accounts.

* :func:`stage_at`, :func:`later_churn` -- who was a customer at the start of
  an observation window, and who was lost in the outcome window after it;
* :func:`retention_by` / :func:`retention_by_contact` -- churn and retention
  rates by bins of a measure, with Wilson confidence intervals
  (:func:`wilson_interval`).

Windows are kamsim month indices (history months are negative); contact
frequency comes from :func:`kamsim.analytics.relationships.contact_frequency`.

Observational data only show association: in the shipped history every
account was served under the same equal-hours policy, so contact frequency
hardly varies and cannot reveal its own effect -- that is what the
simulation experiments are for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kamsim.analytics._common import in_window, month_window
from kamsim.analytics._validation import require_columns
from kamsim.analytics.relationships import contact_frequency
from kamsim.vocabulary import CUSTOMER_STAGES


# ----------------------------------------------------------------------------- stages and later churn


def stage_at(events: pd.DataFrame, final_stage: pd.Series, month: int) -> pd.Series:
    """Stage of every account at the start of ``month``, reconstructed from the log's stage changes.

    Parameters
    ----------
    events : DataFrame
        Activity log with ``stage_change`` rows (``account_id, month, event_id,
        event_type, stage_from, stage_to``).
    final_stage : Series
        Stage after the last month of the log, indexed by ``account_id`` (for a
        shipped portfolio: ``accounts.set_index("account_id")["stage"]``).
    month : int
        Month index.

    Returns
    -------
    Series
        Index as ``final_stage``: ``stage_from`` of the account's first stage change
        in or after ``month``, or ``final_stage`` if it has none.
    """
    require_columns(events, ["account_id", "month", "event_id", "event_type", "stage_from"], "events", check_type=True)
    changes = events[(events["event_type"] == "stage_change") & (events["month"] >= month)]
    first = changes.sort_values(["month", "event_id"]).drop_duplicates("account_id", keep="first")
    before = pd.Series(
        first["stage_from"].astype("string").to_numpy(), index=first["account_id"].astype("string").to_numpy()
    )
    stage = final_stage.astype("string").copy()
    stage.index = stage.index.astype("string")
    hit = stage.index.isin(before.index)
    stage[hit] = before.reindex(stage.index[hit]).to_numpy()
    stage.name = "stage"
    return stage


def later_churn(
    events: pd.DataFrame, accounts: pd.DataFrame, *, observe: int = 12, outcome: int = 12
) -> pd.DataFrame:
    """Customers of an observation window and whether they were lost in the outcome window after it.

    The last ``outcome`` months of the log are the outcome window, the
    ``observe`` months before them the observation window.  The population is
    every account that was a customer (stage in :data:`CUSTOMER_STAGES`) at the
    start of the observation window and was not lost during it.

    Returns
    -------
    DataFrame
        Index ``account_id`` (the population); columns ``stage_at_start`` and
        ``churned`` (bool: a stage change to ``lost`` in the outcome window).
        ``df.attrs["observe"]`` and ``df.attrs["outcome"]`` hold the two windows
        as ``(first, last)`` months.
    """
    require_columns(accounts, ["account_id", "stage"], "accounts", check_type=True)
    require_columns(events, ["account_id", "month", "event_type", "stage_to"], "events", check_type=True)
    for name, value in (("observe", observe), ("outcome", outcome)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name}: expected a number of months >= 1, got {value!r}")
    _, last = month_window(events, None)
    out_win = (last - outcome + 1, last)
    obs_win = (out_win[0] - observe, out_win[0] - 1)
    final = accounts.set_index(accounts["account_id"].astype("string"))["stage"]
    start = stage_at(events, final, obs_win[0])
    lost = events[(events["event_type"] == "stage_change") & (events["stage_to"] == "lost")]
    lost_obs = set(in_window(lost, obs_win)["account_id"].astype("string"))
    lost_out = set(in_window(lost, out_win)["account_id"].astype("string"))
    keep = start.isin(list(CUSTOMER_STAGES)).to_numpy() & ~start.index.isin(list(lost_obs))
    pop = start[keep]
    table = pd.DataFrame(
        {"stage_at_start": pop.to_numpy(), "churned": pop.index.isin(list(lost_out))},
        index=pd.Index(pop.index, name="account_id"),
    )
    table.attrs["observe"] = obs_win
    table.attrs["outcome"] = out_win
    return table


# ----------------------------------------------------------------------------- retention by bins


def _groups(values: pd.Series, bins: int | Sequence[float]) -> pd.Series:
    """Group label per row: ``Q1..Qk`` equal-count groups, or ``[a, b)`` intervals of the given edges."""
    if isinstance(bins, int | np.integer) and not isinstance(bins, bool):
        k = int(bins)
        if k < 1:
            raise ValueError(f"bins: expected a number of groups >= 1 or a list of edges, got {bins!r}")
        n = len(values)
        order = np.lexsort((np.arange(n), values.to_numpy()))  # by value, ties by position
        group = np.empty(n, dtype="int64")
        group[order] = np.arange(n) * k // max(n, 1) + 1
        labels = [f"Q{g}" for g in range(1, k + 1)]
        return pd.Series(pd.Categorical([labels[g - 1] for g in group], categories=labels), index=values.index)
    edges = [float(e) for e in bins]
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError(f"bins: edges must be at least two strictly increasing numbers, got {list(bins)!r}")
    outside = (values < edges[0]) | (values > edges[-1])
    if outside.any():
        row = values.index[outside.to_numpy()][0]
        raise ValueError(f"bins: value {values[row]!r} of row {row!r} is outside the edges [{edges[0]}, {edges[-1]}]")
    labels = [f"[{a:g}, {b:g})" for a, b in zip(edges[:-1], edges[1:])]
    labels[-1] = labels[-1][:-1] + "]"
    codes = np.clip(np.searchsorted(edges, values.to_numpy(), side="right") - 1, 0, len(labels) - 1)
    return pd.Series(pd.Categorical([labels[c] for c in codes], categories=labels), index=values.index)


def wilson_interval(successes: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``successes / n`` (NaN where ``n == 0``)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    s = np.asarray(successes, dtype="float64")
    n = np.asarray(n, dtype="float64")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def retention_by(
    values: pd.Series, churned: pd.Series, bins: int | Sequence[float] = 4, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Churn and retention rate per bin of a measure (e.g. contacts per month, depth index).

    Parameters
    ----------
    values : Series
        The measure per account (index ``account_id``; no missing values).
    churned : Series of bool
        Whether each account was lost, same index as ``values``.
    bins : int or sequence of float
        An int ``k``: ``k`` groups of (nearly) equal size ``Q1`` (lowest) .. ``Qk``;
        the account at position ``i`` (0-based) in ascending order of value, ties
        in the order of ``values``, goes to group ``i * k // n + 1``.  A
        sequence: bin edges, intervals ``[a, b)`` (the last one closed).
    confidence : float
        Level of the Wilson interval of the retention rate.

    Returns
    -------
    DataFrame
        One row per bin: ``group``, ``low``/``high``/``mean_value`` (of the measure in
        the bin), ``accounts``, ``churned``, ``churn_rate``, ``retention_rate``,
        ``ci_low``, ``ci_high`` (retention rate interval).
    """
    if not isinstance(values, pd.Series) or not isinstance(churned, pd.Series):
        raise ValueError("values and churned must be pandas Series indexed by account_id")
    if len(values) != len(churned) or not values.index.equals(churned.index):
        raise ValueError("values and churned must have the same index (one row per account)")
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    if v.isna().any():
        row = v.index[v.isna().to_numpy()][0]
        raise ValueError(f"values: row {row!r} is missing or not a number")
    lost = churned.astype(bool)
    group = _groups(v, bins)
    frame = pd.DataFrame({"group": group, "value": v, "churned": lost})
    table = frame.groupby("group", observed=False).agg(
        low=("value", "min"), high=("value", "max"), mean_value=("value", "mean"),
        accounts=("value", "size"), churned=("churned", "sum"),
    ).reset_index()  # fmt: skip
    table["group"] = table["group"].astype("string")
    table["churned"] = table["churned"].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["churn_rate"] = table["churned"] / table["accounts"]
    table["retention_rate"] = 1.0 - table["churn_rate"]
    lo, hi = wilson_interval(table["accounts"] - table["churned"], table["accounts"], confidence)
    table["ci_low"], table["ci_high"] = lo, hi
    return table


def retention_by_contact(
    events: pd.DataFrame,
    accounts: pd.DataFrame,
    bins: int | Sequence[float] = 4,
    *,
    observe: int = 12,
    outcome: int = 12,
    measure: str = "contacts_per_month",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Retention in the outcome window by contact frequency in the observation window before it.

    Population and windows as in :func:`later_churn`; contact frequency from
    :func:`contact_frequency` over the observation window (accounts without an
    interaction count 0); table as in :func:`retention_by`.

    Parameters
    ----------
    measure : str
        Column of :func:`contact_frequency` to bin: ``contacts_per_month`` or
        ``hours_per_month`` (or any other of its columns).
    """
    churn = later_churn(events, accounts, observe=observe, outcome=outcome)
    freq = contact_frequency(events, churn.attrs["observe"], accounts=churn.index)
    if measure not in freq.columns:
        raise ValueError(f"measure: {measure!r} is not a column of contact_frequency; use one of {list(freq.columns)}")
    table = retention_by(freq[measure], churn["churned"], bins, confidence=confidence)
    table.attrs.update(churn.attrs)
    return table


__all__ = [
    "later_churn",
    "retention_by",
    "retention_by_contact",
    "stage_at",
    "wilson_interval",
]
