"""The appeal rules, pure: working-day arithmetic on the Iranian week and holidays, who may decide
when, how long an appeal may be filed, and the ranking's reversal of an excused no-show."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.domain import appeals as rules
from chalicelib.domain import calendar, ranking_live
from chalicelib.domain.appeals import Appeal, Decision


def working(day: date) -> bool:
    """Saturday to Thursday, not Nowruz (1-4 Farvardin 1405 = 2026-03-21..24) or other official days."""
    return calendar.weekday_key(day) != "fri" and not calendar.is_network_closed(day, {})


def at(day: date, hhmm: str = "10:00") -> datetime:
    return datetime.combine(day, calendar.parse_hhmm(hhmm), calendar.TEHRAN)


SATURDAY = date(2026, 11, 28)  # 7 Azar 1405, no holiday that week


def appeal(filed: datetime, office: str = "OF-A", status: str = rules.PENDING) -> Appeal:
    return Appeal("APX", "BKX", office, "c", "+989121234567", "بیمار بودم و نتوانستم بیایم", filed,
                  filed - timedelta(days=1), status)


def test_working_days_skip_fridays():
    assert calendar.weekday_key(SATURDAY) == "sat"
    assert rules.working_days_after(SATURDAY, 3, working) == SATURDAY + timedelta(days=3)  # Sun, Mon, Tue
    wednesday = SATURDAY + timedelta(days=4)
    # Thu, (Fri skipped), Sat, Sun
    assert rules.working_days_after(wednesday, 3, working) == wednesday + timedelta(days=4)


def test_working_days_skip_official_holidays():
    before_nowruz = date(2026, 3, 19)  # Thursday 28 Esfand 1404; 29 Esfand and 1-4 Farvardin are holidays
    assert not working(date(2026, 3, 20)) and not working(date(2026, 3, 21)) and not working(date(2026, 3, 24))
    third = rules.working_days_after(before_nowruz, 3, working)
    assert [d for d in (before_nowruz + timedelta(days=i) for i in range(1, (third - before_nowruz).days + 1))
            if working(d)] == [date(2026, 3, 25), date(2026, 3, 26), date(2026, 3, 28)]
    assert third == date(2026, 3, 28)  # Wed 25, Thu 26, (Fri 27), Sat 28 -- 12 and 13 Farvardin come later


def test_the_association_may_decide_from_the_midnight_after_the_third_working_day():
    filed = at(SATURDAY, "23:50")
    opens = rules.association_may_decide_from(filed, working)
    assert opens == at(SATURDAY + timedelta(days=4), "00:00")  # Sun, Mon, Tue passed: Wednesday 00:00
    a = appeal(filed)
    assert rules.decision_refusal(a, rules.ASSOCIATION, None, opens - timedelta(seconds=1), working) == rules.OFFICE_FIRST
    assert rules.decision_refusal(a, rules.ASSOCIATION, None, opens, working) is None


def test_the_office_decides_its_own_appeals_at_once_and_only_those():
    a = appeal(at(SATURDAY))
    assert rules.decision_refusal(a, rules.OFFICE, "OF-A", a.filed_at, working) is None
    assert rules.decision_refusal(a, rules.OFFICE, "OF-B", a.filed_at, working) == rules.NOT_YOUR_OFFICE


def test_a_decided_appeal_is_not_decided_again():
    a = appeal(at(SATURDAY)).decided(Decision(at(SATURDAY, "11:00"), "office:m", rules.REJECTED, "no proof"))
    assert a.status == rules.REJECTED
    late = at(SATURDAY + timedelta(days=10))
    assert rules.decision_refusal(a, rules.OFFICE, "OF-A", late, working) == rules.NOT_PENDING
    assert rules.decision_refusal(a, rules.ASSOCIATION, None, late, working) == rules.NOT_PENDING


def test_an_appeal_is_filed_while_the_block_runs():
    no_show = at(SATURDAY)
    assert rules.may_file(no_show, no_show + timedelta(days=13), 14)
    assert not rules.may_file(no_show, no_show + timedelta(days=15), 14)
    assert not rules.may_file(no_show, no_show - timedelta(minutes=1), 14)


def test_one_appeal_per_booking_by_its_id():
    assert rules.appeal_id_of("BK7K3M9QX2PLRT") == "AP7K3M9QX2PLRT"
    assert rules.booking_id_of("AP7K3M9QX2PLRT") == "BK7K3M9QX2PLRT"


def test_an_excused_no_show_is_taken_back_in_the_period_that_counted_it():
    no_show_at = at(SATURDAY, "10:30")
    excused_at = at(SATURDAY + timedelta(days=40))  # the next Jalali month
    history = [{"at": no_show_at.isoformat(), "to": "NO_SHOW"}, {"at": excused_at.isoformat(), "to": "EXCUSED"}]
    old = {"office_id": "OF-A", "status": "NO_SHOW", "history": history[:1]}
    new = {"office_id": "OF-A", "status": "EXCUSED", "history": history}
    counted = ranking_live.booking_deltas(old, {"office_id": "OF-A", "status": "BOOKED"}, 0, 15)
    taken_back = ranking_live.booking_deltas(new, old, 0, 15)
    assert [(d.period, dict(d.counts)) for d in counted] == [(ranking_live.period_of(no_show_at), {"no_show": 1})]
    assert [(d.period, dict(d.counts)) for d in taken_back] == [(ranking_live.period_of(no_show_at), {"no_show": -1})]
    assert ranking_live.period_of(excused_at) != ranking_live.period_of(no_show_at)
