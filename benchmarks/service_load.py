"""Service load test: a bounded burst of reads of the forecast endpoint on loopback.

Run: ``.venv/bin/python benchmarks/service_load.py [--requests 2000] [--concurrency 8]
[--items 300] [--finetune-steps 10] [--out benchmarks/results]``.

Builds a temporary warehouse holding the demo's sample company (``--items`` items at two
warehouses, two years of daily demand) and runs the pipeline's forecast stage on it, so the
latest run holds a 28-day forecast of every series. Then starts the real server
(``supplymind serve``: uvicorn, production settings, one hashed read key, access log on) in
a subprocess on a free loopback port, warms it up, and sends ``--requests`` GET requests to
``/api/forecasts`` (one item's rows per request, items in turn, ``limit=100``) from
``--concurrency`` threads sharing one keep-alive HTTP client. Each request reads the run's
forecast file, filters and pages it: the latency is the endpoint's, not a cache's.

Reports latency percentiles (p50, p90, p99, max; milliseconds, client side, per request),
throughput (requests per second of wall time) and errors (non-200 answers and transport
failures, counted by kind). Writes ``service_load.json`` and ``service_load.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from supplymind.data.sample import SampleCompanyConfig
from supplymind.demo import run_demo
from supplymind.files import atomic_write_text
from supplymind.service.auth import new_api_key

ENDPOINT = "/api/forecasts"


def free_port() -> int:
    """A TCP port free on loopback now (the server binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def build_data(folder: Path, items: int, finetune_steps: int) -> tuple[Path, pd.DataFrame]:
    """The demo's sample company in ``folder/warehouse.duckdb`` with one forecast run."""
    config = SampleCompanyConfig(n_items=items)
    run_demo(folder, config=config, finetune_steps=finetune_steps, stages=["forecast"])
    forecast = pd.read_csv(next(folder.glob("**/forecast.csv")))
    return folder / "warehouse.duckdb", forecast


def start_server(
    folder: Path, warehouse: Path, port: int, key_record: str
) -> subprocess.Popen[bytes]:
    """``supplymind serve`` in production mode, its output in ``folder/server.log``."""
    env = {
        **os.environ,
        "SUPPLYMIND_ENV": "production",
        "SUPPLYMIND_DATABASE_URL": f"duckdb:///{warehouse}",
        "SUPPLYMIND_RUNS_DIR": str(folder / "service-runs"),
        "SUPPLYMIND_API_KEYS": f"[{key_record}]",
        "OMP_NUM_THREADS": "1",
    }
    log = (folder / "server.log").open("wb")
    command = [sys.executable, "-m", "supplymind", "serve", "--host", "127.0.0.1"]
    return subprocess.Popen(
        [*command, "--port", str(port)], env=env, cwd=folder, stdout=log, stderr=log
    )


def wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> float:
    """Seconds until ``/api/health`` answered 200."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /api/health within {seconds} s")


def load(
    base: str, key: str, item_ids: list[str], requests: int, concurrency: int
) -> tuple[list[float], Counter[str], float]:
    """Send the requests; per-request latencies (s), errors by kind and the wall time (s)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(
        base_url=base, headers={"X-API-Key": key}, limits=limits, timeout=30
    ) as client:

        def one(i: int) -> tuple[float, str | None]:
            params = {"item_id": item_ids[i % len(item_ids)], "limit": 100}
            start = time.perf_counter()
            try:
                response = client.get(ENDPOINT, params=params)
                response.read()
            except httpx.HTTPError as exc:
                return time.perf_counter() - start, type(exc).__name__
            seconds = time.perf_counter() - start
            if response.status_code != 200:
                return seconds, f"HTTP {response.status_code}"
            if not response.json()["items"]:
                return seconds, "empty page"
            return seconds, None

        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, range(min(50, requests))))  # warm-up: connections, caches
            start = time.perf_counter()
            results = list(pool.map(one, range(requests)))
            wall = time.perf_counter() - start
    errors = Counter(kind for _, kind in results if kind is not None)
    return [s for s, _ in results], errors, wall


def markdown(report: dict[str, Any]) -> str:
    lat = report["latency_ms"]
    errors = ", ".join(f"{k}: {v}" for k, v in report["errors"].items()) or "none"
    busy = ""
    if report["load_average_before"][0] > report["cpus"]:
        busy = (
            " (other work was running: the figures are an upper bound on latency and a lower "
            "bound on throughput)"
        )
    return "\n".join(
        [
            "# Service load test",
            "",
            f"{report['requests']:,} GET `{report['endpoint']}` requests (one item's forecast rows "
            f"each, `limit=100`) from {report['concurrency']} client threads over keep-alive "
            "connections, to `supplymind serve` (uvicorn, one worker process, production "
            "settings, access log on) on loopback, after a warm-up of 50 requests. The latest "
            f"run's forecast holds {report['data']['forecast_rows']:,} rows "
            f"({report['data']['series']} series x 28 days); every request reads, filters and "
            "pages it. Latency is measured by the client, per request.",
            "",
            "| requests | concurrency | p50 ms | p90 ms | p99 ms | max ms | mean ms | "
            "requests/s | errors |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {report['requests']} | {report['concurrency']} | {lat['p50']} | {lat['p90']} | "
            f"{lat['p99']} | {lat['max']} | {lat['mean']} | {report['throughput_rps']} | "
            f"{report['error_count']} |",
            "",
            f"Errors by kind: {errors}.",
            "",
            f"Machine: {report['machine']}, {report['cpus']} CPUs, load average "
            f"{report['load_average_before']} before the run{busy}. Server up in "
            f"{report['server_start_s']} s.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--items", type=int, default=300, help="items of the sample company")
    parser.add_argument("--finetune-steps", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1:
        parser.error("--requests and --concurrency: expected positive integers")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        warehouse, forecast = build_data(folder, args.items, args.finetune_steps)
        print(f"data and forecast ready in {time.perf_counter() - began:.1f} s")
        key, record = new_api_key("load-test", "read")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        load_before = [round(x, 2) for x in os.getloadavg()]
        server = start_server(folder, warehouse, port, record.model_dump_json())
        try:
            up = wait_until_up(base, server)
            item_ids = sorted(forecast["item_id"].astype(str).unique())
            latencies, errors, wall = load(base, key, item_ids, args.requests, args.concurrency)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if errors:  # the server's traceback says why
            log = (folder / "server.log").read_text(errors="replace").splitlines()
            print("\n".join(log[-60:]), file=sys.stderr)
    ms = np.asarray(latencies) * 1000
    report = {
        "benchmark": "service load: GET /api/forecasts on loopback",
        "endpoint": ENDPOINT,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "latency_ms": {
            "p50": round(float(np.percentile(ms, 50)), 1),
            "p90": round(float(np.percentile(ms, 90)), 1),
            "p99": round(float(np.percentile(ms, 99)), 1),
            "max": round(float(ms.max()), 1),
            "mean": round(float(ms.mean()), 1),
        },
        "throughput_rps": round(args.requests / wall, 1),
        "wall_s": round(wall, 2),
        "error_count": sum(errors.values()),
        "errors": dict(errors),
        "data": {
            "items": args.items,
            "series": int(forecast.groupby(["item_id", "location_id"]).ngroups),
            "forecast_rows": len(forecast),
        },
        "server_start_s": round(up, 2),
        "load_average_before": load_before,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "service_load.json", json.dumps(report, indent=2) + "\n")
    atomic_write_text(args.out / "service_load.md", markdown(report))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
