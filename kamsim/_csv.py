"""CSV writing: the bytes of pandas' ``DataFrame.to_csv(index=False)``, several times faster with pyarrow.

pandas formats every cell in Python (floats through ``numpy.astype(str)``, rows through the ``csv``
module): about 8 s for a 10,000-account, 36-month run's event log and panel.  :func:`write_csv` formats
whole columns in Arrow instead and writes each chunk of lines as one buffer.  It is a drop-in for
``to_csv``: the file is **byte-identical** (tests/test_csv.py compares the two on random frames), so the
same seed gives the same files whether or not pyarrow is installed.  How each cell matches pandas:

- floats: Arrow's shortest round-trip digits equal numpy's ``repr`` for ``1e-4 <= |x| < 1e10``, except that
  Arrow drops the ``.0`` of whole numbers (added back); other magnitudes, ``inf`` and ``-0.0`` are formatted
  by numpy itself; NaN is an empty field.
- integers and booleans (``True``/``False``) as ``str``; dates at midnight (pandas then writes
  ``YYYY-MM-DD``) through Arrow's ``date32``.
- text: fields holding a comma, quote or line break are quoted by the ``csv`` module itself, as in pandas;
  missing values are empty fields.

Anything else (categoricals, nullable integers, times of day, time zones, ``float32``, mixed objects, a
single column, a line terminator other than ``\\n``, no pyarrow) is written by pandas' ``to_csv``.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

#: Rows formatted and written at a time (bounds the memory of the formatted text to ~50 MB).
CHUNK_ROWS = 200_000
#: Float magnitudes whose Arrow text equals numpy's (``[low, high)``); zero is handled too.
_ARROW_FLOAT_RANGE = (1e-4, 1e10)
_NEEDS_QUOTES = r'[,"\r\n]'


def write_csv(frame: pd.DataFrame, file: str | os.PathLike[str], *, lineterminator: str | None = None) -> None:
    """Write ``frame`` to ``file`` exactly as ``frame.to_csv(file, index=False, lineterminator=...)`` does.

    Parameters
    ----------
    frame : DataFrame
        Any frame; columns the fast path does not cover send the whole frame to pandas.
    file : path
        Output file (UTF-8, overwritten).
    lineterminator : str, optional
        As in ``to_csv``; default ``os.linesep``.
    """
    terminator = os.linesep if lineterminator is None else lineterminator
    columns = _fast_columns(frame) if terminator == "\n" else None
    if columns is None:
        frame.to_csv(file, index=False, lineterminator=terminator, encoding="utf-8")
        return
    starts = range(0, len(frame), CHUNK_ROWS)
    with open(file, "wb") as out, ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        out.write(_header(frame.columns).encode("utf-8"))

        def chunk(start: int) -> list[Any]:  # Arrow and numpy kernels release the GIL: columns in parallel
            return [pool.submit(fmt, start, start + CHUNK_ROWS) for fmt in columns]

        pending = chunk(starts[0])
        for following in [*starts[1:], None]:
            cells = [future.result() for future in pending]
            pending = chunk(following) if following is not None else []  # formatted while this chunk is written
            _write_lines(out, [column for column, _ in cells], quoted=any(quoted for _, quoted in cells))


def has_pyarrow() -> bool:
    """True if the optional package pyarrow is installed (found without importing it)."""
    return importlib.util.find_spec("pyarrow") is not None


def _header(names: pd.Index) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(names))
    return buffer.getvalue()


def _fast_columns(frame: pd.DataFrame) -> list[Any] | None:
    """One formatter ``(start, stop) -> pyarrow string array`` per column, or None if pandas must write."""
    if frame.shape[1] < 2 or len(frame) == 0 or not has_pyarrow():
        return None
    if not all(isinstance(name, str) for name in frame.columns) or frame.columns.has_duplicates:
        return None
    formatters = []
    for name in frame.columns:
        fmt = _formatter(frame[name])
        if fmt is None:
            return None
        formatters.append(fmt)
    return formatters


def _formatter(column: pd.Series) -> Any | None:
    """``(start, stop) -> (Arrow string array of CSV fields, True if some field is quoted)``, or None."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype):
        values = column.to_numpy()
        if dtype.kind == "f" and dtype.itemsize == 8:
            return lambda a, b: (_floats(values[a:b]), False)
        if dtype.kind in "iu":
            return lambda a, b: (_cast_text(values[a:b]), False)
        if dtype.kind == "b":
            return lambda a, b: (_booleans(values[a:b]), False)
        if dtype.kind == "M" and _dates_only(column):
            return lambda a, b: (_dates(values[a:b]), False)
        if dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            return lambda a, b: _text(values[a:b])
        return None
    if isinstance(dtype, pd.StringDtype):
        return lambda a, b: _text(column.iloc[a:b])
    return None


def _dates_only(column: pd.Series) -> bool:
    """True when pandas writes this datetime column as ``YYYY-MM-DD`` (naive, every value at midnight)."""
    values = column.dropna()
    return bool((values == values.dt.normalize()).all())


def _floats(values: np.ndarray) -> Any:
    """Floats as numpy's ``astype(str)`` writes them (what pandas writes), NaN as null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    size = np.abs(values)
    arrow_ok = ((size >= _ARROW_FLOAT_RANGE[0]) & (size < _ARROW_FLOAT_RANGE[1])) | (values == 0)
    arrow_ok &= ~np.signbit(values) | (values != 0)  # -0.0 goes to numpy
    text = pc.cast(pa.array(values, mask=~arrow_ok), pa.string())
    whole = arrow_ok & (values == np.floor(values))  # Arrow writes 5.0 as "5": add ".0"
    if whole.any():
        offsets = np.zeros(len(values) + 1, dtype=np.int32)
        np.cumsum(whole.astype(np.int32) * 2, out=offsets[1:])
        suffix = pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(b".0" * int(whole.sum())))
        text = pc.binary_join_element_wise(text, suffix, "")
    other = ~arrow_ok & ~np.isnan(values)
    if other.any():  # tiny, huge, infinite or -0.0: numpy formats them
        text = pc.replace_with_mask(text, pa.array(other), pa.array(values[other].astype(str), type=pa.string()))
    return text


def _cast_text(values: np.ndarray) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(pa.array(values), pa.string())


def _booleans(values: np.ndarray) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pa.array(values), "True", "False")


def _dates(values: np.ndarray) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(pc.cast(pa.array(values), pa.date32()), pa.string())


def _text(values: Any) -> tuple[Any, bool]:
    """Text cells as Arrow strings (missing: null) and whether some field holds a comma, quote or line break.

    Those fields are quoted by the ``csv`` module itself, as pandas does.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(values, type=pa.string(), from_pandas=True)
    if isinstance(text, pa.ChunkedArray):  # an Arrow-backed column made by concat
        text = text.combine_chunks()
    data = text.buffers()[2]
    raw = b"" if data is None else data.to_pybytes()
    if not any(char in raw for char in (b",", b'"', b"\r", b"\n")):  # a byte search of the whole column
        return text, False
    special = pc.match_substring_regex(text, _NEEDS_QUOTES).fill_null(False).to_numpy(zero_copy_only=False)
    if not special.any():
        return text, False
    cells = text.to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(special):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(["x", cells[i]])
        cells[i] = buffer.getvalue()[2:-1]
    return pa.array(cells, type=pa.string(), from_pandas=True), True


def _write_lines(out: Any, columns: list[Any], quoted: bool) -> None:
    """Write equally long Arrow string columns (CSV fields; null = empty) as lines ending in ``\\n``.

    Arrow's CSV writer writes them as they are, unless some field is quoted (``quoted``: Arrow refuses
    quotes when told not to quote); then the lines are joined here.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    table = pa.table({str(i): column for i, column in enumerate(columns)})
    if not quoted:
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        pa_csv.write_csv(table, out, options)  # Arrow's own writer: fields are written as they are
        return
    columns = [column.cast(pa.large_string()) for column in columns]  # 64-bit offsets: no 2 GB limit
    text = pa.large_string()
    lines = pc.binary_join_element_wise(*columns, pa.scalar(",", text), null_handling="replace",
                                        null_replacement="")
    lines = pc.binary_join_element_wise(lines, pa.scalar("", text), pa.scalar("\n", text))  # line + "\n" + ""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    out.write(lines.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0])))
