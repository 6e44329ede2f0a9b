"""A portfolio of key accounts: the five tables of the kamsim schema plus metadata.

A KAM team's data lives in a handful of exports from its CRM system: the
customer file, the contacts, the product catalogue, the sales team and an
activity log.  :class:`Portfolio` holds exactly those tables as pandas
DataFrames (columns in :mod:`kamsim.schema`), checks them with
:meth:`Portfolio.validate`, and saves / loads them as a folder::

    accounts.csv  contacts.csv  products.csv  account_managers.csv  events.csv
    schema.json   (columns, dtypes, descriptions, the metadata, and per table file
                   its row count and SHA-256 checksum)

:meth:`Portfolio.to_dir` writes to a temporary folder and renames it into
place, so a crash never leaves a half-written portfolio (:mod:`kamsim._files`);
:meth:`Portfolio.from_dir` checks every file against the row count and checksum
recorded in ``schema.json`` (a truncated, damaged or hand-edited file is an
error; ``verify=False`` loads a portfolio edited on purpose), validates every
file and foreign key before returning anything, and its errors name the file,
column and row.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kamsim import schema
from kamsim._csv import has_pyarrow, write_csv
from kamsim._files import recover_dir, write_dir_atomic
from kamsim._measures import top_share
from kamsim.schema import SchemaError

#: Marker written in schema.json; a folder without it is not a kamsim portfolio.
FORMAT_MARKER = "kamsim-portfolio"
FORMAT_VERSION = 1
SCHEMA_FILE = "schema.json"
FORMATS: tuple[str, ...] = ("csv", "parquet")

_PANDAS_DTYPE = {"str": "string", "category": "string", "int": "int64", "float": "float64", "bool": "bool", "date": "datetime64[ns]"}


def check_format(fmt: str) -> str:
    """``fmt`` if it is a table format kamsim writes (``csv``, or ``parquet`` with pyarrow installed).

    Raises
    ------
    ValueError
        Naming the formats, or saying that parquet needs the optional package pyarrow.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {list(FORMATS)}, got {fmt!r}")
    if fmt == "parquet" and not has_pyarrow():
        raise ValueError("format 'parquet' needs the optional package pyarrow (pip install 'kamsim[parquet]'); use csv")
    return fmt


def write_frame(frame: pd.DataFrame, folder: Path, name: str, fmt: str = "csv") -> Path:
    """Write a result table as ``folder/name.csv`` (pandas' CSV bytes, no index) or ``folder/name.parquet``."""
    file = folder / f"{name}.{check_format(fmt)}"
    if fmt == "parquet":
        frame.to_parquet(file, index=False)
    else:
        write_csv(frame, file)
    return file


def is_portfolio_dir(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is a folder holding a kamsim ``schema.json``."""
    p = Path(path) / SCHEMA_FILE
    if not p.is_file():
        return False
    try:
        return json.loads(p.read_text(encoding="utf-8")).get("format") == FORMAT_MARKER
    except (ValueError, OSError, AttributeError):
        return False


def _schema_document(
    tables: dict[str, pd.DataFrame], meta: dict[str, Any], fmt: str, checksums: dict[str, str]
) -> dict[str, Any]:
    doc: dict[str, Any] = {"format": FORMAT_MARKER, "format_version": FORMAT_VERSION, "file_format": fmt, "tables": {}}
    for name in schema.TABLES:
        cols = schema.present_columns(tables[name], name)
        doc["tables"][name] = {
            "file": f"{name}.{fmt}",
            "rows": int(len(tables[name])),
            "sha256": checksums[name],
            "primary_key": schema.PRIMARY_KEYS[name],
            "columns": [
                {
                    "name": c.name,
                    "kind": c.kind,
                    "dtype": _PANDAS_DTYPE[c.kind],
                    "nullable": c.nullable,
                    "description": c.description,
                    **({"categories": list(c.categories)} if c.categories else {}),
                }
                for c in cols
            ],
        }
    doc["meta"] = meta
    return doc


@dataclass
class Portfolio:
    """The tables of one portfolio (see :mod:`kamsim.schema`) and its metadata.

    Attributes
    ----------
    accounts, contacts, products, account_managers, events
        DataFrames with the columns of ``schema.TABLES``; ``events`` may be
        empty (no history).
    meta
        ``seed, locale, n_accounts, as_of`` (ISO date), ``currency,
        kamsim_version, history_months`` and generator parameters.
    """

    accounts: pd.DataFrame
    contacts: pd.DataFrame
    products: pd.DataFrame
    account_managers: pd.DataFrame
    events: pd.DataFrame = field(default_factory=lambda: schema.empty_frame("events"))
    meta: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The five tables by schema name."""
        return {name: getattr(self, name) for name in schema.TABLES}

    def validate(self) -> Portfolio:
        """Check every table and foreign key; coerce the tables to schema dtypes (in place).

        Returns ``self`` so calls can be chained.

        Raises
        ------
        kamsim.schema.SchemaError
            Naming the table, column and row of the first problem found.
        """
        checked = _validate_tables(self.tables(), {name: name for name in schema.TABLES})
        for name, frame in checked.items():
            setattr(self, name, frame)
        return self

    @property
    def transactions(self) -> pd.DataFrame:
        """Order rows of ``events`` (``event_type == "order"``), index reset."""
        ev = self.events
        return ev.loc[ev["event_type"] == "order"].reset_index(drop=True)

    def top_share(self, top: float = 0.2, column: str = "annual_potential_spend") -> float:
        """Share (0-1) of ``accounts[column]`` held by the largest ``top`` fraction of accounts."""
        if column not in self.accounts.columns:
            raise ValueError(f"accounts has no column {column!r}")
        return top_share(self.accounts[column].to_numpy(dtype="float64"), top=top)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(df)}" for name, df in self.tables().items())
        return f"Portfolio({sizes}, meta={self.meta!r})"

    # ------------------------------------------------------------------ I/O
    def to_dir(
        self,
        path: str | os.PathLike[str],
        format: str = "csv",
        *,
        overwrite: bool = False,
        attachments: Mapping[str, str] | None = None,
    ) -> Path:
        """Write the portfolio to folder ``path`` atomically and return the path.

        Parameters
        ----------
        path
            Target folder.  It may not exist yet or be empty; an existing
            kamsim portfolio is replaced only with ``overwrite=True``; any
            other non-empty folder is refused.
        format
            ``"csv"`` (default) or ``"parquet"`` (needs pyarrow).
        overwrite
            Replace an existing kamsim portfolio folder.
        attachments
            Text files written into the same folder in the same atomic step, by file name, e.g.
            ``{"scenario.yaml": scenario.to_yaml()}`` (``kamsim calibrate`` stores its scenario so).
            Names are plain file names other than the tables' and ``schema.json``.
        """
        check_format(format)
        extra = _check_attachments(attachments, format)
        self.validate()
        tables = self.tables()

        def write(folder: Path) -> None:
            checksums = {}
            for name, frame in tables.items():
                file = folder / f"{name}.{format}"
                _write_table(frame, file, format)
                checksums[name] = _sha256(file.read_bytes())
            doc = _schema_document(tables, self.meta, format, checksums)
            (folder / SCHEMA_FILE).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            for name, text in extra.items():
                (folder / name).write_text(text, encoding="utf-8")

        return write_dir_atomic(path, write, SCHEMA_FILE, overwrite, is_ours=is_portfolio_dir, kind="kamsim portfolio")

    @classmethod
    def from_dir(cls, path: str | os.PathLike[str], *, verify: bool = True) -> Portfolio:
        """Load and validate a portfolio folder written by :meth:`to_dir`.

        Parameters
        ----------
        path
            The portfolio folder.  If it is missing because a write to it was killed
            half-way, the earlier portfolio is first put back (:func:`kamsim._files.recover_dir`).
        verify
            Check each table file against the row count and SHA-256 checksum that
            :meth:`to_dir` recorded in ``schema.json``, so a truncated, damaged or
            hand-edited file is an error.  Pass ``verify=False`` to load a portfolio
            whose CSV files you edited on purpose (the content is still validated
            against the schema).  Folders written before checksums existed are
            checked for their row counts only.

        Raises
        ------
        FileNotFoundError
            If ``path`` is not a folder.
        kamsim.schema.SchemaError
            If ``schema.json`` or a table file is missing or corrupt, a file
            does not have the rows or the checksum recorded in ``schema.json``
            (``verify=True``), or a table breaks the schema (missing column,
            wrong dtype, value out of range, duplicate id, dangling foreign
            key); the message names the file, column and row.  Nothing is
            returned half-loaded.
        """
        root = Path(path)
        if not root.is_dir():
            recover_dir(root)
        if not root.is_dir():
            raise FileNotFoundError(f"portfolio folder not found: {root}")
        schema_file = root / SCHEMA_FILE
        doc = _read_schema_file(schema_file)
        fmt = doc.get("file_format", "csv")
        if fmt not in FORMATS:
            raise SchemaError(f"{schema_file}: unknown file_format {fmt!r}")
        recorded = _recorded_tables(doc, schema_file) if verify else {}
        raw: dict[str, pd.DataFrame] = {}
        sources: dict[str, str] = {}
        checksums: dict[str, str] = {}
        for name in schema.TABLES:
            file = root / f"{name}.{fmt}"
            sources[name] = str(file)
            data = _read_bytes(file)
            raw[name] = _read_table(data, file, fmt)
            checksums[name] = _sha256(data)
            rows = recorded.get(name, {}).get("rows")
            if rows is not None and rows != len(raw[name]):
                raise SchemaError(
                    f"{file}: {len(raw[name])} rows, {SCHEMA_FILE} says {rows} — the file is truncated or was edited"
                    f"{_EDITED_HINT}"
                )
        checked = _validate_tables(raw, sources)
        for name in schema.TABLES:
            expected = recorded.get(name, {}).get("sha256")
            if expected is not None and expected != checksums[name]:
                raise SchemaError(
                    f"{sources[name]}: contents differ from the SHA-256 checksum in {SCHEMA_FILE} — the file was "
                    f"damaged or edited after kamsim wrote it{_EDITED_HINT}"
                )
        meta = doc.get("meta", {})
        if not isinstance(meta, dict):
            raise SchemaError(f"{schema_file}: 'meta' must be an object")
        return cls(meta=meta, **checked)


_EDITED_HINT = "; to load a portfolio you edited on purpose, use Portfolio.from_dir(path, verify=False)"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _recorded_tables(doc: dict[str, Any], schema_file: Path) -> dict[str, dict[str, Any]]:
    """Row count and checksum per table recorded in ``schema.json`` (either may be absent in older folders)."""
    tables = doc.get("tables", {})
    if not isinstance(tables, dict):
        raise SchemaError(f"{schema_file}: 'tables' must be an object")
    recorded: dict[str, dict[str, Any]] = {}
    for name in schema.TABLES:
        entry = tables.get(name, {})
        if not isinstance(entry, dict):
            raise SchemaError(f"{schema_file}: tables.{name} must be an object")
        rows, sha = entry.get("rows"), entry.get("sha256")
        if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 0):
            raise SchemaError(f"{schema_file}: tables.{name}.rows must be a whole number >= 0, got {rows!r}")
        if sha is not None and not (isinstance(sha, str) and len(sha) == 64):
            raise SchemaError(f"{schema_file}: tables.{name}.sha256 must be a SHA-256 hex digest, got {sha!r}")
        recorded[name] = {"rows": rows, "sha256": sha.lower() if sha is not None else None}
    return recorded


def _validate_tables(tables: dict[str, pd.DataFrame], sources: dict[str, str]) -> dict[str, pd.DataFrame]:
    checked = {}
    for name in schema.TABLES:
        frame = tables[name]
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"{sources[name]}: expected a pandas DataFrame, got {type(frame).__name__}")
        checked[name] = schema.validate_frame(frame, name, sources[name])
    for (child, column), (parent, _) in schema.FOREIGN_KEYS.items():
        schema.check_foreign_key(checked[child], child, column, checked[parent], sources[child])
    return checked


def _check_attachments(attachments: Mapping[str, str] | None, fmt: str) -> dict[str, str]:
    """``attachments`` as a dict, after checking every name is a plain, free file name and every value text."""
    extra = dict(attachments or {})
    taken = {SCHEMA_FILE} | {f"{name}.{fmt}" for name in schema.TABLES}
    for name, text in extra.items():
        if not isinstance(name, str) or not name or Path(name).name != name or name in (".", "..") or name in taken:
            raise ValueError(f"attachments: {name!r} is not a free plain file name (taken: {sorted(taken)})")
        if not isinstance(text, str):
            raise ValueError(f"attachments: {name!r} must be text, got {type(text).__name__}")
    return extra


def _write_table(frame: pd.DataFrame, file: Path, fmt: str) -> None:
    if fmt == "parquet":
        frame.to_parquet(file, index=False)
        return
    out = frame.copy(deep=False)
    for col in out.columns:
        s = out[col]
        if not pd.api.types.is_datetime64_any_dtype(s):
            continue
        has_time = bool((s.dropna() != s.dropna().dt.normalize()).any())
        if has_time or s.dt.tz is not None:  # naive dates at midnight: write_csv writes YYYY-MM-DD itself
            out[col] = s.dt.strftime("%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d")
    write_csv(out, file, lineterminator="\n")


def _read_schema_file(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise SchemaError(f"{file}: missing file (not a kamsim portfolio folder)")
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{file}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_MARKER:
        raise SchemaError(f"{file}: not a kamsim portfolio schema (no \"format\": \"{FORMAT_MARKER}\")")
    return doc


def _read_bytes(file: Path) -> bytes:
    if not file.is_file():
        raise SchemaError(f"{file}: missing file")
    return file.read_bytes()


def _read_table(data: bytes, file: Path, fmt: str) -> pd.DataFrame:
    """The table in ``data`` (the bytes of ``file``, named in messages)."""
    if fmt == "parquet":
        if not has_pyarrow():
            raise SchemaError(f"{file}: reading parquet needs the optional package pyarrow")
        try:
            return pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises many types for corrupt files
            raise SchemaError(f"{file}: cannot read parquet ({exc})") from None
    try:
        # read every field as text; validate_frame converts and reports the row of a bad value
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise SchemaError(f"{file}: empty file (no header row)") from None
    except pd.errors.ParserError as exc:
        raise SchemaError(f"{file}: corrupt CSV ({exc})") from None
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{file}: not UTF-8 text ({exc})") from None
