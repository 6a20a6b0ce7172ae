"""Browser tests: Debian's chromium driven by Playwright for Python against a local stack this
session starts itself (DynamoDB Local in memory, `chalice local` and the same-origin web front on
free ports, the small e2e network), stopped at the end. Playwright never downloads a browser."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from infra.local.ddb_local import DynamoDBLocal, free_port  # noqa: E402

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
DIST = ROOT / "web" / "dist"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 360, "height": 780}
_DDB = DynamoDBLocal()


def pytest_configure(config):
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    _DDB.start()
    os.environ.update({
        "STAGE": "test", "TABLE_PREFIX": "ejso-test", "DDB_ENDPOINT": _DDB.endpoint,
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
        "CATALOGUE_CACHE_SECONDS": "0", "SMS_MODE": "log",
        # As the test stage of .chalice/config.json: a loaded CI machine must not turn a slow
        # CreateTable into a retried one ("preexisting table").
        "DB_READ_TIMEOUT_S": "20",
    })


def pytest_unconfigure(config):
    _DDB.stop()


def _wait_ok(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout}s")


@pytest.fixture(scope="session")
def base_url():
    """The same origin the citizen uses: the built app at `/`, the API at `/v1/*`."""
    assert (DIST / "index.html").is_file(), "the web client is not built: run `make web`"
    from tests.e2e import network
    network.seed()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    api_port, web_port = free_port(), free_port()
    procs = [subprocess.Popen(
        [sys.executable, "-m", "infra.local.chalice_local", "--stage", "test", "--host", "127.0.0.1",
         "--port", str(api_port), "--no-autoreload"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    procs.append(subprocess.Popen(
        [sys.executable, "-m", "infra.local.web_front", "--port", str(web_port), "--api", f"http://127.0.0.1:{api_port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    base = f"http://127.0.0.1:{web_port}"
    try:
        _wait_ok(f"{base}/v1/health", procs[0])
        yield base
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: run `make setup` (apt-get install chromium)"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, base_url):
    context = browser.new_context(viewport=PHONE, base_url=base_url, locale="fa-IR", timezone_id="Asia/Tehran",
                                  accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def axe_check(page, name: str) -> None:
    """axe-core from its npm package, evaluated in the page (CDP evaluation is not subject to the
    page's Content-Security-Policy); serious or critical violations fail the test."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5]}
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on the {name} page:\n{json.dumps(bad, ensure_ascii=False, indent=1)}"


def screenshot(page, name: str) -> None:
    """A phone-width picture of the page for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled", caret="hide")
