"""The dashboard pages through the test client (the browser test draws them)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from .conftest import ServiceEnv


def _figures(html: str) -> list[dict[str, object]]:
    found = re.search(r'<script id="figures" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    figures: list[dict[str, object]] = json.loads(found.group(1))
    return figures


def test_when_not_signed_in_then_the_dashboard_redirects_to_the_login(client: TestClient) -> None:
    response = client.get("/?lang=zh", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?lang=zh"
    assert "API 密钥" in client.get("/login?lang=zh").text


def test_when_a_wrong_key_is_posted_then_no_cookie_is_set(client: TestClient) -> None:
    response = client.post("/login", data={"key": "sm_wrong"}, follow_redirects=False)
    assert response.status_code == 303
    assert "error=true" in response.headers["location"]
    assert "supplymind_key" not in response.cookies


def test_when_signed_in_then_every_chart_has_data(
    service_env: ServiceEnv, client: TestClient
) -> None:
    response = client.get("/", headers={"X-API-Key": service_env.read_key})
    assert response.status_code == 200
    html = response.text
    assert '<script src="/static/plotly.min.js"></script>' in html
    figures = {f["id"]: f for f in _figures(html)}
    assert {"fan-0", "fan-1", "stock", "orders", "routes", "suppliers", "feedback"} <= set(figures)
    for figure in figures.values():
        data = figure["data"]
        assert isinstance(data, list)
        assert any(len(trace.get("y", [])) > 0 for trace in data), figure["id"]
    fan = figures["fan-0"]["data"]
    assert isinstance(fan, list)
    assert [t.get("name") for t in fan][-1] == "median"
    assert 'class="sev sev-' in html


def test_when_lang_is_zh_then_the_text_is_chinese_and_the_item_is_kept(
    service_env: ServiceEnv, client: TestClient
) -> None:
    headers = {"X-API-Key": service_env.read_key}
    en = client.get("/?item=SKU00002", headers=headers).text
    zh = client.get("/?lang=zh&item=SKU00002", headers=headers).text
    assert "SupplyMind dashboard" in en
    assert "需求预测" in zh
    assert "Demand forecast" not in zh
    assert "SKU00002 @ " in zh
    assert 'href="/?lang=en&amp;item=SKU00002"' in zh
    assert client.get("/?lang=fr", headers=headers).status_code == 422


def test_plotly_js_is_served_from_the_package(client: TestClient) -> None:
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200
    assert len(response.content) > 1_000_000
    assert b"plotly.js" in response.content[:2000]
