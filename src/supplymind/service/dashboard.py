"""The dashboard: server-rendered HTML (jinja2) with plotly.js charts, bundled for offline use.

Each chart is a plotly figure (``data`` and ``layout`` as JSON) built here from the
warehouse and the latest pipeline run's files, and drawn in the page by the plotly.js that
ships in the ``plotly`` wheel (served at ``/static/plotly.min.js``).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from supplymind.data.warehouse import Warehouse
from supplymind.pipeline import list_runs
from supplymind.service.i18n import TEXT
from supplymind.service.store import (
    read_output_csv,
    read_output_json,
    read_table,
)

__all__ = ["feedback_counts", "plotly_js_path", "render_dashboard", "render_login"]

_QUANTILE_BANDS = (
    ("0.1", "0.9", "band_80", "rgba(38,128,194,0.18)"),
    ("0.3", "0.7", "band_40", "rgba(38,128,194,0.35)"),
)
_HISTORY_DAYS = 84
_MAX_SERIES = 3
_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def plotly_js_path() -> Path:
    """plotly.min.js from the installed ``plotly`` package (no CDN)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("plotly.min.js: install the `plotly` package (pip install plotly)")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not path.exists():
        raise FileNotFoundError(f"plotly.min.js: expected {path}, not found")
    return path


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("supplymind.service", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )


def render_login(lang: str, *, error: bool = False) -> str:
    """The sign-in page (the key is sent in a form and kept in an HTTP-only cookie)."""
    return _env().get_template("login.html").render(t=TEXT[lang], lang=lang, error=error)


def _layout(title: str, t: dict[str, str], **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "font": {"size": 14}},
        "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
        "height": 320,
        "legend": {"orientation": "h", "y": -0.2},
    }
    layout.update(extra)
    return layout


def _fan_charts(
    wh: Warehouse, forecast: pd.DataFrame, item: str, t: dict[str, str]
) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    fc_item = forecast[forecast["item_id"].astype(str) == item]
    demand = read_table(wh, "demand", {"item_id": item})
    for location in sorted(fc_item["location_id"].astype(str).unique())[:_MAX_SERIES]:
        fc = fc_item[fc_item["location_id"].astype(str) == location]
        hist = demand[demand["location_id"].astype(str) == location].sort_values("timestamp")
        hist = hist.tail(_HISTORY_DAYS)
        x = [str(v)[:10] for v in fc["timestamp"]]
        data: list[dict[str, Any]] = [
            {
                "type": "scatter",
                "mode": "lines",
                "name": t["history"],
                "x": [str(v)[:10] for v in hist["timestamp"]],
                "y": [float(v) for v in hist["target"].fillna(0.0)],
                "line": {"color": "#334e68", "width": 1},
            }
        ]
        for low, high, label, color in _QUANTILE_BANDS:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": x,
                    "y": [float(v) for v in fc[low]],
                    "line": {"width": 0},
                    "showlegend": False,
                    "hoverinfo": "skip",
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": t[label],
                    "x": x,
                    "y": [float(v) for v in fc[high]],
                    "fill": "tonexty",
                    "fillcolor": color,
                    "line": {"width": 0},
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": t["median"],
                "x": x,
                "y": [float(v) for v in fc["0.5"]],
                "line": {"color": "#2680c2", "width": 2},
            }
        )
        figures.append(
            {
                "id": f"fan-{len(figures)}",
                "data": data,
                "layout": _layout(f"{item} @ {location}", t, yaxis={"title": t["units"]}),
            }
        )
    return figures


def _stock_charts(
    wh: Warehouse, plan: pd.DataFrame | None, item: str, t: dict[str, str]
) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    stock = read_table(wh, "inventory", {"item_id": item})
    if not stock.empty:
        data: list[dict[str, Any]] = []
        for location, rows in stock.sort_values("timestamp").groupby("location_id"):
            x = [str(v)[:10] for v in rows["timestamp"]]
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{t['on_hand']} {location}",
                    "x": x,
                    "y": [float(v) for v in rows["on_hand"]],
                }
            )
            if plan is not None:
                row = plan[
                    (plan["item_id"].astype(str) == item)
                    & (plan["location_id"].astype(str) == str(location))
                ]
                if not row.empty:
                    for col, dash in (("reorder_point", "dot"), ("order_up_to", "dash")):
                        data.append(
                            {
                                "type": "scatter",
                                "mode": "lines",
                                "name": f"{t[col]} {location}",
                                "x": [x[0], x[-1]],
                                "y": [float(row[col].iloc[0])] * 2,
                                "line": {"dash": dash, "width": 1},
                            }
                        )
        figures.append(
            {
                "id": "stock",
                "data": data,
                "layout": _layout(f"{t['stock']}: {item}", t),
            }
        )
    if plan is not None:
        orders = plan[plan["order_now"] > 0].sort_values("order_now", ascending=False).head(20)
        labels = [f"{a}@{b}" for a, b in zip(orders["item_id"], orders["location_id"], strict=True)]
        figures.append(
            {
                "id": "orders",
                "data": [
                    {
                        "type": "bar",
                        "x": labels,
                        "y": [float(v) for v in orders["order_now"]],
                        "name": t["units"],
                        "marker": {"color": "#2f8132"},
                    }
                ],
                "layout": _layout(t["recommended"], t, xaxis={"tickangle": -45}),
            }
        )
    return figures


def _route_chart(routes: dict[str, Any], t: dict[str, str]) -> dict[str, Any]:
    data: list[dict[str, Any]] = []
    depots: dict[str, tuple[float, float]] = {}
    for k, route in enumerate(routes.get("routes", [])):
        stops = route.get("stops", [])
        if stops:
            depots[str(stops[0]["location_id"])] = (stops[0]["lon"], stops[0]["lat"])
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{t['route']} {k + 1} ({route.get('vehicle', '')})",
                "x": [s["lon"] for s in stops],
                "y": [s["lat"] for s in stops],
                "text": [str(s.get("location_id") or "") for s in stops],
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": t["depot"],
            "x": [v[0] for v in depots.values()],
            "y": [v[1] for v in depots.values()],
            "text": list(depots),
            "textposition": "top center",
            "marker": {"symbol": "square", "size": 12, "color": "#222"},
        }
    )
    layout = _layout(
        t["routes"],
        t,
        height=420,
        xaxis={"title": t["lon"]},
        yaxis={"title": t["lat"], "scaleanchor": "x"},
    )
    return {"id": "routes", "data": data, "layout": layout}


def feedback_counts(wh: Warehouse) -> tuple[str, dict[str, int]]:
    """Feedback counts by complaint type and where they come from (``predictions`` of the
    latest run's feedback stage, else the warehouse's ``labels``; ``none`` when empty)."""
    predictions = read_output_csv(wh, "feedback_predictions.csv")
    if predictions is not None and "complaint_type" in predictions.columns:
        counts = predictions["complaint_type"].dropna().astype(str).value_counts()
        if len(counts):
            return "predictions", {str(k): int(v) for k, v in counts.items()}
    frame = read_table(wh, "feedback")
    if frame.empty or "complaint_type" not in frame.columns:
        return "none", {}
    counts = frame["complaint_type"].dropna().astype(str).value_counts()
    return ("labels" if len(counts) else "none"), {str(k): int(v) for k, v in counts.items()}


def render_dashboard(wh: Warehouse, lang: str, *, item: str | None = None) -> str:
    """The dashboard page in language ``lang`` (``en`` or ``zh``)."""
    t = TEXT[lang]
    forecast = read_output_csv(wh, "forecast.csv")
    plan = read_output_csv(wh, "plan.csv")
    routes = read_output_json(wh, "routes.json")
    cards = read_output_csv(wh, "supplier_scorecards.csv")
    runs = list_runs(wh, limit=1)
    items = read_table(wh, "items")
    alerts = read_table(wh, "alerts", {"status": "open"})
    figures: list[dict[str, Any]] = []
    item_ids: list[str] = []
    if forecast is not None and len(forecast):
        volume = forecast.groupby("item_id")["mean"].sum().sort_values(ascending=False)
        item_ids = sorted(str(v) for v in volume.index)
        if item not in item_ids:
            item = str(volume.index[0])
        figures += _fan_charts(wh, forecast, item, t)
    if item:
        figures += _stock_charts(wh, plan, item, t)
    if routes is not None:
        figures.append(_route_chart(routes, t))
    supplier_rows: list[dict[str, Any]] = []
    if cards is not None and len(cards):
        supplier_rows = [{str(k): v for k, v in r.items()} for r in cards.to_dict("records")]
        figures.append(
            {
                "id": "suppliers",
                "data": [
                    {
                        "type": "bar",
                        "x": [str(v) for v in cards["supplier_id"]],
                        "y": [float(v) for v in cards["on_time_rate"]],
                        "marker": {"color": "#9f580a"},
                        "name": t["on_time_rate"],
                    }
                ],
                "layout": _layout(
                    t["on_time_rate"], t, yaxis={"range": [0, 1], "tickformat": ".0%"}
                ),
            }
        )
    source, counts = feedback_counts(wh)
    if counts:
        figures.append(
            {
                "id": "feedback",
                "data": [
                    {
                        "type": "bar",
                        "x": list(counts),
                        "y": list(counts.values()),
                        "marker": {"color": "#8e44ad"},
                        "name": t["count"],
                    }
                ],
                "layout": _layout(t["feedback"], t),
            }
        )
    open_count = len(alerts)
    urgent = int(alerts["severity"].isin(["high", "critical"]).sum()) if open_count else 0
    alert_rows: list[dict[str, Any]] = []
    if not alerts.empty:
        alerts = alerts.assign(_rank=alerts["severity"].map(_SEVERITY_ORDER))
        alerts = alerts.sort_values(["_rank", "event_time"], ascending=[True, False]).head(25)
        alert_rows = [
            {**{str(k): v for k, v in r.items()}, "when": str(r["event_time"])[:10]}
            for r in alerts.to_dict(orient="records")
        ]
    run_record = runs[0] if runs else None
    n_series = forecast.groupby(["item_id", "location_id"]).ngroups if forecast is not None else 0
    kpis = [
        (t["items"], f"{len(items):,}"),
        (t["series"], f"{n_series:,}" if forecast is not None else "–"),
        (t["orders_now"], f"{int((plan['order_now'] > 0).sum()):,}" if plan is not None else "–"),
        (t["vehicles"], str(routes["kpis"]["vehicles_used"]) if routes else "–"),
        (t["distance"], f"{routes['kpis']['distance']:,.1f}" if routes else "–"),
        (t["open_alerts"], f"{open_count:,}"),
        (t["urgent_alerts"], f"{urgent:,}"),
    ]
    return (
        _env()
        .get_template("dashboard.html")
        .render(
            t=t,
            lang=lang,
            other_lang="zh" if lang == "en" else "en",
            kpis=kpis,
            run=run_record,
            item=item,
            item_ids=item_ids,
            figures=figures,
            has_forecast=forecast is not None,
            alerts=alert_rows,
            suppliers=supplier_rows,
            feedback_source=source,
        )
    )
