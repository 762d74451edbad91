"""The NAB loader on the public data folder (skipped when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplymind.exceptions import DatasetNotFoundError
from supplymind.risk.anomaly.nab import load_nab


@pytest.mark.shared_data
def test_when_the_folder_is_there_then_every_series_has_its_windows(shared_data_dir: Path) -> None:
    series = load_nab(shared_data_dir)
    names = {s.name for s in series}
    assert "nyc_taxi" in names
    assert len(series) == 7
    taxi = next(s for s in series if s.name == "nyc_taxi")
    assert len(taxi.frame) == 10_320
    assert len(taxi.windows) == 5
    assert len(taxi.labels) == 5
    for s in series:
        assert s.frame["timestamp"].is_monotonic_increasing
        assert not s.frame["timestamp"].duplicated().any()
        for start, end in s.windows:
            assert s.frame["timestamp"].min() <= start < end <= s.frame["timestamp"].max()


def test_when_the_folder_is_missing_then_the_error_says_how_to_point_at_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match="SUPPLYMIND_DATA_DIR"):
        load_nab(tmp_path)
