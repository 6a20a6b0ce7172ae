"""Fees, receipts, adjustments, statements and the reconciliation on the fakes."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from chalicelib.domain import calendar, ranking_live
from chalicelib.domain.citizen import CitizenSession
from chalicelib.errors import AccountsDisagree, Conflict, InvalidInput, InvalidTransition, NotFound
from chalicelib.schemas import BookingIn
from chalicelib.services import accounts, bookings, office_day, tariffs
from tests.fakes.config import FakeConfigStore
from tests.fakes.ranking import FakeRankingStore
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day()


@pytest.fixture()
def fakes(fakes):
    """No ranking published yet: every office pays the base share (10 %) of the default policy."""
    from chalicelib.services.stores import stores
    with stores.use(ranking=FakeRankingStore(fakes["catalogue"]), config=FakeConfigStore()):
        yield fakes


def delivered(n: int, office: str = "OF-A", start: str = "09:00", service: str = "S0001") -> dict:
    made = bookings.book(BookingIn(office_id=office, service_id=service, start=at(DAY, start),
                                   national_id=national_id(n), mobile=mobile(n)), now=NOW)
    office_day.act(office, "op1", made["booking_id"], "check_in", national_id=national_id(n), now=at(DAY, "08:55"))
    office_day.act(office, "op1", made["booking_id"], "complete", now=at(DAY, "09:20"))
    return made


def month() -> str:
    return ranking_live.period_of(at(DAY, "09:20"))


def test_a_completed_visit_records_its_fee_and_receipt_once(fakes):
    made = delivered(1)
    store = fakes["accounts"]
    [record] = store.office_records("OF-A", month())
    assert (record.record_key, record.kind, record.tariff_version, record.total_rials, record.channel) == (
        f"booking:{made['booking_id']}", "fee", 1, 500_000, "web")
    assert store.month_totals(month())["OF-A"].amounts() == (1, 0, 500_000, 500_000)
    sms = [m for m in fakes["bookings"].outbox if m.content.template == "fee_receipt"]
    assert [m.content.params["receipt_id"] for m in sms] == [record.receipt_id]
    assert sms[0].content.params["amount_fa"] == "۵۰۰٬۰۰۰ ریال"
    with pytest.raises(InvalidTransition):  # a retried completion changes nothing
        office_day.act("OF-A", "op1", made["booking_id"], "complete", now=at(DAY, "09:21"))
    assert len(store.office_records("OF-A", month())) == 1


def test_a_fee_is_charged_at_the_version_the_booking_was_priced_at(fakes):
    made = bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(DAY, "09:00"),
                                   national_id=national_id(1), mobile=mobile(1)), now=NOW)
    # a change adopted afterwards, effective before the visit, does not reprice the booking
    tariffs.change_service("S0001", {"government_rials": 0, "office_rials": 900_000, "share_base_rials": 900_000},
                           NOW.date() + timedelta(days=1), 1, "admin-1", "بازنگری", now=NOW)
    office_day.act("OF-A", "op1", made["booking_id"], "check_in", national_id=national_id(1), now=at(DAY, "08:55"))
    office_day.act("OF-A", "op1", made["booking_id"], "complete", now=at(DAY, "09:20"))
    [record] = fakes["accounts"].office_records("OF-A", month())
    assert (record.tariff_version, record.total_rials) == (1, 500_000)


def test_the_receipt_opens_with_the_access_code_or_the_citizens_session(fakes):
    made = delivered(1)
    [record] = fakes["accounts"].office_records("OF-A", month())
    view = accounts.read_receipt(record.receipt_id, made["access_code"])
    assert (view["total_rials"], view["net_fa"], view["service"]["service_id"]) == (500_000, "۵۰۰٬۰۰۰ ریال", "S0001")
    assert "۵۰۰٬۰۰۰" in view["text_fa"] and record.receipt_id in view["text_fa"]
    assert not any(c.isdigit() and c.isascii() for c in view["delivered_at_fa"])
    own = fakes["bookings"].get_booking(made["booking_id"]).citizen_key
    assert accounts.read_receipt(record.receipt_id, None, CitizenSession(own, "m", NOW, "s1"))["receipt_id"] == record.receipt_id
    for code, session in (("WRONGCODE", None), (None, None), (None, CitizenSession("someone-else", "m", NOW, "s2"))):
        with pytest.raises(NotFound):
            accounts.read_receipt(record.receipt_id, code, session)
    with pytest.raises(NotFound):
        accounts.read_receipt("not-a-receipt", made["access_code"])


def test_refunds_are_new_records_once_per_reference_and_never_below_zero(fakes):
    delivered(1)
    [record] = fakes["accounts"].office_records("OF-A", month())
    half = {"government_rials": 0, "office_rials": -250_000, "share_base_rials": -250_000}
    first, created = accounts.adjust(record.receipt_id, "REF-1", "refund", half, "نیمی پس داده شد", "admin-1", NOW)
    again, created_again = accounts.adjust(record.receipt_id, "REF-1", "refund", half, "نیمی", "admin-1", NOW)
    assert (created, created_again, first["record_key"]) == (True, False, again["record_key"])
    with pytest.raises(Conflict):  # the same reference for another change
        accounts.adjust(record.receipt_id, "REF-1", "refund", {**half, "office_rials": -1}, "x", "admin-1", NOW)
    with pytest.raises(InvalidInput):  # more than is left
        accounts.adjust(record.receipt_id, "REF-2", "refund", {**half, "office_rials": -250_001}, "x", "admin-1", NOW)
    assert fakes["accounts"].get_receipt(record.receipt_id).adjusted_rials == -250_000
    assert fakes["accounts"].get_receipt(record.receipt_id).record == record  # the fee itself never changes


def test_statement_lines_add_up_and_reconcile(fakes):
    for n, (office, start) in enumerate([("OF-A", "09:00"), ("OF-A", "10:00"), ("OF-B", "09:00")], start=1):
        delivered(n, office, start)
    view = accounts.statement(month())
    assert [i["office_id"] for i in view["items"]] == ["OF-A", "OF-B"]
    assert sum(i["levy_rials"] for i in view["items"]) == view["total_levy_rials"] == 150_000  # 10 % base share
    assert accounts.statement_csv(view).splitlines()[-1] == "TOTAL,,,,3,0,1500000,1500000,150000"
    provinces = accounts.province_summary(month())
    assert [(p["province"], p["services"]) for p in provinces["items"]] == [("Alborz", 1), ("Tehran", 2)]
    assert accounts.reconcile(month())["ok"] is True


def test_a_tampered_record_fails_the_reconciliation(fakes):
    delivered(1)
    store = fakes["accounts"]
    key = ("OF-A", month())
    [(record_key, record)] = store.records[key].items()
    store.records[key][record_key] = replace(record, office_rials=record.office_rials - 100_000)
    with pytest.raises(AccountsDisagree) as err:
        accounts.reconcile(month())
    assert err.value.extra["mismatches"][0]["office_id"] == "OF-A"


def test_the_daily_check_reads_this_month_and_in_its_first_days_the_one_before():
    first_of_azar = datetime(2026, 11, 22, 3, 0, tzinfo=calendar.TEHRAN)  # 1 Azar 1405
    assert accounts.months_to_check(first_of_azar) == ["1405-08", "1405-09"]
    assert accounts.months_to_check(first_of_azar + timedelta(days=5)) == ["1405-09"]
