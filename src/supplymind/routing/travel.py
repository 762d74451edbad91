"""Travel distances and times between the stops of a routing problem.

Company data: the great-circle (haversine) distance times a road factor, and a constant
speed, unless a matrix is supplied (:func:`read_matrix`, CSV or Parquet). Benchmark
instances: the Euclidean distance between the file's coordinates, which is also the travel
time. Rounding to the integers the solver needs is :class:`~supplymind.routing.problem.Scaling`'s
job, not this module's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.exceptions import RoutingInputError

__all__ = [
    "EARTH_RADIUS_KM",
    "MATRIX_COLUMNS",
    "TravelMatrix",
    "TravelSettings",
    "euclidean_matrix",
    "geographic_matrix",
    "haversine_km",
    "read_matrix",
]

FloatMatrix = npt.NDArray[np.float64]

EARTH_RADIUS_KM = 6371.0

MATRIX_COLUMNS = ("from_id", "to_id", "distance_km", "duration_minutes")
"""Columns of a user-supplied matrix file; ``duration_minutes`` is optional."""


@dataclass(frozen=True)
class TravelSettings:
    """How company travel is estimated when no matrix is given.

    Parameters
    ----------
    road_factor
        Road distance over great-circle distance (1.3 is typical of a city road network).
    speed_kmh
        Average speed, stops excluded, in km/h (30 km/h: urban delivery traffic).
    """

    road_factor: float = 1.3
    speed_kmh: float = 30.0

    def __post_init__(self) -> None:
        if not np.isfinite(self.road_factor) or self.road_factor < 1.0:
            raise RoutingInputError(
                f"TravelSettings.road_factor: expected a number >= 1, found {self.road_factor!r}"
            )
        if not np.isfinite(self.speed_kmh) or self.speed_kmh <= 0.0:
            raise RoutingInputError(
                f"TravelSettings.speed_kmh: expected a number > 0, found {self.speed_kmh!r}"
            )


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Distances and travel times between the locations of a problem, in its own units.

    Parameters
    ----------
    distance
        Square matrix; ``distance[i, j]`` from location ``i`` to ``j``.
    duration
        Square matrix of travel times, same shape.
    source
        How the matrix was made, in words (shown in reports).
    """

    distance: FloatMatrix
    duration: FloatMatrix
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("distance", "duration"):
            value = np.asarray(getattr(self, name), dtype=np.float64)
            if value.ndim != 2 or value.shape[0] != value.shape[1]:
                raise RoutingInputError(
                    f"TravelMatrix.{name}: expected a square matrix, found shape {value.shape}"
                )
            if not np.isfinite(value).all() or (value < 0).any():
                bad = np.argwhere(~np.isfinite(value) | (value < 0))[0]
                raise RoutingInputError(
                    f"TravelMatrix.{name}: expected finite values >= 0, found "
                    f"{value[tuple(bad)]} from location {bad[0]} to {bad[1]}"
                )
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        if self.distance.shape != self.duration.shape:
            raise RoutingInputError(
                f"TravelMatrix: distance {self.distance.shape} and duration "
                f"{self.duration.shape} shapes differ"
            )

    @property
    def size(self) -> int:
        """Number of locations."""
        return int(self.distance.shape[0])


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatMatrix:
    """Great-circle distance in km between points given in decimal degrees (broadcasts)."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))), np.float64)


def geographic_matrix(
    lat: Sequence[float] | npt.NDArray[np.float64],
    lon: Sequence[float] | npt.NDArray[np.float64],
    settings: TravelSettings | None = None,
) -> TravelMatrix:
    """Road distance (km) and travel time (minutes) estimated from coordinates.

    Parameters
    ----------
    lat, lon
        Coordinates of every location in problem order, decimal degrees.
    settings
        Road factor and speed; the defaults of :class:`TravelSettings` when ``None``.
    """
    settings = settings or TravelSettings()
    la, lo = np.asarray(lat, float), np.asarray(lon, float)
    km = haversine_km(la[:, None], lo[:, None], la[None, :], lo[None, :]) * settings.road_factor
    minutes = km / settings.speed_kmh * 60.0
    return TravelMatrix(
        km,
        minutes,
        f"haversine x {settings.road_factor:g} road factor at {settings.speed_kmh:g} km/h",
    )


def euclidean_matrix(
    x: Sequence[float] | FloatMatrix, y: Sequence[float] | FloatMatrix
) -> TravelMatrix:
    """Euclidean distances between planar coordinates; travel time equals distance."""
    xs, ys = np.asarray(x, float), np.asarray(y, float)
    dist = np.sqrt((xs[:, None] - xs[None, :]) ** 2 + (ys[:, None] - ys[None, :]) ** 2)
    return TravelMatrix(dist, dist.copy(), "Euclidean distance; travel time = distance")


def read_matrix(
    path: str | Path,
    location_ids: Sequence[str],
    settings: TravelSettings | None = None,
) -> TravelMatrix:
    """Read a travel matrix in long form (CSV or Parquet) for the given locations.

    One row per ordered pair: ``from_id, to_id, distance_km`` and optionally
    ``duration_minutes`` (else distance at ``settings.speed_kmh``). Ids are location ids
    (``locations.location_id``: depots and customers). Pairs of the same location are 0;
    every other pair among ``location_ids`` must be present.

    Parameters
    ----------
    path
        The ``.csv`` or ``.parquet`` file.
    location_ids
        Location id of every problem location, in problem order (repeats allowed).
    settings
        Speed used when the file has no ``duration_minutes`` column.
    """
    path = Path(path)
    if not path.is_file():
        raise RoutingInputError(f"travel matrix: expected a file, found nothing at {path}")
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype={"from_id": str, "to_id": str})
    else:
        raise RoutingInputError(
            f"travel matrix: expected a .csv or .parquet file, found {path.name!r}"
        )
    missing = [c for c in MATRIX_COLUMNS[:3] if c not in frame.columns]
    if missing:
        raise RoutingInputError(
            f"travel matrix {path.name}: expected columns {list(MATRIX_COLUMNS)} "
            f"(duration_minutes optional), missing {missing}"
        )
    speed = (settings or TravelSettings()).speed_kmh
    frame = frame.astype({"from_id": str, "to_id": str})
    dist = pd.to_numeric(frame["distance_km"], errors="coerce")
    if "duration_minutes" in frame.columns:
        dur = pd.to_numeric(frame["duration_minutes"], errors="coerce")
    else:
        dur = dist / speed * 60.0
    for name, values in (("distance_km", dist), ("duration_minutes", dur)):
        bad = values.isna() | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            shown = frame[name].iloc[row] if name in frame.columns else "(from distance_km)"
            raise RoutingInputError(
                f"travel matrix {path.name}: row {row + 1}, column '{name}': expected a number "
                f">= 0, found {shown!r}"
            )
    keyed = pd.DataFrame(
        {"d": dist.to_numpy(), "t": dur.to_numpy()},
        index=pd.MultiIndex.from_arrays([frame["from_id"], frame["to_id"]]),
    )
    keyed = keyed[~keyed.index.duplicated(keep="last")]
    ids = [str(i) for i in location_ids]
    unique = list(dict.fromkeys(ids))
    pairs = pd.MultiIndex.from_product([unique, unique])
    found = keyed.reindex(pairs)
    same = pairs.get_level_values(0) == pairs.get_level_values(1)
    found.loc[same, ["d", "t"]] = 0.0
    absent = found["d"].isna()
    if absent.any():
        sample = [f"{a}->{b}" for a, b in pairs[absent.to_numpy()][:5]]
        raise RoutingInputError(
            f"travel matrix {path.name}: expected a row for every pair of the problem's "
            f"locations, missing {int(absent.sum())} pair(s), e.g. {sample}"
        )
    k = len(unique)
    position = {loc: n for n, loc in enumerate(unique)}
    pos = np.array([position[i] for i in ids])
    d = found["d"].to_numpy(float).reshape(k, k)[np.ix_(pos, pos)]
    t = found["t"].to_numpy(float).reshape(k, k)[np.ix_(pos, pos)]
    return TravelMatrix(d, t, f"matrix file {path.name}")
