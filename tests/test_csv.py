"""kamsim._csv.write_csv writes the bytes of pandas' ``to_csv(index=False)``, on its fast path and off it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kamsim import _csv
from kamsim._csv import write_csv

pa = pytest.importorskip("pyarrow")

EDGE_FLOATS = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-4, 9.99999e-5, -1e-4, 0.00012345, 5e-324, 1.0, -3.0, 0.1,
               9999999999.0, 9999999999.5, 1e10, 1e10 + 0.5, 123456789012345.6, 1e16, 1.5e16, -2e300, 4235.0343,
               2.220446049250313e-16, 1e22]


def _same_bytes(frame: pd.DataFrame, tmp_path, lineterminator: str | None = None) -> bytes:
    kwargs = {} if lineterminator is None else {"lineterminator": lineterminator}
    frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8", **kwargs)
    write_csv(frame, tmp_path / "kamsim.csv", **kwargs)
    expected = (tmp_path / "pandas.csv").read_bytes()
    assert (tmp_path / "kamsim.csv").read_bytes() == expected
    return expected


def _mixed_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    floats = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 24, n)
    floats[: len(EDGE_FLOATS)] = EDGE_FLOATS
    floats[rng.random(n) < 0.2] = np.nan
    words = np.array(["A0001", "张三, 李四", 'say "hi"', "line\nbreak", "cr\rhere", "", "plain", "中文", " x "], dtype=object)
    text = words[rng.integers(0, len(words), n)]
    text[rng.random(n) < 0.2] = None
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(-400, 400, n), unit="D")
    return pd.DataFrame({
        "id": np.arange(n, dtype=np.int64) - 5,
        "small": rng.integers(0, 200, n).astype(np.uint8),
        "whole": np.round(rng.standard_normal(n) * 1000),
        "x": floats,
        "rounded": np.round(rng.random(n) * 1e4, 4),
        "flag": rng.random(n) < 0.5,
        "date": pd.Series(dates).where(rng.random(n) < 0.9),
        "text_obj": text,
        "text_str": pd.array(text, dtype="string"),
    })


def test_fast_path_matches_pandas_on_every_supported_column(tmp_path):
    frame = _mixed_frame()
    assert _csv._fast_columns(frame) is not None  # the fast path is taken, not pandas
    text = _same_bytes(frame, tmp_path, "\n").decode("utf-8")
    assert '"张三, 李四"' in text and '"say ""hi"""' in text and "-0.0" in text and "inf" in text


def test_chunks_join_to_the_same_file(tmp_path, monkeypatch):
    monkeypatch.setattr(_csv, "CHUNK_ROWS", 7)
    _same_bytes(_mixed_frame(50, seed=3), tmp_path, "\n")


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_string_storages(tmp_path, storage):
    frame = pd.DataFrame({"a": pd.array(["x", None, "y,z"], dtype=pd.StringDtype(storage)), "b": [1.5, np.nan, 2.0]})
    _same_bytes(frame, tmp_path, "\n")


def test_dates_far_from_1970_and_missing(tmp_path):
    dates = pd.to_datetime(["1900-01-01", "1969-12-31", "1970-01-01", None, "2099-12-31", "2262-04-11"])
    frame = pd.DataFrame({"date": dates, "object": np.array(["x", None, np.nan, "", "y", "z"], dtype=object)})
    assert _csv._fast_columns(frame) is not None
    _same_bytes(frame, tmp_path, "\n")


def test_header_names_with_separators_are_quoted_as_pandas_does(tmp_path):
    frame = pd.DataFrame({"revenue, CU": [1.5, 2.0], 'say "x"': ["a", "b"], "客户": [1, 2]})
    assert _csv._fast_columns(frame) is not None
    assert _same_bytes(frame, tmp_path, "\n").startswith('"revenue, CU","say ""x""",客户\n'.encode())


def test_columns_made_of_several_arrow_chunks(tmp_path):
    parts = [pd.DataFrame({"policy": pd.array([name] * 3, dtype=pd.StringDtype("pyarrow")), "x": [1.0, 2.5, 3.0]})
             for name in ("status_quo", "risk, targeted")]
    frame = pd.concat(parts, ignore_index=True)  # the string column is a ChunkedArray of two chunks
    assert _csv._fast_columns(frame) is not None
    _same_bytes(frame, tmp_path, "\n")


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"only": ["", "a"]}),  # one column: an empty field is written ""
    pd.DataFrame({"c": pd.Categorical(["a", "b"]), "n": [1, 2]}),
    pd.DataFrame({"t": pd.to_datetime(["2024-01-01 10:30", "2024-01-02 00:00"]), "n": [1, 2]}),
    pd.DataFrame({"t": pd.to_datetime(["2024-01-01", "2024-01-02"]).tz_localize("Asia/Shanghai"), "n": [1, 2]}),
    pd.DataFrame({"i": pd.array([1, None], dtype="Int64"), "f": np.array([0.1, 0.2], dtype=np.float32)}),
    pd.DataFrame({"o": [1, "a"], "n": [1, 2]}),
    pd.DataFrame({"a": [], "b": []}),
], ids=["one-column", "categorical", "time-of-day", "time-zone", "nullable-and-float32", "mixed-objects", "empty"])
def test_other_frames_go_to_pandas_with_the_same_bytes(tmp_path, frame):
    assert _csv._fast_columns(frame) is None
    _same_bytes(frame, tmp_path, "\n")


def test_other_line_terminator_and_no_pyarrow_fall_back(tmp_path, monkeypatch):
    frame = _mixed_frame(40)
    _same_bytes(frame, tmp_path, "\r\n")
    monkeypatch.setattr(_csv, "has_pyarrow", lambda: False)
    assert _csv._fast_columns(frame) is None
    _same_bytes(frame, tmp_path, "\n")


@settings(max_examples=60, deadline=None)
@given(values=hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_any_float_is_written_as_pandas_writes_it(tmp_path_factory, values):
    tmp_path = tmp_path_factory.mktemp("floats")
    _same_bytes(pd.DataFrame({"x": values, "y": values[::-1].copy()}), tmp_path, "\n")


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)))),
                      min_size=1, max_size=20))
def test_any_text_is_written_as_pandas_writes_it(tmp_path_factory, texts):
    tmp_path = tmp_path_factory.mktemp("texts")
    _same_bytes(pd.DataFrame({"t": np.array(texts, dtype=object), "n": np.arange(len(texts))}), tmp_path, "\n")


def test_event_log_and_panel_of_a_run(tmp_path):
    import kamsim

    result = kamsim.simulate(kamsim.Scenario(), kamsim.datasets.load("small"), "status_quo", seed=3, months=6)
    for frame in (result.events, result.panel):
        assert _csv._fast_columns(frame) is not None
        _same_bytes(frame, tmp_path)
