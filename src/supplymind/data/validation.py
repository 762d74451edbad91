"""Validate a DataFrame against a table of the data model, reporting every problem at once.

Validation happens at the boundary (files, API uploads) before anything is written. It
collects all problems — missing columns, values of the wrong type, empty required cells,
out-of-range values, unknown choices, duplicate keys, timestamps out of order within a row,
and keys unknown to the referenced table — each with its 1-based row number and column,
and raises one :class:`~supplymind.exceptions.DataValidationError`.

A hand-written checker is used rather than pandera: its lazy mode reports coercion failures
twice and then fails range checks on the uncoerced column, and it cannot check keys against
the warehouse; the rules here are few and vectorised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from supplymind.data.schema import ColumnSpec, TableSchema
from supplymind.exceptions import DataValidationError, Problem
from supplymind.timestamps import parse_timestamps

__all__ = ["KeyLookup", "ValidatedFrame", "validate_frame"]

#: ``lookup(table, column, kinds)`` returns the set of existing values of ``table.column``
#: (restricted to rows whose ``kind`` is in ``kinds`` when given).
KeyLookup = Callable[[str, str, tuple[str, ...] | None], set[str]]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


@dataclass
class ValidatedFrame:
    """The result of a successful validation.

    Attributes
    ----------
    frame
        Typed data: declared columns in storage order, then extra covariates.
    present_columns
        Columns that were in the input (absent optional columns were filled with defaults
        and must not overwrite stored values on update).
    extra_columns
        Extra numeric columns kept as covariates.
    ignored_columns
        Input columns that the table does not declare and that were dropped.
    """

    frame: pd.DataFrame
    present_columns: list[str]
    extra_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _blank(raw: pd.Series) -> np.ndarray:
    """Cells that count as empty: NA, or text made only of spaces."""
    isna = raw.isna().to_numpy()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        stripped = raw.astype("string").str.strip()
        isna = isna | (stripped == "").fillna(True).to_numpy(dtype=bool)
    return isna


def _rows(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


class _Checker:
    def __init__(self, schema: TableSchema, time_format: str | None) -> None:
        self.schema = schema
        self.time_format = time_format
        self.problems: list[Problem] = []

    def add(
        self,
        positions: np.ndarray,
        column: str | None,
        rule: str,
        expected: str,
        found: Callable[[int], str],
    ) -> None:
        for pos in positions.tolist():
            self.problems.append(Problem(column, rule, expected, found(pos), row=pos + 1))

    def coerce(self, spec: ColumnSpec, raw: pd.Series) -> pd.Series:
        """Convert one column to its kind, recording type, null, range and choice problems."""
        blank = _blank(raw)
        values = raw.to_numpy(dtype=object)
        expected = spec.describe_expected()
        out: pd.Series
        bad: np.ndarray
        if spec.kind in ("float", "int"):
            if pd.api.types.is_bool_dtype(raw.dtype):
                raw = raw.astype("int64")
            numeric = pd.to_numeric(raw.where(~blank), errors="coerce")
            as_float = numeric.astype("float64").to_numpy()
            bad = ~blank & (np.isnan(as_float) | np.isinf(as_float))
            if spec.kind == "int":
                fractional = ~blank & ~bad & (np.floor(as_float) != as_float)
                self.add(
                    _rows(fractional), spec.name, "type", "an integer", lambda p: _show(values[p])
                )
                bad_or_frac = bad | fractional
                out = pd.Series(as_float, index=raw.index).where(~bad_or_frac).astype("Int64")
            else:
                out = pd.Series(as_float, index=raw.index).where(~bad)
        elif spec.kind == "timestamp":
            # Strict ISO 8601 unless a format is given; an offset is dropped and the local
            # wall time kept, as every reader does (supplymind.timestamps).
            out = parse_timestamps(raw.where(~blank), self.time_format or "ISO8601")
            bad = ~blank & out.isna().to_numpy()
            if self.time_format:
                expected = f"a date/time in the format {self.time_format!r}"
        elif spec.kind == "bool":
            lowered = raw.astype("string").str.strip().str.lower()
            is_true = lowered.isin(_TRUE).fillna(False).to_numpy(dtype=bool)
            is_false = lowered.isin(_FALSE).fillna(False).to_numpy(dtype=bool)
            bad = ~blank & ~is_true & ~is_false
            out = pd.Series(pd.array([None] * len(raw), dtype="boolean"), index=raw.index)
            out[is_true] = True
            out[is_false] = False
        else:
            out = raw.astype("string").str.strip().where(~blank)
            bad = np.zeros(len(raw), dtype=bool)
            if spec.choices is not None:
                bad = ~blank & ~out.isin(spec.choices).fillna(False).to_numpy(dtype=bool)
        self.add(
            _rows(bad),
            spec.name,
            "type" if not spec.choices else "choice",
            expected,
            lambda p: _show(values[p]),
        )
        if not spec.nullable:
            self.add(
                _rows(blank),
                spec.name,
                "required_value",
                f"{expected} (not empty)",
                lambda p: "an empty cell",
            )
        if spec.kind in ("float", "int"):
            numbers = out.astype("float64").to_numpy()
            if spec.minimum is not None:
                low = numbers < spec.minimum
                rule = "negative" if spec.minimum == 0 else "below_minimum"
                self.add(
                    _rows(low),
                    spec.name,
                    rule,
                    f"a value >= {spec.minimum:g}",
                    lambda p: _show(values[p]),
                )
            if spec.maximum is not None:
                high = numbers > spec.maximum
                self.add(
                    _rows(high),
                    spec.name,
                    "above_maximum",
                    f"a value <= {spec.maximum:g}",
                    lambda p: _show(values[p]),
                )
        return out


def validate_frame(
    df: pd.DataFrame,
    schema: TableSchema,
    *,
    key_lookup: KeyLookup | None = None,
    time_format: str | None = None,
    source: str | None = None,
) -> ValidatedFrame:
    """Check ``df`` against ``schema`` and return it typed, or raise with every problem.

    Parameters
    ----------
    df
        Input rows; cells may be text (as read from CSV) or already typed (Parquet).
    schema
        The table the rows are meant for.
    key_lookup
        Gives the existing keys of referenced tables; ``None`` skips foreign-key checks.
    time_format
        ``strftime`` format of timestamp cells; ISO 8601 when ``None``.
    source
        Name of the input (a file path) used in the error message.

    Returns
    -------
    ValidatedFrame
        The typed frame and which columns were present, extra or ignored.

    Raises
    ------
    DataValidationError
        With one :class:`~supplymind.exceptions.Problem` per bad cell, row or column.
    """
    checker = _Checker(schema, time_format)
    df = df.reset_index(drop=True)
    columns = [str(c).strip() for c in df.columns]
    duplicated_names = sorted({c for c in columns if columns.count(c) > 1})
    for name in duplicated_names:
        checker.problems.append(
            Problem(name, "duplicate_column", "each column once", f"{columns.count(name)} times")
        )
    df.columns = pd.Index(columns)
    df = df.loc[:, ~df.columns.duplicated()]

    for name in schema.required_columns:
        if name not in df.columns:
            checker.problems.append(
                Problem(
                    name,
                    "missing_column",
                    f"a column named '{name}'",
                    f"columns {list(df.columns)}",
                )
            )

    typed: dict[str, pd.Series] = {}
    present: list[str] = []
    for spec in schema.columns:
        if spec.name in df.columns:
            typed[spec.name] = checker.coerce(spec, df[spec.name])
            present.append(spec.name)

    extra: list[str] = []
    ignored: list[str] = []
    for name in df.columns:
        if schema.has_column(name):
            continue
        if not schema.allow_extra_numeric:
            ignored.append(name)
            continue
        if not _IDENTIFIER.match(name):
            checker.problems.append(
                Problem(
                    name, "column_name", "a covariate name of letters, digits and _", repr(name)
                )
            )
            continue
        spec = ColumnSpec(name, "float", "covariate", nullable=True)
        typed[name] = checker.coerce(spec, df[name])
        extra.append(name)

    _check_keys(checker, schema, typed)
    _check_order(checker, schema, typed)
    if key_lookup is not None:
        _check_foreign_keys(checker, schema, typed, key_lookup)

    if checker.problems:
        raise DataValidationError(schema.name, checker.problems, source=source)

    n = len(df)
    out: dict[str, pd.Series | object] = {}
    for spec in schema.columns:
        if spec.name in typed:
            out[spec.name] = typed[spec.name]
        else:
            out[spec.name] = _default_column(spec, n)
    for name in extra:
        out[name] = typed[name]
    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    return ValidatedFrame(frame, present, extra, ignored)


def _default_column(spec: ColumnSpec, n: int) -> pd.Series:
    dtypes = {
        "string": "string",
        "float": "float64",
        "int": "Int64",
        "bool": "boolean",
        "timestamp": "datetime64[ns]",
    }
    return pd.Series([spec.default] * n, dtype=dtypes[spec.kind])


def _check_keys(checker: _Checker, schema: TableSchema, typed: Mapping[str, pd.Series]) -> None:
    # With a key column missing, rows that agree on the rest collide whatever the missing
    # column would hold, so they are reported too.
    present = [k for k in schema.key if k in typed]
    if not present:
        return
    keys = pd.DataFrame({k: typed[k] for k in present})
    complete = keys.notna().all(axis=1).to_numpy()
    dup = keys.duplicated(keep=False).to_numpy() & complete
    if not dup.any():
        return
    positions = _rows(dup)
    label = "(" + ", ".join(present) + ")"
    expected = f"a unique key {label}"
    if len(present) < len(schema.key):
        missing = [k for k in schema.key if k not in typed]
        expected += f" (key column(s) {missing} are missing)"
    first_row: dict[tuple[object, ...], int] = {}
    rows = keys.iloc[positions].itertuples(index=False)
    for pos, row in zip(positions.tolist(), rows, strict=True):
        first = first_row.setdefault(tuple(row), pos + 1)
        if first == pos + 1:
            continue
        shown = ", ".join(_show(v) for v in row)
        checker.problems.append(
            Problem(
                present[0] if len(present) == 1 else label,
                "duplicate_key",
                expected,
                f"({shown}) already on row {first}",
                row=pos + 1,
            )
        )


def _check_order(checker: _Checker, schema: TableSchema, typed: Mapping[str, pd.Series]) -> None:
    for earlier, later in schema.ordered:
        if earlier not in typed or later not in typed:
            continue
        a, b = typed[earlier], typed[later]
        wrong = (b < a).fillna(False).to_numpy(dtype=bool)

        def found(p: int, a: pd.Series = a, b: pd.Series = b) -> str:
            return f"{b.iloc[p]} < {a.iloc[p]}"

        checker.add(_rows(wrong), later, "time_order", f"a time not before '{earlier}'", found)


def _check_foreign_keys(
    checker: _Checker, schema: TableSchema, typed: Mapping[str, pd.Series], key_lookup: KeyLookup
) -> None:
    for fk in schema.foreign_keys:
        if fk.column not in typed:
            continue
        values = typed[fk.column]
        known = key_lookup(fk.table, fk.ref_column, fk.ref_kinds)
        unknown = (values.notna() & ~values.isin(known)).to_numpy(dtype=bool)
        where = f"{fk.table}.{fk.ref_column}"
        if fk.ref_kinds:
            where += f" of kind {list(fk.ref_kinds)}"

        def found(p: int, v: pd.Series = values) -> str:
            return f"{_show(v.iloc[p])} (not found)"

        checker.add(_rows(unknown), fk.column, "unknown_key", f"a value present in {where}", found)
