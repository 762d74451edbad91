"""All SupplyMind errors and warnings live here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

__all__ = [
    "BackboneNotFoundError",
    "ConfigurationError",
    "DataValidationError",
    "DatasetNotFoundError",
    "FeedbackInputError",
    "FeedbackWarning",
    "ForecastInputError",
    "ForecastWarning",
    "InventoryInputError",
    "InventoryWarning",
    "MissingDependencyError",
    "ModelChecksumError",
    "ModelRegistryError",
    "Problem",
    "RiskInputError",
    "RiskWarning",
    "RoutingInfeasibleError",
    "RoutingInputError",
    "SupplyMindError",
    "SupplyMindWarning",
    "UnknownBackboneError",
    "WarehouseError",
]


class SupplyMindError(Exception):
    """Base class of every error raised on purpose by SupplyMind."""


class SupplyMindWarning(UserWarning):
    """Base class of SupplyMind's warnings."""


class ConfigurationError(SupplyMindError, ValueError):
    """A setting or argument has a value that cannot be used."""


class WarehouseError(SupplyMindError):
    """The warehouse cannot be opened, or a statement against it failed."""


class DatasetNotFoundError(SupplyMindError, FileNotFoundError):
    """A public dataset's files are not where the settings say they are."""


class MissingDependencyError(SupplyMindError, ImportError):
    """An optional dependency is not installed; the message says what to ``pip install``."""


class UnknownBackboneError(SupplyMindError, ValueError):
    """A backbone name is not registered, or a folder holds no model a backbone recognises.

    The message lists the registered names.
    """


class BackboneNotFoundError(SupplyMindError, FileNotFoundError):
    """A backbone's weights are neither where they were expected nor downloadable.

    Raised for missing bundled weights, a checkpoint folder that does not exist, and a Hub
    id that is not cached while the Hub cannot be reached; the message says how to pass
    a local folder instead.
    """


class RoutingInputError(SupplyMindError, ValueError):
    """Routing input (orders, depots, vehicles, travel matrix, instance file) cannot be used.

    The message names the order, vehicle type or field, what was expected and what was found.
    """


class RoutingInfeasibleError(RoutingInputError):
    """Some required orders cannot be served by any vehicle, whatever the routes.

    Detected before solving: a demand larger than every vehicle's capacity, a time window that
    closes before any vehicle can get there, or an order that cannot be reached and left within
    any shift. ``reasons`` maps each such order id to why; ``fleet`` says why the fleet as a
    whole cannot carry the required orders, if it cannot.
    """

    def __init__(self, reasons: dict[str, str], fleet: str | None = None) -> None:
        self.reasons = dict(reasons)
        self.fleet = fleet
        lines = []
        if self.reasons:
            lines.append(f"{len(self.reasons)} order(s) cannot be served by any vehicle:")
            lines += [f"  - order '{order}': {why}" for order, why in self.reasons.items()]
        if fleet:
            lines.append(f"the fleet cannot serve the required orders: {fleet}")
        super().__init__("\n".join(lines))


class ForecastInputError(SupplyMindError, ValueError):
    """A demand history, covariate table or forecasting request cannot be used; the message
    names the column or argument, what was expected and what was found."""


class ForecastWarning(SupplyMindWarning):
    """A forecasting request was served in a degraded way (e.g. a short series fell back to
    a statistical model)."""


class InventoryInputError(SupplyMindError, ValueError):
    """An inventory input (parameter, history, forecast, lead time) cannot be used.

    The message names the field, what was expected and what was found.
    """


class InventoryWarning(SupplyMindWarning):
    """An inventory computation went on with a stated fallback (a guarded forecast, a
    forecast horizon extended to cover the protection period, ...)."""


class RiskInputError(SupplyMindError, ValueError):
    """A risk input (series, shipments, detector or alert parameter, saved model) cannot be used.

    The message names the field, what was expected and what was found.
    """


class RiskWarning(SupplyMindWarning):
    """A risk computation went on with a stated fallback (a series too short to score, a
    model trained on few late deliveries, ...)."""


class FeedbackInputError(SupplyMindError, ValueError):
    """Feedback input (texts, labels, columns, a saved model folder) cannot be used.

    The message names the column or argument, what was expected and what was found.
    """


class FeedbackWarning(SupplyMindWarning):
    """A feedback classifier was trained or used in a degraded way (too few labels for
    fine-tuning, a fine-tuned model that lost to its baseline, ...)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with input data.

    Parameters
    ----------
    column
        The column the problem is in, or ``None`` for a table-level problem.
    rule
        Short name of the rule that failed (``"missing_column"``, ``"type"``, ...).
    expected
        What the rule expects, in words.
    found
        What was found instead.
    row
        1-based data row number (the header is not counted), or ``None``.
    """

    column: str | None
    rule: str
    expected: str
    found: str
    row: int | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where) if where else "table"
        return f"{prefix}: expected {self.expected}, found {self.found} [{self.rule}]"


class DataValidationError(SupplyMindError, ValueError):
    """Input data broke one or more schema rules; nothing was written.

    The message lists every problem (capped per column and rule so that a
    million bad rows do not make a million lines); ``problems`` holds them all.
    """

    max_per_group = 10

    def __init__(self, table: str, problems: list[Problem], source: str | None = None) -> None:
        self.table = table
        self.problems = list(problems)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        groups: dict[tuple[str | None, str], list[Problem]] = defaultdict(list)
        for problem in self.problems:
            groups[(problem.column, problem.rule)].append(problem)
        origin = f" from {self.source}" if self.source else ""
        lines = [
            f"{len(self.problems)} problem(s) in table '{self.table}'{origin} "
            "(rows counted from 1 after the header); nothing was written:"
        ]
        for members in groups.values():
            for problem in members[: self.max_per_group]:
                lines.append(f"  - {problem}")
            if len(members) > self.max_per_group:
                first = members[0]
                lines.append(
                    f"  - ... and {len(members) - self.max_per_group} more "
                    f"[{first.rule}] in column '{first.column}'"
                )
        return "\n".join(lines)


class ModelRegistryError(SupplyMindError, ValueError):
    """A registry operation cannot be done: an unknown model id, a promotion of a model of
    another task, a rollback with no earlier champion. The message names the model."""


class ModelChecksumError(ModelRegistryError):
    """A stored model file is missing, unexpected or does not match the SHA-256 recorded at
    registration; the message names the model and the file. Nothing was loaded."""
