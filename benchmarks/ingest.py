"""Ingest throughput: load a 1,000,000-row demand CSV into the DuckDB warehouse twice.

Run: ``.venv/bin/python benchmarks/ingest.py [--rows 1000000] [--out benchmarks/results]``.
Writes ``ingest.json`` with rows/s for the first load (insert) and the re-load (update),
and the row count after both (must equal the file's rows: ingest is an upsert by key).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from supplymind.data.ingest import ingest_file
from supplymind.data.warehouse import Warehouse


def make_files(folder: Path, rows: int, seed: int = 0) -> tuple[Path, Path, Path]:
    """Write items, locations and a demand CSV of ``rows`` rows (1,000 days per series)."""
    rng = np.random.default_rng(seed)
    n_days = 1000
    n_series = max(1, rows // n_days)
    n_locations = 10
    n_items = -(-n_series // n_locations)
    items = pd.DataFrame(
        {
            "item_id": [f"SKU{i:06d}" for i in range(n_items)],
            "unit_cost": rng.uniform(1, 50, n_items).round(2),
        }
    )
    items["price"] = (items["unit_cost"] * 1.4).round(2)
    locations = pd.DataFrame(
        {
            "location_id": [f"DC{j:02d}" for j in range(n_locations)],
            "kind": "warehouse",
            "lat": rng.uniform(30, 32, n_locations).round(5),
            "lon": rng.uniform(120, 122, n_locations).round(5),
        }
    )
    series = np.arange(n_series)
    days = pd.date_range("2022-01-01", periods=n_days, freq="D")
    demand = pd.DataFrame(
        {
            "item_id": np.repeat(items["item_id"].to_numpy()[series // n_locations], n_days),
            "location_id": np.repeat(
                locations["location_id"].to_numpy()[series % n_locations], n_days
            ),
            "timestamp": np.tile(days.strftime("%Y-%m-%d").to_numpy(), n_series),
            "target": rng.poisson(5.0, n_series * n_days),
            "price": rng.uniform(1, 60, n_series * n_days).round(2),
        }
    ).iloc[:rows]
    paths = folder / "items.csv", folder / "locations.csv", folder / "demand.csv"
    for frame, path in zip((items, locations, demand), paths, strict=True):
        frame.to_csv(path, index=False)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        items, locations, demand = make_files(folder, args.rows)
        with Warehouse(folder / "wh.duckdb") as wh:
            ingest_file(wh, "items", items)
            ingest_file(wh, "locations", locations)
            runs = []
            for label in ("first load (insert)", "second load (update)"):
                start = time.perf_counter()
                result = ingest_file(wh, "demand", demand)
                seconds = time.perf_counter() - start
                runs.append(
                    {
                        "run": label,
                        "rows": result.rows,
                        "inserted": result.inserted,
                        "updated": result.updated,
                        "seconds": round(seconds, 2),
                        "rows_per_s": round(result.rows / seconds),
                    }
                )
                print(runs[-1])
            count = wh.count("demand")
    report = {
        "benchmark": "ingest demand CSV into DuckDB warehouse",
        "file_rows": args.rows,
        "rows_after_two_loads": count,
        "runs": runs,
        "machine": platform.platform(),
        "cpus": __import__("os").cpu_count(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
