"""End to end: the policy explorer in a real headless browser, against ``kamsim compare``.

The test starts ``kamsim explore --port P --dataset small`` in a subprocess on a free
127.0.0.1 port, drives Debian's Chromium (``apt-get install chromium``) with Playwright's
Python package through ``executable_path`` — no ``playwright install``, no browser
download — loads the page, picks two policies, sets a tiny run (2 months, 2
replications), runs it, waits for the figure and downloads the results zip.  Its
``paired.csv`` must equal ``kamsim.compare`` with the same seed.  A second tab opened
afterwards must show a fresh form and no result (one session, one state).  Where Chromium,
Playwright or Panel is missing the test is skipped with the reason; it never passes
without running.  ``KAMSIM_EXPLORER_SCREENSHOT=path.png`` also saves a screenshot.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

import kamsim

ROOT = Path(__file__).resolve().parents[1]
SEED = 3
MONTHS = 2
REPLICATIONS = 2
POLICIES = ("status_quo", "blanket")


def chromium_executable() -> str | None:
    """Debian's Chromium (or ``$KAMSIM_CHROMIUM``), or ``None``."""
    candidates = [os.environ.get("KAMSIM_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  "/usr/bin/chromium"]
    return next((c for c in candidates if c and os.path.isfile(c) and os.access(c, os.X_OK)), None)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def browser_path() -> str:
    path = chromium_executable()
    if path is None:
        pytest.skip("no Chromium executable (looked for $KAMSIM_CHROMIUM, chromium, chromium-browser, "
                    "/usr/bin/chromium); install it with: apt-get install -y chromium")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip('the Python package playwright is not installed (pip install -e ".[dev]")')
    if importlib.util.find_spec("panel") is None:
        pytest.skip('Panel is not installed (pip install -e ".[explore]")')
    return path


@pytest.fixture(scope="module")
def server(browser_path: str, tmp_path_factory: pytest.TempPathFactory):
    """``kamsim explore --port P --dataset small`` in a subprocess; yields the URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("explore") / "server.log"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kamsim", "explore", "--port", str(port), "--dataset", "small"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"kamsim explore exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"kamsim explore did not answer on {url} within 60 s:\n{log.read_text()}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def set_number(page, css: str, value: int) -> None:
    box = page.locator(f".{css} input")
    box.fill(str(value))
    box.press("Enter")


def pick_policies(page, wanted: tuple[str, ...]) -> None:
    labels = page.locator(".kx-policies label")
    for i in range(labels.count()):
        label = labels.nth(i)
        name = label.inner_text().strip()
        box = label.locator("input")
        if name in wanted:
            box.check()
        else:
            box.uncheck()


def test_explorer_in_a_browser_equals_kamsim_compare(server: str, browser_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    timings: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
            page.goto(server)
            page.locator(".kx-run button").wait_for(timeout=30_000)
            timings["page loaded"] = time.monotonic() - started

            pick_policies(page, POLICIES)
            set_number(page, "kx-months", MONTHS)
            set_number(page, "kx-replications", REPLICATIONS)
            set_number(page, "kx-seed", SEED)
            page.wait_for_timeout(300)  # let the last change reach the server
            page.locator(".kx-run button").click()

            plot = page.locator(".kx-plot img")
            plot.wait_for(state="visible", timeout=45_000)
            timings["result shown"] = time.monotonic() - started
            assert page.locator(".kx-plot img").evaluate("img => img.naturalWidth") > 300
            status = page.locator(".kx-status").evaluate("el => (el.shadowRoot || el).textContent")
            assert re.search(r"Done: 2 policies x 2 replications", status), status
            table = page.locator(".kx-table").evaluate("el => (el.shadowRoot || el).textContent")
            assert "Net margin" in table and "blanket" in table

            with page.expect_download(timeout=30_000) as download_info:
                page.locator(".kx-download button").click()
            download = download_info.value
            assert download.suggested_filename == "kamsim_comparison.zip"
            data = Path(download.path()).read_bytes()
            timings["zip downloaded"] = time.monotonic() - started
            screenshot = os.environ.get("KAMSIM_EXPLORER_SCREENSHOT")
            if screenshot:
                page.screenshot(path=screenshot, full_page=True)

            # a second tab is a session of its own: the form's defaults, no result of the first tab
            other = browser.new_page(viewport={"width": 1500, "height": 1100})
            other.goto(server)
            other.locator(".kx-run button").wait_for(timeout=30_000)
            assert other.locator(".kx-replications input").input_value() != str(REPLICATIONS)
            assert not other.locator(".kx-plot img").is_visible()
            assert page.locator(".kx-plot img").is_visible()
        finally:
            browser.close()

    archive = zipfile.ZipFile(io.BytesIO(data))
    paired_csv = archive.read("kamsim_comparison/paired.csv").decode("utf-8")
    assert "kamsim_comparison/comparison.png" in archive.namelist()
    assert "kamsim_comparison/scenario.yaml" in archive.namelist()
    readme = archive.read("kamsim_comparison/README.md").decode("utf-8")
    assert f"kamsim compare --scenario scenario.yaml --portfolio portfolio --policies {','.join(POLICIES)}" in readme

    expected = kamsim.compare(
        kamsim.Scenario(months=MONTHS), list(POLICIES), portfolio=kamsim.datasets.load("small"),
        replications=REPLICATIONS, seed=SEED, progress=False,
    )
    assert paired_csv == expected.paired().to_csv(index=False)
    timings["total"] = time.monotonic() - started
    print("explorer e2e timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
