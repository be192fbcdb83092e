"""A real browser on the explorer: ``noradsim serve`` on a free port, headless Chromium by Playwright.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``, or the path in
``NORADSIM_CHROMIUM``); nothing is downloaded (``playwright install`` is never run). Without
Playwright or Chromium every test here skips, saying which is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("NORADSIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT_S = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def playwright_api():
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium) "
                    "or set NORADSIM_CHROMIUM to a Chromium executable")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def server(playwright_api, tmp_path_factory):
    """``noradsim serve`` on a free port of 127.0.0.1; its URL (its output goes to a log file)."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    log_path = tmp_path_factory.mktemp("server") / "serve.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "noradsim.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    alive = url + "liveness"  # answers without building a page (loading a page on a busy machine is no probe)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"noradsim serve exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(alive, timeout=10) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"noradsim serve did not answer on {url} within {START_TIMEOUT_S} s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    assert "Traceback" not in log_path.read_text(), log_path.read_text()[-3000:]


@pytest.fixture(scope="session")
def context(playwright_api, tmp_path_factory):
    ctx = playwright_api.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, args=ARGS, headless=True,
        viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield ctx
    ctx.close()


class App:
    """One browser tab on the explorer, with the console errors it logged."""

    def __init__(self, page, url: str):
        self.page, self.url, self.errors = page, url, []
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.set_default_timeout(60_000)
        page.goto(url, timeout=300_000)
        page.get_by_text("Peak").first.wait_for(timeout=300_000)  # the Experiment page has run once

    def tab(self, title: str):
        self.page.locator(".bk-tab", has_text=title).first.click()
        return self.page

    def text(self, pattern):
        return self.page.get_by_text(pattern).first

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"explorer_{name}.png"
        self.page.wait_for_timeout(800)  # let the canvases paint
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def app(context, server):
    page = context.new_page()
    a = App(page, server)
    yield a
    page.close()
    assert not a.errors, a.errors
