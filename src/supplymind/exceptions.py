"""All SupplyMind errors and warnings live here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

__all__ = [
    "ConfigurationError",
    "DataValidationError",
    "DatasetNotFoundError",
    "Problem",
    "SupplyMindError",
    "SupplyMindWarning",
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
