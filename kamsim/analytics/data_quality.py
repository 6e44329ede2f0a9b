"""Data quality: how noisy or missing customer data changes which accounts get picked.

KAM example: the CRM says account A buys 2 million a year, but half of its
orders were booked under a sister company; account B's potential was typed
in by an intern three years ago; account C has no potential on file at all.
A key-account list built from such a customer file (客户档案) picks some wrong
accounts.  This module makes that measurable:

* :func:`degrade` returns a copy of a table (accounts, per-account totals or a
  transaction log) with multiplicative measurement noise and missing values in
  chosen numeric columns, drawn from a seed;
* :func:`top_set` picks the ids of the largest values (missing = not picked);
* :func:`jaccard` measures the overlap of two picked sets, 1 = identical, 0 = disjoint;
* :func:`selection_overlap` runs the grid "noise level x missing share x
  replication" for any picking rule and returns one tidy row per cell.

Noise model: ``x_noisy = x * exp(noise_sd * z - noise_sd**2 / 2)`` with
``z ~ N(0, 1)`` per cell -- a log-normal factor with mean 1, so totals stay
unbiased and values stay >= 0; ``noise_sd = 0.5`` means a typical error of
about +-50 %.  Missing values: exactly ``round(missing_share * n)`` cells per
column, chosen at random, become NaN.

Common random numbers: for one seed the standard normal draws ``z`` and the
order in which cells go missing do not depend on ``noise_sd`` or
``missing_share``, so a larger noise level scales the *same* errors and a
larger missing share extends the *same* missing set.  Draws are positional
(row order); each column has its own stream, so adding a column does not
change the errors of another.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from kamsim._random import check_seed, seed_sequence, streams
from kamsim.analytics._validation import NO, require_columns

#: Columns of :func:`selection_overlap`, in order.
OVERLAP_COLUMNS: tuple[str, ...] = ("noise_sd", "missing_share", "replication", "picked", "jaccard")


def _columns(frame: pd.DataFrame, columns: str | Sequence[str]) -> list[str]:
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise ValueError("degrade: give at least one column to degrade")
    for col in cols:
        require_columns(frame, [col], "degrade", verb=NO, first=True, show_present=True)
        if not pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]):
            raise ValueError(f"degrade: column '{col}' is not numeric (dtype {frame[col].dtype})")
    return cols


def degrade(
    frame: pd.DataFrame,
    columns: str | Sequence[str],
    *,
    noise_sd: float = 0.0,
    missing_share: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A copy of ``frame`` with measurement noise and missing values in ``columns``.

    Parameters
    ----------
    frame
        Any table: the accounts table, per-account totals, a transaction or events log.
    columns
        Numeric column(s) to degrade (e.g. ``"annual_potential_spend"``, ``"revenue"``, ``"amount"``).
    noise_sd
        Standard deviation of the log-normal error factor (>= 0; 0 = no noise).
        Values are multiplied by ``exp(noise_sd * z - noise_sd**2 / 2)``, ``z ~ N(0, 1)``.
    missing_share
        Share of cells per column set to NaN (0-1); exactly ``round(missing_share * n)`` cells.
    seed
        Non-negative integer; the same seed gives the same errors.

    Returns
    -------
    DataFrame
        Same index, columns and dtypes as ``frame`` (degraded columns become float64).
        Cells that were already NaN stay NaN.

    Raises
    ------
    ValueError
        On an unknown or non-numeric column, ``noise_sd < 0`` or ``missing_share`` outside [0, 1].
    """
    cols = _columns(frame, columns)
    if not np.isfinite(noise_sd) or noise_sd < 0:
        raise ValueError(f"degrade: noise_sd must be a finite number >= 0, got {noise_sd!r}")
    if not 0 <= missing_share <= 1:
        raise ValueError(f"degrade: missing_share must be in [0, 1], got {missing_share!r}")
    seed = check_seed(seed)
    n = len(frame)
    n_missing = int(round(missing_share * n))
    out = frame.copy()
    rngs = streams(seed, [f"{kind}:{col}" for col in cols for kind in ("noise", "missing")])
    for col in cols:
        values = frame[col].to_numpy(dtype="float64", na_value=np.nan).copy()
        z = rngs[f"noise:{col}"].standard_normal(n)
        order = rngs[f"missing:{col}"].permutation(n)
        if noise_sd > 0:
            values = values * np.exp(noise_sd * z - 0.5 * noise_sd**2)
        values[order[:n_missing]] = np.nan
        out[col] = values
    return out


def top_set(values: pd.Series, top: float = 0.2) -> pd.Index:
    """Index labels of the ``ceil(top * n)`` largest values (missing values are never picked).

    Ties are broken by position (the earlier row wins), so the result is deterministic.

    Parameters
    ----------
    values
        One value per account (e.g. revenue in CU), index = account id.
    top
        Share of accounts to pick (0-1], e.g. 0.2 for the top 20 %.
    """
    if not 0 < top <= 1:
        raise ValueError(f"top_set: top must be in (0, 1], got {top!r}")
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    k = int(np.ceil(top * len(v) - 1e-9))
    ranked = v.dropna().sort_values(ascending=False, kind="mergesort")
    return ranked.index[:k]


def jaccard(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """Jaccard overlap ``|a & b| / |a | b|`` of two sets of ids (1.0 when both are empty)."""
    sa, sb = set(a), set(b)
    union = sa | sb
    return 1.0 if not union else len(sa & sb) / len(union)


def selection_overlap(
    frame: pd.DataFrame,
    pick: Callable[[pd.DataFrame], Iterable[Hashable]],
    columns: str | Sequence[str],
    noise_sds: Sequence[float] = (0.0, 0.25, 0.5, 1.0),
    missing_shares: Sequence[float] = (0.0,),
    replications: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Overlap of the accounts ``pick`` selects on degraded data with those it selects on clean data.

    For every replication ``r`` (seed ``seed_sequence(seed, "data_quality", r)``),
    noise level and missing share, ``frame`` is degraded with :func:`degrade`
    and ``pick`` is applied; the picked ids are compared with ``pick(frame)``
    by :func:`jaccard`.

    Parameters
    ----------
    frame
        One row per account (index = account id), e.g. revenue and potential.
    pick
        The selection rule: a function of a table returning the picked ids,
        e.g. ``lambda f: top_set(f["revenue"], 0.2)``.  It must cope with NaN.
    columns
        Columns to degrade.
    noise_sds, missing_shares
        Grid of :func:`degrade` settings.
    replications
        Number of independent error draws per grid cell (>= 1).
    seed
        Master seed (non-negative int).

    Returns
    -------
    DataFrame
        Columns :data:`OVERLAP_COLUMNS`: ``picked`` (number of ids picked on the
        degraded data) and ``jaccard`` (0-1), one row per (noise_sd,
        missing_share, replication).
    """
    seed = check_seed(seed)
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise ValueError(f"selection_overlap: replications must be an integer >= 1, got {replications!r}")
    clean = list(pick(frame))
    rows = []
    for r in range(int(replications)):
        rep_seed = int(seed_sequence(seed, "data_quality", r).generate_state(1)[0])
        for sd in noise_sds:
            for share in missing_shares:
                picked = list(pick(degrade(frame, columns, noise_sd=sd, missing_share=share, seed=rep_seed)))
                rows.append((float(sd), float(share), r, len(picked), jaccard(clean, picked)))
    out = pd.DataFrame(rows, columns=list(OVERLAP_COLUMNS))
    out = out.sort_values(["noise_sd", "missing_share", "replication"], kind="mergesort").reset_index(drop=True)
    return out.astype({"picked": "int64", "replication": "int64"})
