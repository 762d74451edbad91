"""The Numenta Anomaly Benchmark series of the public data folder, with their labels.

``nab_anomaly/`` holds the realKnownCause series (``timestamp,value``) and NAB's combined
labels: the anomaly times and the windows around them, keyed by ``<folder>/<file>.csv``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from supplymind.data.datasets import DATA_DIR_ENV_VAR, default_data_dir
from supplymind.exceptions import DatasetNotFoundError
from supplymind.risk.frames import ID_COL, TARGET_COL, TIME_COL

__all__ = ["NabSeries", "load_nab"]


@dataclass(frozen=True, eq=False)
class NabSeries:
    """One labelled series: ``frame`` is ``item_id, timestamp, target``.

    ``dropped`` counts rows of the file left out because their timestamp repeats an
    earlier row's (two NAB files have a few; the first row of each time is kept).
    """

    name: str
    frame: pd.DataFrame
    windows: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]
    labels: tuple[pd.Timestamp, ...]
    dropped: int = 0


def load_nab(
    data_dir: str | Path | None = None, *, folder: str = "realKnownCause"
) -> list[NabSeries]:
    """Load every labelled series of ``nab_anomaly/<folder>``.

    Parameters
    ----------
    data_dir
        The public data folder; default ``$SUPPLYMIND_DATA_DIR`` or ``../shared/data``.
    folder
        NAB data folder.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    base = root / "nab_anomaly"
    windows_file = base / "labels" / "combined_windows.json"
    labels_file = base / "labels" / "combined_labels.json"
    if not (base / folder).is_dir() or not windows_file.is_file():
        raise DatasetNotFoundError(
            f"NAB: expected {base / folder} and {windows_file}, found no such folder or file. "
            f"Point {DATA_DIR_ENV_VAR} at the public data folder."
        )
    windows = json.loads(windows_file.read_text(encoding="utf-8"))
    labels = json.loads(labels_file.read_text(encoding="utf-8")) if labels_file.is_file() else {}
    out = []
    for path in sorted((base / folder).glob("*.csv")):
        key = f"{folder}/{path.name}"
        raw = pd.read_csv(path)
        frame = pd.DataFrame(
            {
                ID_COL: path.stem,
                TIME_COL: pd.to_datetime(raw["timestamp"]),
                TARGET_COL: raw["value"].astype("float64"),
            }
        )
        unique = frame.drop_duplicates(TIME_COL, keep="first")
        frame = unique.sort_values(TIME_COL, kind="stable", ignore_index=True)
        out.append(
            NabSeries(
                name=path.stem,
                frame=frame,
                windows=tuple((pd.Timestamp(a), pd.Timestamp(b)) for a, b in windows.get(key, [])),
                labels=tuple(pd.Timestamp(x) for x in labels.get(key, [])),
                dropped=len(raw) - len(frame),
            )
        )
    return out
