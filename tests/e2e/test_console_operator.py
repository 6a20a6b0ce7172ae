"""The office operator's console in the browser: staff sign-in through the stack's own
cognito-local pool, the operator's day (check-in with the national ID re-entered, complete), the
counter (a walk-in ticket, call next, served), the remote work (open counters, take the next
request, start, complete with a note), and an operator of another office refused. Every page is
checked with axe; what the pages did is checked through the API as well."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import axe_check, screenshot, sign_in
from tests.e2e.network import STAFF_PASSWORD

THR, KRJ = "op-thr@ejso.local", "op-krj@ejso.local"


def operator_headers(stack, email: str) -> dict[str, str]:
    """The API's own view, with the operator's ID token from the same pool the page signed in to."""
    from infra.local import cognito
    return {"Authorization": f"Bearer {cognito.sign_in(stack.pool, email)['IdToken']}"}


def book(base_url, sms, n: int, day: str, start: str | None = None) -> dict:
    """A booking at OF-THR-1 through the public API (a citizen's session, a hold, the booking)."""
    from tests.integration.fixtures import mobile, national_id
    if start is None:
        slots = requests.get(f"{base_url}/v1/offices/OF-THR-1/slots", params={"service": "S0004", "date": day},
                             timeout=10).json()["slots"]
        start = slots[0]["at"]
    citizen_id, citizen_mobile = national_id(n), mobile(n)
    bearer = {"Authorization": f"Bearer {sms.session(base_url, citizen_id, citizen_mobile)}"}
    hold = requests.post(f"{base_url}/v1/holds", headers=bearer, timeout=10,
                         json={"office_id": "OF-THR-1", "service_id": "S0004", "start": start})
    assert hold.status_code == 201, hold.text
    booked = requests.post(f"{base_url}/v1/bookings", headers={**bearer, "Idempotency-Key": f"console-e2e-{n}"},
                           timeout=10, json={"office_id": "OF-THR-1", "service_id": "S0004", "start": start,
                                             "hold_id": hold.json()["hold_id"], "national_id": citizen_id,
                                             "mobile": citizen_mobile})
    assert booked.status_code == 201, booked.text
    return {**booked.json(), "national_id_typed": citizen_id}


def todays_booking(n: int) -> dict:
    """A booking for today at OF-THR-1, as a citizen made it yesterday: check-in happens on the
    booking's day, and the API books from tomorrow on (no same-day booking), so the booking use case
    behind POST /v1/bookings books it here with its clock set to yesterday."""
    from chalicelib.domain import calendar
    from chalicelib.schemas import BookingIn
    from chalicelib.services import bookings
    from tests.integration.fixtures import HOURS, mobile, national_id
    today = calendar.now_tehran().date()
    intervals = calendar.opening_intervals(today, HOURS)
    if not intervals:
        pytest.skip("OF-THR-1 is closed today (Friday or a holiday): no booking can be checked in today")
    opens: datetime = intervals[0][0]
    created = bookings.book(BookingIn(office_id="OF-THR-1", service_id="S0004", start=opens.isoformat(),
                                      national_id=national_id(n), mobile=mobile(n)), now=opens - timedelta(days=1))
    return {**created, "national_id_typed": national_id(n)}


def remote_request(base_url, sms, n: int) -> dict:
    """A remote request through the public API, preferring OF-THR-1 (its office queue)."""
    from tests.integration.fixtures import mobile, national_id
    citizen_id, citizen_mobile = national_id(n), mobile(n)
    bearer = {"Authorization": f"Bearer {sms.session(base_url, citizen_id, citizen_mobile)}"}
    sent = requests.post(f"{base_url}/v1/requests", timeout=10,
                         headers={**bearer, "Idempotency-Key": f"console-remote-{n}"},
                         json={"service_id": "S0001", "national_id": citizen_id, "mobile": citizen_mobile,
                               "description": "درخواست ثبت دادخواست از میز کار", "preferred_office_id": "OF-THR-1"})
    assert sent.status_code == 201, sent.text
    return sent.json()


def test_an_operator_signs_in_and_lands_on_the_office_day(staff_page):
    page = staff_page(THR, desktop=True)
    expect(page).to_have_url(re.compile(r"/console/office$"))
    expect(page.locator(".console-bar")).to_contain_text(THR)
    expect(page.locator(".console-bar")).to_contain_text("OF-THR-1")
    axe_check(page, "operator's day")


def test_a_wrong_password_is_refused_on_the_sign_in_page(page):
    sign_in(page, THR, STAFF_PASSWORD + "x")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("ایمیل یا گذرواژه درست نیست")
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
    expect(page).to_have_title(re.compile("^خطا"))
    axe_check(page, "staff sign-in with an error")
    screenshot(page, "console-sign-in-error")


def test_a_console_page_sends_a_stranger_to_sign_in_and_back(page):
    page.goto("/console/office/remote")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?next=%2Fconsole%2Foffice%2Fremote$"))
    axe_check(page, "staff sign-in")
    page.fill("#email", THR)
    page.fill("#password", STAFF_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console/office/remote$"))
    page.locator("[data-console-ready]").wait_for()
    # Signing out ends the session: the console asks to sign in again.
    page.get_by_role("button", name="خروج").click()
    expect(page).to_have_url(re.compile(r"/console/sign-in$"))
    page.goto("/console/office")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?next="))


def test_an_operator_checks_in_and_completes_a_booking(staff_page, stack, base_url, sms):
    booking = todays_booking(8101)
    booking_id = booking["booking_id"]
    page = staff_page(THR, desktop=True)
    due = page.locator("#day-due")
    expect(due).to_contain_text(booking_id)
    axe_check(page, "operator's day")
    screenshot(page, "console-operator-today")

    page.get_by_role("link", name=f"پذیرش نوبت {booking_id}").click()
    expect(page).to_have_url(re.compile(f"/console/office/bookings/{booking_id}$"))
    # A national ID that is not the booking's is refused beside the field.
    from tests.integration.fixtures import national_id
    page.fill("#national_id", national_id(8102))
    page.get_by_role("button", name="پذیرش", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("کد ملی با نوبت مطابقت ندارد")
    axe_check(page, "check-in with a wrong national ID")
    page.fill("#national_id", booking["national_id_typed"])
    page.get_by_role("button", name="پذیرش", exact=True).click()
    expect(page.locator("#booking-status")).to_have_attribute("data-status", "CHECKED_IN")
    expect(page.locator(".panel")).to_contain_text("شماره نوبت صف")
    axe_check(page, "checked in")
    screenshot(page, "console-operator-check-in")
    own = {"X-Access-Code": booking["access_code"]}
    assert requests.get(f"{base_url}/v1/bookings/{booking_id}", headers=own, timeout=10).json()["status"] == \
        "CHECKED_IN"

    # Back on the day list it is checked in (and waiting at the desk); complete it there.
    page.get_by_role("link", name="نوبت‌های امروز").first.click()
    checked_in = page.locator("#day-checked-in")
    expect(checked_in).to_contain_text(booking_id)
    page.get_by_role("button", name=f"ثبت انجام نوبت {booking_id}").click()
    expect(page.locator("#day-served")).to_contain_text(booking_id)
    served = page.locator("#count-served dd")
    expect(served).not_to_have_attribute("data-count", "0")
    assert requests.get(f"{base_url}/v1/bookings/{booking_id}", headers=own, timeout=10).json()["status"] == \
        "COMPLETED"
    day = requests.get(f"{base_url}/v1/office/bookings", headers=operator_headers(stack, THR), timeout=10).json()
    assert int(served.get_attribute("data-count")) == sum(b["status"] == "COMPLETED" for b in day["items"])


def test_an_operator_serves_a_walk_in_at_the_counter(staff_page, stack, base_url):
    page = staff_page(THR, desktop=True)
    page.get_by_role("link", name="باجه و مراجعان حضوری").click()
    expect(page).to_have_url(re.compile(r"/console/office/desk$"))
    page.locator("#service option[value=S0004]").wait_for(state="attached")
    page.select_option("#service", "S0004")
    page.get_by_role("button", name="صدور نوبت").click()
    issued = page.locator("#issued-ticket .code")
    expect(issued).to_be_visible()
    label = issued.inner_text()
    api = operator_headers(stack, THR)
    line = requests.get(f"{base_url}/v1/office/tickets", headers=api, timeout=10).json()
    ticket = next(x for x in line["items"] if x["label_fa"] == label)
    assert ticket["status"] == "WAITING" and ticket["kind"] == "walk_in"
    expect(page.locator("#desk-line")).to_contain_text(label)
    expect(page.locator("#count-waiting dd")).to_have_attribute("data-count", str(line["waiting"]))
    axe_check(page, "the counter")

    page.fill("#counter", "2")
    page.get_by_role("button", name="فراخوان نفر بعد").click()
    at_counter = page.locator("#at-counter")
    expect(at_counter).to_contain_text(label)
    screenshot(page, "console-operator-desk")
    page.get_by_role("button", name="ثبت انجام", exact=True).click()
    expect(at_counter).to_have_count(0)
    after = requests.get(f"{base_url}/v1/office/tickets", headers=api, timeout=10).json()
    served = next(x for x in after["items"] if x["number"] == ticket["number"])
    assert served["status"] == "SERVED" and served["counter"] == 2
    expect(page.locator("#count-served dd")).to_have_attribute("data-count", str(after["served"]))
    axe_check(page, "the counter after serving")


def take_next(page) -> None:
    """Press "take the next request" and land on the request taken. A pull is several consistent
    reads and a transaction through `chalice local`: on a machine busy with other work it can take
    longer than expect's default 5 s. When it lands nowhere, the failure says what the page said
    instead (the queue is empty, or a refusal with its status) and the counters it showed."""
    page.get_by_role("button", name="برداشتن درخواست بعدی").click()
    try:
        expect(page).to_have_url(re.compile(r"/console/office/requests/RQ\w+$"), timeout=15_000)
    except AssertionError as exc:
        said = [f"{sel}: {page.locator(sel).first.inner_text()}" for sel in (".notice", ".refusal")
                if page.locator(sel).count()]
        counts = {key: page.locator(f"#count-{key} dd").first.get_attribute("data-count")
                  for key in ("open", "busy", "held") if page.locator(f"#count-{key} dd").count()}
        exc.add_note(f"the page said instead: {said or 'nothing'}; counters {counts}")
        raise


def test_an_operator_takes_and_completes_a_remote_request(staff_page, stack, base_url, sms):
    sent = remote_request(base_url, sms, 8201)
    code = sent["tracking_code"]
    page = staff_page(THR, desktop=True)
    page.get_by_role("link", name="درخواست‌های غیرحضوری").click()
    expect(page).to_have_url(re.compile(r"/console/office/remote$"))
    page.fill("#open_counters", "۱")
    page.get_by_role("button", name="ثبت تعداد باجه‌ها").click()
    expect(page.locator("#count-open dd")).to_have_attribute("data-count", "1")
    axe_check(page, "remote work")
    screenshot(page, "console-operator-remote")
    # The queue gives the earliest deadline first: a request sent earlier in this session (the
    # citizen's tests) may come before ours; each one taken is worked to the end, through the page.
    status = page.locator("#request-status")
    for _ in range(5):
        take_next(page)
        expect(status).to_have_attribute("data-status", "ASSIGNED")
        page.get_by_role("button", name="شروع کار").click()
        expect(status).to_have_attribute("data-status", "IN_PROGRESS")
        if page.url.endswith(code):
            break
        page.get_by_role("button", name="ثبت انجام", exact=True).click()
        expect(status).to_have_attribute("data-status", "COMPLETED")
        page.get_by_role("link", name="درخواست‌های غیرحضوری").first.click()
    assert page.url.endswith(f"/console/office/requests/{code}")
    page.fill("#note", "دادخواست با شماره ۱۲۳۴ ثبت شد")
    axe_check(page, "a remote request in progress")
    screenshot(page, "console-operator-request")
    page.get_by_role("button", name="ثبت انجام", exact=True).click()
    expect(status).to_have_attribute("data-status", "COMPLETED")
    axe_check(page, "a completed remote request")

    # The citizen reads the outcome and the note; the office's counter is free again.
    seen = requests.get(f"{base_url}/v1/requests/{code}", headers={"X-Access-Code": sent["access_code"]},
                        timeout=10).json()
    assert seen["status"] == "COMPLETED" and seen["reason"] == "دادخواست با شماره ۱۲۳۴ ثبت شد"
    counters = requests.get(f"{base_url}/v1/office/counters", headers=operator_headers(stack, THR), timeout=10).json()
    assert (counters["open"], counters["busy"]) == (1, 0)


def test_an_operator_of_another_office_is_refused_and_told_why(staff_page, stack, base_url, sms):
    from tests.integration.fixtures import next_open_day
    booking = book(base_url, sms, 8301, next_open_day().isoformat())
    sent = remote_request(base_url, sms, 8302)
    theirs = operator_headers(stack, KRJ)
    assert requests.get(f"{base_url}/v1/office/bookings/{booking['booking_id']}", headers=theirs,
                        timeout=10).status_code == 404
    assert requests.get(f"{base_url}/v1/office/requests/{sent['tracking_code']}", headers=theirs,
                        timeout=10).status_code == 404

    page = staff_page(KRJ, desktop=True)
    page.goto(f"/console/office/bookings/{booking['booking_id']}")
    refusal = page.locator(".refusal")
    expect(refusal).to_have_attribute("data-status", "404")
    expect(refusal).to_contain_text("چنین نوبتی در دفتر شما وجود ندارد")
    expect(refusal).to_contain_text("این مورد در دفتر (یا استان) شما نیست")
    expect(page.locator("#national_id")).to_have_count(0)  # nothing to act on
    axe_check(page, "another office's booking")
    screenshot(page, "console-operator-refused")
    page.goto(f"/console/office/requests/{sent['tracking_code']}")
    expect(page.locator(".refusal")).to_contain_text("چنین درخواستی در دفتر شما وجود ندارد")
    axe_check(page, "another office's request")
