"""Remote sessions' pure rules: the citizen's zone across daylight saving, join details, which
counters hold sessions, what may be held as a session, and when the office's steps are allowed."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain import sessions as rules
from chalicelib.domain.catalogue import Office, Service

TEHRAN = calendar.TEHRAN


def tehran(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TEHRAN)


def test_a_slot_in_berlin_moves_an_hour_across_berlins_spring_change_and_not_in_tehran():
    # Europe/Berlin moves to summer time on the last Sunday of March (28 March 2027, 02:00 -> 03:00);
    # Asia/Tehran keeps +03:30 all year. 10:00 in Tehran is 07:30 in Berlin before, 08:30 after.
    before, after = tehran(2027, 3, 27, 10), tehran(2027, 3, 29, 10)
    assert rules.zoned_out(before, "Europe/Berlin")["at"] == "2027-03-27T07:30+01:00"
    assert rules.zoned_out(after, "Europe/Berlin")["at"] == "2027-03-29T08:30+02:00"
    assert calendar.datetime_out(before)["at"] == "2027-03-27T10:00+03:30"
    assert calendar.datetime_out(after)["at"] == "2027-03-29T10:00+03:30"
    # The same instant in both: only the wall clock differs.
    for moment in (before, after):
        assert datetime.fromisoformat(rules.zoned_out(moment, "Europe/Berlin")["at"]) == moment


def test_the_zoned_label_is_jalali_with_persian_digits_and_the_day_offset():
    out = rules.zoned_out(tehran(2027, 3, 29, 10), "Europe/Berlin")
    assert out["jalali"] == "1406/01/09 08:30"
    assert out["label_fa"] == "۱۴۰۶/۰۱/۰۹ ۰۸:۳۰ (Europe/Berlin, UTC+۰۲:۰۰)"
    # A zone west of Greenwich, past midnight there: the local date is the day before.
    early = rules.zoned_out(tehran(2027, 3, 29, 8), "America/Los_Angeles")
    assert early["at"] == "2027-03-28T21:30-07:00" and early["jalali"].startswith("1406/01/08")


def test_the_sms_time_is_the_citizens_with_tehrans_beside_it():
    text = rules.sms_when(tehran(2027, 3, 29, 10), "Europe/Berlin")
    assert text == "۱۴۰۶/۰۱/۰۹ ساعت ۰۸:۳۰ به وقت Europe/Berlin (تهران ۱۰:۰۰)"
    assert "تهران" not in rules.sms_when(tehran(2027, 3, 29, 10), "Asia/Tehran")


@pytest.mark.parametrize("bad", ["Mars/Olympus", "UTC+2", "../etc/passwd", "", "Europe/", 42, None, "Europe/Berlin/x/y"])
def test_only_iana_zones_are_accepted(bad):
    with pytest.raises(ValueError):
        rules.zone(bad)


def test_iana_zones_are_accepted():
    assert str(rules.zone("Europe/Berlin")) == "Europe/Berlin"
    assert str(rules.zone("America/Argentina/Buenos_Aires")) == "America/Argentina/Buenos_Aires"


@pytest.mark.parametrize("link", ["https://meet.example.ir/r/7K3M", "https://vc.adliran.ir/room?id=12"])
def test_video_links_are_https(link):
    assert rules.join_details("video", link) == link


@pytest.mark.parametrize("link", ["http://meet.example.ir/r/1", "javascript:alert(1)", "https://user:pw@meet.example.ir/",
                                  "https://localhost/x", "meet.example.ir/r/1", "https://meet.example.ir/a b", ""])
def test_other_video_links_are_refused(link):
    with pytest.raises(ValueError):
        rules.join_details("video", link)


def test_the_phone_to_call_from_may_be_an_office_line_and_is_e164():
    assert rules.join_details("phone", "021-8877 6655") == "+982188776655"
    assert rules.join_details("phone", "۰۹۱۲۱۲۳۴۵۶۷") == "+989121234567"
    assert rules.join_details("phone", "+49 30 901820") == "+4930901820"
    for bad in ("12", "https://meet.example.ir/x", "+98 21 1"):
        with pytest.raises(ValueError):
            rules.join_details("phone", bad)


def test_sessions_are_held_on_the_last_counters_opened_for_remote_work():
    assert rules.remote_counters(4, 1) == (4,)
    assert rules.remote_counters(4, 2) == (3, 4)
    assert rules.remote_counters(4, 0) == ()
    assert rules.remote_counters(4, None) == (1, 2, 3, 4)  # never set: all open, as the remote queue assumes
    assert rules.remote_counters(2, 5) == (1, 2)  # never beyond the licensed counters of the day


SERVICE = Service("S1", "consulting", "Legal consulting", "مشاوره", "remote_allowed", 30, 1, session_modes=frozenset({"video"}))
OFFICE = Office("OF", "Office", "دفتر", "Tehran", "تهران", "Tehran", "تهران", 35.7, 51.4, 2, {},
                offered_categories=frozenset({"consulting"}))


def test_what_may_be_held_as_a_session():
    assert rules.refusal(OFFICE, SERVICE) is None and rules.refusal(OFFICE, SERVICE, "video") is None
    assert rules.refusal(OFFICE, SERVICE, "phone") == "contact"
    plain = Service("S2", "consulting", "Written opinion", "نظر", "remote_allowed", 30, 1)
    assert rules.refusal(OFFICE, plain) == "not_a_session"
    in_person = Service("S3", "consulting", "In person", "حضوری", "in_person", 30, 1, session_modes=frozenset({"video"}))
    assert rules.refusal(OFFICE, in_person) == "not_a_session"  # the catalogue's mode wins
    declared = Office(**{**vars(OFFICE), "in_person_required": frozenset({"S1"})})
    assert rules.refusal(declared, SERVICE) == "not_a_session"  # the office's own declaration too
    elsewhere = Office(**{**vars(OFFICE), "offered_categories": frozenset({"petitions"})})
    assert rules.refusal(elsewhere, SERVICE) == "not_offered"


def test_when_the_office_may_confirm_complete_or_record_a_no_show():
    start = tehran(2027, 3, 29, 10)
    open_ = rules.SessionDetails("video", "Europe/Berlin", start + timedelta(minutes=30))
    confirmed = open_.confirmed_with("https://meet.example.ir/r/1", start - timedelta(days=1))
    assert rules.step_refusal("confirm", open_, start, start - timedelta(days=2), 15) is None
    assert rules.step_refusal("confirm", open_, start, start + timedelta(minutes=30), 15) == rules.CONFIRM_TOO_LATE
    assert rules.step_refusal("complete", open_, start, start + timedelta(minutes=30), 15) == rules.NOT_CONFIRMED
    assert rules.step_refusal("complete", confirmed, start, start - timedelta(minutes=1), 15) == "too_early"
    assert rules.step_refusal("complete", confirmed, start, start + timedelta(minutes=29), 15) is None
    assert rules.step_refusal("complete", confirmed, start, start + timedelta(days=1), 15) == "not_the_day"
    assert rules.step_refusal("no_show", open_, start, start + timedelta(minutes=14), 15) == "too_early"
    assert rules.step_refusal("no_show", open_, start, start + timedelta(minutes=15), 15) is None
