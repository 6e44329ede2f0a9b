"""Input checks and column defaults shared by every :mod:`kamsim.analytics` module (private).

KAM example: a trainer passes the CRM export of her accounts to
``relationship_depth`` and the export has no ``acquisition_date``.  Whatever
function she calls, the error names the table and the missing column(s) --
because every function checks its inputs here, in the spirit of
scikit-learn's ``utils.validation``.

* column defaults: :data:`CUSTOMER_COL`, :data:`DATE_COL`, :data:`AMOUNT_COL`
  (kamsim's ``events`` names), the defaults of every ``customer_col=``,
  ``date_col=``, ``amount_col=`` parameter, and the shared docstring entry of
  those parameters, :data:`LOG_COLUMNS_DOC`, filled in by :func:`fill_doc`;
* :func:`require_columns` -- ``ValueError`` naming the table and the missing column(s);
* :func:`require_unique` -- ``ValueError`` naming the row of the first repeated id;
* :func:`check_stages` -- a list of lifecycle stages without repeats.

Error messages are part of the public behaviour (tests and students read
them), so each caller chooses the wording it has always used: the verb
(:data:`IS_MISSING`, :data:`HAS_NO`, :data:`MISSING`, :data:`NO`), whether all
missing columns or only the first is named, and a hint.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd

#: Default customer (account) id column of a log: kamsim's ``events`` name.
CUSTOMER_COL: str = "account_id"
#: Default date column of a log.
DATE_COL: str = "date"
#: Default amount column of a log (CU).
AMOUNT_COL: str = "amount"

#: numpydoc entry of the log-column parameters; :func:`fill_doc` puts it where a docstring says ``%(log_columns)s``.
LOG_COLUMNS_DOC: str = (
    "customer_col, date_col, amount_col\n"
    "    Column names of the customer id, the date and the amount (CU) in the log; the defaults\n"
    f"    ``{CUSTOMER_COL}``, ``{DATE_COL}``, ``{AMOUNT_COL}`` are the names in kamsim's ``events``."
)

#: Message verbs of :func:`require_columns`: "events is missing column(s) [...]", "events has no column(s) [...]",
#: "events: missing column(s) [...]", "accounts: no column '...'".
IS_MISSING, HAS_NO, MISSING, NO = " is missing", " has no", ": missing", ": no"

_F = TypeVar("_F", bound=Callable[..., object])


def fill_doc(func: _F) -> _F:
    """Replace the line ``%(log_columns)s`` of ``func``'s docstring by :data:`LOG_COLUMNS_DOC` (same indent)."""
    doc = func.__doc__
    if doc:
        lines = []
        for line in doc.split("\n"):
            if line.strip() == "%(log_columns)s":
                indent = line[: len(line) - len(line.lstrip())]
                lines += [indent + text for text in LOG_COLUMNS_DOC.split("\n")]
            else:
                lines.append(line)
        func.__doc__ = "\n".join(lines)
    return func


def missing_columns(frame: pd.DataFrame, columns: Iterable[Hashable]) -> list:
    """The entries of ``columns`` that ``frame`` lacks, in the given order."""
    return [c for c in columns if c not in frame.columns]


def require_columns(
    frame: pd.DataFrame,
    columns: Iterable[Hashable],
    what: str,
    *,
    where: str | None = None,
    verb: str = IS_MISSING,
    first: bool = False,
    hint: str = "",
    check_type: bool = False,
    show_present: bool = False,
) -> None:
    """Raise ``ValueError`` if ``frame`` lacks one of ``columns``.

    Parameters
    ----------
    frame
        The table to check.
    columns
        Column names it needs.
    what
        Name of the table in the message (``"events"``, ``"accounts table"``, ...).
    where
        Function name put in front (``"stage_history: events has no column(s) [...]"``).
    verb
        :data:`IS_MISSING`, :data:`HAS_NO`, :data:`MISSING` or :data:`NO`.
    first
        Name only the first missing column, quoted (``"missing column 'score'"``), instead of
        the list of all missing columns (``"missing column(s) ['a', 'b']"``).
    hint
        Text appended to the message (``"; pass the output of rfm_table"``).
    check_type
        First raise ``"<what> must be a pandas DataFrame, got <type>"`` if ``frame`` is not a DataFrame.
    show_present
        Append ``"; columns present: [...]"`` (after ``hint``).

    Raises
    ------
    ValueError
        ``"[<where>: ]<what><verb> column(s) [<missing>]<hint>"``, or with ``first``
        ``"[<where>: ]<what><verb> column '<first missing>'<hint>"``.
    """
    if check_type and not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = missing_columns(frame, columns)
    if not missing:
        return
    named = f"column '{missing[0]}'" if first else f"column(s) {missing}"
    present = f"; columns present: {list(map(str, frame.columns))}" if show_present else ""
    prefix = f"{where}: " if where else ""
    raise ValueError(f"{prefix}{what}{verb} {named}{hint}{present}")


def require_unique(ids: pd.Series, what: str, column: str, *, word: str = "duplicate id") -> None:
    """Raise ``ValueError`` ``"<what>: column '<column>' row <row>: duplicate id <id>"`` at the first repeat of ``ids``.

    ``row`` is the 0-based position; ``word`` words the problem (``"duplicated id"`` in
    :func:`kamsim.analytics.account_snapshot`).
    """
    repeated = ids.duplicated().to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise ValueError(f"{what}: column '{column}' row {row}: {word} {ids.iloc[row]!r}")


def check_stages(stages: Sequence[str], func: str) -> list[str]:
    """``stages`` as a list; ``ValueError`` if it is empty or repeats a stage."""
    stages = list(stages)
    if not stages or len(set(stages)) != len(stages):
        raise ValueError(f"{func}: stages must be a non-empty list without repeats, got {stages}")
    return stages
