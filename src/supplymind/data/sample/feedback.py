"""Customer feedback: when texts are written, their labels, and the ``feedback`` table."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplymind.data.sample._common import (
    NS_PER_MINUTE,
    BoolArray,
    FloatArray,
    IntArray,
    at_minutes,
    random_stream,
    to_ns,
)
from supplymind.data.sample.calendar import Calendar
from supplymind.data.sample.catalog import Catalog
from supplymind.data.sample.config import SampleCompanyConfig
from supplymind.data.sample.phrases import BODIES, compose
from supplymind.data.sample.products import CATEGORIES

__all__ = ["feedback_table"]

# fmt: off
_COMPLAINTS = (
    "late_delivery", "damaged", "wrong_item", "missing_item", "quality", "price",
    "customer_service",
)
_CHANNELS = ("app_review", "chat", "email", "social", "survey")

_DELIVERY_LINKED = ("late_delivery", "damaged", "wrong_item", "missing_item")
_ITEM_LINKED = ("damaged", "wrong_item", "missing_item", "quality", "price")
# fmt: on


def _late_complaint_times(
    rng: np.random.Generator, late: pd.DataFrame, n: int, horizon_end: np.datetime64
) -> tuple[npt.NDArray[np.datetime64], IntArray]:
    """Late deliveries prompt complaints within a day or so: their times and sources."""
    from_late = np.nonzero(rng.random(len(late)) < 0.35)[0]
    if from_late.size > n // 4:
        from_late = np.sort(rng.choice(from_late, size=n // 4, replace=False))
    after = (rng.uniform(30, 30 * 60, from_late.size) * NS_PER_MINUTE).astype("timedelta64[ns]")
    times = late["delivered_at"].to_numpy()[from_late] + after
    return np.minimum(times, horizon_end).astype("datetime64[ns]"), from_late.astype(np.int64)


def _feedback_labels(
    rng: np.random.Generator, n_late: int, in_window: BoolArray
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Sentiments and complaint types; the first ``n_late`` are late-delivery complaints."""
    n = in_window.size
    drawn = rng.choice(
        np.array(["negative", "neutral", "positive"]), size=n - n_late, p=[0.3, 0.22, 0.48]
    )
    sentiment = np.array(["negative"] * n_late + drawn.tolist(), dtype=object)
    topic = np.array(["late_delivery"] * n_late + [""] * (n - n_late), dtype=object)
    weights = np.array([0.12, 0.15, 0.1, 0.1, 0.28, 0.13, 0.12])
    for j in range(n_late, n):
        if sentiment[j] == "negative":
            w = weights.copy()
            if in_window[j]:
                w[0] = 0.0  # there, late-delivery complaints come from actual late deliveries
            topic[j] = _COMPLAINTS[int(rng.choice(len(_COMPLAINTS), p=w / w.sum()))]
        elif sentiment[j] == "neutral" and rng.random() < 0.3:
            topic[j] = ("price", "customer_service")[int(rng.integers(2))]
    return sentiment, topic


def feedback_table(
    config: SampleCompanyConfig,
    catalog: Catalog,
    cal: Calendar,
    mean: FloatArray,
    deliveries: pd.DataFrame,
) -> pd.DataFrame:
    """The ``feedback`` table: texts, labels and the items and orders they mention."""
    rng = random_stream(config, 8)
    n, T = config.n_feedback, config.n_days
    horizon_end = to_ns(cal.days[-1:])[0] + np.timedelta64(23 * 60 + 59, "m")
    done = deliveries[deliveries["status"] == "delivered"]
    delay = (done["delivered_at"] - done["window_end"]).dt.total_seconds().to_numpy() / 60.0
    late = done[delay > 20.0]
    late_delay = delay[delay > 20.0]
    late_at, from_late = _late_complaint_times(rng, late, n, horizon_end)
    k = from_late.size

    # The rest follows the business volume over the horizon, mostly in the evening.
    volume = mean.sum(axis=(0, 1))
    day = rng.choice(T, size=n - k, p=volume / volume.sum())
    hour_w = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 7, 6, 5, 5, 6, 7, 8, 9, 10, 9, 6, 3.0])
    minute = rng.choice(24, size=n - k, p=hour_w / hour_w.sum()) * 60 + rng.integers(0, 60, n - k)
    timestamps = np.concatenate([late_at, at_minutes(cal.days[day], minute)])
    first_delivery = (
        deliveries["window_start"].min() if len(deliveries) else np.datetime64("NaT", "ns")
    )
    sentiment, topic = _feedback_labels(rng, k, timestamps >= first_delivery)

    language = np.where(rng.random(n) < config.chinese_share, "zh", "en").astype(object)
    channel = np.array(_CHANNELS, dtype=object)[
        rng.choice(len(_CHANNELS), size=n, p=[0.35, 0.2, 0.15, 0.15, 0.15])
    ]
    item_ids = catalog.items["item_id"].to_numpy(dtype=object)
    names_en = catalog.items["name"].to_numpy(dtype=object)
    start_ns = to_ns(cal.days[:1])[0]
    day_of = ((timestamps - start_ns) // np.timedelta64(1, "D")).astype(np.int64)
    done_at = done["delivered_at"].to_numpy()
    done_ids = done["order_id"].to_numpy(dtype=object)
    late_ids = late["order_id"].to_numpy(dtype=object)

    texts: list[str] = []
    items: list[str | None] = []
    orders: list[str | None] = []
    for j in range(n):
        t = int(min(max(day_of[j], 0), T - 1))
        active = (catalog.launch_day <= t) & (catalog.end_day >= t)
        w = np.where(active, catalog.level, 0.0)
        item = int(rng.choice(w.size, p=w / w.sum())) if w.sum() > 0 else int(rng.integers(w.size))
        order: str | None = None
        minutes = float(rng.uniform(30, 180))
        if j < k:
            order = str(late_ids[from_late[j]])
            minutes = float(late_delay[from_late[j]])
        elif topic[j] in _DELIVERY_LINKED and rng.random() < 0.7:
            recent = np.nonzero(
                (done_at < timestamps[j]) & (done_at >= timestamps[j] - np.timedelta64(3, "D"))
            )[0]
            if recent.size:
                order = str(done_ids[recent[int(rng.integers(recent.size))]])
        label = str(topic[j]) or str(sentiment[j])
        if label == "quality" and not CATEGORIES[int(catalog.category[item])].food:
            label = "quality_goods"
        product = catalog.name_zh[item] if language[j] == "zh" else str(names_en[item])
        text, named = compose(
            rng,
            str(language[j]),
            str(sentiment[j]),
            label if label in BODIES["zh"] else str(sentiment[j]),
            product,
            order,
            minutes,
            str(channel[j]),
        )
        texts.append(text)
        linked = named and (topic[j] in _ITEM_LINKED or rng.random() < 0.6)
        items.append(str(item_ids[item]) if linked else None)
        orders.append(order)

    frame = pd.DataFrame(
        {
            "timestamp": timestamps,
            "channel": channel,
            "language": language,
            "text": np.array(texts, dtype=object),
            "sentiment": sentiment,
            "complaint_type": np.array([str(t) if t else None for t in topic], dtype=object),
            "item_id": np.array(items, dtype=object),
            "order_id": np.array(orders, dtype=object),
        }
    )
    frame = frame.sort_values("timestamp", kind="stable", ignore_index=True)
    frame.insert(0, "feedback_id", np.array([f"FB{k + 1:06d}" for k in range(n)], dtype=object))
    return frame
