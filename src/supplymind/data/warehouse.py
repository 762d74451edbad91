"""The embedded warehouse: every table of the data model in one database.

The default is a DuckDB file (fast columnar upserts of millions of rows, no server). The
database is chosen by a URL so a server database can be plugged in: ``duckdb:///path``
(or a plain path) uses DuckDB natively; any other SQLAlchemy URL (``sqlite:///...``,
``postgresql://...``) goes through SQLAlchemy Core with the same tables and the same
upsert-by-key semantics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from supplymind.data.schema import TABLES, ColumnSpec, TableSchema, get_table
from supplymind.data.validation import ValidatedFrame
from supplymind.exceptions import ConfigurationError, WarehouseError

__all__ = ["TableInfo", "UpsertResult", "Warehouse", "quote"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote(identifier: str) -> str:
    """Quote an SQL identifier after checking it is a plain name."""
    if not _IDENT.match(identifier):
        raise ValueError(f"identifier: expected letters, digits and _, found {identifier!r}")
    return f'"{identifier}"'


@dataclass(frozen=True)
class UpsertResult:
    """Rows written by one upsert."""

    table: str
    inserted: int
    updated: int

    @property
    def rows(self) -> int:
        """Rows in the input."""
        return self.inserted + self.updated


@dataclass(frozen=True)
class TableInfo:
    """Summary of one table for ``supplymind db info``."""

    name: str
    rows: int
    time_column: str | None
    first: pd.Timestamp | None
    last: pd.Timestamp | None


class _Backend(Protocol):
    def execute(self, sql: str) -> None: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame: ...

    def columns(self, table: str) -> list[str]: ...

    def upsert(self, schema: TableSchema, frame: pd.DataFrame, update_columns: list[str]) -> int:
        """Insert or update ``frame`` by key; return the number of rows that existed."""
        ...

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def close(self) -> None: ...


def _ddl(schema: TableSchema) -> str:
    cols = [
        f"{quote(c.name)} {c.sql_type}" + ("" if c.nullable else " NOT NULL")
        for c in schema.columns
    ]
    key = ", ".join(quote(k) for k in schema.key)
    return (
        f"CREATE TABLE IF NOT EXISTS {quote(schema.name)} (\n  "
        + ",\n  ".join(cols)
        + f",\n  PRIMARY KEY ({key})\n)"
    )


class _DuckDBBackend:
    def __init__(self, path: str) -> None:
        import duckdb

        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(path)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open DuckDB warehouse at {path}: {exc}") from exc

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        result: pd.DataFrame = self.con.execute(sql, list(params)).df()
        return result

    def columns(self, table: str) -> list[str]:
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return [r[0] for r in rows]

    def upsert(self, schema: TableSchema, frame: pd.DataFrame, update_columns: list[str]) -> int:
        table = quote(schema.name)
        self.con.register("_sm_staged", frame)
        try:
            join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in schema.key)
            row = self.con.execute(
                f"SELECT count(*) FROM _sm_staged s JOIN {table} t ON {join}"
            ).fetchone()
            existing = int(row[0]) if row else 0
            cols = ", ".join(quote(c) for c in frame.columns)
            keys = ", ".join(quote(k) for k in schema.key)
            updates = [c for c in update_columns if c not in schema.key]
            if updates:
                action = "DO UPDATE SET " + ", ".join(
                    f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updates
                )
            else:
                action = "DO NOTHING"
            self.con.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _sm_staged "
                f"ON CONFLICT ({keys}) {action}"
            )
        finally:
            self.con.unregister("_sm_staged")
        return existing

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()


class _SQLAlchemyBackend:
    """Any SQLAlchemy database: upsert = delete matching keys, then insert, in one transaction."""

    def __init__(self, url: str) -> None:
        import sqlalchemy as sa

        try:
            self.engine = sa.create_engine(url)
            self.conn = self.engine.connect()
        except Exception as exc:
            raise WarehouseError(f"cannot open warehouse at {url}: {exc}") from exc
        self._sa = sa
        self._in_tx = False

    def execute(self, sql: str) -> None:
        self.conn.execute(self._sa.text(sql))
        if not self._in_tx:
            self.conn.commit()

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        # Positional '?' markers become named binds so every dialect accepts them.
        names = {}
        parts = sql.split("?")
        text = parts[0]
        for i, part in enumerate(parts[1:]):
            names[f"p{i}"] = params[i]
            text += f":p{i}" + part
        result = self.conn.execute(self._sa.text(text), names)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def columns(self, table: str) -> list[str]:
        inspector = self._sa.inspect(self.conn)
        if not inspector.has_table(table):
            return []
        return [c["name"] for c in inspector.get_columns(table)]

    def upsert(self, schema: TableSchema, frame: pd.DataFrame, update_columns: list[str]) -> int:
        sa = self._sa
        table = sa.Table(schema.name, sa.MetaData(), autoload_with=self.conn)
        stored = pd.DataFrame(
            self.conn.execute(sa.select(*[table.c[k] for k in schema.key])).fetchall(),
            columns=list(schema.key),
        )
        for k in schema.key:
            if schema.column(k).kind == "timestamp":
                stored[k] = pd.to_datetime(stored[k])
            else:
                stored[k] = stored[k].astype("string")
        keys = frame[list(schema.key)].astype(
            {k: "string" for k in schema.key if schema.column(k).kind != "timestamp"}
        )
        hit = (
            keys.merge(stored.drop_duplicates(), on=list(schema.key), how="left", indicator=True)[
                "_merge"
            ]
            .eq("both")
            .to_numpy()
        )
        records: list[dict[str, Any]] = [
            {str(k): v for k, v in r.items()}
            for r in frame.astype(object).where(frame.notna(), None).to_dict("records")
        ]
        old = [r for r, h in zip(records, hit, strict=True) if h]
        new = [r for r, h in zip(records, hit, strict=True) if not h]
        updates = [c for c in update_columns if c not in schema.key]
        if old and updates:
            cond = sa.and_(*[table.c[k] == sa.bindparam(f"k_{k}") for k in schema.key])
            stmt = table.update().where(cond).values({c: sa.bindparam(f"v_{c}") for c in updates})
            self.conn.execute(
                stmt,
                [
                    {**{f"k_{k}": r[k] for k in schema.key}, **{f"v_{c}": r[c] for c in updates}}
                    for r in old
                ],
            )
        if new:
            self.conn.execute(table.insert(), new)
        return len(old)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._in_tx = True
        try:
            yield
        except BaseException:
            self.conn.rollback()
            raise
        finally:
            self._in_tx = False
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


def _parse_url(url: str | Path) -> tuple[str, str]:
    text = str(url)
    if text.startswith("duckdb:///"):
        return "duckdb", text[len("duckdb:///") :] or ":memory:"
    if text in ("duckdb://", "duckdb:///:memory:", ":memory:"):
        return "duckdb", ":memory:"
    if "://" not in text:
        return "duckdb", text
    return "sqlalchemy", text


class Warehouse:
    """The database holding every table of the data model.

    Parameters
    ----------
    url
        ``duckdb:///path/to/file.duckdb``, a plain file path, ``:memory:``, or another
        SQLAlchemy URL. ``None`` reads ``SUPPLYMIND_DATABASE_URL`` / ``SUPPLYMIND_HOME``.

    Examples
    --------
    >>> with Warehouse(":memory:") as wh:
    ...     wh.count("items")
    0
    """

    def __init__(self, url: str | Path | None = None) -> None:
        if url is None:
            from supplymind.settings import get_settings

            url = get_settings().resolved_database_url
        self.url = str(url)
        kind, target = _parse_url(url)
        self.backend: _Backend
        if kind == "duckdb":
            self.backend = _DuckDBBackend(target)
        else:
            self.backend = _SQLAlchemyBackend(target)
        self.init_schema()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.backend.close()

    def init_schema(self) -> None:
        """Create every table that does not exist yet (idempotent)."""
        for schema in TABLES.values():
            self.backend.execute(_ddl(schema))

    def columns(self, table: str) -> list[str]:
        """Stored columns of ``table``, declared ones first, then covariates."""
        return self.backend.columns(get_table(table).name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside are committed together or not at all."""
        with self.backend.transaction():
            yield

    def upsert(self, table: str, data: ValidatedFrame) -> UpsertResult:
        """Insert new rows and update existing ones (same key) from validated data.

        Columns that were absent from the input keep their stored values on update.
        Extra covariate columns are added to the table first. Runs in one transaction.
        """
        schema = get_table(table)
        frame = data.frame
        with self.transaction():
            stored = set(self.backend.columns(schema.name))
            for name in data.extra_columns:
                if name not in stored:
                    spec = ColumnSpec(name, "float", "covariate", nullable=True)
                    self.backend.execute(
                        f"ALTER TABLE {quote(schema.name)} ADD COLUMN {quote(name)} {spec.sql_type}"
                    )
            update = [*data.present_columns, *data.extra_columns]
            existing = self.backend.upsert(schema, frame, update) if len(frame) else 0
        return UpsertResult(schema.name, inserted=len(frame) - existing, updated=existing)

    def keys(self, table: str, column: str, kinds: tuple[str, ...] | None = None) -> set[str]:
        """Distinct values of ``table.column`` (only rows of ``kinds`` when given)."""
        sql = f"SELECT DISTINCT {quote(column)} AS v FROM {quote(get_table(table).name)}"
        params: list[Any] = []
        if kinds:
            sql += f" WHERE kind IN ({', '.join('?' for _ in kinds)})"
            params = list(kinds)
        values = self.backend.query(sql, params)["v"]
        return {str(v) for v in values if v is not None}

    def count(self, table: str) -> int:
        """Number of rows in ``table``."""
        frame = self.backend.query(f"SELECT count(*) AS n FROM {quote(get_table(table).name)}")
        return int(frame["n"].iloc[0])

    def read(
        self,
        table: str,
        columns: Sequence[str] | None = None,
        where: str | None = None,
        params: Sequence[Any] = (),
    ) -> pd.DataFrame:
        """Read ``table`` (optionally some columns, filtered by an SQL ``where`` clause)."""
        schema = get_table(table)
        cols = "*" if columns is None else ", ".join(quote(c) for c in columns)
        sql = f"SELECT {cols} FROM {quote(schema.name)}"
        if where:
            sql += f" WHERE {where}"
        sql += " ORDER BY " + ", ".join(quote(k) for k in schema.key)
        return self.backend.query(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run a read query and return a DataFrame."""
        return self.backend.query(sql, params)

    def info(self) -> list[TableInfo]:
        """Row counts and date ranges of every table."""
        out = []
        for schema in TABLES.values():
            time_col = next((c.name for c in schema.columns if c.kind == "timestamp"), None)
            rows = self.count(schema.name)
            first = last = None
            if time_col is not None and rows:
                frame = self.backend.query(
                    f"SELECT min({quote(time_col)}) AS a, max({quote(time_col)}) AS b "
                    f"FROM {quote(schema.name)}"
                )
                first, last = (pd.Timestamp(frame["a"].iloc[0]), pd.Timestamp(frame["b"].iloc[0]))
            out.append(TableInfo(schema.name, rows, time_col, first, last))
        return out

    def require(self, table: str) -> None:
        """Raise when ``table`` is empty, naming the command that fills it."""
        if self.count(table) == 0:
            raise ConfigurationError(
                f"table '{table}' is empty: load it with `supplymind ingest {table} FILE`"
            )
