"""The office manager's console in the browser: the manager of OF-THR-1 signs in, declares a
remote-capable service in-person-only at the office and the citizens' remote suggestions stop
offering the office for it (and offer it again once declared back); the operators registry shows
what a lapsing licence does to the counters; hours, scorecard and statement pages; axe on each."""
from __future__ import annotations

import re
from datetime import timedelta

import requests
from playwright.sync_api import expect

from chalicelib.domain import calendar
from tests.e2e.conftest import axe_check, screenshot
from tests.e2e.network import MANAGER_ONLY_SERVICE

MANAGER = "manager-thr@ejso.local"
OFFICE = "OF-THR-1"


def remote_answer(base_url: str) -> tuple[set[str], dict | None]:
    """The offices the citizens' remote suggestions offer for the service, and when the network
    says remote work on it can start if none is open now."""
    r = requests.get(f"{base_url}/v1/suggestions", params={"service": MANAGER_ONLY_SERVICE, "mode": "remote",
                                                           "limit": 10}, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    return {i["office"]["office_id"] for i in body["items"] if i["office"]}, body["network_opens_at"]


def save_row(page, service_id: str, *, in_person: bool) -> None:
    row = page.locator(f'tr[data-service="{service_id}"]')
    box = row.locator(f"#inperson-{service_id}")
    box.check() if in_person else box.uncheck()
    row.get_by_role("button").click()
    expect(page.get_by_test_id("declared")).to_be_visible()


def test_a_manager_declares_a_service_in_person_only_and_remote_suggestions_drop_the_office(staff_page, base_url):
    places = requests.get(f"{base_url}/v1/places", params={"service": MANAGER_ONLY_SERVICE}, timeout=10).json()
    assert places["offices"] == 1  # only OF-THR-1 offers it (tests/e2e/network.py)
    before, opens = remote_answer(base_url)
    # Offered remotely: at once when the office is open with a remote counter, else from its next opening.
    assert OFFICE in before or opens is not None, (before, opens)

    page = staff_page(MANAGER, desktop=True)
    expect(page).to_have_url(re.compile(r"/console/office/manage$"))
    expect(page.get_by_test_id("office-glance")).to_be_visible()
    axe_check(page, "manager's home")
    screenshot(page, "console-manager-home")

    page.locator(".console-nav").get_by_role("link", name="خدمات دفتر").click()
    expect(page).to_have_url(re.compile(r"/console/office/manage/services$"))
    row = page.locator(f'tr[data-service="{MANAGER_ONLY_SERVICE}"]')
    expect(row.locator("td").nth(4)).to_have_text("بله")  # remote from this office, before
    axe_check(page, "manager's services")
    save_row(page, MANAGER_ONLY_SERVICE, in_person=True)
    expect(page.get_by_test_id("declared")).to_contain_text("خیر، فقط حضوری")
    expect(row.locator("td").nth(4)).to_have_text("خیر، فقط حضوری")
    screenshot(page, "console-manager-services")

    after, opens_after = remote_answer(base_url)
    assert OFFICE not in after and opens_after is None, (after, opens_after)
    office = requests.get(f"{base_url}/v1/offices/{OFFICE}", timeout=10).json()
    assert MANAGER_ONLY_SERVICE in office["in_person_required"]

    # A duration outside the catalogue's bounds is refused on the page, beside the field.
    row.locator(f"#duration-{MANAGER_ONLY_SERVICE}").fill("۹۹۹")
    row.get_by_role("button").click()
    expect(page.locator(".error-summary")).to_contain_text("دقیقه")
    axe_check(page, "manager's services with an error")
    row.locator(f"#duration-{MANAGER_ONLY_SERVICE}").fill("")

    # Declared remote again: the office is back in the answer as before.
    save_row(page, MANAGER_ONLY_SERVICE, in_person=False)
    again, opens_again = remote_answer(base_url)
    assert OFFICE in again or opens_again is not None, (again, opens_again)
    office = requests.get(f"{base_url}/v1/offices/{OFFICE}", timeout=10).json()
    assert MANAGER_ONLY_SERVICE not in office["in_person_required"]


def test_the_registry_shows_what_a_lapsing_licence_does_to_the_counters(staff_page):
    page = staff_page(MANAGER, desktop=True)
    page.goto("/console/office/manage/operators")
    expect(page.locator("h1")).to_have_text("کاربران و پروانه‌ها")
    today = calendar.now_tehran().date()
    soon, lapse = today + timedelta(days=20), today + timedelta(days=21)
    team = [("mgr-e2e-1", today + timedelta(days=400)), ("mgr-e2e-2", today + timedelta(days=400)),
            ("mgr-e2e-3", soon)]
    try:
        for operator_id, expiry in team:
            page.fill("#op-id", operator_id)
            page.fill("#op-licence", "LC-۱۲۳۴۵")
            page.fill("#op-expiry", expiry.isoformat())
            page.fill("#op-hours", "۶۰")
            page.check("#op-insured")
            page.locator("form.op-form button[type=submit]").click()
            expect(page.locator("#operators")).to_contain_text(operator_id)
        # three licensed operators for three counters today; from the day after the third licence ends, two
        expect(page.get_by_test_id("bookable")).to_have_text("۳")
        change = page.get_by_test_id("capacity-changes")
        expect(change).to_contain_text("mgr-e2e-3")
        expect(change.locator(f'li[data-date="{lapse.isoformat()}"]')).to_contain_text("از ۳ به ۲")
        axe_check(page, "manager's operators")
        screenshot(page, "console-manager-operators")
    finally:
        # The other tests book at OF-THR-1 with its declared counters: the registry is left empty again.
        for operator_id, _ in team:
            button = page.get_by_role("button", name=f"حذف {operator_id}")
            if button.count():
                button.click()
                expect(page.get_by_text(f"کاربر {operator_id} حذف شد")).to_be_visible()
    expect(page.get_by_text("کاربری ثبت نشده است")).to_be_visible()


def test_hours_scorecard_and_statement_pages(staff_page):
    page = staff_page(MANAGER, desktop=True)
    page.goto("/console/office/manage/hours")
    expect(page.locator("#hours-sat")).to_have_value("08:00-12:00")
    page.fill("#hours-sun", "12:00-08:00")
    page.get_by_role("button", name="ذخیره ساعات کاری").click()
    expect(page.locator(".error-summary")).to_contain_text("یکشنبه")
    axe_check(page, "manager's hours with an error")
    page.fill("#hours-sun", "08:00-12:00")
    page.get_by_role("button", name="ذخیره ساعات کاری").click()
    expect(page.get_by_text("ساعات کاری ذخیره شد", exact=False)).to_be_visible()
    # Closing a day: the page says how many bookings it cancels before it does; then it is listed, and reopened.
    day = calendar.now_tehran().date() + timedelta(days=60)
    if day.weekday() == 4:  # Friday is closed anyway
        day += timedelta(days=1)
    page.fill("#close-day", calendar.to_jalali(day))
    page.fill("#close-reason", "تعمیرات ساختمان")
    page.get_by_role("button", name="بررسی نوبت‌های این روز").click()
    expect(page.get_by_test_id("closure-preview")).to_contain_text("۰ نوبت لغو می‌شود")
    axe_check(page, "manager's hours, a closure to confirm")
    page.get_by_role("button", name="تعطیل کن و نوبت‌ها را لغو کن").click()
    expect(page.get_by_test_id("closed")).to_be_visible()
    expect(page.locator("#closures")).to_contain_text("تعمیرات ساختمان")
    axe_check(page, "manager's hours")
    screenshot(page, "console-manager-hours")
    page.locator("#closures").get_by_role("button").click()
    expect(page.get_by_text("روز تعطیلی اعلام نشده است")).to_be_visible()

    page.goto("/console/office/manage/scorecard")
    expect(page.locator("h1")).to_have_text("کارنامه رتبه‌بندی")
    expect(page.locator("[data-testid=scorecard], .notice").first).to_be_visible()
    axe_check(page, "manager's scorecard")
    screenshot(page, "console-manager-scorecard")

    page.goto("/console/office/manage/statement")
    expect(page.locator("[data-testid=statement], [data-testid=statement-empty]").first).to_be_visible()
    axe_check(page, "manager's statement")
    screenshot(page, "console-manager-statement")
