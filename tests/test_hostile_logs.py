"""Hostile transaction logs (issue 15, item 5): a clean ValueError naming the file and row, or a valid log.

One plain test per reproduction of the issue, then hypothesis suites (300 examples each) over random
CSV text (ragged rows, quotes, odd encodings, line breaks), random bytes, random DataFrames, and
dates / numbers rendered in several formats, zones and locales -- where every kept value must equal
the value that was written (no silently wrong number).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kamsim.analytics import check_transactions, read_transactions
from kamsim.analytics._logcsv import split_csv
from kamsim.analytics.io import CANONICAL_COLUMNS

#: 300 examples per target (the issue's minimum), no example database: the suite leaves nothing behind.
HYPOTHESIS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: A hostile log must not make numpy or pandas warn either (overflow, guessed formats, ...).
pytestmark = [pytest.mark.filterwarnings(f"error::{w}") for w in ("RuntimeWarning", "UserWarning", "FutureWarning")]
COLUMNS = {"customer_col": "c", "date_col": "d", "amount_col": "a"}
FIRST, END = pd.Timestamp("1678-01-01"), pd.Timestamp("2262-01-01")


def _write(folder: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / "log.csv"
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def assert_clean_error(err: ValueError, source: str) -> None:
    """The message names the source and a line, row or column, and stays short."""
    msg = str(err)
    assert msg.startswith(f"{source}:") or msg.startswith(f"{source} "), msg
    assert re.search(r"\b(row|line) \d+|column", msg), msg
    assert len(msg) < 600, msg


def assert_valid_log(log: pd.DataFrame) -> None:
    """Canonical columns, naive in-range dates, finite amounts >= 0, finite-or-NaN margins, ids present."""
    assert tuple(log.columns) == CANONICAL_COLUMNS
    assert log["date"].dtype == "datetime64[ns]"
    assert not log["date"].isna().any()
    assert ((log["date"] >= FIRST) & (log["date"] < END)).all()
    assert log["amount"].dtype == "float64" and np.isfinite(log["amount"]).all() and (log["amount"] >= 0).all()
    margin = log["margin"].to_numpy()
    assert log["margin"].dtype == "float64" and not np.isinf(margin).any()
    ids = log["account_id"]
    assert ids.notna().all() and (ids.str.len() > 0).all() and (ids == ids.str.strip()).all()
    assert list(log.attrs["dropped_rows"].columns) == ["row", "column", "value", "reason"]


def read_both(path_or_df, source: str, **options):
    """Read in drop mode (and in raise mode where it must differ); check both; return the log or None."""
    try:
        log = read_transactions(path_or_df, **COLUMNS, margin_col="m", on_error="drop", **options)
    except ValueError as err:
        assert_clean_error(err, source)
        # a problem of the whole file (encoding, header, quotes) fails in both modes, with one message
        with pytest.raises(ValueError) as strict:
            read_transactions(path_or_df, **COLUMNS, margin_col="m", **options)
        assert str(strict.value) == str(err)
        event("clean error (whole file)")
        return None
    assert_valid_log(log)
    report = log.attrs["dropped_rows"]
    if len(report):  # raise mode names the first problem's row
        with pytest.raises(ValueError) as strict:
            read_transactions(path_or_df, **COLUMNS, margin_col="m", **options)
        assert_clean_error(strict.value, source)
        assert f"row {report['row'].iloc[0]}" in str(strict.value)
    event("valid log, rows dropped" if len(report) else "valid log, nothing dropped")
    if len(log):
        event("valid log with rows kept")
    return log


def _scratch(factory) -> Path:
    """One folder per test for the files hypothesis writes (rewritten by every example)."""
    folder = factory.getbasetemp() / "hostile_logs"
    folder.mkdir(exist_ok=True)
    return folder


# ----------------------------------------------------------------------------------------------- reproductions


@pytest.mark.parametrize("mode", ["raise", "drop"])
def test_issue15_utc_z_timestamp_is_read(tmp_path, mode):
    path = _write(tmp_path, "c,d,a\nA,2023-01-05T10:00:00Z,1\n")
    log = read_transactions(path, **COLUMNS, on_error=mode)
    assert log["date"].tolist() == [pd.Timestamp("2023-01-05 10:00")]
    assert log["date"].dtype == "datetime64[ns]"


@pytest.mark.parametrize("mode", ["raise", "drop"])
def test_issue15_offset_timestamp_is_converted_to_utc_or_tz(tmp_path, mode):
    path = _write(tmp_path, "c,d,a\nA,2023-01-05T10:00:00+08:00,1\n")
    assert read_transactions(path, **COLUMNS, on_error=mode)["date"].tolist() == [pd.Timestamp("2023-01-05 02:00")]
    shanghai = read_transactions(path, **COLUMNS, on_error=mode, tz="Asia/Shanghai")
    assert shanghai["date"].tolist() == [pd.Timestamp("2023-01-05 10:00")]


@pytest.mark.parametrize("mode", ["raise", "drop"])
def test_issue15_tz_aware_dataframe_column_is_converted(mode):
    dates = pd.to_datetime(["2023-01-05 10:00", "2023-07-01 10:00"]).tz_localize("Asia/Shanghai")
    df = pd.DataFrame({"c": ["A", "B"], "d": dates, "a": [1.0, 2.0]})
    log = read_transactions(df, **COLUMNS, on_error=mode)
    assert log["date"].tolist() == [pd.Timestamp("2023-01-05 02:00"), pd.Timestamp("2023-07-01 02:00")]
    assert log["date"].dtype == "datetime64[ns]"
    assert read_transactions(df, **COLUMNS, tz="Asia/Shanghai")["date"].tolist() == [
        pd.Timestamp("2023-01-05 10:00"),
        pd.Timestamp("2023-07-01 10:00"),
    ]


def test_issue15_mixed_time_zones_in_one_column(tmp_path):
    text = (
        "c,d,a\nA,2023-01-05T10:00:00+08:00,1\nB,2023-01-05T02:00:00Z,2\n"
        "C,2023-01-04T21:00:00-05:00,3\nD,2023-01-05,4\n"
    )
    log = read_transactions(_write(tmp_path, text), **COLUMNS)
    assert log["date"].tolist() == [pd.Timestamp("2023-01-05 02:00")] * 3 + [pd.Timestamp("2023-01-05")]


def test_issue15_first_row_with_two_extra_fields(tmp_path):
    path = _write(tmp_path, "c,d,a\nA,2023-01-05,1,x,y\nB,2023-01-06,2\nC,2023-01-07,3\n")
    with pytest.raises(ValueError, match=r"^log\.csv: row 0 \(file line 2\): 5 fields where the header has 3"):
        read_transactions(path, **COLUMNS)
    log = read_transactions(path, **COLUMNS, on_error="drop")
    assert log["account_id"].tolist() == ["B", "C"]  # only the ragged line is dropped
    report = log.attrs["dropped_rows"]
    assert report[["row", "column", "value"]].values.tolist() == [[0, "*", "A,2023-01-05,1,x,y"]]


def test_issue15_european_numbers_are_ambiguous_without_options(tmp_path):
    path = _write(tmp_path, 'c,d,a\nA,2023-01-05,"1.234,50"\nB,2023-01-06,"2.000,00"\n')
    with pytest.raises(ValueError, match=r"row 0 \(file line 2\), column 'a': ambiguous number.*'1\.234,50'"):
        read_transactions(path, **COLUMNS)
    dropped = read_transactions(path, **COLUMNS, on_error="drop")
    assert len(dropped) == 0 and dropped.attrs["dropped_rows"]["value"].tolist() == ["1.234,50", "2.000,00"]
    log = read_transactions(path, **COLUMNS, decimal=",", thousands=".")
    assert log["amount"].tolist() == [1234.5, 2000.0]


def test_issue15_day_month_order_is_never_guessed(tmp_path):
    path = _write(tmp_path, "c,d,a\nA,05/02/2023,1\n")
    with pytest.raises(ValueError, match=r"row 0 \(file line 2\), column 'd': ambiguous date.*'05/02/2023'"):
        read_transactions(path, **COLUMNS)
    assert read_transactions(path, **COLUMNS, dayfirst=True)["date"].tolist() == [pd.Timestamp("2023-02-05")]
    assert read_transactions(path, **COLUMNS, dayfirst=False)["date"].tolist() == [pd.Timestamp("2023-05-02")]
    assert read_transactions(path, **COLUMNS, date_format="%d/%m/%Y")["date"].tolist() == [pd.Timestamp("2023-02-05")]
    # unambiguous values and ISO dates need no option
    clear = _write(tmp_path, "c,d,a\nA,25/02/2023,1\nB,02/25/2023,1\nC,2023-02-05,1\nD,05/05/2023,1\n")
    assert read_transactions(clear, **COLUMNS)["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-02-25", "2023-02-25", "2023-02-05", "2023-05-05",
    ]  # fmt: skip


def test_issue15_out_of_range_date_names_file_row_and_value(tmp_path):
    path = _write(tmp_path, "c,d,a\nA,2023-01-05,1\nB,9999-01-01,2\n")
    out_of_range = r"^log\.csv: row 1 \(file line 3\), column 'd': date out of range.*'9999-01-01'"
    with pytest.raises(ValueError, match=out_of_range):
        read_transactions(path, **COLUMNS)
    log = read_transactions(path, **COLUMNS, on_error="drop")
    assert log["account_id"].tolist() == ["A"]
    df = pd.DataFrame({"c": ["A"], "d": np.array(["9999-01-01"], dtype="datetime64[s]"), "a": [1.0]})
    with pytest.raises(ValueError, match=r"^transactions: row 0, column 'd': date out of range"):
        read_transactions(df, **COLUMNS)


def test_issue15_gbk_file_names_the_line_and_the_encoding(tmp_path):
    path = _write(tmp_path, "客户,日期,金额\nA1,2023-01-05,1\n张三,2023-01-06,2\n", encoding="gbk")
    columns = {"customer_col": "客户", "date_col": "日期", "amount_col": "金额"}
    not_utf8 = r"^log\.csv: not UTF-8 at line 1 .*pass encoding='gbk' \(or the file's encoding\)"
    with pytest.raises(ValueError, match=not_utf8):
        read_transactions(path, **columns, on_error="drop")
    log = read_transactions(path, **columns, encoding="gbk")
    assert log["account_id"].tolist() == ["A1", "张三"]
    bom = _write(tmp_path, "\ufeffc,d,a\nA,2023-01-05,1\n")  # UTF-8 with a byte-order mark
    assert len(read_transactions(bom, **COLUMNS)) == 1


def test_issue15_empty_file_is_an_error_and_header_only_an_empty_log(tmp_path):
    for text in ("", "\n\n", "\ufeff"):
        with pytest.raises(ValueError, match=r"^log\.csv: empty file \(no header line\); expected a header"):
            read_transactions(_write(tmp_path, text), **COLUMNS, on_error="drop")
    log = read_transactions(_write(tmp_path, "c,d,a\n"), **COLUMNS)
    assert len(log) == 0 and tuple(log.columns) == CANONICAL_COLUMNS and log["date"].dtype == "datetime64[ns]"
    with pytest.raises(ValueError, match=r"^log\.csv: missing column\(s\) \['a'\]"):
        read_transactions(_write(tmp_path, "c,d\n"), **COLUMNS)


def test_unclosed_quote_utf16_and_repeated_column_are_clean_errors(tmp_path):
    with pytest.raises(ValueError, match=r"^log\.csv: line 3: a quoted field is never closed"):
        read_transactions(_write(tmp_path, 'c,d,a\nA,2023-01-05,1\nB,2023-01-06,"2\n'), **COLUMNS, on_error="drop")
    utf16 = _write(tmp_path, "c,d,a\nA,2023-01-05,1\n", encoding="utf-16")
    with pytest.raises(ValueError, match=r"not UTF-8 at line 1 .*encoding='utf-16'"):
        read_transactions(utf16, **COLUMNS)
    assert len(read_transactions(utf16, **COLUMNS, encoding="utf-16")) == 1
    with pytest.raises(ValueError, match=r"^log\.csv: column 'a' appears 2 times"):
        read_transactions(_write(tmp_path, "c,d,a,a\nA,2023-01-05,1,2\n"), **COLUMNS)


def test_file_lines_count_blank_lines_and_quoted_line_breaks(tmp_path):
    path = _write(tmp_path, 'c,d,a\n\n"A\nB",2023-01-05,1\nC,2023-02-30,2\n')
    with pytest.raises(ValueError, match=r"row 1 \(file line 5\), column 'd': not a valid date"):
        read_transactions(path, **COLUMNS)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"dayfirst": "yes"}, "dayfirst must be"),
        ({"decimal": ";"}, "decimal must be"),
        ({"thousands": "x"}, "thousands must be"),
        ({"decimal": ",", "thousands": ","}, "must differ"),
        ({"tz": "Mars/Base"}, "tz must be"),
        ({"date_format": "%d/%m/%Y", "dayfirst": True}, "not both"),
        ({"date_format": "mixed"}, "date_format='mixed'"),
        ({"encoding": "no-such-codec"}, "encoding must be"),
    ],
)
def test_invalid_options_name_the_option(tmp_path, options, match):
    with pytest.raises(ValueError, match=match):
        read_transactions(_write(tmp_path, "c,d,a\nA,2023-01-05,1\n"), **COLUMNS, **options)


# ----------------------------------------------------------------------------------------------- hypothesis

_IDS = st.one_of(st.sampled_from(["A1", " 007 ", "", "  ", "张三", "a,b", 'q"t', "x\ny", "\t"]), st.text(max_size=4))
_DATE_FORMATS = [
    "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d %b %Y",
    "%b %d, %Y", "%Y%m%d", "%d/%m/%y", "%Y-%m-%d %I:%M %p",
]  # fmt: skip
_ZONES = ["", "Z", "+08:00", "-0530", " UTC", "+14:00", "+25:00"]
_DATES = st.one_of(
    st.sampled_from(["", " ", "2023-02-30", "9999-01-01", "0001-01-01", "nonsense", "2023-13-01", "24:00", "1e5"]),
    st.builds(
        lambda t, fmt, zone: t.strftime(fmt) + (zone if "%H" in fmt or "%I" in fmt else ""),
        st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 31)),
        st.sampled_from(_DATE_FORMATS),
        st.sampled_from(_ZONES),
    ),
    st.text(alphabet="0123456789-/.:TZ+ ", max_size=12),
)
_NUMBERS = st.one_of(
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1e400", "-1e400", "1e308", "abc", "1,5", "1.234,50",
                     "2.000,00", "1,234.50", "1 234,50", "-0", "--1", "+.5", "1e-400", "١٢٣", "1_000", "0x10"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.text(alphabet="0123456789.,- e", max_size=10),
)  # fmt: skip


_GOOD_DATES = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)).map(dt.date.isoformat)
_GOOD_NUMBERS = st.floats(0, 1e7).map(lambda x: f"{x:.2f}")


@st.composite
def hostile_csv(draw):
    """(bytes, read options): a CSV log with hostile cells, ragged rows, quotes, line breaks and encodings."""
    header = draw(st.permutations(["c", "d", "a", "m"]))
    extra = draw(st.integers(0, 19))
    header = list(header) + (["a"] if extra == 0 else ["m"] if extra == 1 else ["x"] if extra < 5 else [])
    if draw(st.integers(0, 19)) == 0:
        header.remove(draw(st.sampled_from(["c", "d", "a"])))  # a missing column
    cells = {
        "c": st.one_of(st.sampled_from(["A1", "B2", "007"]), _IDS),
        "d": st.one_of(_GOOD_DATES, _GOOD_DATES, _GOOD_DATES, _DATES),
        "a": st.one_of(_GOOD_NUMBERS, _GOOD_NUMBERS, _GOOD_NUMBERS, _NUMBERS),
        "m": st.one_of(st.sampled_from(["", "0", "0.5"]), st.sampled_from(["", "0", "0.5"]), _NUMBERS),
        "x": _IDS,
    }
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(cells[name]) for name in header]
        ragged = draw(st.integers(-2, 32))
        if ragged < 0:
            row = row[:ragged]
        elif ragged > 30:
            row += ["x"] * (ragged - 30)
        rows.append(row)
    out = io.StringIO()
    if draw(st.integers(0, 2)):
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        writer = csv.writer(out, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
        writer.writerows([header] + rows)
    else:  # naive join: commas, quotes and line breaks inside cells break the structure
        newline = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
        out.write(newline.join(",".join(r) for r in [header] + rows) + draw(st.sampled_from(["", newline])))
    text = out.getvalue()
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # cut anywhere
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    options = {
        "encoding": encoding if draw(st.integers(0, 5)) else "utf-8",
        "dayfirst": draw(st.sampled_from([None, True, False])),
        "tz": draw(st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"])),
    }
    options.update(draw(st.sampled_from([{}, {"decimal": ",", "thousands": "."}, {"thousands": ","},
                                         {"decimal": ",", "thousands": " "}])))  # fmt: skip
    return data, options


@HYPOTHESIS
@given(hostile_csv())
def test_hostile_csv_gives_clean_error_or_valid_log(tmp_path_factory, case):
    data, options = case
    path = _write(_scratch(tmp_path_factory), data)
    read_both(path, "log.csv", **options)


@HYPOTHESIS
@given(st.sampled_from([b"", b"c,d,a,m\n", b"c,d,a,m\r\nA,2023-01-05,1,0\r\n"]), st.binary(max_size=80))
def test_random_bytes_give_clean_error_or_valid_log(tmp_path_factory, head, tail):
    read_both(_write(_scratch(tmp_path_factory), head + tail), "log.csv")


_MISSING = st.sampled_from([None, np.nan, pd.NaT, pd.NA, "", " "])
_WHEN = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1000, 1, 1),
        timezones=st.sampled_from([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=8)),
                                   dt.timezone(dt.timedelta(hours=-11))]),
    ),
    st.dates(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(np.datetime64),
    _DATES,
)  # fmt: skip
_AMOUNT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(min_value=0, max_value=1e9).map(lambda x: f"{x:.2f}"),
    st.booleans(),
    st.decimals(allow_nan=True),
    _NUMBERS,
)
_CELLS = {
    "c": st.one_of(_IDS, st.integers()),
    "d": st.one_of(_WHEN, _GOOD_DATES.map(pd.Timestamp)),
    "a": st.one_of(_AMOUNT, st.floats(0, 1e7)),
    "m": st.one_of(_AMOUNT, st.just(0.0)),
}


@st.composite
def hostile_frame(draw):
    """A DataFrame of Python objects (datetimes with and without zones, dates, numbers, text, missing values)."""
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        rows.append([draw(st.one_of(_MISSING, _CELLS[name], _CELLS[name], _CELLS[name])) for name in "cdam"])
    df = pd.DataFrame(rows, columns=list("cdam"), dtype=object)
    if draw(st.booleans()):  # the dtypes pandas would infer, e.g. a tz-aware or a float column
        df = df.infer_objects()
    if draw(st.booleans()):
        df.index = draw(st.lists(st.integers(0, 3), min_size=len(df), max_size=len(df)))  # repeated labels
    return df


@HYPOTHESIS
@given(hostile_frame())
def test_hostile_dataframe_gives_clean_error_or_valid_log(df):
    log = read_both(df, "transactions")
    if log is not None and df.index.is_unique:  # every row is kept or reported
        assert len(log) + log.attrs["dropped_rows"]["row"].nunique() == len(df)


_LOCALES = {  # name: (decimal, thousands)
    "plain": (".", None),
    "us": (".", ","),
    "de": (",", "."),
    "fr": (",", " "),
    "comma": (",", None),
}


def _render_amount(value: Decimal, locale: str) -> str:
    decimal, thousands = _LOCALES[locale]
    whole, cents = f"{value:.2f}".split(".")
    if thousands:
        whole = f"{int(whole):,}".replace(",", thousands)
    return f"{whole}{decimal}{cents}"


@st.composite
def written_values(draw):
    """(date format, date text, expected date, locale, amount text, expected amount) for one written row."""
    fmt = draw(st.sampled_from(["iso", "iso_zone", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d %b %Y", "%d/%m/%y"]))
    low, high = (dt.datetime(1969, 1, 1), dt.datetime(2068, 12, 31)) if "%y" in fmt else (
        dt.datetime(1900, 1, 1), dt.datetime(2200, 12, 31))  # fmt: skip
    when = draw(st.datetimes(min_value=low, max_value=high)).replace(microsecond=0)
    if fmt == "iso":
        text, expected = when.strftime("%Y-%m-%d %H:%M:%S"), pd.Timestamp(when)
    elif fmt == "iso_zone":
        minutes = draw(st.integers(-12 * 4, 14 * 4)) * 15
        zone = dt.timezone(dt.timedelta(minutes=minutes))
        text, expected = when.replace(tzinfo=zone).isoformat(), pd.Timestamp(when.replace(tzinfo=zone))
    else:
        text, expected = when.strftime(fmt), pd.Timestamp(when.date())
    cents = draw(st.integers(0, 10**11))
    amount = Decimal(cents) / 100
    locale = draw(st.sampled_from(sorted(_LOCALES)))
    return fmt, text, expected, locale, _render_amount(amount, locale), float(amount)


@HYPOTHESIS
@given(
    st.lists(written_values(), min_size=1, max_size=6),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]),
)
def test_no_silently_wrong_date_or_amount(tmp_path_factory, rows, tell_dates, tell_numbers, tz):
    """Each kept row holds exactly the written date and amount; a row is only dropped as ambiguous."""
    options: dict[str, object] = {"tz": tz}
    if tell_dates:  # the options describe the first row's way of writing, so keep the rows written that way
        rows = [r for r in rows if r[0] == rows[0][0]]
        if rows[0][0] in ("%d/%m/%Y", "%d.%m.%Y", "%d/%m/%y", "%m/%d/%Y"):
            options["dayfirst"] = rows[0][0] != "%m/%d/%Y"
    if tell_numbers:
        rows = [r for r in rows if r[3] == rows[0][3]]
        options["decimal"], options["thousands"] = _LOCALES[rows[0][3]]
    body = "".join(f'C{i},"{r[1]}","{r[4]}"\n' for i, r in enumerate(rows))
    path = _write(_scratch(tmp_path_factory), "c,d,a\n" + body)
    log = read_transactions(path, **COLUMNS, on_error="drop", **options)
    report = log.attrs["dropped_rows"]
    assert report["reason"].str.startswith("ambiguous").all(), report
    dropped = set(report["row"])
    kept = [r for i, r in enumerate(rows) if i not in dropped]
    assert len(kept) == len(log)
    for r, got_date, got_amount in zip(kept, log["date"], log["amount"]):
        expected = r[2] if r[2].tzinfo is None else r[2].tz_convert(tz).tz_localize(None)
        assert got_date == expected, (r, got_date, options)
        assert got_amount == r[5], (r, got_amount, options)
    event("some rows dropped as ambiguous" if len(report) else "every row kept")
    clear_dates = tell_dates or all(r[0] in ("iso", "iso_zone", "%d %b %Y") for r in rows)
    clear_numbers = tell_numbers or all(r[3] == "plain" for r in rows)
    if clear_dates and clear_numbers:
        assert len(report) == 0, report  # told how the log is written: nothing is ambiguous


@HYPOTHESIS
@given(st.lists(st.sampled_from(list('ab1,"\n \t.') + ["\r\n", '""', "é", "\r"]), max_size=40).map("".join))
def test_fast_and_careful_csv_parsers_agree(text):
    """The vectorised scan + pandas path gives the same rows, lines and ragged rows as the csv module."""
    results = []
    for careful in (True, False):
        try:
            frame, lines, ragged = split_csv(text, "log.csv", careful=careful)
            results.append((frame.astype("string"), lines.tolist(), ragged))
        except ValueError as err:
            results.append(str(err))
    slow, fast = results
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
        return
    pd.testing.assert_frame_equal(slow[0], fast[0])
    assert slow[1] == fast[1]
    pd.testing.assert_frame_equal(slow[2], fast[2], check_dtype=False)


def test_check_transactions_takes_the_same_options():
    df = pd.DataFrame({"c": ["A", "B"], "d": ["05/02/2023", "2023-01-05T10:00:00+08:00"], "a": ["1.234,50", "2"]})
    log, report = check_transactions(df, **COLUMNS, dayfirst=True, decimal=",", thousands=".", tz="Asia/Shanghai")
    assert len(report) == 0
    assert log["date"].tolist() == [pd.Timestamp("2023-02-05"), pd.Timestamp("2023-01-05 10:00")]
    assert log["amount"].tolist() == [1234.5, 2.0]
