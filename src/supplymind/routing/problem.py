"""The routing model: depots, orders, a heterogeneous fleet and the travel between them.

Everything is in the problem's own units: for company data distances in km, times in
minutes after ``time_origin`` (midnight of the routing day), loads in the orders' unit (kg
in the sample company) and costs in currency; for a benchmark instance, the file's units.
:class:`Scaling` states how these become the integers the solver works with, and so the
rounding convention of the objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.exceptions import RoutingInputError
from supplymind.routing.travel import TravelMatrix

__all__ = ["Depot", "InstanceFormat", "Order", "RoutingProblem", "Scaling", "VehicleType"]

InstanceFormat = Literal["vrplib", "solomon"]
IntArray = npt.NDArray[np.int64]


def _number(
    owner: str, name: str, value: object, *, minimum: float = 0.0, inf: bool = False
) -> None:
    """Raise unless ``value`` is a real number >= ``minimum`` (``inf`` allowed when asked)."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if ok:
        number = float(value)  # type: ignore[arg-type]
        ok = not math.isnan(number) and number >= minimum and (inf or math.isfinite(number))
    if not ok:
        bound = f"a number >= {minimum:g}" + (" (or infinity)" if inf else "")
        raise RoutingInputError(f"{owner}, field '{name}': expected {bound}, found {value!r}")


def _text(owner: str, name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RoutingInputError(
            f"{owner}, field '{name}': expected a non-empty text, found {value!r}"
        )


@dataclass(frozen=True)
class Depot:
    """Where vehicles start and end.

    Parameters
    ----------
    depot_id
        Identifier (``locations.location_id`` for company data).
    x, y
        Coordinates: longitude and latitude for company data, the file's x and y otherwise.
    opens, closes
        Opening hours: vehicles leave no earlier and return no later.
    """

    depot_id: str
    x: float
    y: float
    opens: float = 0.0
    closes: float = math.inf

    def __post_init__(self) -> None:
        _text("depot", "depot_id", self.depot_id)
        owner = f"depot '{self.depot_id}'"
        _number(owner, "x", self.x, minimum=-math.inf)
        _number(owner, "y", self.y, minimum=-math.inf)
        _number(owner, "opens", self.opens, minimum=-math.inf)
        _number(owner, "closes", self.closes, minimum=-math.inf, inf=True)
        if self.closes < self.opens:
            raise RoutingInputError(
                f"{owner}, field 'closes': expected a time >= opens ({self.opens:g}), "
                f"found {self.closes:g}"
            )


@dataclass(frozen=True)
class Order:
    """A stop to serve: a delivery, a pickup, or both at once.

    Parameters
    ----------
    order_id
        Identifier; for benchmark instances the client number of the file.
    x, y
        Coordinates (longitude, latitude for company data).
    demand
        Load delivered at the stop (``delivery_orders.demand``).
    pickup
        Load collected at the stop and brought back to the depot (returns, empties).
    window_start, window_end
        Time window for the arrival (the start of service).
    service
        Time spent at the stop.
    depot_id
        The depot it must leave from, or ``None`` for any depot.
    location_id
        The customer location (for a supplied travel matrix and for reports).
    required
        ``False`` makes the order optional: the plan may drop it and pay ``penalty``.
    penalty
        Cost of dropping an optional order (its prize in prize-collecting routing).
    buffer
        Safety margin before ``window_end`` the plan keeps (a peak-hour delay, see
        :mod:`supplymind.routing.profile`); lateness is still measured against ``window_end``.
    """

    order_id: str
    x: float
    y: float
    demand: float = 0.0
    pickup: float = 0.0
    window_start: float = 0.0
    window_end: float = math.inf
    service: float = 0.0
    depot_id: str | None = None
    location_id: str | None = None
    required: bool = True
    penalty: float = 0.0
    buffer: float = 0.0

    def __post_init__(self) -> None:
        _text("order", "order_id", self.order_id)
        owner = f"order '{self.order_id}'"
        _number(owner, "x", self.x, minimum=-math.inf)
        _number(owner, "y", self.y, minimum=-math.inf)
        for name in ("demand", "pickup", "service", "penalty", "buffer"):
            _number(owner, name, getattr(self, name))
        _number(owner, "window_start", self.window_start, minimum=-math.inf)
        _number(owner, "window_end", self.window_end, minimum=-math.inf, inf=True)
        if self.window_end < self.window_start:
            raise RoutingInputError(
                f"{owner}, field 'window_end': expected a time >= window_start "
                f"({self.window_start:g}), found {self.window_end:g}"
            )
        if not isinstance(self.required, bool | np.bool_):
            raise RoutingInputError(
                f"{owner}, field 'required': expected true or false, found {self.required!r}"
            )
        if self.depot_id is not None:
            _text(owner, "depot_id", self.depot_id)

    @property
    def planned_window_end(self) -> float:
        """The latest arrival the plan aims for: ``window_end`` less the buffer."""
        return max(self.window_start, self.window_end - self.buffer)


@dataclass(frozen=True)
class VehicleType:
    """A group of identical vehicles based at one depot.

    Parameters
    ----------
    name
        Identifier of the type (``vehicle_type`` in the vehicles CSV).
    count
        Number of vehicles available.
    capacity
        Load capacity, in the orders' unit.
    depot_id
        Start depot.
    end_depot_id
        End depot; the start depot when ``None``.
    fixed_cost
        Cost of using one vehicle.
    cost_per_distance
        Cost per distance unit (per km for company data).
    cost_per_time
        Cost per time unit of the route's duration, waiting included (per minute for company
        data; the vehicles CSV gives it per hour).
    shift_start, shift_end
        The vehicle leaves no earlier than ``shift_start`` and is back by ``shift_end``.
    max_duration
        Longest route, from leaving the depot to coming back.
    """

    name: str
    count: int
    capacity: float
    depot_id: str
    end_depot_id: str | None = None
    fixed_cost: float = 0.0
    cost_per_distance: float = 1.0
    cost_per_time: float = 0.0
    shift_start: float = 0.0
    shift_end: float = math.inf
    max_duration: float = math.inf

    def __post_init__(self) -> None:
        _text("vehicle type", "name", self.name)
        owner = f"vehicle type '{self.name}'"
        if (
            not isinstance(self.count, int | np.integer)
            or isinstance(self.count, bool)
            or self.count < 1
        ):
            raise RoutingInputError(
                f"{owner}, field 'count': expected an integer >= 1, found {self.count!r}"
            )
        _number(owner, "capacity", self.capacity)
        _text(owner, "depot_id", self.depot_id)
        if self.end_depot_id is not None:
            _text(owner, "end_depot_id", self.end_depot_id)
        for name in ("fixed_cost", "cost_per_distance", "cost_per_time"):
            _number(owner, name, getattr(self, name))
        _number(owner, "shift_start", self.shift_start, minimum=-math.inf)
        _number(owner, "shift_end", self.shift_end, minimum=-math.inf, inf=True)
        _number(owner, "max_duration", self.max_duration, inf=True)
        if self.shift_end <= self.shift_start:
            raise RoutingInputError(
                f"{owner}, field 'shift_end': expected a time after shift_start "
                f"({self.shift_start:g}), found {self.shift_end:g}"
            )
        if self.max_duration <= 0:
            raise RoutingInputError(
                f"{owner}, field 'max_duration': expected a duration > 0, "
                f"found {self.max_duration:g}"
            )

    @property
    def return_depot_id(self) -> str:
        """Where the vehicle ends its route."""
        return self.end_depot_id or self.depot_id


@dataclass(frozen=True)
class Scaling:
    """How problem units become the solver's integers, which sets the rounding convention.

    The solver (PyVRP) works on integers. A distance ``d`` becomes ``round(d * distance)``
    (or ``trunc`` with ``rounding="trunc"``), a travel time ``t`` becomes ``round(t * time)``,
    a load ``q`` becomes ``ceil(q * load)`` for demands and ``floor(q * load)`` for
    capacities (never overloaded by rounding), and costs are multiplied by ``cost``.

    Parameters
    ----------
    distance
        Integer units per distance unit (company data: 1000, km to metres).
    time
        Integer units per time unit (company data: 60, minutes to seconds).
    load
        Integer units per load unit (company data: 1000, kg to grams).
    cost
        Integer units per currency unit, or ``None`` to choose a power of ten that keeps the
        cost per integer distance and time unit at 1000 or more (rounding error <= 0.05%).
    rounding
        ``"round"`` to the nearest integer, or ``"trunc"`` (towards zero) for travel.
    """

    distance: float = 1000.0
    time: float = 60.0
    load: float = 1000.0
    cost: float | None = None
    rounding: Literal["round", "trunc"] = "round"

    def __post_init__(self) -> None:
        for name in ("distance", "time", "load"):
            value = getattr(self, name)
            _number("Scaling", name, value, minimum=0.0)
            if value <= 0:
                raise RoutingInputError(
                    f"Scaling, field '{name}': expected a number > 0, found {value!r}"
                )
        if self.cost is not None:
            _number("Scaling", "cost", self.cost)
            if self.cost <= 0:
                raise RoutingInputError(
                    f"Scaling, field 'cost': expected a number > 0, found {self.cost!r}"
                )
        if self.rounding not in ("round", "trunc"):
            raise RoutingInputError(
                f"Scaling, field 'rounding': expected 'round' or 'trunc', found {self.rounding!r}"
            )

    @classmethod
    def vrplib(cls) -> Scaling:
        """CVRPLIB convention (X instances): Euclidean distances rounded to integers."""
        return cls(distance=1.0, time=1.0, load=1.0, cost=1.0, rounding="round")

    @classmethod
    def dimacs(cls) -> Scaling:
        """DIMACS convention (Solomon): distances truncated to one decimal. Everything is
        scaled by 10 and truncated, as ``pyvrp.read(..., round_func="dimacs")`` does."""
        return cls(distance=10.0, time=10.0, load=10.0, cost=10.0, rounding="trunc")

    def _apply(self, values: npt.ArrayLike, scale: float) -> IntArray:
        scaled = np.asarray(values, dtype=np.float64) * scale
        if self.rounding == "trunc":
            return np.trunc(scaled).astype(np.int64)
        return np.round(scaled).astype(np.int64)

    def travel_distance(self, values: npt.ArrayLike) -> IntArray:
        """Integer distances."""
        return self._apply(values, self.distance)

    def travel_time(self, values: npt.ArrayLike) -> IntArray:
        """Integer travel (and service) times."""
        return self._apply(values, self.time)

    def time_point(self, value: float, *, up: bool) -> int:
        """An integer point in time, rounded inwards of a window (``up`` for its start)."""
        scaled = value * self.time
        nearest = round(scaled)
        if abs(scaled - nearest) < 1e-6:
            return int(nearest)
        return int(math.ceil(scaled) if up else math.floor(scaled))

    def demand(self, value: float) -> int:
        """An integer load of an order, rounded up."""
        scaled = value * self.load
        return round(scaled) if abs(scaled - round(scaled)) < 1e-6 else math.ceil(scaled)

    def capacity(self, value: float) -> int:
        """An integer capacity, rounded down."""
        scaled = value * self.load
        return round(scaled) if abs(scaled - round(scaled)) < 1e-6 else math.floor(scaled)

    def cost_scale(self, vehicle_types: tuple[VehicleType, ...]) -> float:
        """Integer cost units per currency unit (``cost``, or chosen from the unit costs)."""
        if self.cost is not None:
            return float(self.cost)
        unit_costs = [
            c
            for vt in vehicle_types
            for c in (vt.cost_per_distance / self.distance, vt.cost_per_time / self.time)
            if c > 0
        ]
        if not unit_costs:
            return 1.0
        return float(10 ** max(0, math.ceil(math.log10(1000.0 / min(unit_costs)))))


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A complete routing problem: depots, orders, fleet, travel and units.

    Location ``i`` of :attr:`travel` is depot ``i`` for ``i < len(depots)`` and order
    ``i - len(depots)`` after that.

    Parameters
    ----------
    depots
        Depots (at least one).
    orders
        Orders to serve (or drop, when optional).
    vehicle_types
        The fleet (at least one type).
    travel
        Distances and travel times between all locations.
    scaling
        How units become solver integers, and so the objective's rounding convention.
    name
        A name for outputs.
    distance_unit, time_unit, load_unit, cost_unit
        Names of the units, for outputs (``"km"``, ``"min"``, ``"kg"``, ``"currency"``).
    time_origin
        The wall-clock time of time 0 (company data), or ``None`` (benchmark instances).
    instance_format
        ``"vrplib"`` or ``"solomon"`` for a standard instance whose order ids are the
        file's client numbers; ``None`` for company data.
    notes
        Assumptions and approximations to state with the results.
    """

    depots: tuple[Depot, ...]
    orders: tuple[Order, ...]
    vehicle_types: tuple[VehicleType, ...]
    travel: TravelMatrix
    scaling: Scaling = field(default_factory=Scaling)
    name: str = "routing"
    distance_unit: str = "km"
    time_unit: str = "min"
    load_unit: str = "kg"
    cost_unit: str = "currency"
    time_origin: pd.Timestamp | None = None
    instance_format: InstanceFormat | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("depots", "orders", "vehicle_types", "notes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.depots:
            raise RoutingInputError(
                "routing problem, field 'depots': expected at least one depot, found none"
            )
        if not self.vehicle_types:
            raise RoutingInputError(
                "routing problem, field 'vehicle_types': expected at least one vehicle type, "
                "found none"
            )
        self._unique("depots", [d.depot_id for d in self.depots])
        self._unique("orders", [o.order_id for o in self.orders])
        self._unique("vehicle_types", [v.name for v in self.vehicle_types])
        known = {d.depot_id for d in self.depots}
        for vt in self.vehicle_types:
            for name in ("depot_id", "end_depot_id"):
                value = getattr(vt, name)
                if value is not None and value not in known:
                    raise RoutingInputError(
                        f"vehicle type '{vt.name}', field '{name}': expected one of the depots "
                        f"{sorted(known)}, found {value!r}"
                    )
        for order in self.orders:
            if order.depot_id is not None and order.depot_id not in known:
                raise RoutingInputError(
                    f"order '{order.order_id}', field 'depot_id': expected one of the depots "
                    f"{sorted(known)}, found {order.depot_id!r}"
                )
        if self.time_origin is not None and self.time_unit != "min":
            raise RoutingInputError(
                "routing problem, field 'time_unit': expected 'min' with a time_origin, "
                f"found {self.time_unit!r}"
            )
        expected = len(self.depots) + len(self.orders)
        if self.travel.size != expected:
            raise RoutingInputError(
                f"routing problem, field 'travel': expected a {expected} x {expected} matrix "
                f"({len(self.depots)} depots + {len(self.orders)} orders), found "
                f"{self.travel.size} x {self.travel.size}"
            )

    @staticmethod
    def _unique(name: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for value in ids:
            if value in seen:
                raise RoutingInputError(
                    f"routing problem, field '{name}': expected unique ids, found {value!r} twice"
                )
            seen.add(value)

    @property
    def num_depots(self) -> int:
        """Number of depots."""
        return len(self.depots)

    @property
    def num_vehicles(self) -> int:
        """Vehicles available in all."""
        return sum(vt.count for vt in self.vehicle_types)

    def depot_index(self, depot_id: str) -> int:
        """Location index of a depot."""
        for k, depot in enumerate(self.depots):
            if depot.depot_id == depot_id:
                return k
        raise RoutingInputError(
            f"depot: expected one of {[d.depot_id for d in self.depots]}, found {depot_id!r}"
        )

    def timestamp(self, t: float) -> pd.Timestamp | None:
        """Wall-clock time of problem time ``t`` (``None`` without a time origin or for inf)."""
        if self.time_origin is None or not math.isfinite(t):
            return None
        return self.time_origin + pd.Timedelta(minutes=float(t))

    def clock(self, t: float) -> str:
        """Problem time ``t`` in words: ``HH:MM`` (with the date off the first day) or a number."""
        if not math.isfinite(t):
            return "no limit"
        stamp = self.timestamp(t)
        if stamp is None:
            return f"{t:g}"
        if self.time_origin is not None and stamp.normalize() != self.time_origin.normalize():
            return stamp.strftime("%Y-%m-%d %H:%M")
        return stamp.strftime("%H:%M")

    def order_location(self, k: int) -> int:
        """Location index of order ``k``."""
        return self.num_depots + k

    def serves(self, vehicle_type: VehicleType, order: Order) -> bool:
        """Whether vehicles of this type may serve the order (its depot, if it has one)."""
        return order.depot_id is None or order.depot_id == vehicle_type.depot_id
