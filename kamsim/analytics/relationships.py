"""Relationship analytics (客户关系): contact frequency and relationship depth.

KAM example: "with which accounts is our relationship deep -- frequent
contact, several people of the buying centre known, a long history, regular
business reviews, a satisfied customer -- and with which is it thin?".  A CRM
export answers it: the activity log has every visit, call and quarterly
business review (QBR), the contacts table lists the people we know at each
account.

* :func:`contact_frequency` -- interactions (visits, calls, QBRs) and hours per
  account-month in a window of months;
* :func:`relationship_depth` -- a 0-100 relationship-depth index (关系深度指数)
  from five components, each scored 0-1: contact frequency, breadth of the
  buying-centre roles reached, tenure, QBR coverage and surveyed satisfaction.

Whether accounts with more contact stay longer -- churn and retention by
contact frequency or depth -- is in :mod:`kamsim.analytics.retention`.

Windows of months (argument ``months``, :func:`month_window`): ``None`` =
every month in the log; an int ``n`` = the last ``n`` months of the log; a
pair ``(first, last)`` = those months, inclusive (kamsim month indices;
history months are negative).  Rates are per account-month; hours are
account-manager hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from kamsim.analytics._common import account_index, in_window, month_window
from kamsim.analytics._validation import require_columns, require_unique
from kamsim.schema import CONTACTS
from kamsim.vocabulary import DAYS_PER_MONTH, INTERACTION_TYPES

#: Buying-centre roles of the contacts table (采购中心角色).
CONTACT_ROLES: tuple[str, ...] = next(c.categories for c in CONTACTS if c.name == "role")  # type: ignore[assignment]

#: Components of :func:`relationship_depth`, in output order.
DEPTH_COMPONENTS: tuple[str, ...] = ("frequency", "breadth", "tenure", "qbr", "satisfaction")

#: Saturation points of the depth scores: contacts per month and tenure (months) that score 1.
DEPTH_CAPS: dict[str, float] = {"frequency": 4.0, "tenure": 36.0}

#: Months between two QBRs that count as full QBR coverage.
QBR_EVERY_MONTHS: int = 3


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
    require_columns(events, ["account_id", "month", "event_type", "hours"], "events", check_type=True)
    first, last = month_window(events, months)
    window = in_window(events, (first, last))
    inter = window[window["event_type"].isin(list(INTERACTION_TYPES))]
    ids = inter["account_id"].astype("string")
    counts = pd.crosstab(ids, inter["event_type"].astype("string"))
    hours = pd.to_numeric(inter["hours"], errors="coerce").fillna(0.0).groupby(ids).sum()
    index = account_index(accounts) if accounts is not None else account_index(sorted(ids.unique()))
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
    require_columns(events, ["account_id", "date", "month", "event_type", "hours", "score"], "events", check_type=True)
    require_columns(accounts, ["account_id", "acquisition_date"], "accounts", check_type=True)
    require_columns(contacts, ["account_id", "role"], "contacts", check_type=True)
    w = _depth_weights(weights)
    first, last = month_window(events, months)
    n_months = last - first + 1
    window = in_window(events, (first, last))
    index = account_index(accounts["account_id"])

    freq = contact_frequency(events, (first, last), accounts=index)
    roles = contacts[contacts["role"].isin(list(CONTACT_ROLES))]
    roles_reached = roles.groupby(roles["account_id"].astype("string"))["role"].nunique()
    require_unique(accounts["account_id"], "accounts", "account_id")
    if len(window):
        end = pd.to_datetime(window["date"]).max().normalize()
        days = (end - pd.to_datetime(accounts["acquisition_date"])) / pd.Timedelta(days=1)
        tenure = days.clip(lower=0.0).fillna(0.0).to_numpy(dtype="float64") / DAYS_PER_MONTH
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


__all__ = [
    "CONTACT_ROLES",
    "DEPTH_CAPS",
    "DEPTH_COMPONENTS",
    "INTERACTION_TYPES",
    "contact_frequency",
    "month_window",
    "relationship_depth",
]
