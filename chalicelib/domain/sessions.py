"""Remote sessions (نوبت جلسه برخط) with no I/O: a timed video or phone meeting held from one of
an office's remote counters, such as consulting for Iranians abroad or attendance in the virtual
court. A session is a booking of a remote counter's seat (same seats, same guards, so one seat is
never both an in-person appointment and a session), with its contact mode, the citizen's own time
zone and, once the office confirms, the join details (a video link or the number the office will
call from). Times are stored as instants; the citizen's zone only shapes what they are shown."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.text import to_latin_digits, to_persian_digits

KIND = "session"
VIDEO, PHONE = "video", "phone"
CONTACT_MODES = (VIDEO, PHONE)
CONTACT_FA = {VIDEO: "تصویری", PHONE: "تلفنی"}
MAX_NOTE = 1000


@dataclass(frozen=True)
class SessionDetails:
    """What a booking carries when it is a session. `join` stays None until the office confirms;
    `note` is the office's outcome note, written when it completes the session."""
    contact: str  # video | phone
    time_zone: str  # the citizen's IANA zone: what their SMS and views are written in
    ends: datetime  # the scheduled end (start + the service's duration)
    join: str | None = None
    confirmed_at: datetime | None = None
    note: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.join is not None

    def confirmed_with(self, join: str, now: datetime) -> SessionDetails:
        return replace(self, join=join, confirmed_at=now.replace(microsecond=0))

    def noted(self, note: str | None) -> SessionDetails:
        return replace(self, note=note)


# --- what may be held as a session --------------------------------------------------------------

def modes_of(service: Service) -> frozenset[str]:
    """The contact modes the catalogue allows for the service; never for a service that needs the
    citizen in person (the catalogue's mode wins over a stray attribute)."""
    if service.mode == "in_person" or not service.active:
        return frozenset()
    return frozenset(m for m in service.session_modes if m in CONTACT_MODES)


def refusal(office: Office, service: Service, contact: str | None = None) -> str | None:
    """Why the office cannot hold the service as a session (None: it can). Reasons:
    `not_offered` (the office does not offer it), `not_a_session` (the catalogue does not allow
    sessions for it, or the office requires the citizen in person for it), `contact` (not in
    this contact mode)."""
    if not office.offers(service):
        return "not_offered"
    modes = modes_of(service)
    if not modes or office.needs_in_person(service):
        return "not_a_session"
    if contact is not None and contact not in modes:
        return "contact"
    return None


def remote_counters(bookable: int, open_remote: int | None) -> tuple[int, ...]:
    """The counter numbers that hold sessions: the office's last `open_remote` bookable counters
    (those it opened for remote work; an office that never said has them all open, as its remote
    queue assumes). In-person appointments may take any counter, so a seat taken by either is
    taken for both."""
    opened = bookable if open_remote is None else max(0, min(open_remote, bookable))
    return tuple(range(bookable - opened + 1, bookable + 1))


# --- the citizen's time zone -------------------------------------------------------------------

_ZONE = re.compile(r"[A-Za-z_]+(?:/[A-Za-z0-9_\-+]+){0,2}")


def zone(value: object) -> ZoneInfo:
    """An IANA zone such as Europe/Berlin; ValueError otherwise (never a fixed offset or a file path)."""
    if not isinstance(value, str) or not _ZONE.fullmatch(value.strip()):
        raise ValueError("time zone must be an IANA name such as Europe/Berlin")
    try:
        return ZoneInfo(value.strip())
    except (KeyError, ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError("unknown time zone") from exc


def zoned_out(moment: datetime, zone_name: str) -> dict[str, str]:
    """An instant as the citizen abroad reads it: ISO with their offset, the Jalali date and time
    there, and a Persian-digit label naming the zone (the offset changes across daylight saving)."""
    local = moment.astimezone(ZoneInfo(zone_name))
    jalali = f"{calendar.to_jalali(local.date())} {local:%H:%M}"
    return {"at": local.isoformat(timespec="minutes"), "jalali": jalali, "zone": zone_name,
            "label_fa": to_persian_digits(f"{jalali} ({zone_name}, UTC{_offset(local)})")}


def _offset(local: datetime) -> str:
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def sms_when(moment: datetime, zone_name: str) -> str:
    """The session's time for the SMS: in the citizen's zone first, Tehran's beside it when they differ."""
    local = moment.astimezone(ZoneInfo(zone_name))
    text = f"{calendar.to_jalali(local.date())} ساعت {local:%H:%M} به وقت {zone_name}"
    tehran = moment.astimezone(calendar.TEHRAN)
    if local.utcoffset() != tehran.utcoffset():
        text += f" (تهران {tehran:%H:%M})"
    return to_persian_digits(text)


# --- join details --------------------------------------------------------------------------------

def join_details(contact: str, value: object) -> str:
    """The office's join details for the contact mode: an https link (video) or the number the
    office will call from (phone), in E.164. ValueError with the reason otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("join details are required")
    text = value.strip()
    if contact == VIDEO:
        return video_link(text)
    return caller_number(text)


def video_link(text: str) -> str:
    if len(text) > 500 or any(c.isspace() or ord(c) < 32 for c in text):
        raise ValueError("the video link must be one https URL of at most 500 characters")
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("the video link must be an https URL")
    if parts.username or parts.password:
        raise ValueError("the video link must not carry a user name or password")
    if "." not in parts.hostname:
        raise ValueError("the video link must name a public host")
    return text


def caller_number(text: str) -> str:
    """A phone number (Iranian lines without a country code), in E.164: fixed lines too, since an
    office calls from its own line."""
    import phonenumbers  # only sessions pay for the import

    raw = re.sub(r"[\s\-_.()]", "", to_latin_digits(text))
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else "IR")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("the phone number is not a valid number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("the phone number is not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- the office's steps ----------------------------------------------------------------------------

CONFIRM_TOO_LATE, NOT_CONFIRMED = "confirm_too_late", "not_confirmed"


def step_refusal(action: str, details: SessionDetails, start: datetime, now: datetime,
                 no_show_grace_minutes: int) -> str | None:
    """Why the office may not take a session step now, beyond the booking's own rules: join
    details are sent before the session ends; a session is completed only once confirmed (the
    citizen had the details), on its day, from its start on; a no-show is recorded after the start
    plus the grace, on its day."""
    if action == "confirm":
        return CONFIRM_TOO_LATE if now >= details.ends else None
    if action not in ("complete", "no_show"):
        return None
    if now.astimezone(start.tzinfo).date() != start.date():
        return "not_the_day"
    if action == "complete":
        if not details.confirmed:
            return NOT_CONFIRMED
        return "too_early" if now < start else None
    return "too_early" if now < start + timedelta(minutes=no_show_grace_minutes) else None
