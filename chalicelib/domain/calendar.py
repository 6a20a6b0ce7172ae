"""The Iranian calendar as the offices live it: Asia/Tehran time, Jalali dates in and out,
a Saturday-to-Wednesday work week (Thursday short or closed, Friday closed) and official
holidays shipped as data (the lunar ones move every year). Pure: no I/O besides reading
the packaged holiday file once."""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime

from chalicelib.domain.text import to_latin_digits, to_persian_digits

TEHRAN = ZoneInfo("Asia/Tehran")
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.json"

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_JALALI_DATE = re.compile(r"^(\d{4})[/\-](\d{1,2})[/\-](\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True)
class Holiday:
    date: date
    name_en: str
    name_fa: str
    kind: str


def now_tehran() -> datetime:
    return datetime.now(TEHRAN)


def parse_date(value: str) -> date:
    """ISO `2026-11-22` or Jalali `1405/09/01` (Persian digits allowed). A year below 1700 is Jalali."""
    if not isinstance(value, str):
        raise ValueError("date must be a string")
    text = to_latin_digits(value).strip()
    match = _ISO_DATE.match(text) or _JALALI_DATE.match(text)
    if not match:
        raise ValueError("date must look like 2026-11-22 or 1405/09/01")
    year, month, day = (int(g) for g in match.groups())
    try:
        if year < 1700:
            return jdatetime.date(year, month, day).togregorian()
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"no such date: {value}") from exc


def parse_datetime(value: str) -> datetime:
    """An instant in Asia/Tehran. Accepts ISO 8601 (with or without offset; without one it is
    Tehran time) or a Jalali date and time `1405/09/05 09:30`."""
    if not isinstance(value, str):
        raise ValueError("date-time must be a string")
    text = to_latin_digits(value).strip()
    parts = re.split(r"[ T]", text, maxsplit=1)
    if len(parts) == 2 and _JALALI_DATE.match(parts[0]) and int(parts[0][:4]) < 1700:
        day = parse_date(parts[0])
        match = _TIME.match(parts[1])
        if not match:
            raise ValueError("time must look like 09:30")
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(f"no such time: {parts[1]}")
        return datetime.combine(day, time(hour, minute), TEHRAN)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError("date-time must look like 2026-11-25T09:30+03:30 or 1405/09/04 09:30") from exc
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TEHRAN)
    return moment.astimezone(TEHRAN)


@functools.lru_cache(maxsize=4096)  # a few hundred distinct days are ever in play; jdatetime is slow-ish
def to_jalali(day: date) -> str:
    return jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")


def date_out(day: date) -> dict[str, str]:
    """A date as the API returns it: ISO and Jalali side by side."""
    return {"date": day.isoformat(), "jalali": to_jalali(day)}


def datetime_out(moment: datetime) -> dict[str, str]:
    at, jalali = _instant_out(moment.astimezone(TEHRAN))
    return {"at": at, "jalali": jalali}


@functools.lru_cache(maxsize=4096)  # slot starts repeat: a booking formats its start three times
def _instant_out(local: datetime) -> tuple[str, str]:
    return local.isoformat(timespec="minutes"), f"{to_jalali(local.date())} {local:%H:%M}"


@functools.lru_cache(maxsize=1)
def official_holidays() -> dict[date, tuple[Holiday, ...]]:
    data = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    found: dict[date, list[Holiday]] = {}
    for entries in data["years"].values():
        for item in entries:
            day = date.fromisoformat(item["date"])
            found.setdefault(day, []).append(Holiday(day, item["name_en"], item["name_fa"], item["kind"]))
    return {day: tuple(items) for day, items in found.items()}


@dataclass(frozen=True)
class Correction:
    """The association's correction of the network calendar, effective without a deploy: a day
    closed (a lunar holiday fixed by moon sighting, a one-off closure) or opened (a holiday
    that moved away from this day)."""
    date: date
    closed: bool
    name_en: str = ""
    name_fa: str = ""


def holidays_between(start: date, end: date, corrections: dict[date, Correction] | None = None) -> list[Holiday]:
    corrections = corrections or {}
    found = [h for day, items in sorted(official_holidays().items()) if start <= day <= end
             and not (day in corrections and not corrections[day].closed) for h in items]
    found += [Holiday(c.date, c.name_en, c.name_fa, "correction") for c in corrections.values()
              if c.closed and start <= c.date <= end]
    return sorted(found, key=lambda h: h.date)


def weekday_key(day: date) -> str:
    return WEEKDAY_KEYS[day.weekday()]


def parse_hhmm(value: str) -> time:
    match = _TIME.match(to_latin_digits(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"time must look like 08:30, got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def is_network_closed(day: date, corrections: dict[date, Correction] | None = None) -> bool:
    """An official holiday unless the association corrected the day either way."""
    correction = (corrections or {}).get(day)
    if correction is not None:
        return correction.closed
    return day in official_holidays()


def opening_intervals(day: date, hours: dict[str, list[list[str]]], *, closures: frozenset[date] = frozenset(),
                      thursday_open: bool = True, corrections: dict[date, Correction] | None = None,
                      ) -> list[tuple[datetime, datetime]]:
    """When an office is open on `day`, as Tehran datetimes; empty on Fridays, official holidays
    (as corrected by the association) and the office's own closures."""
    key = weekday_key(day)
    if key == "fri" or (key == "thu" and not thursday_open):
        return []
    if is_network_closed(day, corrections) or day in closures:
        return []
    intervals = []
    for start, end in hours.get(key, []):
        opens = datetime.combine(day, parse_hhmm(start), TEHRAN)
        closes = datetime.combine(day, parse_hhmm(end), TEHRAN)
        if closes > opens:
            intervals.append((opens, closes))
    return sorted(intervals)


def booking_window(today: date, horizon_days: int) -> tuple[date, date]:
    """Bookable days: from tomorrow (no same-day booking) to the horizon, inclusive."""
    return today + timedelta(days=1), today + timedelta(days=horizon_days)


JALALI_MONTHS_FA = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن",
                    "اسفند")
JALALI_MONTHS_EN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar", "Dey",
                    "Bahman", "Esfand")
WEEKDAYS_FA = {"sat": "شنبه", "sun": "یکشنبه", "mon": "دوشنبه", "tue": "سه‌شنبه", "wed": "چهارشنبه",
               "thu": "پنجشنبه", "fri": "جمعه"}
WEEKDAYS_EN = {"sat": "Saturday", "sun": "Sunday", "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday",
               "thu": "Thursday", "fri": "Friday"}


def when_phrase(moment: datetime, now: datetime) -> tuple[str, str]:
    """When `moment` is, seen from `now`, in words (Persian with Persian digits, English):
    «امروز ساعت ۱۶:۰۰», «فردا، شنبه ۸ آذر، ساعت ۰۷:۳۰», «دوشنبه ۱۰ آذر، ساعت ۰۸:۰۰»."""
    local, today = moment.astimezone(TEHRAN), now.astimezone(TEHRAN).date()
    jalali = jdatetime.date.fromgregorian(date=local.date())
    key, hhmm = weekday_key(local.date()), f"{local:%H:%M}"
    day_fa = f"{WEEKDAYS_FA[key]} {jalali.day} {JALALI_MONTHS_FA[jalali.month - 1]}"
    day_en = f"{WEEKDAYS_EN[key]} {jalali.day} {JALALI_MONTHS_EN[jalali.month - 1]}"
    if jalali.year != jdatetime.date.fromgregorian(date=today).year:
        day_fa, day_en = f"{day_fa} {jalali.year}", f"{day_en} {jalali.year}"
    days = (local.date() - today).days
    if days == 0:
        fa, en = f"امروز ساعت {hhmm}", f"today at {hhmm}"
    elif days == 1:
        fa, en = f"فردا، {day_fa}، ساعت {hhmm}", f"tomorrow, {day_en}, at {hhmm}"
    else:
        fa, en = f"{day_fa}، ساعت {hhmm}", f"{day_en}, at {hhmm}"
    return to_persian_digits(fa), en
