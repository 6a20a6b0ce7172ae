"""A citizen books in the browser, in Persian, from the search to the cancellation, through the
public API only; every page visited passes axe-core with no serious or critical violation."""
from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.e2e.conftest import axe_check, screenshot

PERSIAN_DIGITS = re.compile("[۰-۹]")
BAD_NATIONAL_ID = "0012345678"  # ten digits, wrong check digit
GOOD_NATIONAL_ID = "0012345679"
MOBILE = "09121234567"


MONTHS_FA = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
WEEKDAYS_FA = {"sat": "شنبه", "sun": "یکشنبه", "mon": "دوشنبه", "tue": "سه‌شنبه", "wed": "چهارشنبه", "thu": "پنجشنبه",
               "fri": "جمعه"}


def expected_opening() -> str:
    """What the suggestion card must say about the office being open, from the network's own
    calendar (holidays included) and the e2e offices' hours, at this moment in Tehran."""
    from datetime import timedelta

    from chalicelib.domain import calendar
    from chalicelib.domain.text import to_persian_digits
    from tests.integration.fixtures import HOURS

    now = calendar.now_tehran()
    for i in range(8):
        day = now.date() + timedelta(days=i)
        for opens, closes in calendar.opening_intervals(day, HOURS):
            if opens <= now < closes:
                return f"اکنون باز است تا ساعت {to_persian_digits(closes.strftime('%H:%M'))}"
            if now < opens:
                # «فردا، شنبه ۸ آذر، ساعت ۰۸:۰۰»: the day in Jalali, Persian digits
                weekday, month = WEEKDAYS_FA[calendar.weekday_key(day)], calendar.to_jalali(day).split("/")
                date_fa = f"{weekday} {to_persian_digits(str(int(month[2])))} {MONTHS_FA[int(month[1]) - 1]}"
                at = to_persian_digits(opens.strftime("%H:%M"))
                when = f"امروز ساعت {at}" if i == 0 else f"فردا، {date_fa}، ساعت {at}" if i == 1 else \
                    f"{date_fa}، ساعت {at}"
                return f"اکنون بسته است؛ باز می‌شود {when}"
    raise AssertionError("the e2e offices never open")


def search(page, text: str) -> None:
    page.get_by_label("جست‌وجوی خدمت").fill(text)
    page.get_by_role("button", name="جست‌وجو").click()


def test_search_folds_spellings_and_shows_mode_duration_tariff(page, base_url):
    from chalicelib.domain.text import to_persian_digits

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # Keyboard: the first Tab reaches the skip link, which takes the focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="رفتن به محتوای اصلی")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    axe_check(page, "home")
    # Persian digits in the query, Latin in the query: the same service (its name has «۱۰»).
    for typed in ("تا ۱۰ برگ", "تا 10 برگ", "رونوشت برابر اصل تا ١٠"):  # the last: Arabic-Indic digits
        search(page, typed)
        expect(page.locator(".service")).to_have_count(1)
        expect(page.locator(".service h3")).to_have_text("رونوشت برابر اصل تا ۱۰ برگ")
    card = page.locator(".service")
    expect(card).to_contain_text("حضوری")
    expect(card).to_contain_text("۱۰ دقیقه")
    expect(card).to_contain_text("۱۵۰٬۰۰۰ ریال")
    # The zero-width non-joiner, a space or nothing: the same service.
    for typed in ("ثبت‌نام", "ثبت نام", "ثبتنام", "ثبت‌نام".replace("ی", "ي")):
        search(page, typed)
        expect(page.locator(".service h3")).to_have_text(["ثبت‌نام سامانه ثنا"])
    # «ثنا»: SANA registration before the service for parties without SANA.
    search(page, "ثنا")
    expect(page.locator(".service h3")).to_have_text(["ثبت‌نام سامانه ثنا", "ابلاغ کاغذی اخطاریه به طرف فاقد حساب ثنا"])
    # A query for something that is not there says so.
    search(page, "گواهینامه رانندگی")
    expect(page.get_by_text("خدمتی با این نام پیدا نشد", exact=False)).to_be_visible()
    # Browse by category: the categories the API names and counts.
    page.goto("/")
    categories = requests.get(f"{base_url}/v1/categories", timeout=10).json()["items"]
    links = page.locator(".categories li")
    expect(links).to_have_count(len(categories))
    notices = next(c for c in categories if c["category"] == "notices")
    expect(links.filter(has_text=notices["name_fa"])).to_contain_text(f"({to_persian_digits(str(notices['services']))} خدمت)")
    page.get_by_role("link", name="ابلاغ اوراق قضایی").click()
    expect(page.locator("h1")).to_have_text("ابلاغ اوراق قضایی")
    expect(page.locator(".service h3")).to_have_count(notices["services"])
    expect(page.locator(".service h3").first).to_have_text("دریافت ابلاغیه")
    page.goto("/")
    page.get_by_role("link", name="ثبت‌نام سامانه ثنا").click()
    expect(page.locator("h1")).to_have_text("ثبت‌نام سامانه ثنا")
    expect(page.locator(".service h3")).to_have_text(["ثبت‌نام سامانه ثنا"])
    axe_check(page, "category")


def test_book_then_cancel(page, base_url, sms):
    from datetime import date

    from chalicelib.domain import calendar
    from chalicelib.domain.text import to_persian_digits

    # Find, typed with the Arabic yeh (ي) as many keyboards send it.
    page.goto("/")
    search(page, "دريافت ابلاغيه")
    expect(page.locator(".service h3")).to_have_text(["دریافت ابلاغیه"])
    expect(page).to_have_title(re.compile("^کدام خدمت را لازم دارید؟"))
    screenshot(page, "1-find")
    page.locator(".service h3 a").click()

    # Where to go: the city, then the suggestions with their parts, tier and the API's explanation.
    expect(page.locator("h1")).to_have_text("کجا مراجعه می‌کنید؟")
    # The city picker lists the provinces and cities where an office offers the service.
    places = requests.get(f"{base_url}/v1/places", params={"service": "S0004"}, timeout=10).json()
    picker = page.get_by_label("شهر", exact=True)
    expect(picker.locator("optgroup")).to_have_count(len(places["items"]))
    expect(picker.locator("optgroup").first).to_have_attribute("label", places["items"][0]["province_fa"])
    picker.select_option("کرج")
    page.get_by_role("button", name="نمایش دفترها").click()
    cards = page.locator(".suggestion")
    expect(cards.first).to_be_visible()
    api = requests.get(f"{base_url}/v1/suggestions", params={"service": "S0004", "city": "کرج", "limit": 5}, timeout=10).json()
    expect(cards).to_have_count(len(api["items"]))
    first = api["items"][0]
    expect(cards.first.locator(".explanation")).to_have_text(first["explanation_fa"])
    expect(cards.first.locator("h3")).to_contain_text(first["office"]["name_fa"])
    for part in ("انتظار", "انجام خدمت", "جریمه کیفیت", "رفت‌وآمد", "جمع", "فاصله", "رتبه دفتر"):
        expect(cards.first.locator("dt", has_text=part)).to_have_count(1)
    expect(cards.first.locator(".facts")).to_contain_text(PERSIAN_DIGITS)
    expect(cards.first.locator(".opening")).to_have_text(expected_opening())
    # The drawing has one mark per suggested office, and nothing was fetched from a tile server.
    expect(page.locator(".office-map__office")).to_have_count(len(api["items"]))
    axe_check(page, "where to go")
    screenshot(page, "2-where")
    cards.first.get_by_role("link", name=re.compile("^دیدن روزها و ساعت‌های")).click()

    # The office's days: a Jalali calendar; the first open day.
    expect(page.locator("h1")).to_have_text("کدام روز؟")
    expect(page.locator(".calendar caption").first).to_contain_text(PERSIAN_DIGITS)
    axe_check(page, "days")
    screenshot(page, "3-days")
    day = page.locator(".calendar__open a").first
    day_label = day.get_attribute("aria-label")  # "انتخاب سه‌شنبه ۱۰ آذر ۱۴۰۵", by the browser's Persian calendar
    day.click()

    # Free times: the legend is written from the API's own Jalali date and must name the same day.
    expect(page.locator("h1")).to_have_text("چه ساعتی؟")
    legend = page.locator("legend")
    expect(legend).to_have_text(f"ساعت‌های آزاد {day_label.removeprefix('انتخاب ')}")
    axe_check(page, "times")
    screenshot(page, "4-times")
    page.locator(".time label").first.click()
    page.get_by_role("button", name="نگه‌داشتن این نوبت و ادامه").click()

    # The mobile check before the hold (holds need the citizen's session). A bad national ID: the
    # API's Persian error beside the field, a summary at the top with the focus on it, and the
    # title prefixed with «خطا:».
    expect(page.locator("h1")).to_have_text("تأیید شماره همراه")
    expect(page).to_have_title(re.compile("^تأیید شماره همراه"))
    axe_check(page, "mobile check")
    page.get_by_label("کد ملی").fill(BAD_NATIONAL_ID)
    page.get_by_label("شماره تلفن همراه").fill(to_persian_digits(MOBILE))  # Persian digits are accepted
    with page.expect_response(lambda r: r.url.endswith("/v1/otp")) as refused:
        page.get_by_role("button", name="فرستادن کد").click()
    assert refused.value.status == 422
    message_fa = next(e["message_fa"] for e in refused.value.json()["errors"] if e["field"] == "national_id")
    expect(page.locator("#national_id-error")).to_contain_text(message_fa)
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("مشکلی وجود دارد")
    expect(page.locator(".error-summary a")).to_have_text([message_fa])
    expect(page).to_have_title(re.compile("^خطا: "))
    expect(page.get_by_label("کد ملی")).to_have_attribute("aria-invalid", "true")
    axe_check(page, "mobile check (error)")
    screenshot(page, "5-mobile-check-error")

    # Fixed: the code goes by SMS (read here from the local SMS log).
    page.get_by_label("کد ملی").fill(GOOD_NATIONAL_ID)
    seen = sms.seen(MOBILE)
    with page.expect_response(lambda r: r.url.endswith("/v1/otp")) as sent:
        page.get_by_role("button", name="فرستادن کد").click()
    assert sent.value.status == 202
    code = sms.code_after(MOBILE, seen)
    field = page.get_by_label("کد تأیید")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    expect(field).to_have_attribute("inputmode", "numeric")
    expect(page.get_by_role("status")).to_contain_text(to_persian_digits(sent.value.json()["mobile"]))
    # The resend waits, counting down in Persian digits.
    expect(page.get_by_test_id("resend-wait")).to_contain_text(re.compile("[۰-۹]:[۰-۵][۰-۹]"))
    expect(page.get_by_role("button", name="فرستادن دوباره کد")).to_have_count(0)
    axe_check(page, "mobile check (code)")
    screenshot(page, "6-mobile-check-code")
    # A wrong code: the tries left, in Persian, beside the field.
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    field.fill(wrong)
    with page.expect_response(lambda r: r.url.endswith("/v1/otp/verify")) as missed:
        page.get_by_role("button", name="تأیید کد").click()
    assert missed.value.status == 422
    tries_left = missed.value.json()["tries_left"]
    expect(page.locator("#code-error")).to_contain_text(f"{to_persian_digits(str(tries_left))} بار دیگر")
    expect(field).to_have_attribute("aria-invalid", "true")
    axe_check(page, "mobile check (wrong code)")
    # The right code, typed in Persian digits: verified, then the time is held with the session.
    field.fill(to_persian_digits(code))
    with page.expect_response(lambda r: r.url.endswith("/v1/holds")) as held:
        page.get_by_role("button", name="تأیید کد").click()
    assert held.value.status == 201
    session = held.value.request.headers["authorization"].removeprefix("Bearer ")
    assert session and session != held.value.request.headers["authorization"]
    # The session stays in this tab: never in localStorage, never in a URL.
    assert session not in page.evaluate("JSON.stringify(localStorage)")
    assert session in page.evaluate("JSON.stringify(sessionStorage)")

    # Your details: the verified national ID and mobile are shown, not asked again.
    expect(page.locator("h1")).to_have_text("مشخصات شما")
    expect(page.get_by_test_id("verified-citizen")).to_contain_text(to_persian_digits(GOOD_NATIONAL_ID))
    page.get_by_label("نام و نام خانوادگی (اختیاری)").fill("مریم احمدی")
    axe_check(page, "your details")
    page.get_by_role("button", name="ادامه").click()

    # Check your answers, then book (with the session).
    expect(page.locator("h1")).to_have_text("پیش از ثبت، پاسخ‌هایتان را بررسی کنید")
    expect(page.locator(".summary")).to_contain_text("۰۰۱۲۳۴۵۶۷۹")
    axe_check(page, "check your answers")
    screenshot(page, "7-check")
    with page.expect_response(lambda r: r.url.endswith("/v1/bookings")) as booked:
        page.get_by_role("button", name="ثبت نوبت").click()
    assert booked.value.status == 201
    assert booked.value.request.headers.get("idempotency-key")
    assert booked.value.request.headers["authorization"] == f"Bearer {session}"
    created = booked.value.json()

    # Confirmation: tracking ID and access code (as the API gave them), an .ics file.
    expect(page.locator("h1")).to_have_text("نوبت شما ثبت شد")
    expect(page.get_by_test_id("tracking-id")).to_have_text(created["booking_id"])
    expect(page.get_by_test_id("access-code")).to_have_text(created["access_code"])
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", created["access_code"])
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("افزودن به تقویم")).click()
    ics = open(download.value.path(), encoding="utf-8").read()
    assert f"UID:{created['booking_id']}@ejso" in ics
    start_utc = created["start"]["at"]  # e.g. 2026-12-01T09:30+03:30 -> DTSTART:20261201T060000Z
    hh, mm = int(start_utc[11:13]), int(start_utc[14:16])
    minutes = hh * 60 + mm - (3 * 60 + 30)
    assert f"DTSTART:{start_utc[:10].replace('-', '')}T{minutes // 60:02d}{minutes % 60:02d}00Z" in ics
    axe_check(page, "confirmation")
    screenshot(page, "8-confirmation")

    # The back button does not book again: the previous page says it is done.
    page.go_back()
    expect(page.locator("h1")).to_have_text("این نوبت پیش‌تر ثبت شده است و دوباره ثبت نمی‌شود.")
    page.go_forward()
    expect(page.locator("h1")).to_have_text("نوبت شما ثبت شد")

    # Manage in this tab: the session opens the booking (no access code asked); move it to another
    # day, then cancel.
    page.get_by_role("link", name="دیدن یا لغو این نوبت").click()
    expect(page.get_by_test_id("booking-status")).to_have_text("ثبت‌شده")
    expect(page.get_by_label("رمز دسترسی")).to_have_count(0)
    page.get_by_role("button", name="تغییر روز یا ساعت").click()
    expect(page.locator(".caption")).to_contain_text("تغییر زمان نوبت")
    # This time the day is typed (day / month / year, Jalali, Persian digits), not picked.
    page.get_by_label("سال", exact=True).fill("۱۳۰۰")
    page.get_by_label("ماه", exact=True).fill("1")
    page.get_by_label("روز", exact=True).fill("1")
    page.get_by_role("button", name="دیدن ساعت‌های آزاد").click()
    expect(page.locator("#date-error")).to_have_text("این تاریخ در بازه نوبت‌دهی نیست: از فردا تا سی روز آینده")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile("^خطا: "))
    next_day = page.locator(".calendar__open a").nth(1).get_attribute("href").split("/")[-1].split("?")[0]
    y, m, d = calendar.date_out(date.fromisoformat(next_day))["jalali"].split("/")
    page.get_by_label("سال", exact=True).fill(to_persian_digits(y))
    page.get_by_label("ماه", exact=True).fill(to_persian_digits(m))
    page.get_by_label("روز", exact=True).fill(to_persian_digits(d))
    page.get_by_role("button", name="دیدن ساعت‌های آزاد").click()
    expect(page).to_have_url(re.compile(f"/days/{next_day}\\?change="))
    page.locator(".time label").first.click()
    with page.expect_response(lambda r: r.url.endswith("/reschedule")) as moved:
        page.get_by_role("button", name="انتقال نوبت به این ساعت").click()
    assert moved.value.status == 200
    assert moved.value.request.headers["authorization"] == f"Bearer {session}"
    new_start = moved.value.json()["start"]
    assert new_start["at"][:10] > created["start"]["at"][:10]
    expect(page.get_by_text("زمان نوبت شما تغییر کرد.")).to_be_visible()
    expect(page.get_by_test_id("booking-status")).to_have_text("ثبت‌شده")
    page.get_by_role("button", name="لغو این نوبت").click()
    page.get_by_role("button", name="بله، لغو شود").click()
    expect(page.get_by_test_id("booking-status")).to_have_text("لغوشده")
    expect(page.get_by_text("نوبت شما لغو شد.")).to_be_visible()
    axe_check(page, "manage")
    screenshot(page, "9-manage")
    # The API agrees.
    stored = requests.get(f"{base_url}/v1/bookings/{created['booking_id']}",
                          headers={"X-Access-Code": created["access_code"]}, timeout=10).json()
    assert stored["status"] == "CANCELLED"
    assert stored["start"] == new_start

    # On another device (no session): the tracking ID and access code show the same booking.
    other = page.context.browser.new_context(viewport=page.viewport_size, base_url=base_url, locale="fa-IR")
    try:
        elsewhere = other.new_page()
        elsewhere.goto(f"/bookings/{created['booking_id']}")
        expect(elsewhere.get_by_label("شناسه پیگیری")).to_have_value(created["booking_id"])
        elsewhere.get_by_label("رمز دسترسی").fill(created["access_code"])
        with elsewhere.expect_response(lambda r: r.url.endswith(f"/v1/bookings/{created['booking_id']}")) as read:
            elsewhere.get_by_role("button", name="نمایش نوبت").click()
        assert read.value.request.headers["x-access-code"] == created["access_code"]
        assert "authorization" not in read.value.request.headers
        expect(elsewhere.get_by_test_id("booking-status")).to_have_text("لغوشده")
    finally:
        other.close()


def test_location_with_consent_and_english(page, base_url):
    """The browser's location (granted) instead of a city; the same page in English, left to right."""
    page.context.grant_permissions(["geolocation"], origin=base_url)
    page.context.set_geolocation({"latitude": 35.83, "longitude": 50.99})
    page.goto("/services/S0004/where")
    page.get_by_role("button", name="استفاده از موقعیت من").click()
    expect(page).to_have_url(re.compile(r"lat=35\.83.*lon=50\.99"))
    expect(page.locator(".suggestion").first).to_be_visible()
    expect(page.locator(".office-map__you")).to_have_count(1)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).to_have_text("Where will you go?")
    expect(page.locator(".suggestion .explanation").first).to_contain_text("min")
    axe_check(page, "where to go (English)")
    page.set_viewport_size({"width": 1280, "height": 900})  # desktop
    axe_check(page, "where to go (English, desktop)")


def test_remote_request_from_abroad_with_an_uploaded_document_then_follow_it(page_abroad, base_url, sms):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from chalicelib.domain.text import to_persian_digits
    from tests.integration.fixtures import mobile, national_id

    page = page_abroad
    page.goto("/")
    search(page, "مشاوره حقوقي")  # Arabic yeh
    page.get_by_role("link", name="مشاوره حقوقی تلفنی").click()
    expect(page.locator("h1")).to_have_text("این خدمت غیرحضوری است")
    page.get_by_role("link", name="فرستادن درخواست به شبکه").click()

    # Sending a request needs the citizen's session: the mobile check comes first.
    citizen_id, citizen_mobile = national_id(7101), mobile(7101)
    expect(page.locator("h1")).to_have_text("درخواست غیرحضوری")
    page.get_by_label("کد ملی").fill(to_persian_digits(citizen_id))
    page.get_by_label("شماره تلفن همراه").fill(citizen_mobile)
    seen = sms.seen(citizen_mobile)
    page.get_by_role("button", name="فرستادن کد").click()
    page.get_by_label("کد تأیید").fill(sms.code_after(citizen_mobile, seen))
    page.get_by_role("button", name="تأیید کد").click()

    expect(page.get_by_test_id("verified-citizen")).to_contain_text(to_persian_digits(citizen_id))
    page.get_by_label("خارج از کشور").check()
    page.get_by_label("کشور محل اقامت").select_option("DE")
    expect(page.get_by_text("Europe/Berlin", exact=False)).to_be_visible()
    page.get_by_label("شرح درخواست").fill("مشاوره درباره وکالت‌نامه برای فروش ملک در تهران")
    # Documents: the limits said in Persian; a file of another type is refused beside the field.
    documents = page.get_by_label("مدارک (اختیاری)")
    expect(page.locator("#documents-hint")).to_contain_text("حداکثر ۱۰ مگابایت")
    documents.set_input_files([{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    expect(page.locator("#documents-error")).to_have_text("«\u2068notes.txt\u2069» PDF، JPEG یا PNG نیست")
    page.get_by_role("button", name="ارسال درخواست").click()
    expect(page.locator(".error-summary")).to_contain_text("notes.txt")
    axe_check(page, "remote request (document refused)")
    # A real upload: the grant, then the file straight to the (local) bucket with its presigned POST.
    pdf = b"%PDF-1.4\n" + "وکالت‌نامه".encode() + b"\n%%EOF\n" + b" " * 4000
    documents.set_input_files([{"name": "وکالت‌نامه.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    expect(page.locator(".file-list")).to_contain_text("وکالت‌نامه.pdf")
    expect(page.locator("#documents-error")).to_have_count(0)  # the new choice clears the old problem
    axe_check(page, "remote request")
    screenshot(page, "11-remote-request")
    with page.expect_response(lambda r: r.url.endswith("/v1/uploads")) as granted, \
            page.expect_response(lambda r: r.request.method == "POST" and "/ejso-test-documents" in r.url) as stored, \
            page.expect_response(lambda r: r.url.endswith("/v1/requests")) as sent:
        page.get_by_role("button", name="ارسال درخواست").click()
    assert sent.value.status == 201
    assert sent.value.request.headers.get("idempotency-key")
    assert sent.value.request.headers["authorization"].startswith("Bearer ")
    assert granted.value.status == 201 and stored.value.status == 204
    grant = granted.value.json()
    assert sent.value.request.post_data_json["upload_id"] == grant["upload_id"]
    created = sent.value.json()
    assert created["country"] == "DE" and created["time_zone"] == "Europe/Berlin"
    assert [(d["name"], d["size"], d["upload_ref"]) for d in created["documents"]] == [
        ("وکالت‌نامه.pdf", len(pdf), grant["documents"][0]["upload_ref"])]

    expect(page.locator("h1")).to_have_text("درخواست شما ثبت شد")
    expect(page.get_by_test_id("tracking-code")).to_have_text(created["tracking_code"])
    expect(page.get_by_test_id("request-access-code")).to_have_text(created["access_code"])
    axe_check(page, "request sent")
    screenshot(page, "12-request-sent")

    # Follow it: the status and the timeline, in Jalali, at the citizen's own clock (Berlin).
    page.get_by_role("link", name="پیگیری این درخواست").click()
    page.get_by_role("button", name="نمایش درخواست").click()
    expect(page.get_by_test_id("request-status")).to_have_text("دریافت‌شده")
    expect(page.get_by_test_id("request-documents")).to_contain_text("وکالت‌نامه.pdf – ۴ کیلوبایت")
    received = datetime.fromisoformat(created["timeline"][0]["at"]).astimezone(ZoneInfo("Europe/Berlin"))
    expect(page.locator(".timeline li").first).to_contain_text(to_persian_digits(received.strftime("%H:%M")))
    months = "فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند"
    expect(page.locator(".timeline li").first).to_contain_text(re.compile(f"({months})"))
    axe_check(page, "follow a request")
    screenshot(page, "13-follow-request")
    stored = requests.get(f"{base_url}/v1/requests/{created['tracking_code']}",
                          headers={"X-Access-Code": created["access_code"]}, timeout=10).json()
    assert stored["status"] == "RECEIVED"

    # The same citizen's requests, listed after the mobile check (the session is still this tab's).
    page.goto("/me")
    expect(page.locator("h1")).to_have_text("نوبت‌ها و درخواست‌های من")
    mine = page.get_by_test_id("my-request")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(created["tracking_code"])
    expect(mine).to_contain_text("دریافت‌شده")
    expect(page.get_by_text("نوبت پیش رویی ندارید.")).to_be_visible()
    axe_check(page, "my bookings and requests")


def test_my_bookings_after_a_mobile_check_then_cancel_without_the_access_code(page, base_url, sms):
    """A citizen who lost the access code: the mobile check on "my bookings", the bookings listed,
    one opened, and cancelled with the session alone."""
    from chalicelib.domain.text import to_persian_digits
    from tests.integration.fixtures import mobile, national_id, next_open_day

    citizen_id, citizen_mobile = national_id(7201), mobile(7201)
    page.goto("/")
    page.get_by_role("link", name=re.compile("رمز دسترسی را ندارید؟")).click()
    expect(page.locator("h1")).to_have_text("نوبت‌ها و درخواست‌های من")
    expect(page).to_have_title(re.compile("^نوبت‌ها و درخواست‌های من"))
    axe_check(page, "my bookings (mobile check)")
    page.get_by_label("کد ملی").fill(citizen_id)
    page.get_by_label("شماره تلفن همراه").fill(citizen_mobile)
    seen = sms.seen(citizen_mobile)
    page.get_by_role("button", name="فرستادن کد").click()
    code = sms.code_after(citizen_mobile, seen)
    # Pasted as the SMS shows it to some phones: Persian digits in two groups.
    page.get_by_label("کد تأیید").fill(f"{to_persian_digits(code[:3])} {to_persian_digits(code[3:])}")
    with page.expect_response(lambda r: r.url.endswith("/v1/me/bookings")) as listed:
        page.get_by_role("button", name="تأیید کد").click()
    assert listed.value.status == 200
    expect(page.get_by_text("نوبت پیش رویی ندارید.")).to_be_visible()

    # The citizen books (through the API, with this tab's own session), then looks again.
    session = page.evaluate("JSON.parse(sessionStorage.getItem('ejso.citizen')).session")
    bearer = {"Authorization": f"Bearer {session}"}
    day = next_open_day().isoformat()
    slots = requests.get(f"{base_url}/v1/offices/OF-THR-1/slots", params={"service": "S0004", "date": day},
                         timeout=10).json()["slots"]
    hold = requests.post(f"{base_url}/v1/holds", headers=bearer, timeout=10,
                         json={"office_id": "OF-THR-1", "service_id": "S0004", "start": slots[0]["at"]})
    assert hold.status_code == 201, hold.text
    booked = requests.post(f"{base_url}/v1/bookings", headers={**bearer, "Idempotency-Key": "my-bookings-e2e"},
                           timeout=10, json={"office_id": "OF-THR-1", "service_id": "S0004", "start": slots[0]["at"],
                                             "hold_id": hold.json()["hold_id"], "national_id": citizen_id,
                                             "mobile": citizen_mobile})
    assert booked.status_code == 201, booked.text
    created = booked.json()
    page.reload()
    mine = page.get_by_test_id("my-booking")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(created["booking_id"])
    expect(mine).to_contain_text("ثبت‌شده")
    axe_check(page, "my bookings")
    screenshot(page, "10-my-bookings")

    # Opened from the list: no access code asked; the booking is read and cancelled with the session.
    with page.expect_response(lambda r: r.url.endswith(f"/v1/bookings/{created['booking_id']}")) as read:
        mine.get_by_role("link", name=re.compile("^دیدن، تغییر زمان یا لغو")).click()
    assert read.value.status == 200
    assert "x-access-code" not in read.value.request.headers
    expect(page.get_by_test_id("booking-status")).to_have_text("ثبت‌شده")
    expect(page.get_by_label("رمز دسترسی")).to_have_count(0)
    page.get_by_role("button", name="لغو این نوبت").click()
    with page.expect_response(lambda r: r.url.endswith("/cancel")) as cancelled:
        page.get_by_role("button", name="بله، لغو شود").click()
    assert cancelled.value.status == 200
    assert cancelled.value.request.headers["authorization"] == f"Bearer {session}"
    expect(page.get_by_test_id("booking-status")).to_have_text("لغوشده")
    stored = requests.get(f"{base_url}/v1/bookings/{created['booking_id']}",
                          headers={"X-Access-Code": created["access_code"]}, timeout=10).json()
    assert stored["status"] == "CANCELLED"
    # Back to the list: a cancelled booking is no longer a live one.
    page.get_by_role("link", name="بازگشت").click()
    expect(page.locator("h1")).to_have_text("نوبت‌ها و درخواست‌های من")
    expect(page.get_by_text("نوبت پیش رویی ندارید.")).to_be_visible()


def test_a_time_taken_while_the_citizen_chose_it_is_refused_and_the_times_refresh(page, base_url, sms):
    """The page shows a free time; someone else holds the office's only counter while the citizen
    checks their mobile; the hold that follows the check is refused (409 slot-full from the API),
    and the times page, back again, says so and no longer offers it."""
    from tests.integration.fixtures import mobile, national_id, next_open_day

    citizen_id, citizen_mobile = national_id(7301), mobile(7301)
    other = sms.session(base_url, national_id(7302), mobile(7302))
    day = next_open_day().isoformat()
    times = f"/offices/OF-KRJ-2/services/S0004/days/{day}"  # one counter
    page.goto(times)
    first = page.locator(".time input").first
    expect(first).to_be_attached()
    taken = first.get_attribute("value")
    page.locator(".time label").first.click()
    page.get_by_role("button", name="نگه‌داشتن این نوبت و ادامه").click()
    expect(page.locator("h1")).to_have_text("تأیید شماره همراه")
    held = requests.post(f"{base_url}/v1/holds", json={"office_id": "OF-KRJ-2", "service_id": "S0004", "start": taken},
                         headers={"Authorization": f"Bearer {other}"}, timeout=10)
    assert held.status_code == 201, held.text
    page.get_by_label("کد ملی").fill(citizen_id)
    page.get_by_label("شماره تلفن همراه").fill(citizen_mobile)
    seen = sms.seen(citizen_mobile)
    page.get_by_role("button", name="فرستادن کد").click()
    page.get_by_label("کد تأیید").fill(sms.code_after(citizen_mobile, seen))
    with page.expect_response(lambda r: r.url.endswith("/v1/holds")) as refused:
        page.get_by_role("button", name="تأیید کد").click()
    assert refused.value.status == 409
    expect(page).to_have_url(re.compile(f"{times}$"))
    expect(page.locator(".error-summary")).to_contain_text("این ساعت همین حالا پر شد")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(f'.time input[value="{taken}"]')).to_have_count(0)
    axe_check(page, "times (slot taken)")
