"""KPI targets versus actuals: target setting, attainment and a weighted scorecard score.

KAM example: in January the key-account director agrees next year's targets
with each account manager -- "grow revenue 5% on last year, keep annual churn
below 5%, keep satisfaction at 7.5 or better".  In December she puts the
year's actuals next to those targets, sees which KPI each manager missed and
by how much, and pays a bonus from a weighted score.  This is the
plan -> implement -> check -> optimise cycle of performance evaluation::

    from kamsim.analytics import kpi_scorecard, kpi_targets, target_attainment, attainment_score
    last_year = kpi_scorecard(events_2022, accounts, by="manager_id")
    targets = kpi_targets(last_year, by="manager_id", change={"revenue": 0.05}, level={"churn": 0.05})
    this_year = kpi_scorecard(events_2023, accounts, by="manager_id")
    table = target_attainment(this_year, targets, by="manager_id")
    attainment_score(table, {"revenue": 0.5, "churn": 0.25, "satisfaction": 0.25}, by="manager_id")

Attainment puts every KPI on one scale whatever its unit and direction.  With
``s = +1`` when higher is better (revenue) and ``s = -1`` when lower is better
(churn)::

    attainment = 1 + s * (actual - target) / |target|

1.0 means "exactly on target", 1.1 "10% better than target", 0.8 "20% short".
For a higher-is-better KPI this is ``actual / target``; for a lower-is-better
KPI a churn of 6% against a 5% target scores 0.8.  The direction of every KPI
of :func:`kamsim.analytics.kpi_scorecard` and of the engine's ``kpis()`` is in
:data:`KPI_DIRECTIONS`; pass ``directions=`` for others.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

#: +1 if a higher value is better, -1 if a lower value is better, per KPI name
#: (columns of ``kpi_scorecard`` and the index of ``SimulationResult.kpis()``).
KPI_DIRECTIONS: dict[str, int] = {
    # kpi_scorecard columns
    "accounts": 1,
    "orders": 1,
    "revenue": 1,
    "margin": 1,
    "retention": 1,
    "churn": -1,
    "satisfaction": 1,
    "share_of_wallet": 1,
    "complaints": -1,
    "complaint_resolution_days": -1,
    "effort_hours": -1,
    "effort_cost": -1,
    "roi": 1,
    # SimulationResult.kpis() names
    "retention_rate": 1,
    "churn_rate": -1,
    "mean_satisfaction": 1,
    "active_accounts_end": 1,
    "manager_utilisation": 1,
    "missed_contacts": -1,
    "mean_contact_wait_days": -1,
    "mean_complaint_wait_days": -1,
    "retention_cost": -1,
    "winback_cost": -1,
    "net_margin": 1,
}

#: Columns of :func:`target_attainment` after the group column.
ATTAINMENT_COLUMNS: tuple[str, ...] = ("kpi", "target", "actual", "gap", "attainment", "met")


def _direction(kpi: str, directions: Mapping[str, int] | None) -> int:
    table = {**KPI_DIRECTIONS, **(dict(directions) if directions else {})}
    if kpi not in table:
        raise ValueError(f"no direction known for KPI {kpi!r}: pass directions={{{kpi!r}: 1 or -1}}")
    d = table[kpi]
    if d not in (1, -1):
        raise ValueError(f"direction of KPI {kpi!r} must be 1 (higher is better) or -1 (lower is better), got {d!r}")
    return int(d)


def _as_wide(frame: pd.DataFrame | pd.Series | Mapping[str, float], by: str | None, name: str) -> pd.DataFrame:
    """``frame`` as a DataFrame indexed by group (``"all"`` for a single row without ``by``)."""
    if isinstance(frame, pd.Series) or (isinstance(frame, Mapping) and not isinstance(frame, pd.DataFrame)):
        row = pd.Series(frame, dtype="float64")
        return pd.DataFrame([row.to_numpy()], columns=row.index.astype(str), index=pd.Index(["all"], name="group"))
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a DataFrame, a Series or a dict of KPI values, got {type(frame).__name__}")
    if by is None:
        if len(frame) != 1:
            raise ValueError(f"{name} has {len(frame)} rows: pass by= with the name of its group column")
        out = frame.drop(columns=["group"], errors="ignore").copy()
        out.index = pd.Index(["all"], name="group")
        return out
    if by not in frame.columns:
        raise ValueError(f"{name} has no group column {by!r} (columns: {list(frame.columns)})")
    keys = frame[by]
    if keys.duplicated().any():
        raise ValueError(f"{name}: group column {by!r} has duplicate value {keys[keys.duplicated()].iloc[0]!r}")
    return frame.set_index(by)


def kpi_targets(
    baseline: pd.DataFrame | pd.Series,
    by: str | None = None,
    *,
    change: Mapping[str, float] | None = None,
    level: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Targets per group from last period's actuals (relative change) and fixed levels.

    Parameters
    ----------
    baseline
        Last period's KPIs: a :func:`kamsim.analytics.kpi_scorecard` table (one
        row per group, group column ``by``) or one Series of KPI values.
    by
        Group column of ``baseline`` (``"tier"``, ``"manager_id"``, ...); ``None``
        for a one-row table or a Series.
    change
        KPI -> relative change of the baseline, e.g. ``{"revenue": 0.05}`` (grow
        5%) or ``{"churn": -0.2}`` (cut churn by a fifth).  Target = baseline x
        (1 + change), in the KPI's unit.
    level
        KPI -> the same absolute target for every group, e.g.
        ``{"satisfaction": 7.5, "churn": 0.05}`` (KPI units).

    Returns
    -------
    DataFrame
        Group column (``by``, or ``group`` = ``"all"``) then one column per
        target KPI: ``change`` KPIs first, then ``level`` KPIs, in the given order.
    """
    change = dict(change or {})
    level = dict(level or {})
    if not change and not level:
        raise ValueError("kpi_targets: give at least one KPI in change= or level=")
    both = sorted(set(change) & set(level))
    if both:
        raise ValueError(f"kpi_targets: KPI {both[0]!r} is in both change= and level=; give it once")
    base = _as_wide(baseline, by, "baseline")
    out = pd.DataFrame(index=base.index)
    for kpi, rel in change.items():
        if kpi not in base.columns:
            raise ValueError(f"kpi_targets: change= names KPI {kpi!r}, which is not a column of baseline")
        if not np.isfinite(rel) or rel <= -1:
            raise ValueError(f"kpi_targets: change[{kpi!r}] must be a finite number > -1, got {rel!r}")
        out[kpi] = pd.to_numeric(base[kpi], errors="coerce").astype("float64") * (1.0 + float(rel))
    for kpi, value in level.items():
        if not np.isfinite(value):
            raise ValueError(f"kpi_targets: level[{kpi!r}] must be a finite number, got {value!r}")
        out[kpi] = float(value)
    out.index.name = by if by is not None else "group"
    return out.reset_index()


def target_attainment(
    actual: pd.DataFrame | pd.Series,
    targets: pd.DataFrame | Mapping[str, float],
    by: str | None = None,
    *,
    directions: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Targets next to actuals, one row per (group, KPI), with gap, attainment and met.

    Parameters
    ----------
    actual
        This period's KPIs: a ``kpi_scorecard`` table (group column ``by``), a
        wide table of any KPIs (e.g. compared policies' means with ``by="policy"``)
        or one Series of KPI values.
    targets
        A dict KPI -> target (the same for every group) or a table like the one
        :func:`kpi_targets` returns (group column ``by``; every group of
        ``actual`` must be in it).  Only the KPIs in ``targets`` are assessed.
    by
        Group column of ``actual`` (and of a ``targets`` table).
    directions
        KPI -> +1 (higher is better) or -1 (lower is better) for KPIs not in
        :data:`KPI_DIRECTIONS`, or to override it.

    Returns
    -------
    DataFrame
        Columns: the group column (``by``, or ``group``), then ``kpi``,
        ``target``, ``actual`` (KPI units), ``gap = actual - target``,
        ``attainment = 1 + s (actual - target) / |target|`` (NaN if the target is
        0 or missing) and ``met`` (True if the actual is on the good side of the
        target or equal to it; False if the actual is missing).  Rows follow the
        groups of ``actual``, then the KPIs of ``targets``.
    """
    act = _as_wide(actual, by, "actual")
    if isinstance(targets, pd.DataFrame):
        tgt = _as_wide(targets, by, "targets")
        missing = [g for g in act.index if g not in tgt.index]
        if missing:
            raise ValueError(f"targets have no row for group {missing[0]!r} of column {tgt.index.name!r}")
        tgt = tgt.reindex(act.index)
        kpis = [str(c) for c in tgt.columns]
    elif isinstance(targets, Mapping):
        kpis = [str(k) for k in targets]
        tgt = pd.DataFrame({k: float(targets[k]) for k in kpis}, index=act.index)
    else:
        raise ValueError(f"targets must be a dict of KPI -> target or a DataFrame, got {type(targets).__name__}")
    if not kpis:
        raise ValueError("targets name no KPI")
    absent = [k for k in kpis if k not in act.columns]
    if absent:
        raise ValueError(f"actual has no column for target KPI {absent[0]!r} (columns: {list(act.columns)})")
    signs = {k: _direction(k, directions) for k in kpis}

    n_groups, n_kpis = len(act.index), len(kpis)
    target = np.column_stack([pd.to_numeric(tgt[k], errors="coerce").to_numpy(dtype="float64") for k in kpis]).ravel()
    value = np.column_stack([pd.to_numeric(act[k], errors="coerce").to_numpy(dtype="float64") for k in kpis]).ravel()
    sign = np.tile(np.array([signs[k] for k in kpis], dtype="float64"), n_groups)
    gap = value - target
    scale = np.where(np.isfinite(target) & (target != 0), np.abs(target), np.nan)
    attainment = 1.0 + sign * gap / scale
    met = np.where(np.isnan(gap), False, sign * gap >= 0)
    group_col = by if by is not None else "group"
    return pd.DataFrame(
        {
            group_col: np.repeat(act.index.to_numpy(), n_kpis),
            "kpi": np.tile(np.array(kpis, dtype=object), n_groups),
            "target": target,
            "actual": value,
            "gap": gap,
            "attainment": attainment,
            "met": met.astype(bool),
        }
    )


def attainment_score(
    attainment: pd.DataFrame,
    weights: Mapping[str, float],
    by: str | None = None,
    *,
    cap: float | None = 1.5,
) -> pd.DataFrame:
    """Weighted scorecard score per group: the basis of a KPI-linked bonus.

    ``score = sum_k w_k * clip(attainment_k, 0, cap) / sum_k w_k`` over the
    KPIs in ``weights``.  A revenue-only incentive is ``{"revenue": 1}``; a
    balanced scorecard (平衡计分卡) spreads the weight over revenue, margin,
    churn and satisfaction.  The cap stops one outstanding KPI from hiding a
    missed one; a missing attainment (NaN) counts as 0.

    Parameters
    ----------
    attainment
        Output of :func:`target_attainment`.
    weights
        KPI -> weight (>= 0, at least one > 0).
    by
        Group column of ``attainment`` (``None``: the column ``group``).
    cap
        Upper bound of each KPI's attainment before weighting (``None``: no cap).

    Returns
    -------
    DataFrame
        Group column, ``score`` (1.0 = every weighted KPI on target) and
        ``kpis_met`` (how many of the weighted KPIs met their target).
    """
    group_col = by if by is not None else "group"
    needed = {group_col, "kpi", "attainment", "met"}
    if not needed <= set(attainment.columns):
        raise ValueError(f"attainment must have columns {sorted(needed)} (output of target_attainment), "
                         f"got {list(attainment.columns)}")
    w = {str(k): float(v) for k, v in weights.items()}
    if not w or any(not np.isfinite(v) or v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"weights must be finite, >= 0 and not all 0, got {dict(weights)!r}")
    if cap is not None and not cap > 0:
        raise ValueError(f"cap must be > 0 or None, got {cap!r}")
    absent = [k for k in w if k not in set(attainment["kpi"])]
    if absent:
        raise ValueError(f"attainment has no rows for weighted KPI {absent[0]!r}")
    rows = attainment[attainment["kpi"].isin(list(w))]
    values = rows["attainment"].to_numpy(dtype="float64")
    values = np.clip(np.nan_to_num(values, nan=0.0), 0.0, np.inf if cap is None else float(cap))
    weighted = pd.Series(values * rows["kpi"].map(w).to_numpy(dtype="float64"), index=rows.index)
    keys = rows[group_col]
    out = pd.DataFrame(
        {
            "score": weighted.groupby(keys, sort=False).sum() / sum(w.values()),
            "kpis_met": rows["met"].astype(int).groupby(keys, sort=False).sum(),
        }
    )
    out.index.name = group_col
    return out.reset_index()


__all__ = ["ATTAINMENT_COLUMNS", "KPI_DIRECTIONS", "attainment_score", "kpi_targets", "target_attainment"]
