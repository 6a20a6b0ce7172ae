"""The association's governance console in the browser, signed in through the local Cognito: an
administrator closes a day network-wide after seeing the bookings it cancels, rotates a partner's
signing secret (shown once) and retires the old one, proposes a new version of the routing
parameters, simulates a ranking policy; a provincial representative records complaints for their
province only. Every outcome is checked through the API; every page passes axe-core."""
from __future__ import annotations

import json
import re

import requests
from playwright.sync_api import expect

from tests.e2e.conftest import axe_check, screenshot

ADMIN = "admin@ejso.local"
REPRESENTATIVE = "rep-tehran@ejso.local"


def staff_token(page) -> str:
    """The signed-in administrator's ID token, as the console sends it (to check outcomes through the API)."""
    sent = {}

    def grab(request):
        if request.url.split("?")[0].endswith("/v1/admin/partners") and "authorization" in request.headers:
            sent["token"] = request.headers["authorization"]
    page.on("request", grab)
    page.goto("/console/association/partners")
    expect(page.locator("h1")).to_have_text("همکاران شبکه")
    # A locator, not wait_for_function: a string polled in the page is an eval, which the page's
    # Content-Security-Policy forbids (a JavaScript error whenever the table is not there at once).
    page.locator("#partners").wait_for(state="attached")
    page.remove_listener("request", grab)
    return sent["token"]


def book_on(base_url: str, sms, day, n: int) -> dict:
    """A citizen's booking on `day` through the public API (a session by SMS code, a hold, the booking)."""
    from tests.integration.fixtures import mobile, national_id
    nid, mob = national_id(8600 + n), mobile(8600 + n)  # clear of the operator tests' 81xx-83xx
    bearer = {"Authorization": f"Bearer {sms.session(base_url, nid, mob)}"}
    slots = requests.get(f"{base_url}/v1/offices/OF-THR-1/slots", params={"service": "S0004", "date": day.isoformat()},
                         timeout=10).json()["slots"]
    start = slots[n]["at"]
    hold = requests.post(f"{base_url}/v1/holds", headers=bearer, timeout=10,
                         json={"office_id": "OF-THR-1", "service_id": "S0004", "start": start})
    assert hold.status_code == 201, hold.text
    booked = requests.post(f"{base_url}/v1/bookings", headers={**bearer, "Idempotency-Key": f"gov-e2e-{n}"}, timeout=10,
                           json={"office_id": "OF-THR-1", "service_id": "S0004", "start": start,
                                 "hold_id": hold.json()["hold_id"], "national_id": nid, "mobile": mob})
    assert booked.status_code == 201, booked.text
    return booked.json()


def test_an_administrator_closes_a_day_after_seeing_the_bookings_it_cancels(staff_page, base_url, sms):
    from chalicelib.domain import calendar
    from chalicelib.domain.text import to_persian_digits
    from tests.integration.fixtures import next_open_day

    # A day far in the window, so the other browser tests' days stay open.
    day = next_open_day(skip=12)
    booking = book_on(base_url, sms, day, 1)
    page = staff_page(ADMIN, desktop=True)
    token = staff_token(page)
    try:
        page.goto("/console/association/calendar")
        expect(page.locator("h1")).to_have_text("تقویم شبکه")
        axe_check(page, "network calendar")
        year, month, dom = calendar.to_jalali(day).split("/")
        # Persian digits typed as a Persian keyboard would.
        page.get_by_label("سال").fill(to_persian_digits(year))
        page.get_by_label("ماه", exact=True).fill(to_persian_digits(str(int(month))))
        page.get_by_label("روز", exact=True).fill(to_persian_digits(str(int(dom))))
        page.get_by_label(re.compile("^بستن روز در همه دفترها")).check()
        page.get_by_label("علت یا نام روز (فارسی)").fill("عزای عمومی")
        with page.expect_response(lambda r: "/closure-preview" in r.url) as previewed:
            page.get_by_role("button", name="ادامه").click()
        assert previewed.value.status == 200
        preview = previewed.value.json()
        expect(page.locator("h1")).to_have_text("پیش از بستن روز، نوبت‌هایی را که لغو می‌شوند ببینید")
        # The citizen's booking is listed before anything changes; it is still booked.
        row = page.locator(f"tr[data-booking='{booking['booking_id']}']")
        expect(row).to_be_visible()
        expect(row).to_contain_text(booking["booking_id"])
        assert booking["booking_id"] in [i["booking_id"] for i in preview["items"]]
        assert requests.get(f"{base_url}/v1/bookings/{booking['booking_id']}", timeout=10,
                            headers={"X-Access-Code": booking["access_code"]}).json()["status"] == "BOOKED"
        confirm = page.get_by_role("button", name=re.compile("^بستن روز و لغو"))
        expect(confirm).to_contain_text(to_persian_digits(str(preview["bookings_to_cancel"])))
        axe_check(page, "network calendar: the bookings a closure cancels")
        screenshot(page, "console-association-governance-calendar-preview")

        with page.expect_response(lambda r: r.request.method == "PUT" and "/v1/admin/calendar/" in r.url) as closed:
            confirm.click()
        assert closed.value.status == 200
        expect(page.locator("#correction-done")).to_contain_text("در همه دفترها بسته شد")
        axe_check(page, "network calendar: done")
        stored = requests.get(f"{base_url}/v1/bookings/{booking['booking_id']}", timeout=10,
                              headers={"X-Access-Code": booking["access_code"]}).json()
        assert stored["status"] == "CANCELLED"
        after = requests.get(f"{base_url}/v1/admin/calendar/{day.isoformat()}/closure-preview",
                             headers={"Authorization": token}, timeout=10).json()
        assert after["closed"] is True and after["bookings_to_cancel"] == 0
    finally:
        # The day opens again for whatever runs after (its cancelled bookings stay cancelled).
        requests.delete(f"{base_url}/v1/admin/calendar/{day.isoformat()}", headers={"Authorization": token}, timeout=10)


def test_an_administrator_rotates_a_partner_secret_shown_once(staff_page, base_url):
    from tests.integration.remote_support import dumps, request_body, signed

    page = staff_page(ADMIN, desktop=True)
    page.goto("/console/association/partners")
    expect(page.locator("h1")).to_have_text("همکاران شبکه")
    axe_check(page, "partners")

    # Registered in the form: the first secret is shown once.
    page.get_by_label("شناسه همکار").fill("e2e-consulate")
    page.get_by_label("نام", exact=True).fill("کنسولگری آزمایشی")
    page.get_by_label("نوع همکار").select_option("consulate")
    with page.expect_response(lambda r: r.url.endswith("/v1/admin/partners/e2e-consulate")) as registered:
        page.get_by_role("button", name="ثبت همکار").click()
    assert registered.value.status == 201
    old = registered.value.json()["new_secret"]
    expect(page.locator("#new-secret")).to_have_text(old["secret"])
    page.get_by_role("button", name=re.compile("پنهان شود")).click()
    expect(page.locator("#new-secret")).to_have_count(0)

    # Rotated: the new secret is shown once, with what to do with it.
    row = page.locator("tr[data-partner='e2e-consulate']")
    with page.expect_response(lambda r: r.url.endswith("/v1/admin/partners/e2e-consulate/secrets")) as rotated:
        row.get_by_role("button", name="کلید تازه برای e2e-consulate").click()
    assert rotated.value.status == 201
    new = rotated.value.json()["new_secret"]
    expect(page.locator("#new-secret")).to_have_text(new["secret"])
    expect(page.get_by_text("فقط همین یک بار نشان داده می‌شود")).to_be_visible()
    axe_check(page, "partners: a new secret")
    screenshot(page, "console-association-governance-partners")
    # Never again: not after a reload, not in the registry the API lists.
    page.reload()
    expect(row).to_contain_text(new["id"])
    expect(page.locator("#new-secret")).to_have_count(0)
    assert new["secret"] not in page.content()

    # The old secret retired from the page (confirmed in the browser's dialog).
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.request.method == "DELETE") as retired:
        row.get_by_role("button", name=f"کنار گذاشتن کلید {old['id']} همکار e2e-consulate").click()
    assert retired.value.status == 200
    expect(row).not_to_contain_text(old["id"])

    # A delivery signed with the old secret is refused; with the new one it is accepted.
    payload = dumps({**request_body(8401), "partner_ref": "E2E-GOV-1"})
    url = f"{base_url}/v1/partners/e2e-consulate/requests"
    refused = requests.post(url, data=payload, headers=signed(old["secret"], payload), timeout=10)
    assert refused.status_code == 401, refused.text
    accepted = requests.post(url, data=payload, headers=signed(new["secret"], payload), timeout=10)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["partner_ref"] == "E2E-GOV-1"


def test_an_administrator_proposes_routing_parameters_and_simulates_a_ranking_policy(staff_page, base_url):
    page = staff_page(ADMIN, desktop=True)
    with page.expect_response(lambda r: r.url.endswith("/v1/admin/routing/params")) as read:
        page.goto("/console/association/routing")
    before = read.value.json()
    expect(page.locator("h1")).to_have_text("پارامترهای مسیریابی")
    axe_check(page, "routing parameters")
    # A parameter that changes no other test's outcome: how far an office looks into the queue.
    proposed = before["params"]["pull_scan_limit"] + 44
    page.get_by_label("مقدار پیشنهادی pull_scan_limit").fill(str(proposed))
    with page.expect_response(lambda r: r.request.method == "PUT") as adopted:
        page.locator("#propose").click()
    assert adopted.value.status == 200, adopted.value.text()
    expect(page.locator("#routing-adopted")).to_be_visible()
    after = adopted.value.json()
    assert after["number"] == before["number"] + 1 and after["params"]["pull_scan_limit"] == proposed
    assert json.loads(adopted.value.request.post_data) == {"expected_number": before["number"],
                                                         "changes": {"pull_scan_limit": proposed}}
    expect(page.locator("#routing-history tbody tr")).to_have_count(len(after["history"]))
    axe_check(page, "routing parameters: adopted")
    screenshot(page, "console-association-governance-routing")

    # The ranking policy simulator: the policy in force and a proposal; no ranking published yet in
    # this network, which the page says (the API's 404) rather than failing.
    page.goto("/console/association/policy")
    expect(page.locator("h1")).to_have_text("شبیه‌ساز سیاست رتبه‌بندی")
    axe_check(page, "ranking policy simulator")
    screenshot(page, "console-association-governance-policy")


def test_a_provincial_representative_records_complaints_only_in_their_province(staff_page, base_url):
    page = staff_page(REPRESENTATIVE, desktop=True)
    page.goto("/console/association/partners")
    # Partners are the administrators': the page explains instead of calling the API.
    expect(page.locator("h1")).not_to_have_text("همکاران شبکه")
    page.goto("/console/association/inputs")
    expect(page.locator("h1")).to_have_text("شکایات و بازرسی‌ها")
    expect(page.get_by_text("نماینده استان Tehran")).to_be_visible()
    axe_check(page, "complaints and inspections")
    form = page.locator("#complaints")

    def record(office: str, reference: str):
        form.get_by_label("شناسه دفتر").fill(office)
        form.get_by_label("ماه (شمسی)").fill("۱۴۰۵/۰۸")
        form.get_by_label("شمار شکایت‌های واردشده").fill("۲")
        form.get_by_label("شماره پرونده یا گزارش").fill(reference)
        with page.expect_response(lambda r: "/complaints" in r.url) as sent:
            form.get_by_role("button", name="ثبت").click()
        return sent.value

    outside = record("OF-KRJ-1", "CMP-E2E-1")
    assert outside.status == 404
    expect(form.locator(".refusal")).to_be_visible()
    inside = record("OF-THR-1", "CMP-E2E-2")
    assert inside.status == 200, inside.text()
    assert inside.json()["recorded"] is True
    expect(page.locator("#complaints-done")).to_contain_text("OF-THR-1")
    axe_check(page, "complaints and inspections: recorded")
    screenshot(page, "console-association-governance-inputs")
