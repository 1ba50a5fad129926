"""The review page in a real headless browser (Debian's chromium, driven by Playwright):
a real `presswatch serve` to point it at, and screenshots at 1280 px and at 390 px (a phone)
in test-artifacts/screenshots/. The `browser` and `page` fixtures are in conftest.py."""

from __future__ import annotations

import contextlib
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDE: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
START_TIMEOUT_S = 60


@contextlib.contextmanager
def serving(config_path: Path) -> Iterator[str]:
    """`presswatch serve --port 0` with this config, without a token: its URL. Stopped with
    SIGTERM afterwards, which must end it cleanly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "presswatch", "--config", str(config_path), "serve", "--port=0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PRESSWATCH_TOKEN": ""},
    )
    assert process.stdout is not None
    try:
        yield _read_url(process)
    finally:
        process.terminate()
        code = process.wait(timeout=30)
        process.stdout.close()
        assert process.stderr is not None
        errors = process.stderr.read()
        process.stderr.close()
    assert code == 0, errors  # SIGTERM stops it cleanly


def _read_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                return found.group(0)
        if process.poll() is not None:
            assert process.stderr is not None
            pytest.fail(f"presswatch serve exited: {process.stderr.read()}")
    pytest.fail(f"presswatch serve did not start within {START_TIMEOUT_S} s")


def shoot(page: Page, name: str) -> None:
    """A screenshot at 1280 px and one at 390 px wide (the page loaded again at that width,
    as a phone would load it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    page.screenshot(path=SCREENSHOTS / f"{name}-390.png", full_page=True)
    page.set_viewport_size(WIDE)
    page.reload()
