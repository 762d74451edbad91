"""The dashboard in a real, headless Chromium (selenium), on a live uvicorn server.

Skips when the Debian packages ``chromium`` and ``chromium-driver`` (or selenium) are
missing: ``apt-get install -y chromium chromium-driver``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ServiceEnv

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).exists()), None
)
DRIVER = next(
    (p for p in ("/usr/bin/chromedriver", shutil.which("chromedriver")) if p and Path(p).exists()),
    None,
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no chromium/chromedriver binary: apt-get install -y chromium chromium-driver",
)


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
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,2400",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _charts_drawn(driver: Any) -> int:
    result: int = driver.execute_script(
        "var c = document.querySelectorAll('div.chart');"
        "var n = 0; c.forEach(function (d) {"
        "  if (d.querySelector('svg.main-svg') && d.querySelectorAll('path, .point').length > 0)"
        "    { n += 1; } });"
        "return document.body.getAttribute('data-charts') === String(c.length) ? n : -1;"
    )
    return result


def test_dashboard_renders_charts_without_console_errors_and_switches_language(
    live_url: str, browser: Any, service_env: ServiceEnv, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_url}/")
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "key").send_keys(service_env.read_key)
    start = time.perf_counter()
    browser.find_element(By.ID, "login-submit").click()
    WebDriverWait(browser, 30).until(lambda d: _charts_drawn(d) >= 7)
    load_seconds = time.perf_counter() - start
    charts = browser.find_elements(By.CSS_SELECTOR, "div.chart")
    assert _charts_drawn(browser) == len(charts) >= 7
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []

    browser.find_element(By.ID, "lang-switch").click()
    WebDriverWait(browser, 30).until(
        lambda d: (
            d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
            and _charts_drawn(d) >= 7
        )
    )
    assert "需求预测" in browser.find_element(By.ID, "forecast").text
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    shot_dir = Path(os.environ.get("SUPPLYMIND_SCREENSHOT_DIR", tmp_path))
    shot_dir.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(shot_dir / "dashboard_zh.png"))
    print(f"dashboard load {load_seconds:.2f} s; screenshot {shot_dir / 'dashboard_zh.png'}")
