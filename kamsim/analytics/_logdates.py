"""Dates of transaction logs: explicit formats, no silent day/month guess, one time zone (private).

KAM example: ``05/02/2023`` is 5 February in a Shanghai export and 2 May in a
US one.  Rather than guess, the reader reports the date as ambiguous until the
trainer says ``dayfirst=True``; ``2023-01-05T10:00:00+08:00`` and
``2023-01-05T02:00:00Z`` are the same moment and become the same naive UTC time.

Grammar of :func:`parse_dates` without ``date_format``, after stripping blanks:

* ``YYYY-MM-DD`` (also ``/`` or ``.`` between the parts, one-digit month or day) and
  ``YYYYMMDD`` -- never ambiguous;
* ``DD/MM/YYYY`` or ``MM/DD/YYYY`` (``/``, ``.`` or ``-``): the order comes from
  ``dayfirst``; without it a value whose day and month are both <= 12 (and differ) is
  ambiguous, and so is a two-digit year;
* ``5 Jan 2023``, ``05-January-2023``, ``Jan 5, 2023`` (English month names);
* each optionally followed by a time ``HH:MM[:SS[.fraction]]`` (after ``T`` or a blank,
  optional ``AM``/``PM``) and a zone ``Z``, ``UTC``, ``GMT``, ``+08:00``, ``+0800`` or ``+08``.

Values with a zone are converted to ``tz`` and the zone is dropped; values without one
are kept as written (taken to be in ``tz`` already).  Dates must lie in
:data:`DATE_RANGE` (inside pandas' nanosecond range, so time-zone shifts cannot overflow).
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

from kamsim.analytics._logcsv import is_text

#: First allowed date and first date past the allowed range.
DATE_MIN, DATE_END = np.datetime64("1678-01-01", "D"), np.datetime64("2262-01-01", "D")
#: The allowed range as shown in messages.
DATE_RANGE = "1678-01-01 to 2261-12-31"

_NS_PER_DAY = 86_400 * 10**9
_MIN_NS = int(DATE_MIN.astype("datetime64[ns]").astype(np.int64))
_END_NS = int(DATE_END.astype("datetime64[ns]").astype(np.int64))
_NAT = np.iinfo(np.int64).min

#: Reasons of bad dates (the first two are also used by older kamsim versions).
MISSING_DATE = "missing date"
INVALID_DATE = "not a valid date"
AMBIGUOUS_DATE = "ambiguous date (day/month order unknown); pass dayfirst=True or dayfirst=False, or date_format="
TWO_DIGIT_YEAR = "ambiguous date (two-digit year); pass dayfirst= or date_format="
DATE_OUT_OF_RANGE = f"date out of range ({DATE_RANGE})"


_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DATE_RE = (
    r"(?:(?P<Y1>[0-9]{4})(?P<s1>[-/.])(?P<M1>[0-9]{1,2})(?P=s1)(?P<D1>[0-9]{1,2})"
    r"|(?P<Y0>[0-9]{4})(?P<M0>[0-9]{2})(?P<D0>[0-9]{2})"
    r"|(?P<A>[0-9]{1,2})(?P<s2>[-/.])(?P<B>[0-9]{1,2})(?P=s2)(?P<Y2>[0-9]{4}|[0-9]{2})"
    rf"|(?P<D3>[0-9]{{1,2}})(?:st|nd|rd|th)?[ -](?P<N3>{_MONTH})\.?,?[ -](?P<Y3>[0-9]{{4}})"
    rf"|(?P<N4>{_MONTH})\.?[ -](?P<D4>[0-9]{{1,2}})(?:st|nd|rd|th)?,?[ -](?P<Y4>[0-9]{{4}}))"
    r"(?:(?:T|\s+)(?P<H>[0-9]{1,2}):(?P<MI>[0-9]{2})(?::(?P<S>[0-9]{2})(?:[.,](?P<F>[0-9]{1,9}))?)?"
    r"(?:\s*(?P<AP>[ap])\.?m\.?)?)?"
    r"(?:\s*(?P<Z>z|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2})?))?"
)
_DATE = re.compile(rf"^{_DATE_RE}$", re.IGNORECASE | re.ASCII)

_OK, _BAD, _AMBIGUOUS, _TWO_DIGIT, _RANGE = 0, 1, 2, 3, 4
_REASONS = {_BAD: INVALID_DATE, _AMBIGUOUS: AMBIGUOUS_DATE, _TWO_DIGIT: TWO_DIGIT_YEAR, _RANGE: DATE_OUT_OF_RANGE}


_GROUPS = list(_DATE.groupindex)


def _num(col: np.ndarray) -> np.ndarray:
    """Digits of a regex group as int64 (0 where the group did not match)."""
    return np.array([int(x) if x else 0 for x in col], dtype=np.int64)


def _to_tz(utc_ns: np.ndarray, tz: object) -> np.ndarray:
    """Nanoseconds since 1970 in UTC -> naive wall-clock nanoseconds in ``tz``."""
    if len(utc_ns) == 0 or (isinstance(tz, str) and tz.upper() == "UTC") or tz is _dt.timezone.utc:
        return utc_ns
    idx = pd.DatetimeIndex(utc_ns.view("datetime64[ns]")).tz_localize("UTC").tz_convert(tz).tz_localize(None)
    return np.asarray(idx.asi8, dtype=np.int64)


def _parse_text(
    values: list[str], *, dayfirst: bool | None, tz: object, iso_only: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Stripped, non-empty date strings -> (ns, reason code) with the default grammar."""
    n = len(values)
    code = np.full(n, _BAD, dtype=np.int8)
    if n == 0:
        return np.zeros(0, dtype=np.int64), code
    empty = (None,) * len(_GROUPS)
    columns = zip(*[(m.groups() if (m := _DATE.match(v)) else empty) for v in values])
    g = {name: np.array(col, dtype=object) for name, col in zip(_GROUPS, columns)}
    has = {name: np.array([x is not None for x in col], dtype=bool) for name, col in g.items()}
    iso, basic = has["Y1"], has["Y0"]
    ab, named3, named4 = (has[k] & (not iso_only) for k in ("A", "N3", "N4"))
    year = np.where(iso, _num(g["Y1"]), _num(g["Y0"]))
    month = np.where(iso, _num(g["M1"]), _num(g["M0"]))
    day = np.where(iso, _num(g["D1"]), _num(g["D0"]))
    code[iso | basic | ab | named3 | named4] = _OK
    two = np.zeros(n, dtype=bool)
    if ab.any():
        a, b, yy = _num(g["A"]), _num(g["B"]), _num(g["Y2"])
        two = ab & np.array([y is not None and len(y) == 2 for y in g["Y2"]], dtype=bool)
        y = np.where(two, np.where(yy < 69, 2000 + yy, 1900 + yy), yy)
        if dayfirst is None:
            dmy = a > 12
            code[ab & (a <= 12) & (b <= 12) & (a != b)] = _AMBIGUOUS
        else:
            dmy = np.full(n, bool(dayfirst))
            two[:] = False
        year = np.where(ab, y, year)
        month = np.where(ab, np.where(dmy, b, a), month)
        day = np.where(ab, np.where(dmy, a, b), day)
    for named, mcol, dcol, ycol in ((named3, "N3", "D3", "Y3"), (named4, "N4", "D4", "Y4")):
        if named.any():
            names = np.array([_MONTHS[x[:3].lower()] if x else 0 for x in g[mcol]], dtype=np.int64)
            year = np.where(named, _num(g[ycol]), year)
            month = np.where(named, names, month)
            day = np.where(named, _num(g[dcol]), day)
    # calendar check (numpy handles years 0..9999 exactly)
    m_ok = (month >= 1) & (month <= 12)
    months = (year - 1970) * 12 + np.where(m_ok, month - 1, 0)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    dim = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - first
    code[(code == _OK) & ~(m_ok & (day >= 1) & (day <= dim))] = _BAD
    code[(code == _OK) & two] = _TWO_DIGIT
    days = first + day - 1
    # time of day
    hour, minute, second = _num(g["H"]), _num(g["MI"]), _num(g["S"])
    frac_ns = _num(np.array([f.ljust(9, "0") if f else None for f in g["F"]], dtype=object))
    pm = np.array([x is not None and x.lower() == "p" for x in g["AP"]], dtype=bool)
    twelve = has["AP"]
    t_ok = ~has["H"] | ((minute < 60) & (second < 60) & np.where(twelve, (hour >= 1) & (hour <= 12), hour < 24))
    hour = np.where(twelve, hour % 12 + np.where(pm, 12, 0), hour)
    code[(code == _OK) & ~t_ok] = _BAD
    # zone: Z / UTC / GMT or an offset [+-]HH[[:]MM]
    aware = has["Z"]
    digits = [z.replace(":", "")[1:] if z and z[0] in "+-" else "" for z in g["Z"]]
    zh = _num(np.array([d[:2] for d in digits], dtype=object))
    zm = _num(np.array([d[2:4] for d in digits], dtype=object))
    sign = np.array([-1 if z and z[0] == "-" else 1 for z in g["Z"]], dtype=np.int64)
    offset_min = sign * (zh * 60 + zm)
    code[(code == _OK) & aware & ((zh > 23) | (zm > 59))] = _BAD
    # range (checked on whole days first, so the nanosecond arithmetic cannot overflow)
    lo, hi = int(DATE_MIN.astype(np.int64)) - 2, int(DATE_END.astype(np.int64)) + 2
    code[(code == _OK) & ((days < lo) | (days >= hi))] = _RANGE
    good = code == _OK
    days = np.where(good, days, 0)
    local = days * _NS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 10**9 + frac_ns
    ns = np.where(aware, local - offset_min * 60 * 10**9, local)
    conv = good & aware
    if conv.any():
        ns[conv] = _to_tz(ns[conv], tz)
    code[good & ((ns < _MIN_NS) | (ns >= _END_NS))] = _RANGE
    return ns, code


def _parse_format(values: pd.Series, fmt: str, tz: object) -> tuple[np.ndarray, np.ndarray]:
    """Stripped, non-empty date strings -> (ns, reason code) with an explicit strftime format."""
    n = len(values)
    code = np.full(n, _BAD, dtype=np.int8)
    ns = np.zeros(n, dtype=np.int64)
    if n == 0:
        return ns, code
    aware = "%z" in fmt or "%Z" in fmt
    try:
        parsed = pd.to_datetime(values, format=fmt, errors="coerce", utc=aware)
    except (ValueError, TypeError) as err:
        raise ValueError(f"date_format {fmt!r} is not a valid format: {err}") from None
    if aware:
        parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
    arr = parsed.to_numpy()
    unit_min = DATE_MIN.astype(arr.dtype)
    unit_end = DATE_END.astype(arr.dtype)
    ok = ~np.isnat(arr)
    inside = ok & (arr >= unit_min) & (arr < unit_end)
    code[inside] = _OK
    code[ok & ~inside] = _RANGE
    ns[inside] = arr[inside].astype("datetime64[ns]").astype(np.int64)
    for i in np.flatnonzero(~ok):  # a value the format reads but pandas cannot hold is out of range
        try:
            _dt.datetime.strptime(values.iloc[i], fmt)
            code[i] = _RANGE
        except (ValueError, TypeError, OverflowError):
            pass
    return ns, code


def _parse_object(
    values: np.ndarray, *, date_format: str | None, dayfirst: bool | None, tz: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mixed Python objects (datetimes, dates, strings, numbers) -> (ns, reason code, missing)."""
    n = len(values)
    ns = np.zeros(n, dtype=np.int64)
    code = np.full(n, _BAD, dtype=np.int8)
    missing = np.zeros(n, dtype=bool)
    text_pos, texts = [], []
    for i, v in enumerate(values):
        if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            missing[i] = True
        elif isinstance(v, (_dt.datetime, _dt.date, np.datetime64)):
            try:
                ts = pd.Timestamp(v)
                if ts is pd.NaT:
                    missing[i] = True
                    continue
                if ts.tzinfo is not None:
                    ts = ts.tz_convert(tz).tz_localize(None)
                if not (pd.Timestamp(DATE_MIN) <= ts < pd.Timestamp(DATE_END)):
                    code[i] = _RANGE
                    continue
                ns[i] = int(ts.as_unit("ns").value)
                code[i] = _OK
            except (ValueError, OverflowError, TypeError, pd.errors.OutOfBoundsDatetime):
                code[i] = _RANGE
        else:
            text = str(v).strip()
            if text == "":
                missing[i] = True
            else:
                text_pos.append(i)
                texts.append(text)
    if texts:
        t_ns, t_code = _parse_strings(pd.Series(texts, dtype=object), date_format=date_format, dayfirst=dayfirst, tz=tz)
        ns[text_pos] = t_ns
        code[text_pos] = t_code
    return ns, code, missing


def _parse_strings(
    texts: pd.Series, *, date_format: str | None, dayfirst: bool | None, tz: object
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct stripped non-empty strings -> (ns, code), each distinct value parsed once."""
    codes, uniques = pd.factorize(texts, use_na_sentinel=True)
    u = [str(v) for v in uniques]
    if date_format is None or date_format == "ISO8601":
        u_ns, u_code = _parse_text(u, dayfirst=dayfirst, tz=tz, iso_only=date_format == "ISO8601")
    else:
        u_ns, u_code = _parse_format(pd.Series(u, dtype=object), date_format, tz)
    return u_ns[codes], u_code[codes]


def parse_dates(
    raw: pd.Series, *, date_format: str | None = None, dayfirst: bool | None = None, tz: object = "UTC"
) -> tuple[np.ndarray, np.ndarray]:
    """A date column -> (naive ``datetime64[ns]`` array with NaT for bad values, reason per row or None).

    Reasons: :data:`MISSING_DATE`, :data:`INVALID_DATE`, :data:`AMBIGUOUS_DATE`,
    :data:`TWO_DIGIT_YEAR`, :data:`DATE_OUT_OF_RANGE`.
    """
    dtype = raw.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _from_datetime64(raw.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(), tz=tz)
    if isinstance(dtype, np.dtype) and np.issubdtype(dtype, np.datetime64):
        return _from_datetime64(raw.to_numpy())
    if is_text(raw):  # each distinct text is read once
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        u = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.strip()
        blank = (u == "").to_numpy(dtype=bool)
        u_ns = np.zeros(len(u), dtype=np.int64)
        u_code = np.full(len(u), _OK, dtype=np.int8)
        if (~blank).any():
            u_ns[~blank], u_code[~blank] = _parse_strings(
                u[~blank].reset_index(drop=True), date_format=date_format, dayfirst=dayfirst, tz=tz
            )
        known = codes >= 0
        missing = ~known
        missing[known] = blank[codes[known]]
        ns = np.zeros(len(raw), dtype=np.int64)
        code = np.full(len(raw), _OK, dtype=np.int8)
        ns[known], code[known] = u_ns[codes[known]], u_code[codes[known]]
    else:
        objects = raw.astype(object).to_numpy()
        ns, code, missing = _parse_object(objects, date_format=date_format, dayfirst=dayfirst, tz=tz)
    return _finish(ns, code, missing)


def _from_datetime64(arr: np.ndarray, tz: object = None) -> tuple[np.ndarray, np.ndarray]:
    """A naive datetime64 array of any unit -> (ns array, reasons); NaT is a missing date.

    With ``tz`` the values are UTC and are converted to naive wall-clock times in ``tz``.
    """
    missing = np.isnat(arr)
    lo, hi = DATE_MIN - np.timedelta64(2, "D"), DATE_END + np.timedelta64(2, "D")
    inside = ~missing & (arr >= lo.astype(arr.dtype)) & (arr < hi.astype(arr.dtype))
    ns = np.zeros(len(arr), dtype=np.int64)
    ns[inside] = arr[inside].astype("datetime64[ns]").astype(np.int64)
    if tz is not None and inside.any():
        ns[inside] = _to_tz(ns[inside], tz)
    inside &= (ns >= _MIN_NS) & (ns < _END_NS)
    code = np.where(inside | missing, _OK, _RANGE).astype(np.int8)
    return _finish(ns, code, missing)


def _finish(ns: np.ndarray, code: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    reasons = np.full(len(ns), None, dtype=object)
    reasons[missing] = MISSING_DATE
    for c, text in _REASONS.items():
        reasons[~missing & (code == c)] = text
    bad = missing | (code != _OK)
    out = np.where(bad, _NAT, ns).view("datetime64[ns]")
    return out, reasons
