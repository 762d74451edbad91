"""Batch forecasting over partitions: the Ray Data path equals the in-process path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import ConfigurationError
from supplymind.forecasting.forecaster import Forecaster
from supplymind.scale.batch import BatchSpec, forecast_partitions
from supplymind.scale.partition import write_partitions

from .conftest import TINY, demand


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 series (5 with 2 observations) in 5 partitions."""
    folder = tmp_path_factory.mktemp("parts")
    write_partitions(demand(n_items=300), folder, series_per_partition=60)
    return folder


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Forecaster fit by guarded adoption (zero-shot vs statistical models) and saved."""
    forecaster = Forecaster(
        str(TINY),
        horizon=4,
        candidates=("zero_shot", "SeasonalNaive", "EmpiricalQuantiles", "CrostonSBA"),
        min_segment_series=5,
        ensemble_size=0,
    )
    forecaster.fit(demand(n_items=30, seed=1, short=0), finetune="auto")
    return forecaster.save(tmp_path_factory.mktemp("model"))


def _read(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


@pytest.mark.parametrize("kind", ["zero_shot", "saved"])
def test_ray_forecasts_equal_the_in_process_forecasts(
    ray_cluster: Any, parts: Path, saved: Path, tmp_path: Path, kind: str
) -> None:
    spec = (
        BatchSpec(horizon=8, model_dir=saved)
        if kind == "saved"
        else BatchSpec(horizon=8, backbone=str(TINY), model=kind)
    )
    local = forecast_partitions(parts, tmp_path / "local", spec)
    remote = forecast_partitions(parts, tmp_path / "ray", spec, ray="local", num_workers=2)
    a, b = _read(tmp_path / "local"), _read(tmp_path / "ray")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a["item_id"].nunique() == 300
    assert len(a) == 300 * 8
    assert local.series == remote.series == 300
    assert len(remote.partitions) == 5
    assert all(v > 0 for v in remote.peak_rss_mb().values())


def test_in_process_partitions_equal_one_predict_per_partition(parts: Path, tmp_path: Path) -> None:
    """The batch path is Forecaster.predict, partition by partition (statistical fallback
    for the short series included)."""
    spec = BatchSpec(horizon=8, backbone=str(TINY))
    forecast_partitions(parts, tmp_path / "out", spec)
    forecaster = Forecaster.unfitted(str(TINY), horizon=8)
    first = pd.read_parquet(parts / "part-00004.parquet")
    expected = forecaster.predict(8, history=first)
    got = pd.read_parquet(tmp_path / "out" / "part-00004.parquet")
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    short = got[got["item_id"] == "sku0299"]
    assert np.isfinite(short["0.5"]).all()


def test_a_statistical_model_forecast_does_not_depend_on_the_partitioning(
    tmp_path: Path,
) -> None:
    frame = demand(n_items=40, short=0)
    write_partitions(frame, tmp_path / "few", series_per_partition=40)
    write_partitions(frame, tmp_path / "many", series_per_partition=7)
    spec = BatchSpec(horizon=6, model="SeasonalNaive")
    forecast_partitions(tmp_path / "few", tmp_path / "a", spec)
    forecast_partitions(tmp_path / "many", tmp_path / "b", spec)
    pd.testing.assert_frame_equal(_read(tmp_path / "a"), _read(tmp_path / "b"))


def test_a_rerun_with_fewer_partitions_removes_stale_outputs(tmp_path: Path) -> None:
    frame = demand(n_items=20, short=0)
    spec = BatchSpec(horizon=3, model="EmpiricalQuantiles")
    forecast_partitions(
        write_partitions(frame, tmp_path / "p4", series_per_partition=5), tmp_path / "out", spec
    )
    report = forecast_partitions(
        write_partitions(frame, tmp_path / "p2", series_per_partition=10), tmp_path / "out", spec
    )
    assert sorted(p.name for p in (tmp_path / "out").glob("part-*")) == [
        "part-00000.parquet",
        "part-00001.parquet",
    ]
    assert report.series == 20


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"horizon": 0}, "horizon"),
        ({"num_threads": 0}, "num_threads"),
        ({"model_dir": Path("/nonexistent")}, "model_dir"),
    ],
)
def test_batch_spec_rejects_bad_settings(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BatchSpec(**{"horizon": 4, **changes})


def test_unfitted_rejects_an_unknown_model() -> None:
    with pytest.raises(ConfigurationError, match="model: expected one of"):
        Forecaster.unfitted(str(TINY), model="finetuned", horizon=4)
