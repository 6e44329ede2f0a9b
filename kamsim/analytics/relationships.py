"""Relationship analytics (客户关系): contact frequency, relationship depth, retention by contact.

KAM example: "do the accounts we call on more often stay with us longer?"
and "with which accounts is our relationship deep -- frequent contact, several
people of the buying centre known, a long history, regular business reviews,
a satisfied customer -- and with which is it thin?".  A CRM export answers
both: the activity log has every visit, call and quarterly business review
(QBR), the contacts table lists the people we know at each account.

* :func:`contact_frequency` -- interactions (visits, calls, QBRs) and hours per
  account-month in a window of months;
* :func:`relationship_depth` -- a 0-100 relationship-depth index (关系深度指数)
  from five components, each scored 0-1: contact frequency, breadth of the
  buying-centre roles reached, tenure, QBR coverage and surveyed satisfaction;
* :func:`stage_at`, :func:`later_churn` -- who was a customer at the start of
  an observation window, and who was lost in the outcome window after it;
* :func:`retention_by` / :func:`retention_by_contact` -- churn and retention
  rates by bins of a measure, with Wilson confidence intervals.

Windows of months (argument ``months``): ``None`` = every month in the log;
an int ``n`` = the last ``n`` months of the log; a pair ``(first, last)`` =
those months, inclusive (kamsim month indices; history months are negative).
Rates are per account-month; hours are account-manager hours.

Observational data only show association: in the shipped history every
account was served under the same equal-hours policy, so contact frequency
hardly varies and cannot reveal its own effect -- that is what the
simulation experiments are for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kamsim.schema import CONTACTS
from kamsim.vocabulary import CUSTOMER_STAGES, INTERACTION_TYPES

#: Buying-centre roles of the contacts table (采购中心角色).
CONTACT_ROLES: tuple[str, ...] = next(c.categories for c in CONTACTS if c.name == "role")  # type: ignore[assignment]

#: Components of :func:`relationship_depth`, in output order.
DEPTH_COMPONENTS: tuple[str, ...] = ("frequency", "breadth", "tenure", "qbr", "satisfaction")

#: Saturation points of the depth scores: contacts per month and tenure (months) that score 1.
DEPTH_CAPS: dict[str, float] = {"frequency": 4.0, "tenure": 36.0}

#: Months between two QBRs that count as full QBR coverage.
QBR_EVERY_MONTHS: int = 3


# ----------------------------------------------------------------------------- helpers


def _require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}")


def month_window(events: pd.DataFrame, months: int | tuple[int, int] | None = None) -> tuple[int, int]:
    """Resolve a window specification to ``(first, last)`` month indices (inclusive).

    Parameters
    ----------
    events : DataFrame
        Activity log with a ``month`` column.
    months : int, (int, int) or None
        ``None``: every month in the log; ``n``: the last ``n`` months of the
        log; ``(first, last)``: those months.
    """
    _require(events, ["month"], "events")
    if isinstance(months, tuple | list):
        if len(months) != 2:
            raise ValueError(f"months: expected (first, last), got {months!r}")
        first, last = int(months[0]), int(months[1])
        if first > last:
            raise ValueError(f"months: first month {first} is after last month {last}")
        return first, last
    if len(events) == 0:
        raise ValueError("events: the log is empty, so a window of months cannot be derived")
    lo, hi = int(events["month"].min()), int(events["month"].max())
    if months is None:
        return lo, hi
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 1:
        raise ValueError(f"months: expected None, a number of months >= 1 or (first, last), got {months!r}")
    return hi - int(months) + 1, hi


def _in_window(events: pd.DataFrame, window: tuple[int, int]) -> pd.DataFrame:
    month = events["month"]
    return events[(month >= window[0]) & (month <= window[1])]


def _account_index(ids: Iterable[str]) -> pd.Index:
    return pd.Index(pd.unique(pd.Series(list(ids), dtype="string")), name="account_id", dtype="string")


# ----------------------------------------------------------------------------- contact frequency


def contact_frequency(
    events: pd.DataFrame,
    months: int | tuple[int, int] | None = None,
    *,
    accounts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Interactions and hours per account-month in a window (联系频率).

    Parameters
    ----------
    events : DataFrame
        Activity log (columns ``account_id, month, event_type, hours``).
    months : int, (int, int) or None
        Window of months, see :func:`month_window`.
    accounts : iterable of str, optional
        Accounts to report (those without an interaction get zeros); default:
        the accounts with at least one interaction in the window.

    Returns
    -------
    DataFrame
        Index ``account_id``; columns ``visits, calls, qbrs, interactions`` (counts),
        ``hours`` (h), ``months`` (window length), ``contacts_per_month``
        (interactions / months) and ``hours_per_month`` (h per month).
    """
    _require(events, ["account_id", "month", "event_type", "hours"], "events")
    first, last = month_window(events, months)
    window = _in_window(events, (first, last))
    inter = window[window["event_type"].isin(list(INTERACTION_TYPES))]
    ids = inter["account_id"].astype("string")
    counts = pd.crosstab(ids, inter["event_type"].astype("string"))
    hours = pd.to_numeric(inter["hours"], errors="coerce").fillna(0.0).groupby(ids).sum()
    index = _account_index(accounts) if accounts is not None else _account_index(sorted(ids.unique()))
    n_months = last - first + 1
    out = pd.DataFrame(index=index)
    for kind, col in zip(INTERACTION_TYPES, ("visits", "calls", "qbrs")):
        series = counts[kind] if kind in counts.columns else pd.Series(dtype="int64")
        out[col] = series.reindex(index, fill_value=0).to_numpy(dtype="int64")
    out["interactions"] = out[["visits", "calls", "qbrs"]].sum(axis=1)
    out["hours"] = hours.reindex(index, fill_value=0.0).to_numpy(dtype="float64")
    out["months"] = n_months
    out["contacts_per_month"] = out["interactions"] / n_months
    out["hours_per_month"] = out["hours"] / n_months
    return out


# ----------------------------------------------------------------------------- relationship depth


def relationship_depth(
    events: pd.DataFrame,
    accounts: pd.DataFrame,
    contacts: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    months: int | tuple[int, int] | None = 12,
) -> pd.DataFrame:
    """Relationship-depth index (关系深度指数, 0-100) per account, with its five components.

    Each component is scored 0-1, then ``depth_index = 100 * sum(w_k * score_k) / sum(w_k)``:

    ============= ====================================================== ==========================================
    component     raw column                                             score
    ============= ====================================================== ==========================================
    frequency     ``contacts_per_month``: visits + calls + QBRs / month   ``min(raw / 4, 1)``
    breadth       ``roles_reached``: distinct buying-centre roles among   ``raw / 5`` (5 roles in the schema)
                  the account's contacts
    tenure        ``tenure_months``: months from ``acquisition_date`` to  ``min(raw / 36, 1)``
                  the last event date of the window (0 if none / later)
    qbr           ``qbrs``: QBRs held in the window                        ``min(raw / (months / 3), 1)``
    satisfaction  ``satisfaction``: mean survey score in the window (0-10) ``raw / 10``; accounts without a survey
                                                                           get the mean score of those with one
    ============= ====================================================== ==========================================

    Parameters
    ----------
    events : DataFrame
        Activity log (``account_id, date, month, event_type, hours, score``).
    accounts : DataFrame
        Accounts table (``account_id, acquisition_date``); one output row per account.
    contacts : DataFrame
        Contacts table (``account_id, role``).
    weights : mapping of str to float, optional
        Weight per component name (:data:`DEPTH_COMPONENTS`, >= 0, not all 0);
        missing components get weight 0 when ``weights`` is given.  Default:
        all five weigh 1.
    months : int, (int, int) or None
        Window of months for the event-based components, see :func:`month_window`;
        default the last 12 months of the log.

    Returns
    -------
    DataFrame
        Index ``account_id`` (order of ``accounts``); columns ``contacts_per_month``,
        ``roles_reached``, ``tenure_months``, ``qbrs``, ``satisfaction`` (raw, NaN
        without a survey), ``score_<component>`` (0-1) and ``depth_index`` (0-100).
    """
    _require(events, ["account_id", "date", "month", "event_type", "hours", "score"], "events")
    _require(accounts, ["account_id", "acquisition_date"], "accounts")
    _require(contacts, ["account_id", "role"], "contacts")
    w = _depth_weights(weights)
    first, last = month_window(events, months)
    n_months = last - first + 1
    window = _in_window(events, (first, last))
    index = _account_index(accounts["account_id"])

    freq = contact_frequency(events, (first, last), accounts=index)
    roles = contacts[contacts["role"].isin(list(CONTACT_ROLES))]
    roles_reached = roles.groupby(roles["account_id"].astype("string"))["role"].nunique()
    if accounts["account_id"].duplicated().any():
        row = int(np.flatnonzero(accounts["account_id"].duplicated().to_numpy())[0])
        raise ValueError(f"accounts: column 'account_id' row {row}: duplicate id {accounts['account_id'].iloc[row]!r}")
    if len(window):
        end = pd.to_datetime(window["date"]).max().normalize()
        days = (end - pd.to_datetime(accounts["acquisition_date"])) / pd.Timedelta(days=1)
        tenure = days.clip(lower=0.0).fillna(0.0).to_numpy(dtype="float64") / (365.25 / 12)
    else:
        tenure = np.zeros(len(index))
    surveys = window[window["event_type"] == "survey"]
    survey_ids = surveys["account_id"].astype("string")
    satisfaction = pd.to_numeric(surveys["score"], errors="coerce").groupby(survey_ids).mean()

    out = pd.DataFrame(index=index)
    out["contacts_per_month"] = freq["contacts_per_month"].to_numpy()
    out["roles_reached"] = roles_reached.reindex(index, fill_value=0).to_numpy(dtype="int64")
    out["tenure_months"] = tenure
    out["qbrs"] = freq["qbrs"].to_numpy()
    out["satisfaction"] = satisfaction.reindex(index).to_numpy(dtype="float64")

    sat = out["satisfaction"]
    sat_filled = sat.fillna(sat.mean()) if sat.notna().any() else sat.fillna(0.0)
    expected_qbrs = n_months / QBR_EVERY_MONTHS
    scores = {
        "frequency": np.minimum(out["contacts_per_month"] / DEPTH_CAPS["frequency"], 1.0),
        "breadth": out["roles_reached"] / len(CONTACT_ROLES),
        "tenure": np.minimum(out["tenure_months"] / DEPTH_CAPS["tenure"], 1.0),
        "qbr": np.minimum(out["qbrs"] / expected_qbrs, 1.0),
        "satisfaction": np.clip(sat_filled / 10.0, 0.0, 1.0),
    }
    for name in DEPTH_COMPONENTS:
        out[f"score_{name}"] = scores[name].astype("float64")
    total = sum(w.values())
    out["depth_index"] = 100.0 * sum(w[k] * out[f"score_{k}"] for k in DEPTH_COMPONENTS) / total
    return out


def _depth_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is None:
        return {k: 1.0 for k in DEPTH_COMPONENTS}
    unknown = sorted(set(weights) - set(DEPTH_COMPONENTS))
    if unknown:
        raise ValueError(f"weights: unknown component(s) {unknown}; components are {list(DEPTH_COMPONENTS)}")
    out = {}
    for k in DEPTH_COMPONENTS:
        v = float(weights.get(k, 0.0))
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"weights[{k!r}] must be finite and >= 0, got {weights.get(k)!r}")
        out[k] = v
    if sum(out.values()) <= 0:
        raise ValueError("weights: at least one component weight must be > 0")
    return out


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
    _require(events, ["account_id", "month", "event_id", "event_type", "stage_from"], "events")
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
    _require(accounts, ["account_id", "stage"], "accounts")
    _require(events, ["account_id", "month", "event_type", "stage_to"], "events")
    for name, value in (("observe", observe), ("outcome", outcome)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name}: expected a number of months >= 1, got {value!r}")
    _, last = month_window(events, None)
    out_win = (last - outcome + 1, last)
    obs_win = (out_win[0] - observe, out_win[0] - 1)
    final = accounts.set_index(accounts["account_id"].astype("string"))["stage"]
    start = stage_at(events, final, obs_win[0])
    lost = events[(events["event_type"] == "stage_change") & (events["stage_to"] == "lost")]
    lost_obs = set(_in_window(lost, obs_win)["account_id"].astype("string"))
    lost_out = set(_in_window(lost, out_win)["account_id"].astype("string"))
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
    "CONTACT_ROLES",
    "DEPTH_CAPS",
    "DEPTH_COMPONENTS",
    "INTERACTION_TYPES",
    "contact_frequency",
    "later_churn",
    "month_window",
    "relationship_depth",
    "retention_by",
    "retention_by_contact",
    "stage_at",
    "wilson_interval",
]
