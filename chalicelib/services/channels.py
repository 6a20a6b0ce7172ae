"""Channel shares of the offices' seats: the configuration the association adopts (versioned, a
network default and offices' overrides), each office-day's shares at the moment of a booking,
and the channel counts a booking takes (domain.channels has the arithmetic and the rules)."""
from __future__ import annotations

import random
from datetime import date, datetime

from chalicelib.domain import calendar, channels
from chalicelib.domain.catalogue import Office
from chalicelib.domain.channels import WEB, DayShares, ShareClaim, ShareConfig
from chalicelib.domain.config import StaleVersion
from chalicelib.errors import ChannelShareFull, Conflict, InvalidInput
from chalicelib.observability import logger
from chalicelib.schemas.channels import ChannelSharesChangeIn
from chalicelib.services import catalogue
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

CONFIG = "channel_shares"
_rng = random.SystemRandom()


# --- the configuration ------------------------------------------------------------------------

def config() -> ShareConfig:
    adopted = stores.config.current(CONFIG)
    return ShareConfig.from_dict(adopted.document) if adopted else ShareConfig()


def shares_view() -> dict:
    adopted = stores.config.current(CONFIG, cached=False)
    found = ShareConfig.from_dict(adopted.document) if adopted else ShareConfig()
    return {"number": adopted.number if adopted else 0, **found.to_dict(),
            "release_hours_before": get_settings().partner_share_release_hours,
            "history": [v.record() for v in stores.config.history(CONFIG)]}


def adopt(change: ChannelSharesChangeIn, actor: str, now: datetime | None = None) -> dict:
    """A new version: the current shares with the network default and/or offices' overrides
    changed (an override of null removes it), adopted only over version `expected_number`."""
    now = now or calendar.now_tehran()
    adopted = stores.config.current(CONFIG, cached=False)
    number = adopted.number if adopted else 0
    if change.expected_number != number:
        raise Conflict(f"Version {number} is current, not {change.expected_number}; read the shares again",
                       "نسخه سهم‌ها تغییر کرده است؛ دوباره بخوانید")
    base = ShareConfig.from_dict(adopted.document) if adopted else ShareConfig()
    known = stores.catalogue.all_offices()
    unknown = [o for o in change.offices if o not in known]
    if unknown:
        raise InvalidInput(f"No such office: {unknown[0]}", "دفتری با این شناسه یافت نشد",
                           errors=[{"field": f"offices.{unknown[0]}", "message": "no such office",
                                    "message_fa": "دفتری با این شناسه یافت نشد"}])
    offices = dict(base.offices)
    for office_id, shares in change.offices.items():
        if shares is None:
            offices.pop(office_id, None)
        else:
            offices[office_id] = shares.model_dump()
    network = change.network.model_dump() if change.network is not None else dict(base.network)
    new = ShareConfig(network, offices)
    try:
        stores.config.adopt(CONFIG, new.to_dict(), number, actor, now)
    except StaleVersion as exc:
        raise Conflict("Another version was adopted meanwhile; read the shares again",
                       "در این فاصله نسخه دیگری تصویب شد؛ دوباره بخوانید") from exc
    logger.info("channel shares adopted", extra={"version": number + 1, "actor": actor,
                                                 "offices_changed": len(change.offices)})
    return shares_view()


# --- an office-day's shares -------------------------------------------------------------------

def day_shares(office: Office, day: date, now: datetime) -> tuple[DayShares, datetime | None]:
    """The office-day's seats, each channel's part and cap at `now`, and the release time."""
    s = get_settings()
    intervals = catalogue.opening(office, day)
    seats = channels.day_seats(intervals, catalogue.bookable_counters(office, day), s.slot_grid_minutes)
    release = channels.release_at(intervals, s.partner_share_release_hours)
    released = release is None or now >= release
    return DayShares.at(seats, config().of_office(office.office_id), released), release


def day_view(office_id: str, day: date, now: datetime | None = None) -> dict:
    """What each channel has of the office-day and holds of it (for the association and offices)."""
    now = now or calendar.now_tehran()
    office = catalogue.get_office(office_id)
    shares, release = day_shares(office, day, now)
    counts = stores.bookings.share_counts(office_id, day, consistent=True)
    percent = config().of_office(office_id)
    web_used = sum(v for k, v in counts.items() if k.startswith(WEB + "#"))
    return {"office_id": office_id, "date": day.isoformat(), "seats": shares.seats,
            "release_at": calendar.datetime_out(release) if release else None, "released": shares.released,
            "channels": [{"channel": c, "percent": percent[c], "seats": shares.parts.get(c, 0),
                          "used": web_used if c == WEB else counts.get(c, 0)} for c in channels.CHANNELS]}


# --- the counts a booking takes ---------------------------------------------------------------

class WebShare:
    """The web's counts a web booking takes on an office-day. While partner channels hold a
    reserve the web's part is counted, split over a few items (a random one first, so web
    bookings of one office-day do not all write one item); once released, or with no reserve,
    the web takes no count and only the seats bound it."""

    def __init__(self, office: Office, day: date, now: datetime, seats: int):
        self.office, self.day, self.seats = office, day, seats
        shares, _ = day_shares(office, day, now)
        self.caps = channels.web_part_caps(shares.parts.get(WEB, 0), get_settings().web_share_parts) \
            if shares.web_is_bounded else None

    def first(self) -> tuple[ShareClaim, ...]:
        if self.caps is None:
            return ()
        fitting = [k for k, cap in self.caps.items() if cap >= self.seats]
        if not fitting:
            return self.after_refusal()
        key = _rng.choice(fitting)
        return (ShareClaim(key, self.seats, self.caps[key]),)

    def after_refusal(self) -> tuple[ShareClaim, ...]:
        """After a count was found full: read the counts and take the seats where there is room
        (several counts if need be); ChannelShareFull when the web's part has no room left."""
        counts = stores.bookings.share_counts(self.office.office_id, self.day, consistent=True)
        room = {k: cap - counts.get(k, 0) for k, cap in (self.caps or {}).items()}
        taken = channels.allocate(room, self.seats)
        if taken is None:
            raise web_share_full()
        return tuple(ShareClaim(k, n, self.caps[k]) for k, n in taken.items())


def partner_claim(office: Office, day: date, now: datetime, channel: str, seats: int) -> tuple[ShareClaim, ...]:
    """A partner channel's count on the office-day, under its part of the seats."""
    shares, _ = day_shares(office, day, now)
    cap = shares.cap(channel) or 0
    if cap < seats:
        raise partner_share_full()
    return (ShareClaim(channel, seats, cap),)


def first_claim(office: Office, day: date, now: datetime, seats: int, partner_channel: str | None
                ) -> tuple[WebShare | None, tuple[ShareClaim, ...]]:
    """What a booking first claims: a partner's channel count (`partner_channel`), else the web's
    part (the WebShare, whose other items a retry may try)."""
    if partner_channel is not None:
        return None, partner_claim(office, day, now, partner_channel, seats)
    web = WebShare(office, day, now, seats)
    return web, web.first()


def web_share_full() -> ChannelShareFull:
    return ChannelShareFull("The seats of this day left for web booking are taken; partner channels' unused "
                            "seats open to the web before the day",
                            "نوبت‌های اینترنتی این روز تکمیل است؛ سهم استفاده‌نشده همکاران پیش از آن روز آزاد می‌شود")


def partner_share_full() -> ChannelShareFull:
    return ChannelShareFull("Your channel's share of this office-day is used up",
                            "سهم کانال شما از نوبت‌های این روز این دفتر تکمیل است")
