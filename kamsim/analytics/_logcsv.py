"""CSV text of transaction logs, read with care (private helper of :mod:`kamsim.analytics.io`).

KAM example: a trainer gets a Chinese CRM export in GBK, where one order line
carries two extra fields because a product name contained a comma.  Reading it
must neither crash nor shift columns: the decoding error names the line, and
the ragged row is reported by its line while the other rows are read.

* :func:`decode` -- bytes to text (``encoding``, UTF-8 byte-order mark accepted); errors name the line;
* :func:`split_csv` -- the header and the data rows of a CSV text, the file line of each
  row, and the *ragged* rows (field count different from the header's).

Well-formed text goes through pandas' C parser after a vectorised scan has counted
the fields of every record; anything unusual (ragged rows, stray quotes,
whitespace-only lines) goes through the csv module, the reference for both.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

import numpy as np
import pandas as pd

#: Longest value quoted in full in a message.
SHOW_CHARS = 60


def short(value: object) -> str:
    """``value`` as text, cut to :data:`SHOW_CHARS` characters (messages stay short on hostile input)."""
    text = str(value)
    return text if len(text) <= SHOW_CHARS else text[: SHOW_CHARS - 3] + "..."


def _count_lines(text: str | bytes) -> int:
    """Line breaks in ``text`` (``\\n``, ``\\r\\n`` and a lone ``\\r`` each count once)."""
    if isinstance(text, bytes):
        return text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def is_text(raw: pd.Series) -> bool:
    """True if ``raw`` holds strings only (string dtype, or object dtype of str and missing values)."""
    return isinstance(raw.dtype, pd.StringDtype) or (
        raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty")
    )


def as_text(values: pd.Series) -> pd.Series:
    """``values`` as strings (missing values NA), also holding objects pandas cannot compare (``Decimal("sNaN")``)."""
    try:
        return values.astype("string")
    except Exception:  # a value whose comparison raises: convert one by one
        def text(v: object) -> object:
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                return pd.NA
            return str(v)

        return pd.Series([text(v) for v in values], index=values.index, dtype="string")


def decode(data: bytes, source: str, encoding: str = "utf-8") -> str:
    """Text of a file; ``ValueError`` naming the file and line when it is not in ``encoding``.

    UTF-8 (the default) accepts a byte-order mark.  A NUL character (a UTF-16 file read
    as UTF-8) is an error too.
    """
    utf8 = codecs.lookup(encoding).name == "utf-8"
    try:
        text = data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as err:
        line = _count_lines(data[: err.start]) + 1
        byte = data[err.start : err.start + 1].hex()
        if utf8:
            utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
            hint = "pass encoding='utf-16'" if utf16 else "pass encoding='gbk' (or the file's encoding)"
            raise ValueError(f"{source}: not UTF-8 at line {line} (byte 0x{byte}); {hint}") from None
        raise ValueError(
            f"{source}: not valid {encoding} at line {line} (byte 0x{byte}); pass encoding= the file's encoding"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        line = _count_lines(text[:nul]) + 1
        raise ValueError(f"{source}: NUL character at line {line}; is it a UTF-16 file? pass encoding='utf-16'")
    return text


def _header_names(fields: list[str]) -> list[str]:
    """Header fields as column names; an empty name becomes ``Unnamed: i`` (as pandas names it)."""
    return [name if name != "" else f"Unnamed: {i}" for i, name in enumerate(fields)]


def _scan(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Field count and start line of each record, vectorised; None if the text needs the careful parser.

    Works on well-formed CSV (quotes only around whole fields, ``\n`` or ``\r\n`` line breaks);
    anything else returns None.  A whitespace-only line counts as a one-field record, so the
    caller's field-count check sends such text to the careful parser too.
    """
    if not text:
        return None
    b = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    n = len(b)
    quotes = np.flatnonzero(b == 34)
    if len(quotes) % 2:
        return None
    if len(quotes):
        # an opening quote (even index) must start a field, a closing one (odd index) must end it;
        # anything else is a quote inside a field, left to the careful parser
        edge = np.array([44, 10, 13, 34], dtype=np.uint8)
        opening, closing = quotes[0::2], quotes[1::2]
        before = np.where(opening > 0, b[np.maximum(opening - 1, 0)], 44)
        after = np.where(closing < n - 1, b[np.minimum(closing + 1, n - 1)], 44)
        if not (np.all(np.isin(before, edge)) and np.all(np.isin(after, edge))):
            return None
    cr = np.flatnonzero(b == 13)
    if len(cr) and np.any((cr + 1 >= n) | (b[np.minimum(cr + 1, n - 1)] != 10)):
        return None  # a lone CR line break: pandas' parser can shift the next row's fields
    breaks = np.flatnonzero(b == 10)
    commas = np.flatnonzero(b == 44)
    if len(quotes):
        breaks_out = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    else:
        breaks_out = breaks
    starts = np.concatenate([[0], breaks_out + 1])
    ends = np.concatenate([breaks_out, [n]])
    crlf = (ends < n) & (ends > 0) & (b[np.minimum(ends, n - 1)] == 10) & (b[np.maximum(ends - 1, 0)] == 13)
    content_end = ends - crlf
    keep = content_end > starts
    starts, ends = starts[keep], ends[keep]
    fields = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
    lines = np.searchsorted(breaks, starts) + 1
    return fields, lines


def _split_careful(text: str, source: str) -> tuple[list[list[str]], list[int]]:
    """Records and their start lines with the csv module (any text; the reference for :func:`_scan`)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    records: list[list[str]] = []
    lines: list[int] = []
    end = 0
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not fields or (len(fields) == 1 and fields[0].strip() == ""):
                continue
            records.append(fields)
            lines.append(start)
    except csv.Error as err:
        raise ValueError(f"{source}: line {end + 1}: malformed CSV ({err}); check the quotes on that line") from None
    if '"' in text:  # did the file end inside a quoted field?
        last = lines[-1] if records else 1
        breaks = re.finditer(r"\r\n|\r|\n", text)
        offset = 0
        for _, match in zip(range(last - 1), breaks):
            offset = match.end()
        try:
            list(csv.reader(io.StringIO(text[offset:], newline=""), strict=True))
        except csv.Error as err:
            if "end of data" in str(err):
                unclosed = f"{source}: line {last}: a quoted field is never closed (unbalanced '\"')"
                raise ValueError(unclosed) from None
    return records, lines


def split_csv(
    text: str, source: str, *, expected: list | None = None, careful: bool = False
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Data rows of a CSV text as a DataFrame of strings, plus file lines and ragged rows.

    Returns
    -------
    frame : DataFrame
        One column per header field (names as in the header; an empty name is
        ``Unnamed: i``; repeated names stay repeated), one row per non-blank record
        after the header, index ``0..n-1``; empty fields and ragged rows are NA.
    lines : ndarray of int64
        1-based file line where each data row starts.
    ragged : DataFrame
        Columns ``pos, fields, value``: data rows whose field count differs from the header's.

    A text without a header line (empty, or only blank lines) is a ``ValueError`` that
    lists the ``expected`` columns.  ``careful=True`` forces the csv-module parser (tests
    compare both).
    """
    scanned = None if careful else _scan(text)
    frame = None
    # one-field records ('', '  ', '""') are blank lines to the csv module: those files go the careful way
    if scanned is not None and len(scanned[0]) and scanned[0][0] > 1 and np.all(scanned[0] == scanned[0][0]):
        try:
            raw = pd.read_csv(
                io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_values=[""],
                index_col=False, engine="c", skip_blank_lines=True,
            )
        except Exception:
            raw = None
        if raw is not None and raw.shape == (len(scanned[0]), int(scanned[0][0])):
            header = _header_names(["" if pd.isna(v) else str(v) for v in raw.iloc[0]])
            frame = raw.iloc[1:].reset_index(drop=True)
            frame.columns = header
            lines = scanned[1][1:].astype(np.int64)
            ragged = pd.DataFrame({"pos": pd.Series([], dtype="int64"), "fields": pd.Series([], dtype="int64"),
                                   "value": pd.Series([], dtype="object")})
    if frame is None:
        records, line_list = _split_careful(text, source)
        if not records:
            hint = f"; expected a header with the columns {expected}" if expected else ""
            raise ValueError(f"{source}: empty file (no header line){hint}")
        header = _header_names(records[0])
        width = len(header)
        rows = records[1:]
        bad = [i for i, r in enumerate(rows) if len(r) != width]
        ragged = pd.DataFrame(
            {
                "pos": pd.Series(bad, dtype="int64"),
                "fields": pd.Series([len(rows[i]) for i in bad], dtype="int64"),
                "value": pd.Series([",".join(rows[i]) for i in bad], dtype="object"),
            }
        )
        blank = [None] * width
        bad_set = set(bad)
        rows = [blank if i in bad_set else [f if f != "" else None for f in r] for i, r in enumerate(rows)]
        cols = list(zip(*rows)) if rows else [()] * width
        frame = pd.concat([pd.Series(c, dtype=object) for c in cols], axis=1, ignore_index=True)
        frame.columns = header
        lines = np.asarray(line_list[1:], dtype=np.int64)
    return frame, lines, ragged
