"""Customer lifecycle (客户生命周期) from a CRM log: stage history, transition matrix, occupancy.

KAM example: "of the accounts that are *mature* at the start of a month, how
many slide to *at risk* by the end of it, and how many are lost outright?"
The CRM log records every stage change (``stage_change`` events with
``stage_from`` -> ``stage_to``); together with the current stage of every
account it tells which stage each account was in during each month.  Counting
month-to-month moves gives the **transition matrix** (转移矩阵) of a Markov
chain, the input of absorbing-chain results such as the expected months
before an account is lost (``kamsim.engine.theory.absorbing_chain``).

* :func:`stage_history` -- one row per (month, account): the stage *during* that month,
  rebuilt from the ``stage_change`` events and the stage after the last month;
* :func:`transition_matrix` -- counts or row shares of month-to-month moves
  (from an engine ``panel``, a :func:`stage_history`, or an events log);
* :func:`stage_occupancy` -- accounts (or shares) per stage and month.

What each stage costs in account-manager effort is in :mod:`kamsim.analytics.lifecycle_costs`.

Conventions (those of the engine, docs/engine.md): month ``m``'s stage is the
stage at its start; a ``stage_change`` event of month ``m`` happens at the end
of month ``m``, so the account is in ``stage_to`` from month ``m + 1``.
Estimator: ``P[i, j] = n_ij / n_i``, ``n_ij`` the number of account-months
in stage ``i`` followed by stage ``j`` the next month, ``n_i = sum_j n_ij``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamsim.analytics._validation import CUSTOMER_COL, HAS_NO, check_stages, require_columns
from kamsim.vocabulary import STAGES


def _final_stage_series(final_stage: pd.Series | pd.DataFrame, customer_col: str) -> pd.Series:
    if isinstance(final_stage, pd.DataFrame):
        require_columns(final_stage, (customer_col, "stage"), "final_stage", where="stage_history", verb=HAS_NO)
        out = pd.Series(final_stage["stage"].to_numpy(), index=final_stage[customer_col].astype("string").to_numpy())
    elif isinstance(final_stage, pd.Series):
        out = final_stage.copy()
        out.index = out.index.astype("string")
    else:
        raise ValueError("stage_history: final_stage must be a Series (stage per account id) or an accounts DataFrame")
    out = out.astype("string")
    if out.index.has_duplicates:
        dup = out.index[out.index.duplicated()][0]
        raise ValueError(f"stage_history: final_stage lists account {dup!r} more than once")
    bad = out.isna() | ~out.isin(list(STAGES))
    if bad.any():
        raise ValueError(
            f"stage_history: final_stage of account {out.index[bad.to_numpy()][0]!r} is "
            f"{out[bad].iloc[0]!r}; expected one of {list(STAGES)}"
        )
    return out


def stage_history(
    events: pd.DataFrame,
    final_stage: pd.Series | pd.DataFrame,
    *,
    months: Sequence[int] | None = None,
    customer_col: str = CUSTOMER_COL,
) -> pd.DataFrame:
    """Stage of every account in every month, rebuilt from the ``stage_change`` events.

    Parameters
    ----------
    events
        kamsim ``events`` log with ``month``, ``event_type``, ``stage_from``, ``stage_to``.
    final_stage
        Stage of every account *after* the last month: a Series indexed by account id
        (``SimulationResult.final_stage``) or an accounts DataFrame with ``account_id`` and
        ``stage`` (``portfolio.accounts`` of a warm-started portfolio: the stage at ``as_of``).
        Accounts without any stage change keep this stage in every month.
    months
        Month indices to cover (consecutive integers); default from the first to the last month of ``events``.
    customer_col
        Account id column of ``events`` (and of ``final_stage`` if it is a DataFrame).

    Returns
    -------
    DataFrame
        ``month`` (int), ``account_id`` (string), ``stage`` (string): the stage during the month
        (at its start), one row per month and account of ``final_stage``, sorted by month then account.

    Raises
    ------
    ValueError
        If a column is missing, an account changes stage twice in one month, a change's
        ``stage_from`` is not the stage the previous change led to, or the last ``stage_to``
        differs from ``final_stage`` (the message names the account and month).
    """
    needed = (customer_col, "month", "event_type", "stage_from", "stage_to")
    require_columns(events, needed, "events", where="stage_history", verb=HAS_NO)
    final = _final_stage_series(final_stage, customer_col)
    is_change = (events["event_type"] == "stage_change").to_numpy(dtype=bool, na_value=False)
    changes = pd.DataFrame(
        {
            "account_id": events.loc[is_change, customer_col].astype("string").to_numpy(),
            "month": events.loc[is_change, "month"].to_numpy(dtype="int64"),
            "stage_from": events.loc[is_change, "stage_from"].astype("string").to_numpy(),
            "stage_to": events.loc[is_change, "stage_to"].astype("string").to_numpy(),
        }
    )
    if months is None:
        if len(events) == 0:
            raise ValueError("stage_history: events is empty; pass months=... to say which months to cover")
        month_values = events["month"].to_numpy(dtype="int64")
        months = range(int(month_values.min()), int(month_values.max()) + 1)
    month_index = np.asarray(list(months), dtype="int64")
    if len(month_index) == 0 or np.any(np.diff(month_index) != 1):
        raise ValueError("stage_history: months must be consecutive increasing integers")

    unknown = ~changes["account_id"].isin(final.index)
    if unknown.any():
        raise ValueError(f"stage_history: account {changes.loc[unknown, 'account_id'].iloc[0]!r} has stage changes but no final_stage")
    outside = ~np.isin(changes["month"].to_numpy(), month_index)
    if outside.any():
        row = changes.loc[outside].iloc[0]
        raise ValueError(f"stage_history: stage change of account {row['account_id']!r} in month {row['month']} is outside months")
    changes = changes.sort_values(["account_id", "month"], kind="stable").reset_index(drop=True)
    same_account = (changes["account_id"] == changes["account_id"].shift(1)).to_numpy(dtype=bool, na_value=False)
    twice = same_account & (changes["month"] == changes["month"].shift(1)).to_numpy(dtype=bool, na_value=False)
    if twice.any():
        row = changes.loc[twice].iloc[0]
        raise ValueError(f"stage_history: account {row['account_id']!r} changes stage twice in month {row['month']}")
    broken = same_account & (changes["stage_from"] != changes["stage_to"].shift(1)).to_numpy(dtype=bool, na_value=True)
    if broken.any():
        row = changes.loc[broken].iloc[0]
        raise ValueError(
            f"stage_history: account {row['account_id']!r} month {row['month']}: stage_from {row['stage_from']!r} "
            "is not the stage_to of its previous stage change"
        )
    last = changes.drop_duplicates("account_id", keep="last")
    mismatch = last["stage_to"].to_numpy() != final.reindex(last["account_id"]).to_numpy()
    if mismatch.any():
        row = last.loc[mismatch].iloc[0]
        raise ValueError(
            f"stage_history: account {row['account_id']!r}: last stage change (month {row['month']}) leads to "
            f"{row['stage_to']!r} but final_stage is {final[row['account_id']]!r}"
        )

    # Grid accounts x months; a change in month m fixes the stage of month m (stage_from);
    # every earlier month takes the next known stage (back-fill), later months the final stage.
    accounts = final.index.to_numpy()
    pos = {a: i for i, a in enumerate(accounts)}
    grid = np.full((len(accounts), len(month_index)), None, dtype=object)
    rows = changes["account_id"].map(pos).to_numpy(dtype="int64")
    cols = changes["month"].to_numpy() - month_index[0]
    grid[rows, cols] = changes["stage_from"].to_numpy(dtype=object)
    frame = pd.DataFrame(grid, index=accounts, columns=month_index)
    frame[month_index[-1] + 1] = final.to_numpy(dtype=object)
    frame = frame.bfill(axis=1).iloc[:, :-1]
    out = frame.stack().rename("stage").rename_axis(["account_id", "month"]).reset_index()
    out = out[["month", "account_id", "stage"]].astype({"month": "int64", "account_id": "string", "stage": "string"})
    return out.sort_values(["month", "account_id"], kind="stable").reset_index(drop=True)


def _as_panel(
    data: pd.DataFrame, final_stage: pd.Series | pd.DataFrame | None, customer_col: str, func: str
) -> pd.DataFrame:
    if "event_type" in data.columns:
        if final_stage is None:
            raise ValueError(
                f"{func}: an events log needs final_stage= (portfolio.accounts or SimulationResult.final_stage) "
                "to know each account's stage; or pass a panel (month, account_id, stage)"
            )
        # Cover one month past the log: the move at the end of the last month leads to final_stage.
        require_columns(data, ("month",), "events", where=func, verb=HAS_NO)
        if len(data) == 0:
            raise ValueError(f"{func}: events is empty")
        m = data["month"].to_numpy(dtype="int64")
        months = range(int(m.min()), int(m.max()) + 2)
        history = stage_history(data, final_stage, months=months, customer_col=customer_col)
        return history.rename(columns={"account_id": customer_col})
    require_columns(data, ("month", customer_col, "stage"), "panel", where=func, verb=HAS_NO)
    return data


def transition_matrix(
    data: pd.DataFrame,
    stages: Sequence[str] = STAGES,
    normalize: bool = True,
    *,
    final_stage: pd.Series | pd.DataFrame | None = None,
    customer_col: str = CUSTOMER_COL,
) -> pd.DataFrame:
    """Monthly stage transition matrix estimated from observed moves.

    Parameters
    ----------
    data
        A panel with ``month, account_id, stage`` (``SimulationResult.panel`` or
        :func:`stage_history`), or a kamsim events log (then ``final_stage`` is required and
        :func:`stage_history` is called first).
    stages
        Row and column order (default: all lifecycle stages).  An observed stage not listed raises.
    normalize
        True: each row divided by its total, ``P[i, j] = n_ij / n_i`` (probability per month;
        rows without observations are NaN).  False: the counts ``n_ij`` (account-months).
    final_stage
        Only for an events log: see :func:`stage_history`.
    customer_col
        Account id column.

    Returns
    -------
    DataFrame
        Index ``stage_from``, columns ``stage_to``, both in ``stages`` order.  Pairs are
        (month ``m``, month ``m + 1``) of the same account; gaps in an account's months are skipped.
        With an events log the stage history runs one month past the last month of the log
        (that month's stage is ``final_stage``), so moves at the end of the last month count.
    """
    stages = check_stages(stages, "transition_matrix")
    panel = _as_panel(data, final_stage, customer_col, "transition_matrix")
    p = pd.DataFrame(
        {
            "id": panel[customer_col].astype("string").to_numpy(),
            "month": panel["month"].to_numpy(dtype="int64"),
            "stage": panel["stage"].astype("string").to_numpy(),
        }
    ).sort_values(["id", "month"], kind="stable")
    if p["stage"].isna().any():
        raise ValueError(f"transition_matrix: stage is missing for account {p.loc[p['stage'].isna(), 'id'].iloc[0]!r}")
    other = ~p["stage"].isin(stages)
    if other.any():
        raise ValueError(f"transition_matrix: stage {p.loc[other, 'stage'].iloc[0]!r} is not in stages {stages}")
    nxt = p.shift(-1)
    pair = ((nxt["id"] == p["id"]) & (nxt["month"] == p["month"] + 1)).to_numpy(dtype=bool, na_value=False)
    if p.duplicated(["id", "month"]).any():
        row = p.loc[p.duplicated(["id", "month"])].iloc[0]
        raise ValueError(f"transition_matrix: account {row['id']!r} has two rows for month {row['month']}")
    code = {s: i for i, s in enumerate(stages)}
    i = p.loc[pair, "stage"].map(code).to_numpy(dtype="int64")
    j = nxt.loc[pair, "stage"].map(code).to_numpy(dtype="int64")
    k = len(stages)
    counts = np.bincount(i * k + j, minlength=k * k).reshape(k, k)
    index = pd.Index(stages, name="stage_from")
    columns = pd.Index(stages, name="stage_to")
    if not normalize:
        return pd.DataFrame(counts.astype("int64"), index=index, columns=columns)
    totals = counts.sum(axis=1, keepdims=True).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        probs = np.where(totals > 0, counts / totals, np.nan)
    return pd.DataFrame(probs, index=index, columns=columns)


def stage_occupancy(
    panel: pd.DataFrame,
    stages: Sequence[str] = STAGES,
    normalize: bool = True,
    *,
    customer_col: str = CUSTOMER_COL,
) -> pd.DataFrame:
    """Accounts per stage and month (the portfolio's lifecycle mix over time).

    Parameters
    ----------
    panel
        ``month, account_id, stage`` rows (``SimulationResult.panel`` or :func:`stage_history`).
    stages
        Column order; an observed stage not listed raises.
    normalize
        True: share of the month's accounts (rows sum to 1).  False: number of accounts.

    Returns
    -------
    DataFrame
        Index ``month``, one column per stage.
    """
    stages = check_stages(stages, "stage_occupancy")
    require_columns(panel, ("month", customer_col, "stage"), "panel", where="stage_occupancy", verb=HAS_NO)
    stage = panel["stage"].astype("string")
    other = stage.isna() | ~stage.isin(stages)
    if other.any():
        raise ValueError(f"stage_occupancy: stage {stage[other].iloc[0]!r} is not in stages {stages}")
    table = pd.crosstab(panel["month"].to_numpy(dtype="int64"), stage.to_numpy())
    table = table.reindex(columns=stages, fill_value=0).astype("int64")
    table.index.name, table.columns.name = "month", "stage"
    if normalize:
        return table.div(table.sum(axis=1), axis=0)
    return table
