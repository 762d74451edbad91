"""The dashboard in a real, headless Chromium (Playwright), on a live uvicorn server on loopback.

Playwright drives the Debian ``chromium`` package (``executable_path='/usr/bin/chromium'``),
so ``playwright install`` is never needed. Skips when Chromium (``apt-get install -y chromium
chromium-driver``; ``scripts/test.sh`` does this when it can) or the ``playwright`` package is
missing. Set ``SUPPLYMIND_SCREENSHOT=path.png`` to keep a copy of the English page's screenshot
(``docs/dashboard.png`` was made so).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import ServiceEnv

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
MIN_CHARTS = 7
pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: apt-get install -y chromium chromium-driver",
    ),
]

# Counts the plotly charts whose graph div holds at least one trace with data points, or
# -1 while the page's script has not finished drawing all of them.
_CHARTS_WITH_DATA = """() => {
  const charts = Array.from(document.querySelectorAll('div.chart'));
  const drawn = document.body && document.body.getAttribute('data-charts');
  if (drawn !== String(charts.length)) { return -1; }
  const points = (t) => Math.max((t.x || []).length, (t.y || []).length);
  return charts.filter((d) =>
    d.querySelector('svg.main-svg') !== null
    && Array.isArray(d.data) && d.data.some((t) => points(t) > 0)).length;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_url(service_env: ServiceEnv) -> Iterator[str]:
    import uvicorn

    from supplymind.service.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(service_env.settings), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install playwright"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _wait_for_charts(page: Page) -> int:
    page.wait_for_function(f"({_CHARTS_WITH_DATA})() >= {MIN_CHARTS}", timeout=30_000)
    drawn: int = page.evaluate(_CHARTS_WITH_DATA)
    return drawn


def _traces(page: Page) -> dict[str, int]:
    """Traces per chart id, read from each plotly graph div's ``data``."""
    found: dict[str, int] = page.evaluate(
        "() => Object.fromEntries(Array.from(document.querySelectorAll('div.chart'))"
        "  .map((d) => [d.id, (d.data || []).length]))"
    )
    return found


def test_dashboard_renders_charts_with_data_without_console_errors_and_switches_language(
    live_url: str, browser: Browser, service_env: ServiceEnv, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{live_url}/")
    assert "/login" in page.url
    page.fill("#key", service_env.read_key)
    start = time.perf_counter()
    page.click("#login-submit")
    drawn = _wait_for_charts(page)
    load_seconds = time.perf_counter() - start
    charts = page.locator("div.chart").count()
    assert drawn == charts >= MIN_CHARTS
    traces = _traces(page)
    assert len(traces) == charts
    assert all(n > 0 for n in traces.values()), traces
    assert page.get_attribute("html", "lang") == "en"
    assert "Demand forecast" in page.inner_text("#forecast")
    assert page.inner_text("#lang-switch") == "中文"
    shot_en = tmp_path / "dashboard_en.png"
    page.screenshot(path=str(shot_en), full_page=True)
    assert errors == []

    page.click("#lang-switch")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'", timeout=30_000)
    assert _wait_for_charts(page) == charts
    assert _traces(page) == traces
    assert "需求预测" in page.inner_text("#forecast")
    assert "Demand forecast" not in page.inner_text("#forecast")
    assert page.inner_text("#lang-switch") == "English"
    shot_zh = tmp_path / "dashboard_zh.png"
    page.screenshot(path=str(shot_zh), full_page=True)
    assert errors == []
    page.close()

    assert shot_en.stat().st_size > 10_000
    assert shot_zh.stat().st_size > 10_000
    keep = os.environ.get("SUPPLYMIND_SCREENSHOT")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot_en, keep)
    print(f"dashboard load {load_seconds:.2f} s; screenshots {shot_en}, {shot_zh}")
