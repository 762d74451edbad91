"""The model registry: every fitted model, its data, scores, files and status.

Rows live in the warehouse table ``model_registry``; files live under
``<root>/<model_id>/`` (default ``SUPPLYMIND_HOME/models``). A row records the task, the
backbone and the model it was fine-tuned from (``parent_id``), the fine-tune mode and
hyperparameters, a fingerprint of the training data (tables, date range, row count and
SHA-256), metrics and backtests, and the SHA-256 of every file. Loading verifies every
checksum first and reads only JSON, CSV and safetensors files (never pickle).

Statuses: ``challenger`` (registered, not serving), ``champion`` (serving; one per task),
``retired`` (was champion, or lost its comparison).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from supplymind.data.schema import TableSchema
from supplymind.data.schema import column as _c
from supplymind.data.warehouse import Warehouse, quote
from supplymind.exceptions import ModelChecksumError, ModelRegistryError

if TYPE_CHECKING:
    from supplymind.forecasting.forecaster import Forecaster

__all__ = [
    "REGISTRY_TABLE",
    "SAFE_SUFFIXES",
    "STATUSES",
    "TASKS",
    "DataFingerprint",
    "ModelRecord",
    "ModelRegistry",
    "file_sha256",
    "fingerprint",
]

TASKS = ("forecast", "feedback", "risk")
STATUSES = ("challenger", "champion", "retired")
#: The only files a registered model may hold (no pickle, no torch .bin/.pt).
SAFE_SUFFIXES = (".json", ".safetensors", ".csv", ".md", ".png", ".txt")
BASE_DIR = "base"


REGISTRY_TABLE = TableSchema(
    name="model_registry",
    description="Fitted models: lineage, training data, scores, file checksums and status.",
    columns=(
        _c("model_id", "string", "Model id (<task>-v<NNN>)."),
        _c("task", "string", "forecast, feedback or risk.", choices=TASKS),
        _c("created_at", "timestamp", "When it was registered."),
        _c("status", "string", "challenger, champion or retired.", choices=STATUSES),
        _c("backbone", "string", "Pretrained backbone it descends from."),
        _c("started_from", "string", "Weights fine-tuning started from (backbone or model)."),
        _c("parent_id", "string", "Model it was fine-tuned from.", nullable=True),
        _c("finetune_mode", "string", "Fine-tune mode (none, full, head, lora, ia3, auto)."),
        _c("hyperparameters", "string", "JSON: settings of the fit."),
        _c("data_fingerprint", "string", "JSON: tables, date range, rows, sha256."),
        _c("data_sha256", "string", "SHA-256 of the training data."),
        _c("metrics", "string", "JSON: scores and decisions."),
        _c("files", "string", "JSON: relative path -> sha256."),
        _c("promoted_at", "timestamp", "When it last became champion.", nullable=True),
        _c("retired_at", "timestamp", "When it last stopped being champion.", nullable=True),
        _c("note", "string", "Free text (why it was registered, promoted, retired)."),
    ),
    key=("model_id",),
)
_JSON_COLUMNS = ("hyperparameters", "data_fingerprint", "metrics", "files")


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


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class DataFingerprint:
    """What a model was trained on: tables, period, rows and a hash of the values."""

    tables: tuple[str, ...]
    first: str | None
    last: str | None
    rows: int
    series: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "tables": list(self.tables),
            "first": self.first,
            "last": self.last,
            "rows": self.rows,
            "series": self.series,
            "sha256": self.sha256,
        }


def fingerprint(
    frame: pd.DataFrame,
    *,
    tables: tuple[str, ...] = ("demand",),
    id_col: str = "item_id",
    time_col: str = "timestamp",
) -> DataFingerprint:
    """Fingerprint a training table; row order does not change the hash."""
    for col in (id_col, time_col):
        if col not in frame.columns:
            raise ModelRegistryError(
                f"fingerprint: expected a column {col!r}, found {list(frame.columns)}"
            )
    ordered = frame.sort_values([id_col, time_col], kind="stable").reset_index(drop=True)
    ordered = ordered[sorted(ordered.columns)]
    hashed = pd.util.hash_pandas_object(ordered, index=False).to_numpy()
    digest = hashlib.sha256(",".join(ordered.columns).encode())
    digest.update(hashed.tobytes())
    times = pd.to_datetime(ordered[time_col])
    return DataFingerprint(
        tables=tuple(tables),
        first=None if times.empty else times.min().isoformat(),
        last=None if times.empty else times.max().isoformat(),
        rows=len(ordered),
        series=int(ordered[id_col].nunique()),
        sha256=digest.hexdigest(),
    )


@dataclass(frozen=True)
class ModelRecord:
    """One row of the registry, JSON columns decoded."""

    model_id: str
    task: str
    created_at: pd.Timestamp
    status: str
    backbone: str
    started_from: str
    parent_id: str | None
    finetune_mode: str
    hyperparameters: dict[str, Any]
    data_fingerprint: dict[str, Any]
    data_sha256: str
    metrics: dict[str, Any]
    files: dict[str, str]
    promoted_at: pd.Timestamp | None
    retired_at: pd.Timestamp | None
    note: str
    folder: Path = field(default=Path("."))

    @classmethod
    def from_row(cls, row: Mapping[Any, Any], root: Path) -> ModelRecord:
        """Build from a stored row."""

        def ts(value: Any) -> pd.Timestamp | None:
            return None if value is None or pd.isna(value) else pd.Timestamp(value)

        parent = row["parent_id"]
        return cls(
            model_id=str(row["model_id"]),
            task=str(row["task"]),
            created_at=pd.Timestamp(row["created_at"]),
            status=str(row["status"]),
            backbone=str(row["backbone"]),
            started_from=str(row["started_from"]),
            parent_id=None if parent is None or pd.isna(parent) else str(parent),
            finetune_mode=str(row["finetune_mode"]),
            hyperparameters=json.loads(row["hyperparameters"]),
            data_fingerprint=json.loads(row["data_fingerprint"]),
            data_sha256=str(row["data_sha256"]),
            metrics=json.loads(row["metrics"]),
            files=json.loads(row["files"]),
            promoted_at=ts(row["promoted_at"]),
            retired_at=ts(row["retired_at"]),
            note=str(row["note"]),
            folder=root / str(row["model_id"]),
        )

    def to_row(self) -> dict[str, Any]:
        """The stored row (JSON columns encoded)."""
        row: dict[str, Any] = {}
        for col in REGISTRY_TABLE.column_names:
            value = getattr(self, col)
            row[col] = (
                json.dumps(value, sort_keys=True, default=float) if col in _JSON_COLUMNS else value
            )
        return row


class ModelRegistry:
    """Registered models of a warehouse.

    Parameters
    ----------
    warehouse
        The warehouse holding ``model_registry`` (created when missing).
    root
        Folder of the model files; default ``SUPPLYMIND_HOME/models``.
    """

    def __init__(self, warehouse: Warehouse, root: str | Path | None = None) -> None:
        if root is None:
            from supplymind.settings import get_settings

            root = get_settings().home.expanduser() / "models"
        self.warehouse = warehouse
        self.root = Path(root)
        warehouse.backend.execute(_ddl(REGISTRY_TABLE))

    # ------------------------------------------------------------------ reading

    def models(self, task: str | None = None, status: str | None = None) -> list[ModelRecord]:
        """Registered models, oldest first (optionally of one task / status)."""
        sql = f"SELECT * FROM {quote(REGISTRY_TABLE.name)}"
        where, params = [], []
        if task is not None:
            _check_task(task)
            where.append("task = ?")
            params.append(task)
        if status is not None:
            if status not in STATUSES:
                raise ModelRegistryError(
                    f"status: expected one of {list(STATUSES)}, found {status!r}"
                )
            where.append("status = ?")
            params.append(status)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at, model_id"
        frame = self.warehouse.query(sql, params)
        return [ModelRecord.from_row(r, self.root) for r in frame.to_dict("records")]

    def frame(self, task: str | None = None) -> pd.DataFrame:
        """The registry as a table for listings (no JSON columns but the main metric)."""
        rows = []
        for r in self.models(task):
            rows.append(
                {
                    "model_id": r.model_id,
                    "task": r.task,
                    "status": r.status,
                    "parent_id": r.parent_id,
                    "finetune_mode": r.finetune_mode,
                    "data_last": r.data_fingerprint.get("last"),
                    "holdout_wql": r.metrics.get("challenger_wql"),
                    "created_at": r.created_at,
                    "promoted_at": r.promoted_at,
                }
            )
        return pd.DataFrame(rows)

    def get(self, model_id: str) -> ModelRecord:
        """The record of ``model_id``."""
        frame = self.warehouse.query(
            f"SELECT * FROM {quote(REGISTRY_TABLE.name)} WHERE model_id = ?", [model_id]
        )
        if frame.empty:
            known = [r.model_id for r in self.models()]
            raise ModelRegistryError(
                f"model_id: expected a registered model ({known[-10:]}), found {model_id!r}"
            )
        return ModelRecord.from_row(frame.to_dict("records")[0], self.root)

    def champion(self, task: str) -> ModelRecord | None:
        """The serving model of ``task``, if any."""
        found = self.models(task, "champion")
        return found[-1] if found else None

    # ------------------------------------------------------------------ writing

    def new_id(self, task: str) -> str:
        """The next free id of ``task`` (``forecast-v001``...), skipping leftover folders."""
        _check_task(task)
        taken = {r.model_id for r in self.models(task)}
        if self.root.is_dir():
            taken |= {p.name for p in self.root.iterdir()}
        n = 1
        while f"{task}-v{n:03d}" in taken:
            n += 1
        return f"{task}-v{n:03d}"

    def reserve(self, task: str) -> tuple[str, Path]:
        """A new id and its (created, empty) folder."""
        model_id = self.new_id(task)
        folder = self.root / model_id
        folder.mkdir(parents=True, exist_ok=False)
        return model_id, folder

    def register(
        self,
        model_id: str,
        *,
        task: str,
        backbone: str,
        started_from: str,
        parent_id: str | None,
        finetune_mode: str,
        hyperparameters: Mapping[str, Any],
        data: DataFingerprint,
        metrics: Mapping[str, Any],
        status: str = "challenger",
        note: str = "",
        now: pd.Timestamp | None = None,
    ) -> ModelRecord:
        """Record the files already written to ``root/model_id`` (checksums taken now)."""
        _check_task(task)
        if status not in ("challenger", "retired"):
            raise ModelRegistryError(
                f"status: expected 'challenger' or 'retired' at registration (use promote()), "
                f"found {status!r}"
            )
        folder = self.root / model_id
        if not folder.is_dir():
            raise ModelRegistryError(f"model {model_id}: expected files in {folder}, none found")
        files = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if path.suffix not in SAFE_SUFFIXES:
                raise ModelRegistryError(
                    f"model {model_id}: file {rel} has a suffix outside {list(SAFE_SUFFIXES)} "
                    "(only safetensors/JSON/CSV/text files are stored)"
                )
            files[rel] = file_sha256(path)
        record = ModelRecord(
            model_id=model_id,
            task=task,
            created_at=pd.Timestamp.now().floor("s") if now is None else pd.Timestamp(now),
            status=status,
            backbone=backbone,
            started_from=started_from,
            parent_id=parent_id,
            finetune_mode=finetune_mode,
            hyperparameters=dict(hyperparameters),
            data_fingerprint=data.to_dict(),
            data_sha256=data.sha256,
            metrics=dict(metrics),
            files=files,
            promoted_at=None,
            retired_at=None,
            note=note,
            folder=folder,
        )
        self._write([record])
        return record

    def register_folder(
        self,
        source: str | Path,
        *,
        task: str,
        backbone: str,
        data: DataFingerprint,
        finetune_mode: str = "none",
        hyperparameters: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
        parent_id: str | None = None,
        note: str = "",
        now: pd.Timestamp | None = None,
    ) -> ModelRecord:
        """Copy a saved model folder (any task) into the registry as a challenger.

        Every file must be safetensors/JSON/CSV/text; nothing is copied otherwise. Load the
        model from ``verify(model_id)``'s folder with the task's own loader.
        """
        src = Path(source)
        if not src.is_dir():
            raise ModelRegistryError(f"source: expected a model folder, found {src}")
        unsafe = sorted(
            p.relative_to(src).as_posix()
            for p in src.rglob("*")
            if p.is_file() and p.suffix not in SAFE_SUFFIXES
        )
        if unsafe:
            raise ModelRegistryError(
                f"source {src}: files {unsafe} have suffixes outside {list(SAFE_SUFFIXES)} "
                "(only safetensors/JSON/CSV/text files are stored)"
            )
        if parent_id is not None:
            self.get(parent_id)
        model_id, folder = self.reserve(task)
        try:
            shutil.copytree(src, folder, dirs_exist_ok=True)
            return self.register(
                model_id,
                task=task,
                backbone=backbone,
                started_from=parent_id or backbone,
                parent_id=parent_id,
                finetune_mode=finetune_mode,
                hyperparameters=hyperparameters or {},
                data=data,
                metrics=metrics or {},
                note=note or f"registered from {src}",
                now=now,
            )
        except BaseException:
            self.discard(model_id)
            raise

    def _write(self, records: list[ModelRecord]) -> None:
        frame = pd.DataFrame([r.to_row() for r in records], columns=REGISTRY_TABLE.column_names)
        for col in ("created_at", "promoted_at", "retired_at"):
            frame[col] = pd.to_datetime(frame[col])
        with self.warehouse.transaction():
            self.warehouse.backend.upsert(REGISTRY_TABLE, frame, list(REGISTRY_TABLE.column_names))

    def _update(self, record: ModelRecord, **changes: Any) -> ModelRecord:
        values = {f: getattr(record, f) for f in record.__dataclass_fields__}
        values.update(changes)
        return ModelRecord(**values)

    def promote(
        self, model_id: str, *, note: str = "promoted", now: pd.Timestamp | None = None
    ) -> ModelRecord:
        """Make ``model_id`` the champion of its task (its files are verified first); the
        current champion is retired. Promoting the champion again changes nothing."""
        record = self.get(model_id)
        if record.status == "champion":
            return record
        self.verify(model_id)
        clock = pd.Timestamp.now().floor("s") if now is None else pd.Timestamp(now)
        writes = []
        current = self.champion(record.task)
        if current is not None:
            writes.append(
                self._update(
                    current, status="retired", retired_at=clock, note=f"replaced by {model_id}"
                )
            )
        promoted = self._update(record, status="champion", promoted_at=clock, note=note)
        writes.append(promoted)
        self._write(writes)
        return promoted

    def retire(self, model_id: str, *, note: str = "retired") -> ModelRecord:
        """Mark a challenger as retired (a champion is replaced through promote/rollback)."""
        record = self.get(model_id)
        if record.status == "champion":
            raise ModelRegistryError(
                f"model {model_id}: is the champion; promote another model or roll back instead"
            )
        retired = self._update(record, status="retired", note=note)
        self._write([retired])
        return retired

    def rollback(
        self, task: str = "forecast", to: str | None = None, *, now: pd.Timestamp | None = None
    ) -> ModelRecord:
        """Make an earlier champion the champion again.

        ``to`` names it; by default it is the model that was champion just before the
        current one (the retired model that most recently stopped being champion).
        """
        _check_task(task)
        current = self.champion(task)
        if to is None:
            earlier = [
                r
                for r in self.models(task, "retired")
                if r.promoted_at is not None and r.retired_at is not None
            ]
            if not earlier:
                raise ModelRegistryError(
                    f"rollback: task {task!r} has no earlier champion to roll back to"
                )
            target = max(earlier, key=lambda r: (r.retired_at, r.model_id))
        else:
            target = self.get(to)
            if target.task != task:
                raise ModelRegistryError(
                    f"rollback: model {to} is a {target.task!r} model, expected task {task!r}"
                )
        origin = "none" if current is None else current.model_id
        return self.promote(target.model_id, note=f"rolled back from {origin}", now=now)

    # ------------------------------------------------------------------ files

    def verify(self, model_id: str) -> Path:
        """Check every recorded file's SHA-256 and refuse unexpected files; return the folder."""
        record = self.get(model_id)
        folder = record.folder
        for rel, expected in sorted(record.files.items()):
            path = folder / rel
            if not path.is_file():
                raise ModelChecksumError(f"model {model_id}: file {rel} is missing from {folder}")
            found = file_sha256(path)
            if found != expected:
                raise ModelChecksumError(
                    f"model {model_id}: checksum mismatch for {rel} (expected sha256 "
                    f"{expected[:16]}..., found {found[:16]}...); the file was changed or "
                    "corrupted after registration, refusing to load it"
                )
        extra = sorted(
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and p.relative_to(folder).as_posix() not in record.files
        )
        unsafe = [e for e in extra if Path(e).suffix not in SAFE_SUFFIXES]
        if unsafe:
            raise ModelChecksumError(
                f"model {model_id}: unexpected files {unsafe} in {folder}; refusing to load"
            )
        return folder

    def load_forecaster(self, model_id: str) -> Forecaster:
        """The Forecaster of a ``forecast`` model, after verifying its files."""
        from supplymind.forecasting.forecaster import Forecaster

        record = self.get(model_id)
        if record.task != "forecast":
            raise ModelRegistryError(
                f"model {model_id}: is a {record.task!r} model, expected a 'forecast' model"
            )
        folder = self.verify(model_id)
        forecaster = Forecaster.load(folder)
        return forecaster

    def discard(self, model_id: str) -> None:
        """Remove the folder of an id that was reserved but never registered."""
        folder = self.root / model_id
        known = self.warehouse.query(
            f"SELECT model_id FROM {quote(REGISTRY_TABLE.name)} WHERE model_id = ?", [model_id]
        )
        if not known.empty:
            raise ModelRegistryError(f"model {model_id}: is registered; it cannot be discarded")
        if folder.is_dir():
            shutil.rmtree(folder)


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ModelRegistryError(f"task: expected one of {list(TASKS)}, found {task!r}")
