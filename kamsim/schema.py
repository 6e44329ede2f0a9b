"""The one schema of kamsim: every table a portfolio or a simulation produces.

A trainer exporting a CRM system gets tables like these: a customer file
(``accounts``), the people at each customer (``contacts``), the product
catalogue (``products``), the sales team (``account_managers``) and one long
activity log (``events``: orders, visits, complaints, surveys, contracts...).
kamsim's generator, engine, analytics and notebooks all speak this schema.

Each table is a tuple of :class:`Column`; :func:`validate_frame` checks a
DataFrame against it and raises :class:`SchemaError` naming the table, column
and first offending row.

Units: money is in currency units (CU) of the scenario (default CNY);
durations in months unless a column name says ``_days`` or ``_hours``.

Ranges: every float column must hold finite numbers (``inf`` is an error, an
empty field is a missing value); money columns lie within
``[-MAX_MONEY, MAX_MONEY]`` (10^13 CU, far above any real account, and far
below the values that overflow once summed), and those that cannot be negative
within ``[0, MAX_MONEY]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamsim.vocabulary import EVENT_TYPES, STAGES

#: Largest amount of money (CU) a money column may hold: 10^13, e.g. 10 trillion CNY.
MAX_MONEY = 1e13


class SchemaError(ValueError):
    """A table does not match the kamsim schema (message names file/table, column and row)."""


@dataclass(frozen=True)
class Column:
    """One column: name, kind (``str``, ``int``, ``float``, ``date``, ``category``), nullable, description with unit."""

    name: str
    kind: str
    description: str
    nullable: bool = False
    categories: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None


ACCOUNTS: tuple[Column, ...] = (
    Column("account_id", "str", "Unique account id, e.g. 'A00042'"),
    Column("company_name", "str", "Company name (Faker, locale of the portfolio)"),
    Column("industry", "str", "Industry (kamsim curated table)"),
    Column("size_band", "category", "Size band by employees", categories=("small", "medium", "large", "enterprise")),
    Column("employees", "int", "Number of employees", min=1),
    Column("region", "str", "Sales region (US state or Chinese province)"),
    Column("city", "str", "City"),
    Column("founded_year", "int", "Year the company was founded", min=1800),
    Column("annual_potential_spend", "float", "Annual spend the account could place with us (CU/year); heavy-tailed",
           min=0, max=MAX_MONEY),
    Column("credit_rating", "category", "Credit rating", categories=("AAA", "AA", "A", "BBB", "BB", "B", "CCC")),
    Column("credit_risk", "float", "Probability of default within 12 months (0-1)", min=0, max=1),
    Column("growth_potential", "float", "Latent growth potential (0-1)", min=0, max=1),
    Column("needs_profile", "category", "Dominant need", categories=("price", "quality", "service", "innovation", "reliability")),
    Column("baseline_satisfaction", "float", "Latent satisfaction at start (0-10)", min=0, max=10),
    Column("price_sensitivity", "float", "Latent price sensitivity (0-1)", min=0, max=1),
    Column("cooperativeness", "float", "Willingness to cooperate / strategic fit (0-1)", min=0, max=1),
    Column("strategic_fit", "float", "Strategic fit with our offer (0-1)", min=0, max=1),
    Column("acquisition_date", "date", "Date the account became a customer (prospects: NaT)", nullable=True),
    Column("stage", "category", "Lifecycle stage at the portfolio date", categories=STAGES),
    Column("manager_id", "str", "Assigned account manager (foreign key to account_managers)"),
)

#: Per-account behaviour estimated by :func:`kamsim.calibrate` from a transaction log (Pareto/NBD posterior
#: given each account's history; months, CU).  Synthetic portfolios do not have these columns; an empty value
#: means "behaviour from the stage model".  The engine reads them in :mod:`kamsim.engine.calibrated`.
CALIBRATED_ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column("p_active", "float", "Calibrated: probability the account still buys at as_of (0-1)", nullable=True,
           min=0, max=1),
    Column("order_rate_shape", "float", "Calibrated: Gamma shape of the account's order rate (prior + repeat orders)",
           nullable=True, min=1e-9, max=1e9),
    Column("order_rate_exposure", "float", "Calibrated: Gamma rate of the order rate, months (prior + months observed)",
           nullable=True, min=1e-9, max=1e9),
    Column("dropout_shape", "float", "Calibrated: Gamma shape of the account's dropout hazard", nullable=True,
           min=1e-9, max=1e9),
    Column("dropout_exposure", "float", "Calibrated: Gamma rate of the dropout hazard, months (prior + months observed)",
           nullable=True, min=1e-9, max=1e9),
    Column("order_value", "float", "Calibrated: expected value of one order (CU)", nullable=True, min=0, max=MAX_MONEY),
)

CONTACTS: tuple[Column, ...] = (
    Column("contact_id", "str", "Unique contact id"),
    Column("account_id", "str", "Account (foreign key to accounts)"),
    Column("name", "str", "Contact name (Faker)"),
    Column("role", "category", "Buying-centre role", categories=("decision_maker", "influencer", "buyer", "user", "gatekeeper")),
    Column("seniority", "category", "Seniority", categories=("c_level", "director", "manager", "staff")),
    Column("is_primary", "bool", "Primary contact of the account"),
)

PRODUCTS: tuple[Column, ...] = (
    Column("product_id", "str", "Unique product id"),
    Column("name", "str", "Product name"),
    Column("category", "str", "Product category"),
    Column("list_price", "float", "List price per unit (CU)", min=0, max=MAX_MONEY),
    Column("margin_rate", "float", "Gross margin as share of price (0-1)", min=0, max=1),
)

ACCOUNT_MANAGERS: tuple[Column, ...] = (
    Column("manager_id", "str", "Unique account-manager id"),
    Column("name", "str", "Name (Faker)"),
    Column("region", "str", "Home region"),
    Column("capacity_hours", "float", "Hours available for account work per month", min=0),
    Column("skill", "float", "Skill multiplier of contact effectiveness (0-1)", min=0, max=1),
)

EVENTS: tuple[Column, ...] = (
    Column("event_id", "int", "Sequential event id"),
    Column("account_id", "str", "Account (foreign key to accounts)"),
    Column("date", "date", "Calendar date of the event"),
    Column("month", "int", "Simulation month index (0 = first simulated month; negative = warm-start history)"),
    Column("event_type", "category", "Event type", categories=EVENT_TYPES),
    Column("product_id", "str", "Product of an order", nullable=True),
    Column("quantity", "float", "Units ordered", nullable=True),
    Column("amount", "float", "Revenue of an order, or cost of an offer (CU)", nullable=True,
           min=-MAX_MONEY, max=MAX_MONEY),
    Column("margin", "float", "Gross margin of an order (CU)", nullable=True, min=-MAX_MONEY, max=MAX_MONEY),
    Column("manager_id", "str", "Account manager involved", nullable=True),
    Column("hours", "float", "Account-manager hours spent", nullable=True),
    Column("score", "float", "Survey score 0-10", nullable=True),
    Column("wait_days", "float", "Days from complaint opened to resolved", nullable=True),
    Column("stage_from", "category", "Stage before a stage change", nullable=True, categories=STAGES),
    Column("stage_to", "category", "Stage after a stage change", nullable=True, categories=STAGES),
    Column("detail", "str", "Free text / sub-type (e.g. complaint stage, contract term)", nullable=True),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "accounts": ACCOUNTS,
    "contacts": CONTACTS,
    "products": PRODUCTS,
    "account_managers": ACCOUNT_MANAGERS,
    "events": EVENTS,
}

#: Columns a table may have in addition to ``TABLES`` (checked when present, written when present).
OPTIONAL_COLUMNS: dict[str, tuple[Column, ...]] = {"accounts": CALIBRATED_ACCOUNT_COLUMNS}


def present_columns(df: pd.DataFrame, table: str) -> tuple[Column, ...]:
    """The columns of ``table`` to check in ``df``: every required column, then the optional ones ``df`` has."""
    return TABLES[table] + tuple(c for c in OPTIONAL_COLUMNS.get(table, ()) if c.name in df.columns)


#: Primary key of each table.
PRIMARY_KEYS: dict[str, str] = {
    "accounts": "account_id",
    "contacts": "contact_id",
    "products": "product_id",
    "account_managers": "manager_id",
    "events": "event_id",
}

#: (table, column) -> (referenced table, referenced column).
FOREIGN_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    ("accounts", "manager_id"): ("account_managers", "manager_id"),
    ("contacts", "account_id"): ("accounts", "account_id"),
    ("events", "account_id"): ("accounts", "account_id"),
    ("events", "product_id"): ("products", "product_id"),
    ("events", "manager_id"): ("account_managers", "manager_id"),
}


def column_names(table: str) -> list[str]:
    """Column names of ``table`` in schema order."""
    return [c.name for c in TABLES[table]]


def empty_frame(table: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of ``table``."""
    return coerce_frame(pd.DataFrame({c.name: [] for c in TABLES[table]}), table)


def coerce_frame(df: pd.DataFrame, table: str, source: str | None = None) -> pd.DataFrame:
    """Return ``df`` with schema column order and dtypes; raise :class:`SchemaError` on failure.

    ``source`` (a file name) is used in messages.  Optional columns
    (:data:`OPTIONAL_COLUMNS`) are coerced when present; other extra columns are kept after
    the schema columns.
    """
    where = source or table
    spec = present_columns(df, table)
    missing = [c.name for c in spec if c.name not in df.columns]
    if missing:
        raise SchemaError(f"{where}: missing column(s) {missing}")
    out = {}
    for col in spec:
        s = df[col.name]
        try:
            out[col.name] = _coerce(s, col)
        except (ValueError, TypeError) as exc:
            bad = _first_bad_row(s, col)
            raise SchemaError(f"{where}: column '{col.name}' row {bad}: cannot read as {col.kind} ({exc})") from None
    extra = [c for c in df.columns if c not in out]
    frame = pd.DataFrame(out, index=df.index)
    for c in extra:
        frame[c] = df[c]
    return frame.reset_index(drop=True)


def _coerce(s: pd.Series, col: Column) -> pd.Series:
    if col.kind == "str":
        return s.astype("string")
    if col.kind == "category":
        return s.astype("string")
    if col.kind == "int":
        if s.isna().any() and not col.nullable:
            raise ValueError("missing value")
        return s.astype("Int64" if col.nullable else "int64")
    if col.kind == "float":
        return pd.to_numeric(s, errors="raise").astype("float64")
    if col.kind == "bool":
        if s.dtype == bool:
            return s
        mapping = {"true": True, "false": False, "1": True, "0": False}
        mapped = s.astype("string").str.lower().map(mapping)
        if mapped.isna().any():
            raise ValueError("not a boolean")
        return mapped.astype(bool)
    if col.kind == "date":
        return pd.to_datetime(s, errors="raise", format="ISO8601").astype("datetime64[ns]")
    raise TypeError(f"unknown column kind {col.kind!r}")


def _first_bad_row(s: pd.Series, col: Column) -> object:
    """Index label of the first value that cannot be coerced (best effort)."""
    for idx, value in s.items():
        if pd.isna(value):
            if not col.nullable and col.kind in ("int",):
                return idx
            continue
        try:
            _coerce(pd.Series([value]), col)
        except (ValueError, TypeError):
            return idx
    return "?"


def validate_frame(df: pd.DataFrame, table: str, source: str | None = None) -> pd.DataFrame:
    """Coerce and validate ``df`` as ``table``: dtypes, nulls, categories, ranges, unique primary key.

    Returns the coerced frame.  Foreign keys are checked by the caller that has
    all tables (see :func:`check_foreign_key`).
    """
    where = source or table
    frame = coerce_frame(df, table, source)
    for col in present_columns(frame, table):
        s = frame[col.name]
        nulls = s.isna()
        if not col.nullable and nulls.any():
            raise SchemaError(f"{where}: column '{col.name}' row {int(np.flatnonzero(nulls.to_numpy())[0])}: missing value")
        present = s[~nulls]
        if col.categories is not None:
            bad = ~present.isin(col.categories)
            if bad.any():
                row = present.index[bad.to_numpy()][0]
                raise SchemaError(
                    f"{where}: column '{col.name}' row {row}: {present[row]!r} is not one of {list(col.categories)}"
                )
        if col.kind == "float":
            bad = ~np.isfinite(present.to_numpy(dtype="float64"))
            if bad.any():
                row = present.index[bad][0]
                raise SchemaError(f"{where}: column '{col.name}' row {row}: {present[row]} is not a finite number")
        if col.min is not None or col.max is not None:
            lo = -np.inf if col.min is None else col.min
            hi = np.inf if col.max is None else col.max
            vals = present.astype("float64")
            bad = (vals < lo) | (vals > hi)
            if bad.any():
                row = vals.index[bad.to_numpy()][0]
                raise SchemaError(
                    f"{where}: column '{col.name}' row {row}: {float(vals[row])!r} outside [{lo:g}, {hi:g}]"
                )
    key = PRIMARY_KEYS[table]
    dup = frame[key].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise SchemaError(f"{where}: column '{key}' row {row}: duplicate id {frame[key].iloc[row]!r}")
    return frame


def check_foreign_key(child: pd.DataFrame, table: str, column: str, parent: pd.DataFrame, source: str | None = None) -> None:
    """Raise :class:`SchemaError` if a non-null ``child[column]`` value is missing from its parent table."""
    parent_table, parent_col = FOREIGN_KEYS[(table, column)]
    values = child[column]
    present = values.notna()
    bad = present & ~values.isin(parent[parent_col])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            f"{source or table}: column '{column}' row {row}: {values.iloc[row]!r} not found in {parent_table}.{parent_col}"
        )
