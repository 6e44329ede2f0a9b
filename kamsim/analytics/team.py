"""Team analytics (团队协作): workload per account manager and coverage maps.

KAM example: the head of key accounts prepares the yearly team review.  Who
carries how many accounts, how many hours did each manager actually spend on
them, how much revenue and purchase potential sits in each book of business,
and is anybody fully booked while a colleague has hours to spare?  Which
regions and tiers does each manager cover?  The account table (who owns which
account), the team table (hours available per month) and the CRM activity log
(visits, calls, QBRs with their hours) answer all of this.

* :func:`manager_workload` -- one row per account manager: accounts owned and
  served, hours delivered against hours available (utilisation, 利用率),
  hours per served account-month, revenue, margin and potential of the book,
  each manager's share of the team's accounts, capacity, revenue and
  potential, and a load index (>1: more accounts than her share of the hours);
* :func:`coverage_matrix` -- a cross-table of accounts (count or the sum of a
  value such as ``annual_potential_spend``) by two columns, e.g. manager x
  region or manager x tier: the coverage map (客户覆盖图) of the team.

Units: hours are account-manager hours; money in currency units (CU);
``potential`` is annual purchase potential (CU per year).  Windows of months
(``months=``) follow :func:`kamsim.analytics.relationships.month_window`:
``None`` = every month of the log, ``n`` = its last ``n`` months,
``(first, last)`` = those months inclusive.

Attribution: hours go to the manager named on the interaction row (the person
who did the work; the account's owner when that field is empty); accounts,
revenue, margin and potential go to the account's owner in ``accounts`` (the
book of business at the portfolio date).  In kamsim both are the same person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim.analytics._common import in_window, month_window
from kamsim.analytics._validation import require_columns, require_unique
from kamsim.vocabulary import INTERACTION_TYPES

#: Event types of extra effort bought on top of the managers' regular hours (retention, win-back).
EXTRA_EFFORT_TYPES: tuple[str, ...] = ("retention_offer", "winback_offer")

#: Output columns of :func:`manager_workload`, in order.
WORKLOAD_COLUMNS: tuple[str, ...] = (
    "region",
    "skill",
    "capacity_hours",
    "accounts",
    "served_accounts",
    "account_months",
    "hours",
    "extra_hours",
    "available_hours",
    "utilisation",
    "hours_per_account_month",
    "revenue",
    "margin",
    "potential",
    "home_region_share",
    "share_accounts",
    "share_capacity",
    "share_revenue",
    "share_potential",
    "load_index",
)

_NORMALIZE = (None, "all", "index", "columns")


def _ids(series: pd.Series) -> pd.Series:
    return series.astype("string")


def _share(values: pd.Series) -> pd.Series:
    total = float(values.sum())
    return values / total if total > 0 else values * np.nan


def manager_workload(
    events: pd.DataFrame,
    accounts: pd.DataFrame,
    managers: pd.DataFrame,
    months: int | tuple[int, int] | None = 12,
    *,
    capacity_multiplier: float = 1.0,
) -> pd.DataFrame:
    """Workload, utilisation and book of business per account manager (工作量 / 利用率).

    Parameters
    ----------
    events : DataFrame
        Activity log with ``account_id, month, event_type, hours`` (and ``amount``,
        ``margin`` for orders; ``manager_id`` optional).  Regular hours are those of
        ``visit``, ``call`` and ``qbr`` rows; ``retention_offer`` / ``winback_offer``
        hours are reported apart as ``extra_hours`` (bought effort that does not use
        the managers' capacity).
    accounts : DataFrame
        Accounts table with ``account_id, manager_id, region, annual_potential_spend``.
    managers : DataFrame
        Team table with ``manager_id, capacity_hours`` (hours per month; ``region``
        and ``skill`` are copied when present).  One output row per manager, in
        this order.
    months : int, (int, int) or None
        Window of months (default: the last 12 months of the log).
    capacity_multiplier : float
        Multiplier on every ``capacity_hours`` (>= 0), e.g. the scenario's
        ``managers.capacity_multiplier`` when ``events`` come from a simulation.

    Returns
    -------
    DataFrame
        Index ``manager_id``; columns :data:`WORKLOAD_COLUMNS`:

        - ``capacity_hours``: hours available per month (after the multiplier);
        - ``accounts``: accounts owned (in ``accounts``); ``served_accounts``:
          distinct accounts with an interaction by this manager in the window;
          ``account_months``: (account, month) pairs with such an interaction;
        - ``hours``: regular interaction hours (h); ``extra_hours``: retention and
          win-back hours (h); ``available_hours = capacity_hours x window months``;
        - ``utilisation = hours / available_hours`` (0-1 when the log respects
          capacity; NaN without capacity); ``hours_per_account_month = hours /
          account_months`` (NaN if none);
        - ``revenue``, ``margin``: orders of the owned accounts in the window (CU);
          ``potential``: sum of ``annual_potential_spend`` of the owned accounts
          (CU/year);
        - ``home_region_share``: share of owned accounts in the manager's own
          ``region`` (NaN without a region column or without accounts);
        - ``share_accounts``, ``share_capacity``, ``share_revenue``,
          ``share_potential``: the manager's share of the team total (0-1);
        - ``load_index = (account_months / team account_months) /
          share_capacity``: above 1 the manager serves more account-months than her
          share of the team's hours, so an equal split of the team's hours over
          all served accounts would overload her.

    Raises
    ------
    ValueError
        If a table lacks a column, ``managers`` repeats a ``manager_id``, an account
        or event names a manager missing from ``managers``, ``capacity_multiplier``
        is negative, or the window cannot be derived (empty log).

    Examples
    --------
    >>> import kamsim
    >>> from kamsim.analytics import manager_workload
    >>> p = kamsim.datasets.load("small")
    >>> load = manager_workload(p.events, p.accounts, p.account_managers)
    >>> bool((load["utilisation"] <= 1 + 1e-9).all())
    True
    """
    require_columns(events, ["account_id", "month", "event_type", "hours"], "events", check_type=True)
    needed = ["account_id", "manager_id", "region", "annual_potential_spend"]
    require_columns(accounts, needed, "accounts", check_type=True)
    require_columns(managers, ["manager_id", "capacity_hours"], "managers", check_type=True)
    multiplier = float(capacity_multiplier)
    if not np.isfinite(multiplier) or multiplier < 0:
        raise ValueError(f"capacity_multiplier must be a finite number >= 0, got {capacity_multiplier!r}")
    team = _ids(managers["manager_id"])
    require_unique(team, "managers", "manager_id")
    index = pd.Index(team.to_numpy(), name="manager_id", dtype="string")

    account_ids = _ids(accounts["account_id"])
    require_unique(account_ids, "accounts", "account_id")
    owner = pd.Series(_ids(accounts["manager_id"]).to_numpy(), index=account_ids.to_numpy())
    unknown = ~owner.isin(index) & owner.notna()
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise ValueError(
            f"accounts: column 'manager_id' row {row}: manager {owner.iloc[row]!r} of account "
            f"{owner.index[row]!r} is not in managers"
        )

    first, last = month_window(events, months)
    n_months = last - first + 1
    window = in_window(events, (first, last))
    kind = window["event_type"].astype("string")
    account = _ids(window["account_id"])
    by_row = _ids(window["manager_id"]) if "manager_id" in window.columns else pd.Series(pd.NA, index=window.index, dtype="string")
    who = by_row.fillna(pd.Series(owner.reindex(account.to_numpy()).to_numpy(), index=window.index, dtype="string"))
    hours = pd.to_numeric(window["hours"], errors="coerce").fillna(0.0)

    interaction = kind.isin(list(INTERACTION_TYPES)).fillna(False).to_numpy()
    extra = kind.isin(list(EXTRA_EFFORT_TYPES)).fillna(False).to_numpy()
    worked = who[interaction | extra]
    stray = worked.notna() & ~worked.isin(index)
    if stray.any():
        at = worked.index[int(np.flatnonzero(stray.to_numpy())[0])]
        raise ValueError(f"events: column 'manager_id' row {at}: manager {worked.loc[at]!r} is not in managers")

    inter_who, inter_acc = who[interaction], account[interaction]
    pairs = pd.DataFrame({"m": inter_who.to_numpy(), "a": inter_acc.to_numpy(), "t": window["month"].to_numpy()[interaction]})
    out = pd.DataFrame(index=index)
    out["region"] = (
        _ids(managers["region"]).to_numpy() if "region" in managers.columns else pd.array([pd.NA] * len(index), dtype="string")
    )
    out["skill"] = pd.to_numeric(managers["skill"], errors="coerce").to_numpy(dtype="float64") if "skill" in managers.columns else np.nan
    out["capacity_hours"] = pd.to_numeric(managers["capacity_hours"], errors="coerce").to_numpy(dtype="float64") * multiplier
    out["accounts"] = owner.value_counts().reindex(index, fill_value=0).to_numpy(dtype="int64")
    out["served_accounts"] = pairs.groupby("m")["a"].nunique().reindex(index, fill_value=0).to_numpy(dtype="int64")
    out["account_months"] = (
        pairs.drop_duplicates().groupby("m").size().reindex(index, fill_value=0).to_numpy(dtype="int64")
    )
    out["hours"] = hours[interaction].groupby(inter_who.to_numpy()).sum().reindex(index, fill_value=0.0).to_numpy(dtype="float64")
    out["extra_hours"] = hours[extra].groupby(who[extra].to_numpy()).sum().reindex(index, fill_value=0.0).to_numpy(dtype="float64")
    out["available_hours"] = out["capacity_hours"] * n_months
    out["utilisation"] = out["hours"] / out["available_hours"].where(out["available_hours"] > 0)
    out["hours_per_account_month"] = out["hours"] / out["account_months"].where(out["account_months"] > 0)

    orders = window[(kind == "order").fillna(False).to_numpy()]
    order_owner = owner.reindex(_ids(orders["account_id"]).to_numpy()).to_numpy()
    for col in ("revenue", "margin"):
        if col == "revenue":
            values = pd.to_numeric(orders["amount"], errors="coerce") if "amount" in orders.columns else None
        else:
            values = pd.to_numeric(orders["margin"], errors="coerce") if "margin" in orders.columns else None
        if values is None:
            out[col] = np.nan
        else:
            out[col] = values.fillna(0.0).groupby(order_owner).sum().reindex(index, fill_value=0.0).to_numpy(dtype="float64")
    potential = pd.to_numeric(accounts["annual_potential_spend"], errors="coerce").fillna(0.0)
    out["potential"] = potential.groupby(owner.to_numpy()).sum().reindex(index, fill_value=0.0).to_numpy(dtype="float64")

    if "region" in managers.columns:
        home = pd.Series(out["region"].to_numpy(), index=index)
        same = _ids(accounts["region"]).to_numpy() == home.reindex(owner.to_numpy()).to_numpy()
        same = pd.Series(pd.array(same, dtype="boolean")).fillna(False).to_numpy(dtype=bool)
        counts = pd.Series(same.astype("float64")).groupby(owner.to_numpy()).agg(["sum", "count"])
        share = counts["sum"] / counts["count"]
        out["home_region_share"] = share.reindex(index).to_numpy(dtype="float64")
    else:
        out["home_region_share"] = np.nan

    out["share_accounts"] = _share(out["accounts"].astype("float64"))
    out["share_capacity"] = _share(out["capacity_hours"])
    out["share_revenue"] = _share(out["revenue"])
    out["share_potential"] = _share(out["potential"])
    share_load = _share(out["account_months"].astype("float64"))
    out["load_index"] = share_load / out["share_capacity"].where(out["share_capacity"] > 0)
    out.attrs["months"] = (first, last)
    return out[list(WORKLOAD_COLUMNS)]


def coverage_matrix(
    accounts: pd.DataFrame,
    by: Sequence[str] = ("manager_id", "region"),
    values: str | None = None,
    *,
    normalize: str | None = None,
) -> pd.DataFrame:
    """Coverage map (客户覆盖图): accounts, or the sum of a value, by two columns.

    Parameters
    ----------
    accounts : DataFrame
        One row per account with the two ``by`` columns (e.g. ``manager_id`` and
        ``region``, or a ``tier`` column joined from a segmentation) and ``values``.
    by : pair of str
        Row and column variables of the cross-table.
    values : str, optional
        Numeric column to sum per cell (e.g. ``"annual_potential_spend"`` in CU/year);
        default: count accounts.
    normalize : {None, "all", "index", "columns"}
        ``"all"``: cells as shares of the grand total; ``"index"``: shares within
        each row (each manager's mix); ``"columns"``: shares within each column
        (who covers a region / tier).  Rows or columns whose total is 0 stay 0.

    Returns
    -------
    DataFrame
        Index named ``by[0]``, columns named ``by[1]`` (labels present in the data,
        in categorical order when the column is categorical, else sorted); empty
        cells are 0.  Accounts with a missing label are counted under ``"(none)"``.

    Raises
    ------
    ValueError
        If ``by`` is not two distinct column names of ``accounts``, ``values`` is not
        a numeric column, or ``normalize`` is not one of the choices.

    Examples
    --------
    >>> import pandas as pd
    >>> acc = pd.DataFrame({"manager_id": ["M1", "M1", "M2"], "region": ["East", "West", "East"]})
    >>> coverage_matrix(acc).to_dict()
    {'East': {'M1': 1, 'M2': 1}, 'West': {'M1': 1, 'M2': 0}}
    """
    if isinstance(by, str) or len(by) != 2 or by[0] == by[1]:
        raise ValueError(f"by: expected two different column names, got {by!r}")
    rows, cols = by
    require_columns(accounts, [rows, cols] + ([values] if values is not None else []), "accounts", check_type=True)
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize: expected one of {list(_NORMALIZE)}, got {normalize!r}")
    if values is None:
        weight = pd.Series(np.ones(len(accounts), dtype="int64"), index=accounts.index)
    else:
        if not pd.api.types.is_numeric_dtype(accounts[values]) or pd.api.types.is_bool_dtype(accounts[values]):
            raise ValueError(f"accounts: column {values!r} must be numeric to be summed")
        weight = pd.to_numeric(accounts[values], errors="coerce").fillna(0.0)

    def labels(name: str) -> tuple[np.ndarray, list[str]]:
        column = accounts[name]
        text = column.astype("string").fillna("(none)")
        present = set(text.unique())
        if isinstance(column.dtype, pd.CategoricalDtype):
            order = [str(c) for c in column.cat.categories if str(c) in present]
        else:
            order = sorted(present - {"(none)"})
        if "(none)" in present:
            order.append("(none)")
        return text.to_numpy(dtype=object), order

    row_keys, row_order = labels(rows)
    col_keys, col_order = labels(cols)
    frame = pd.DataFrame({"r": row_keys, "c": col_keys, "w": weight.to_numpy()})
    table = frame.groupby(["r", "c"])["w"].sum().unstack("c").reindex(index=row_order, columns=col_order).fillna(0)
    table = table.astype("int64") if values is None else table.astype("float64")
    if normalize == "all":
        total = table.to_numpy().sum()
        table = table / total if total > 0 else table.astype("float64")
    elif normalize == "index":
        sums = table.sum(axis=1)
        table = table.div(sums.where(sums > 0), axis=0).fillna(0.0)
    elif normalize == "columns":
        sums = table.sum(axis=0)
        table = table.div(sums.where(sums > 0), axis=1).fillna(0.0)
    table.index = pd.Index(row_order, name=rows, dtype="object")
    table.columns = pd.Index(col_order, name=cols, dtype="object")
    return table
