"""Load CSV or Parquet files into the warehouse: map columns, validate, then upsert by key.

Nothing is written unless the whole file is valid, and the write is one transaction, so a
failed ingest leaves the warehouse as it was. Re-ingesting a file is idempotent.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from supplymind.data.schema import ID_COL, TARGET_COL, TIME_COL, TableSchema, get_table
from supplymind.data.validation import validate_frame
from supplymind.data.warehouse import UpsertResult, Warehouse
from supplymind.exceptions import ConfigurationError, DataValidationError, Problem

__all__ = ["IngestResult", "column_mapping", "ingest_file", "ingest_frame", "read_table_file"]

_CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv")
_PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did."""

    table: str
    source: str
    inserted: int
    updated: int
    ignored_columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    redacted: int = 0
    """Cells of personal-data columns in which personal data was found and redacted."""

    @property
    def rows(self) -> int:
        """Rows read from the input."""
        return self.inserted + self.updated


def read_table_file(
    path: str | Path, *, sep: str | None = None, encoding: str = "utf-8"
) -> pd.DataFrame:
    """Read a CSV (cells kept as text, so types are checked by validation) or Parquet file.

    ``encoding`` is the CSV's text encoding (a Python codec name; with UTF-8 a byte-order
    mark is skipped). A file that does not decode is a :class:`ConfigurationError` naming
    the file, the byte and the encodings to try.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"file: expected an existing CSV or Parquet file, found {p}")
    name = p.name.lower()
    if name.endswith(_PARQUET_SUFFIXES):
        return pd.read_parquet(p)
    if name.endswith(_CSV_SUFFIXES):
        try:
            codec = codecs.lookup(encoding).name
        except (LookupError, TypeError) as exc:
            raise ConfigurationError(
                f"--encoding: expected a text encoding such as utf-8 or gb18030, found {encoding!r}"
            ) from exc
        codec = "utf-8-sig" if codec == "utf-8" else codec
        delimiter = sep or ("\t" if name.endswith(".tsv") else ",")
        # Every cell as text, so types are judged by validation. Not the pyarrow engine: it
        # infers types first and casts back ('007' -> '7', '' -> 'nan').
        # 'NaT' joins pandas' usual missing-value markers: datetime exports write it.
        try:
            return pd.read_csv(p, dtype=str, sep=delimiter, na_values=["NaT"], encoding=codec)
        except UnicodeDecodeError as exc:
            byte = exc.object[exc.start : exc.start + 1].hex()
            raise ConfigurationError(
                f"{p}: expected text in the encoding {encoding}, found byte 0x{byte} that "
                f"is not {encoding}; save it as UTF-8 or give its encoding (ingest, forecast "
                "and the feedback commands take --encoding, such as --encoding gb18030 for "
                "Chinese GBK/GB2312 files or --encoding cp1252 for Western European "
                "spreadsheet exports)"
            ) from exc
    raise ConfigurationError(
        f"file: expected a name ending in {_CSV_SUFFIXES + _PARQUET_SUFFIXES}, found {p.name!r}"
    )


def column_mapping(
    *,
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    rename: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Build ``{input column: model column}`` from the ``--id-col/--time-col/--target-col``
    options and free ``old=new`` renames."""
    mapping = dict(rename or {})
    for source, dest in ((id_col, ID_COL), (time_col, TIME_COL), (target_col, TARGET_COL)):
        if source is not None and source != dest:
            mapping[source] = dest
    return mapping


def _apply_mapping(
    df: pd.DataFrame, mapping: Mapping[str, str], table: str, source: str
) -> pd.DataFrame:
    missing = [old for old in mapping if old not in df.columns]
    if missing:
        problems = [
            Problem(
                old,
                "missing_column",
                f"a column named '{old}' to map to '{mapping[old]}'",
                f"columns {list(df.columns)}",
            )
            for old in missing
        ]
        raise DataValidationError(table, problems, source=source)
    return df.rename(columns=dict(mapping))


def ingest_frame(
    warehouse: Warehouse,
    table: str,
    df: pd.DataFrame,
    *,
    mapping: Mapping[str, str] | None = None,
    check_foreign_keys: bool = True,
    time_format: str | None = None,
    source: str = "<DataFrame>",
) -> IngestResult:
    """Validate ``df`` as rows of ``table`` and upsert them into ``warehouse``.

    Raises
    ------
    DataValidationError
        Listing every problem; the warehouse is unchanged.
    """
    schema = get_table(table)
    if mapping:
        df = _apply_mapping(df, mapping, schema.name, source)
    lookup = warehouse.keys if check_foreign_keys else None
    validated = validate_frame(
        df, schema, key_lookup=lookup, time_format=time_format, source=source
    )
    redacted = _redact_personal(schema, validated.frame)
    result: UpsertResult = warehouse.upsert(schema.name, validated)
    return IngestResult(
        schema.name,
        source,
        result.inserted,
        result.updated,
        validated.ignored_columns,
        validated.extra_columns,
        redacted,
    )


def _redact_personal(schema: TableSchema, frame: pd.DataFrame) -> int:
    """Redact the personal-data columns of ``frame`` in place; cells changed."""
    from supplymind.feedback.redact import redact

    changed = 0
    for column in schema.columns:
        if not column.personal or column.name not in frame.columns:
            continue
        values = frame[column.name]
        present = values.notna()
        before = values[present].astype(str)
        after = before.map(redact)
        changed += int((after != before).sum())
        frame.loc[present, column.name] = after
    return changed


def ingest_file(
    warehouse: Warehouse,
    table: str,
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    check_foreign_keys: bool = True,
    time_format: str | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
) -> IngestResult:
    """Read a CSV/Parquet file and ingest it into ``table`` (see :func:`ingest_frame`)."""
    get_table(table)
    frame = read_table_file(path, sep=sep, encoding=encoding)
    return ingest_frame(
        warehouse,
        table,
        frame,
        mapping=mapping,
        check_foreign_keys=check_foreign_keys,
        time_format=time_format,
        source=str(path),
    )
