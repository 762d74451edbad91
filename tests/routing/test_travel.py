from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from supplymind.exceptions import RoutingInputError
from supplymind.routing.travel import (
    TravelMatrix,
    TravelSettings,
    euclidean_matrix,
    geographic_matrix,
    haversine_km,
    read_matrix,
)


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert float(haversine_km(0.0, 0.0, 1.0, 0.0)) == pytest.approx(111.195, abs=0.01)


def test_when_estimating_travel_then_road_factor_and_speed_apply() -> None:
    m = geographic_matrix(
        [31.0, 31.1], [121.0, 121.0], TravelSettings(road_factor=1.5, speed_kmh=30)
    )
    straight = float(haversine_km(31.0, 121.0, 31.1, 121.0))
    assert m.distance[0, 1] == pytest.approx(1.5 * straight)
    assert m.duration[0, 1] == pytest.approx(1.5 * straight / 30 * 60)
    assert m.distance[0, 0] == 0.0
    assert "1.5" in m.source


def test_euclidean_travel_time_equals_distance() -> None:
    m = euclidean_matrix([0.0, 3.0], [0.0, 4.0])
    assert m.distance[0, 1] == 5.0
    assert m.duration[1, 0] == 5.0


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"road_factor": 0.9}, "road_factor"), ({"speed_kmh": 0.0}, "speed_kmh")]
)
def test_when_travel_settings_are_unusable_then_error(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(RoutingInputError, match=field):
        TravelSettings(**kwargs)


def test_when_a_matrix_has_a_negative_value_then_error_names_the_pair() -> None:
    bad = np.array([[0.0, -1.0], [1.0, 0.0]])
    with pytest.raises(RoutingInputError, match="from location 0 to 1"):
        TravelMatrix(bad, bad)


def test_when_a_matrix_file_covers_every_pair_then_it_is_used(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "from_id,to_id,distance_km,duration_minutes\n"
        "D,A,2,5\nA,D,3,6\nD,B,4,8\nB,D,4,8\nA,B,1,2\nB,A,1,3\n"
    )
    m = read_matrix(path, ["D", "A", "B", "A"])
    assert m.distance[0, 1] == 2.0
    assert m.duration[1, 0] == 6.0
    assert m.distance[1, 3] == 0.0  # the same location twice
    assert m.duration[2, 3] == 3.0


def test_when_a_matrix_file_has_no_durations_then_they_come_from_the_speed(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,distance_km\nD,A,15\nA,D,15\n")
    m = read_matrix(path, ["D", "A"], TravelSettings(speed_kmh=30))
    assert m.duration[0, 1] == 30.0


def test_when_a_matrix_file_misses_a_pair_then_the_error_names_it(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,distance_km\nD,A,2\n")
    with pytest.raises(RoutingInputError, match="A->D"):
        read_matrix(path, ["D", "A"])


def test_when_a_matrix_file_has_a_bad_value_then_the_error_names_row_and_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,distance_km\nD,A,2\nA,D,far\n")
    with pytest.raises(RoutingInputError, match="row 2, column 'distance_km'"):
        read_matrix(path, ["D", "A"])
