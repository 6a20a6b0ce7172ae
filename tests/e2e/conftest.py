"""Browser tests: Debian's chromium driven by Playwright for Python against a local stack this
session starts itself (DynamoDB Local in memory, `chalice local` and the same-origin web front on
free ports, the small e2e network), stopped at the end. Playwright never downloads a browser."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from infra.local.web_stack import WebStack  # noqa: E402

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 800}


# What the API answered to the browser, per route and status: the conformance run's reachability
# check counts it (tests/conformance).
STATUSES = ROOT / ".local" / "conformance" / "seen-e2e.jsonl"


@pytest.fixture(scope="session")
def stack():
    from infra.local import status_log
    from tests.e2e import network
    STATUSES.parent.mkdir(parents=True, exist_ok=True)
    STATUSES.write_text("", encoding="utf-8")
    os.environ[status_log.VARIABLE] = str(STATUSES)
    stack = WebStack(staff=network.STAFF)
    try:
        stack.start(network.seed)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def base_url(stack):
    """The same origin the citizen uses: the built app at `/`, the API at `/v1/*`."""
    return stack.base_url


class SmsLog:
    """The local SMS log the API writes in log mode (SMS_LOG_PATH of the stack): where a citizen's
    phone would have shown the one-time code."""

    def __init__(self, path: str):
        self.path = path

    def seen(self, mobile: str) -> int:
        from infra.local import sms_log
        return len(sms_log.codes_to(self.path, mobile))

    def code_after(self, mobile: str, seen: int) -> str:
        """The first code sent to `mobile` after the `seen` ones counted before asking."""
        from infra.local import sms_log
        return sms_log.wait_for_code(self.path, mobile, already=seen)

    def session(self, base_url: str, national_id: str, mobile: str) -> str:
        """A citizen session through the API itself (code asked, read here, verified)."""
        seen = self.seen(mobile)
        sent = requests.post(f"{base_url}/v1/otp", json={"national_id": national_id, "mobile": mobile}, timeout=10)
        assert sent.status_code == 202, sent.text
        verified = requests.post(f"{base_url}/v1/otp/verify", timeout=10, json={
            "challenge_id": sent.json()["challenge_id"], "code": self.code_after(mobile, seen)})
        assert verified.status_code == 200, verified.text
        return verified.json()["session"]


@pytest.fixture(scope="session")
def sms(stack):
    return SmsLog(stack.sms_log_path)


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


def _page(browser, base_url, timezone_id: str):
    context = browser.new_context(viewport=PHONE, base_url=base_url, locale="fa-IR", timezone_id=timezone_id,
                                  accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture()
def page(browser, base_url):
    """A phone in Tehran."""
    yield from _page(browser, base_url, "Asia/Tehran")


@pytest.fixture()
def page_abroad(browser, base_url):
    """A phone whose clock is in Berlin: a citizen abroad."""
    yield from _page(browser, base_url, "Europe/Berlin")


@pytest.fixture()
def staff_page(browser, base_url):
    """A factory: `staff_page(email, desktop=False)` -> a page signed in as that e2e staff account
    (tests/e2e/network.py STAFF) through /console/sign-in, on the console's home for its role."""
    from tests.e2e import network
    contexts, errors = [], []

    def open_signed_in(email: str, desktop: bool = False):
        context = browser.new_context(viewport=DESKTOP if desktop else PHONE, base_url=base_url, locale="fa-IR",
                                      timezone_id="Asia/Tehran", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in(page, email, network.STAFF_PASSWORD)
        page.wait_for_url(lambda url: "/console/sign-in" not in url)
        page.locator("[data-console-ready]").wait_for()
        return page

    yield open_signed_in
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def sign_in(page, email: str, password: str, next_path: str | None = None) -> None:
    """Fill in the console's sign-in page and send it (does not wait for the result)."""
    page.goto("/console/sign-in" + (f"?next={next_path}" if next_path else ""))
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form button[type=submit]").click()


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
    """A picture of the page for the README, at the page's own width (phone, or desktop for the consoles)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled", caret="hide")
