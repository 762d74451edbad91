"""Parameters of a replenishment policy, as frozen dataclasses validated on creation.

All quantities are in units of the item and all times in periods of the demand series
(days for daily data, weeks for weekly data...). Costs are per unit and per period, as in
the textbooks that ``stockpyl`` implements: holding cost per unit on hand at the end of a
period; shortage cost per unit backordered at the end of a period (backorders) or per unit
of lost demand (lost sales); a fixed cost per order placed.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from supplymind.exceptions import InventoryInputError

__all__ = [
    "POLICY_KINDS",
    "SERVICE_KINDS",
    "SERVICE_SCOPES",
    "SHORTAGE_KINDS",
    "CostParams",
    "InventoryParams",
    "LeadTime",
    "OrderConstraints",
    "PolicyKind",
    "ServiceKind",
    "ServiceScope",
    "ServiceTarget",
    "ShortageKind",
]

PolicyKind = Literal["base_stock", "s_S", "r_Q", "newsvendor"]
ServiceKind = Literal["fill_rate", "cycle"]
ServiceScope = Literal["item", "portfolio"]
ShortageKind = Literal["backorder", "lost_sales"]
POLICY_KINDS: tuple[str, ...] = get_args(PolicyKind)
SERVICE_KINDS: tuple[str, ...] = get_args(ServiceKind)
SERVICE_SCOPES: tuple[str, ...] = get_args(ServiceScope)
SHORTAGE_KINDS: tuple[str, ...] = get_args(ShortageKind)

FloatArray = npt.NDArray[np.float64]


def _finite_number(owner: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InventoryInputError(f"{owner}.{name}: expected a number, found {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InventoryInputError(f"{owner}.{name}: expected a finite number, found {value!r}")
    return number


def _at_least(owner: str, name: str, value: object, minimum: float, *, strict: bool) -> float:
    number = _finite_number(owner, name, value)
    if number < minimum or (strict and number == minimum):
        rule = ">" if strict else ">="
        raise InventoryInputError(
            f"{owner}.{name}: expected a number {rule} {minimum:g}, found {value!r}"
        )
    return number


def _choice(owner: str, name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InventoryInputError(
            f"{owner}.{name}: expected one of {list(choices)}, found {value!r}"
        )


def _scope(value: object, level: object) -> ServiceScope:
    """A checked ``service_scope`` option (hyphens allowed); a portfolio scope needs a
    service level."""
    scope = value.replace("-", "_") if isinstance(value, str) else value
    _choice("InventoryParams", "service_scope", scope, SERVICE_SCOPES)
    if scope == "portfolio" and level is None:
        raise InventoryInputError(
            "InventoryParams.service_scope: a portfolio scope pools a fill-rate target over "
            "items and expected a service level (e.g. --service-level 0.95), found a cost "
            "target (no service level)"
        )
    return "portfolio" if scope == "portfolio" else "item"


@dataclass(frozen=True)
class LeadTime:
    """Replenishment lead time in whole periods: fixed, or a discrete distribution.

    An order placed at the start of period ``t`` with lead time ``L`` is available from the
    start of period ``t + L`` (``L = 0``: before that period's demand).

    Parameters
    ----------
    values
        Possible lead times in periods, distinct non-negative integers in increasing order.
    probabilities
        Probability of each value; they sum to 1.
    """

    values: tuple[int, ...]
    probabilities: tuple[float, ...]

    def __post_init__(self) -> None:
        owner = "LeadTime"
        if len(self.values) == 0 or len(self.values) != len(self.probabilities):
            raise InventoryInputError(
                f"{owner}.values: expected as many values as probabilities (at least one), "
                f"found {len(self.values)} values and {len(self.probabilities)} probabilities"
            )
        for value in self.values:
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise InventoryInputError(
                    f"{owner}.values: expected whole periods >= 0, found {value!r}"
                )
        if any(b <= a for a, b in zip(self.values, self.values[1:], strict=False)):
            raise InventoryInputError(
                f"{owner}.values: expected distinct values in increasing order, "
                f"found {list(self.values)}"
            )
        for p in self.probabilities:
            _at_least(owner, "probabilities", p, 0.0, strict=False)
        total = float(sum(self.probabilities))
        if abs(total - 1.0) > 1e-6:
            raise InventoryInputError(
                f"{owner}.probabilities: expected probabilities that sum to 1, found sum {total:g}"
            )
        object.__setattr__(self, "values", tuple(int(v) for v in self.values))
        object.__setattr__(
            self, "probabilities", tuple(float(p) / total for p in self.probabilities)
        )

    @classmethod
    def fixed(cls, periods: int) -> LeadTime:
        """A deterministic lead time of ``periods`` periods."""
        if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 0:
            raise InventoryInputError(f"lead_time: expected whole periods >= 0, found {periods!r}")
        return cls((int(periods),), (1.0,))

    @classmethod
    def from_samples(cls, samples: Sequence[int] | npt.ArrayLike) -> LeadTime:
        """The empirical distribution of observed lead times (whole periods)."""
        array = np.asarray(samples, dtype=np.float64).ravel()
        if array.size == 0:
            raise InventoryInputError(
                "lead_time samples: expected at least one observation, found none"
            )
        valid = np.isfinite(array) & (array >= 0) & (array == np.round(array))
        if not valid.all():
            raise InventoryInputError(
                "lead_time samples: expected whole periods >= 0, "
                f"found {sorted(set(array[~valid].tolist()))[:5]}"
            )
        values, counts = np.unique(array.astype(np.int64), return_counts=True)
        return cls(tuple(int(v) for v in values), tuple(float(c) for c in counts / counts.sum()))

    @classmethod
    def parse(cls, text: str) -> LeadTime:
        """Parse ``"3"`` (fixed) or ``"2:0.3,3:0.5,5:0.2"`` (value:probability pairs)."""
        text = text.strip()
        try:
            if ":" not in text:
                number = float(text)
                if number != round(number):
                    raise ValueError
                return cls.fixed(int(number))
            pairs = [part.split(":") for part in text.split(",") if part.strip()]
            values = [int(v) for v, _ in pairs]
            probabilities = [float(p) for _, p in pairs]
        except ValueError:
            raise InventoryInputError(
                "lead_time: expected whole periods such as '3' or a distribution such as "
                f"'2:0.3,3:0.5,5:0.2', found {text!r}"
            ) from None
        order = np.argsort(values)
        return cls(tuple(values[i] for i in order), tuple(probabilities[i] for i in order))

    @property
    def mean(self) -> float:
        """Expected lead time in periods."""
        return float(np.dot(self.values, self.probabilities))

    @property
    def variance(self) -> float:
        """Variance of the lead time in periods squared."""
        values = np.asarray(self.values, dtype=np.float64)
        return float(np.dot((values - self.mean) ** 2, self.probabilities))

    @property
    def max(self) -> int:
        """Longest possible lead time."""
        return self.values[-1]

    @property
    def is_fixed(self) -> bool:
        """Whether the lead time is deterministic."""
        return len(self.values) == 1

    def pmf(self) -> FloatArray:
        """Probabilities of lead times ``0 .. max`` (zeros where a value is impossible)."""
        out = np.zeros(self.max + 1)
        out[list(self.values)] = self.probabilities
        return out

    def describe(self) -> str:
        """Short text: ``"2"`` or ``"mean 3.1 (2..6)"``."""
        if self.is_fixed:
            return str(self.values[0])
        return f"mean {self.mean:.2f} ({self.values[0]}..{self.max})"


@dataclass(frozen=True)
class CostParams:
    """Costs of holding, shortage and ordering.

    Parameters
    ----------
    holding_cost
        Cost per unit on hand at the end of a period.
    shortage_cost
        Cost per unit backordered at the end of a period (``shortage="backorder"``) or per
        unit of lost demand (``shortage="lost_sales"``).
    order_cost
        Fixed cost per order placed.
    shortage
        What happens to demand that finds no stock: ``"backorder"`` or ``"lost_sales"``.
    """

    holding_cost: float = 1.0
    shortage_cost: float = 9.0
    order_cost: float = 0.0
    shortage: ShortageKind = "backorder"

    def __post_init__(self) -> None:
        for name in ("holding_cost", "shortage_cost", "order_cost"):
            _at_least("CostParams", name, getattr(self, name), 0.0, strict=False)
        _choice("CostParams", "shortage", self.shortage, SHORTAGE_KINDS)

    @property
    def critical_ratio(self) -> float:
        """``p / (p + h)``, the cost-optimal probability of not running out."""
        total = self.holding_cost + self.shortage_cost
        if self.holding_cost <= 0 or self.shortage_cost <= 0:
            raise InventoryInputError(
                "CostParams: a cost target needs holding_cost > 0 and shortage_cost > 0, found "
                f"holding_cost={self.holding_cost:g}, shortage_cost={self.shortage_cost:g}"
            )
        return self.shortage_cost / total


@dataclass(frozen=True)
class ServiceTarget:
    """A service-level target.

    Parameters
    ----------
    level
        Target in (0, 1), e.g. 0.95.
    kind
        ``"fill_rate"``: share of demand units served from stock at once (needs the expected
        shortage, i.e. the loss function, of the protection-period demand); ``"cycle"``:
        probability of no stock-out in a replenishment cycle (a quantile).
    scope
        ``"item"``: every item meets the target; ``"portfolio"``: the fill rate pooled over
        the items planned together (the share of all their demand units served from stock)
        meets it, with the least total stock (see :mod:`~supplymind.inventory.portfolio`);
        needs ``kind="fill_rate"``.
    """

    level: float
    kind: ServiceKind = "fill_rate"
    scope: ServiceScope = "item"

    def __post_init__(self) -> None:
        level = _finite_number("ServiceTarget", "level", self.level)
        if not 0.0 < level < 1.0:
            raise InventoryInputError(
                "ServiceTarget.level: expected a number in (0, 1) such as 0.95, "
                f"found {self.level!r}"
            )
        _choice("ServiceTarget", "kind", self.kind, SERVICE_KINDS)
        _choice("ServiceTarget", "scope", self.scope, SERVICE_SCOPES)
        if self.scope == "portfolio" and self.kind != "fill_rate":
            raise InventoryInputError(
                "ServiceTarget.scope: a portfolio target pools the fill rate over items and "
                f"expected kind 'fill_rate', found kind {self.kind!r}"
            )


@dataclass(frozen=True)
class OrderConstraints:
    """What an order may look like.

    Parameters
    ----------
    moq
        Minimum order quantity in units (0: none).
    pack_size
        Orders are multiples of this many units (1: whole units).
    capacity
        Most units one order may hold (``None``: unlimited); at least ``moq`` and one pack.
    """

    moq: float = 0.0
    pack_size: float = 1.0
    capacity: float | None = None

    def __post_init__(self) -> None:
        owner = "OrderConstraints"
        moq = _at_least(owner, "moq", self.moq, 0.0, strict=False)
        pack = _at_least(owner, "pack_size", self.pack_size, 0.0, strict=True)
        if self.capacity is not None:
            capacity = _at_least(owner, "capacity", self.capacity, 0.0, strict=True)
            if capacity < max(moq, pack):
                raise InventoryInputError(
                    f"{owner}.capacity: expected at least the MOQ ({moq:g}) and one pack "
                    f"({pack:g}), found {capacity:g}"
                )

    def round_order(self, quantity: float) -> float:
        """Apply MOQ, pack size and capacity to a wanted quantity (0 stays 0)."""
        if quantity <= 0:
            return 0.0
        quantity = max(quantity, self.moq)
        quantity = math.ceil(quantity / self.pack_size - 1e-9) * self.pack_size
        if self.capacity is not None:
            quantity = min(
                quantity, math.floor(self.capacity / self.pack_size + 1e-9) * self.pack_size
            )
        return float(quantity)


@dataclass(frozen=True)
class InventoryParams:
    """Everything a policy needs for one item-location.

    Parameters
    ----------
    lead_time
        Lead time in periods (fixed or a distribution).
    review_period
        Periods between reviews (1: every period).
    costs
        Holding, shortage and ordering costs, and backorders or lost sales.
    constraints
        MOQ, pack size and capacity of an order.
    service
        A service target; ``None`` sets levels by cost (critical ratio ``p / (p + h)``).
    policy
        ``"base_stock"`` (periodic-review order-up-to), ``"s_S"``, ``"r_Q"`` (reorder point
        with an EOQ-based quantity) or ``"newsvendor"`` (single period).
    """

    lead_time: LeadTime = field(default_factory=lambda: LeadTime.fixed(1))
    review_period: int = 1
    costs: CostParams = field(default_factory=CostParams)
    constraints: OrderConstraints = field(default_factory=OrderConstraints)
    service: ServiceTarget | None = None
    policy: PolicyKind = "base_stock"

    def __post_init__(self) -> None:
        owner = "InventoryParams"
        for name, kind in (
            ("lead_time", LeadTime),
            ("costs", CostParams),
            ("constraints", OrderConstraints),
        ):
            if not isinstance(getattr(self, name), kind):
                raise InventoryInputError(
                    f"{owner}.{name}: expected a {kind.__name__}, found {getattr(self, name)!r}"
                )
        if self.service is not None and not isinstance(self.service, ServiceTarget):
            raise InventoryInputError(
                f"{owner}.service: expected a ServiceTarget or None, found {self.service!r}"
            )
        review = self.review_period
        if isinstance(review, bool) or not isinstance(review, int | np.integer) or review < 1:
            raise InventoryInputError(
                f"{owner}.review_period: expected whole periods >= 1, found {review!r}"
            )
        _choice(owner, "policy", self.policy, POLICY_KINDS)
        if self.service is None:
            _ = self.costs.critical_ratio  # a cost target needs h > 0 and p > 0
        if self.policy in ("s_S", "r_Q") and self.costs.holding_cost <= 0:
            raise InventoryInputError(
                f"{owner}.costs.holding_cost: the {self.policy} policy sizes orders by EOQ and "
                f"needs holding_cost > 0, found {self.costs.holding_cost:g}"
            )

    @property
    def protection_periods(self) -> float:
        """Mean lead time plus review period: the periods one order must cover."""
        return self.lead_time.mean + self.review_period

    def with_overrides(self, **values: Any) -> InventoryParams:
        """A copy with cost or constraint fields replaced by name (``moq=12``,
        ``holding_cost=0.1``...), validated again."""
        cost_names = {f.name for f in fields(CostParams)}
        constraint_names = {f.name for f in fields(OrderConstraints)}
        costs = {k: v for k, v in values.items() if k in cost_names}
        constraints = {k: v for k, v in values.items() if k in constraint_names}
        own = {k: v for k, v in values.items() if k not in cost_names | constraint_names}
        unknown = set(own) - {f.name for f in fields(InventoryParams)}
        if unknown:
            raise InventoryInputError(
                f"InventoryParams: unknown fields {sorted(unknown)}; expected fields of "
                "InventoryParams, CostParams or OrderConstraints"
            )
        return replace(
            self,
            costs=replace(self.costs, **costs) if costs else self.costs,
            constraints=replace(self.constraints, **constraints)
            if constraints
            else self.constraints,
            **own,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InventoryParams:
        """Build from a flat mapping such as a TOML table.

        Keys: ``lead_time`` (number or ``"2:0.3,3:0.7"``), ``review_period``, ``policy``,
        ``service_level``, ``service_kind`` and ``service_scope`` (``"item"`` or
        ``"portfolio"``), and any field of :class:`CostParams` or :class:`OrderConstraints`.
        """
        values = dict(data)
        lead = values.pop("lead_time", 1)
        lead_time = lead if isinstance(lead, LeadTime) else LeadTime.parse(str(lead))
        level = values.pop("service_level", None)
        kind = values.pop("service_kind", "fill_rate")
        scope = _scope(values.pop("service_scope", "item"), level)
        service = None if level is None else ServiceTarget(level, kind, scope)
        return cls(lead_time=lead_time, service=service).with_overrides(**values)

    @classmethod
    def from_options(
        cls,
        *,
        lead_time: str | int | LeadTime = 1,
        review_period: int = 1,
        service_level: float | None = None,
        service_kind: str = "fill_rate",
        service_scope: str = "item",
        holding_cost: float | None = None,
        shortage_cost: float | None = None,
        order_cost: float = 0.0,
        shortage: str = "backorder",
        moq: float = 0.0,
        pack_size: float = 1.0,
        capacity: float | None = None,
        policy: str = "auto",
    ) -> InventoryParams:
        """Build from command-line style options (hyphens allowed in names of choices).

        A service level sets a service target; without one, both costs are needed and the
        target is by cost. ``service_scope="portfolio"`` pools a fill-rate target over all
        items (see :class:`ServiceTarget`). ``policy="auto"`` is base stock without an order
        cost, else (r, Q) for a review period of 1 and (s, S) otherwise.
        """
        if service_level is None and (holding_cost is None or shortage_cost is None):
            raise InventoryInputError(
                "target: expected a service level (e.g. --service-level 0.95) or both "
                "--holding-cost and --shortage-cost (a cost target), found "
                f"holding_cost={holding_cost!r}, shortage_cost={shortage_cost!r}"
            )
        kind = service_kind.replace("-", "_")
        _choice("InventoryParams", "service_kind", kind, SERVICE_KINDS)
        scope = _scope(service_scope, service_level)
        service = (
            ServiceTarget(service_level, kind, scope)  # type: ignore[arg-type]
            if service_level is not None
            else None
        )
        name = policy.replace("-", "_")
        name = {"s_s": "s_S", "r_q": "r_Q"}.get(name.lower(), name) if name != "auto" else name
        if name == "auto":
            name = "base_stock" if order_cost == 0 else ("r_Q" if review_period == 1 else "s_S")
        _choice("InventoryParams", "policy", name, POLICY_KINDS)
        lead = lead_time if isinstance(lead_time, LeadTime) else LeadTime.parse(str(lead_time))
        return cls(
            lead_time=lead,
            review_period=review_period,
            costs=CostParams(
                1.0 if holding_cost is None else holding_cost,
                0.0 if shortage_cost is None else shortage_cost,
                order_cost,
                shortage.replace("-", "_"),  # type: ignore[arg-type]
            ),
            constraints=OrderConstraints(moq, pack_size, capacity),
            service=service,
            policy=name,  # type: ignore[arg-type]
        )

    @classmethod
    def from_file(cls, path: str | Path) -> InventoryParams:
        """Read a TOML file holding the keys of :meth:`from_dict` (top level or in an
        ``[inventory]`` table)."""
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
        return cls.from_dict(data.get("inventory", data))
