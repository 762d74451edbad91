from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import RiskInputError
from supplymind.risk.scorecards import SCORECARD_COLUMNS, supplier_scorecards

NOW = pd.Timestamp("2024-07-01")


def _shipments() -> pd.DataFrame:
    rows = []
    for i in range(120):
        due = NOW - pd.Timedelta(days=179 - i * 1.5)
        recent = due > NOW - pd.Timedelta(days=90)
        # "steady" is always on time; "slipping" is on time before, late half the time after
        for supplier, late in (("steady", False), ("slipping", recent and i % 2 == 0)):
            rows.append(
                {
                    "order_id": f"{supplier}-{i}",
                    "supplier_id": supplier,
                    "ordered_at": due - pd.Timedelta(days=10),
                    "promised_at": due,
                    "delivered_at": due + pd.Timedelta(days=4 if late else -1),
                }
            )
    rows.append(
        {
            "order_id": "open-1",
            "supplier_id": "slipping",
            "ordered_at": NOW - pd.Timedelta(days=20),
            "promised_at": NOW - pd.Timedelta(days=2),
            "delivered_at": pd.NaT,
        }
    )
    return pd.DataFrame(rows)


def test_when_a_supplier_slips_then_its_scorecard_shows_the_worsening_trend() -> None:
    cards = supplier_scorecards(_shipments(), now=NOW).set_index("supplier_id")
    assert list(cards.reset_index().columns) == list(SCORECARD_COLUMNS)
    steady, slipping = cards.loc["steady"], cards.loc["slipping"]
    assert steady["on_time_rate"] == 1.0
    assert steady["grade"] == "A"
    assert steady["trend_label"] == "stable"
    assert slipping["recent_on_time_rate"] == pytest.approx(0.5, abs=0.05)
    assert slipping["previous_on_time_rate"] == 1.0
    assert slipping["trend_label"] == "worsening"
    assert slipping["trend_p_value"] < 0.001
    assert slipping["mean_delay_days"] == pytest.approx(4.0)
    assert slipping["mean_lead_time_days"] == pytest.approx(
        np.mean([14.0] * 30 + [9.0] * 90), abs=1.0
    )
    # the open order, and one due two days ago that arrives after now
    assert (slipping["open_orders"], slipping["overdue_orders"]) == (2, 2)
    assert cards.index[0] == "slipping"  # worst first


def test_when_now_is_earlier_then_later_deliveries_are_ignored() -> None:
    early = supplier_scorecards(_shipments(), now=NOW - pd.Timedelta(days=100))
    assert (early["on_time_rate"] == 1.0).all()
    with pytest.raises(RiskInputError, match="recent_days"):
        supplier_scorecards(_shipments(), recent_days=0)
