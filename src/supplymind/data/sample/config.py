"""Size and shape of the synthetic sample company."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supplymind.exceptions import ConfigurationError

__all__ = ["SampleCompanyConfig"]


@dataclass(frozen=True)
class SampleCompanyConfig:
    """Size and shape of the synthetic sample company.

    Parameters
    ----------
    seed
        Seed of every random draw; the same configuration gives identical tables.
    n_items
        Number of SKUs.
    n_stores
        Number of stores around Shanghai.
    n_warehouses
        Number of warehouses (which are also the delivery depots).
    n_suppliers
        Number of suppliers.
    start
        First day of the demand history, ``YYYY-MM-DD``.
    n_days
        Length of the daily demand history.
    n_feedback
        Number of customer feedback texts.
    intermittent_share
        Share of SKUs that are intermittent slow movers.
    new_item_share
        Share of SKUs launched during the horizon.
    discontinued_share
        Share of SKUs reaching end of life during the horizon.
    n_unreliable_suppliers
        Suppliers that deliver late often, with heavy-tailed delays.
    delivery_weeks
        Weeks at the end of the horizon covered by delivered store deliveries.
    planned_days
        Days after the horizon covered by planned store deliveries.
    chinese_share
        Share of feedback texts written in Chinese.
    """

    seed: int = 0
    n_items: int = 300
    n_stores: int = 50
    n_warehouses: int = 2
    n_suppliers: int = 8
    start: str = "2023-01-02"
    n_days: int = 730
    n_feedback: int = 400
    intermittent_share: float = 0.2
    new_item_share: float = 0.1
    discontinued_share: float = 0.06
    n_unreliable_suppliers: int = 2
    delivery_weeks: int = 8
    planned_days: int = 7
    chinese_share: float = 0.7

    def __post_init__(self) -> None:
        minimums = {
            "seed": 0,
            "n_items": 1,
            "n_stores": 1,
            "n_warehouses": 1,
            "n_suppliers": 1,
            "n_days": 28,
            "n_feedback": 0,
            "n_unreliable_suppliers": 0,
            "delivery_weeks": 1,
            "planned_days": 0,
        }
        for name, minimum in minimums.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigurationError(
                    f"SampleCompanyConfig.{name}: expected an integer, found {value!r}"
                )
            if value < minimum:
                raise ConfigurationError(
                    f"SampleCompanyConfig.{name}: expected an integer >= {minimum}, found {value!r}"
                )
        for name in ("intermittent_share", "new_item_share", "discontinued_share", "chinese_share"):
            value = getattr(self, name)
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not 0.0 <= value <= 1.0
            ):
                raise ConfigurationError(
                    f"SampleCompanyConfig.{name}: expected a number in [0, 1], found {value!r}"
                )
        if self.new_item_share + self.discontinued_share > 1.0:
            raise ConfigurationError(
                "SampleCompanyConfig.discontinued_share: expected new_item_share + "
                f"discontinued_share <= 1, found {self.new_item_share} + "
                f"{self.discontinued_share}"
            )
        if self.n_unreliable_suppliers > self.n_suppliers:
            raise ConfigurationError(
                "SampleCompanyConfig.n_unreliable_suppliers: expected at most n_suppliers "
                f"({self.n_suppliers}), found {self.n_unreliable_suppliers}"
            )
        try:
            day = np.datetime64(self.start, "D") if isinstance(self.start, str) else None
        except ValueError:
            day = None
        if day is None or not 1990 <= day.astype("datetime64[Y]").astype(int) + 1970 <= 2100:
            raise ConfigurationError(
                "SampleCompanyConfig.start: expected a date 'YYYY-MM-DD' between 1990 and "
                f"2100, found {self.start!r}"
            )

    @classmethod
    def small(cls, seed: int = 0) -> SampleCompanyConfig:
        """A small company (40 items, 12 stores, 240 days) for quick runs and tests."""
        return cls(seed=seed, n_items=40, n_stores=12, n_days=240, n_feedback=120)

    @property
    def start_day(self) -> np.datetime64:
        """The first day of the horizon."""
        return np.datetime64(self.start, "D")
