"""Channel shares on the fakes: a partner books on behalf of a citizen within its channel's part,
once per webhook-id; the web stays within its part until the partners' unused seats are released."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.booking import CANCELLED
from chalicelib.domain.partner import Partner
from chalicelib.errors import ChannelShareFull, Conflict, InvalidInput, NotFound, SlotFull, WebhookIdReused
from chalicelib.schemas import BookingIn
from chalicelib.schemas.channels import ChannelSharesChangeIn, ChannelSharesIn, PartnerBookingIn
from chalicelib.services import bookings, channels, partner_bookings
from chalicelib.services.stores import stores
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day(skip=2)  # opens 08:00 more than a day after NOW: partner shares still reserved
OPENS = at(DAY, "08:00")
RELEASED = OPENS - timedelta(hours=23)  # 24 h before opening, the unused partner seats go to the web
# OF-B: one counter, 08:00-12:00 -> 16 seats: web 8, 1470 4, consulates 4.
SHARES = ChannelSharesIn(web=50, call_centre_1470=25, consulate=25)
PARTNER = Partner("p1470", "1470 network", "call_centre_1470", quota_per_minute=600, created_at="x", updated_at="x")


@pytest.fixture()
def shared(fakes):
    with stores.use(partners=fakes["bookings"].partners):  # where the booking store remembers deliveries
        channels.adopt(ChannelSharesChangeIn(expected_number=0, offices={"OF-B": SHARES}), "admin", now=NOW)
        yield fakes


def slot(i: int) -> str:
    return (OPENS + timedelta(minutes=15 * i)).strftime("%H:%M")


def partner_body(n: int, i: int, ref: str | None = None) -> PartnerBookingIn:
    return PartnerBookingIn(office_id="OF-B", service_id="S0001", start=at(DAY, slot(i)), national_id=national_id(n),
                            mobile=mobile(n), partner_ref=ref or f"call-{n}")


def web_book(n: int, i: int, now=NOW) -> dict:
    return bookings.book(BookingIn(office_id="OF-B", service_id="S0001", start=at(DAY, slot(i)),
                                   national_id=national_id(n), mobile=mobile(n)), now=now)


def test_a_partner_books_up_to_its_share_then_is_refused(shared):
    for i in range(4):
        view, created = partner_bookings.book_for_citizen(PARTNER, f"msg_{i}", partner_body(100 + i, i), NOW)
        assert created and view["channel"] == "call_centre_1470" and view["partner_ref"] == f"call-{100 + i}"
        assert "national_id" not in view and "mobile" not in view and "access_code" not in view
    with pytest.raises(ChannelShareFull):
        partner_bookings.book_for_citizen(PARTNER, "msg_5", partner_body(105, 5), NOW)
    assert stores.bookings.share_counts("OF-B", DAY) == {"call_centre_1470": 4}
    made = [b for b in stores.bookings.office_day_bookings("OF-B", DAY)]
    assert len(made) == 4 and {b.partner_id for b in made} == {"p1470"}
    # The citizen gets the usual confirmation SMS, with its access code.
    sms = [m.content for m in shared["bookings"].outbox if m.content.template == "booking_confirmed"]
    assert len(sms) == 4 and all(m.params.get("access_code") for m in sms)


def test_a_replayed_webhook_id_returns_the_first_booking_and_books_nothing(shared):
    first, created = partner_bookings.book_for_citizen(PARTNER, "msg_a", partner_body(1, 0), NOW)
    again, created_again = partner_bookings.book_for_citizen(PARTNER, "msg_a", partner_body(1, 0), NOW)
    assert created and not created_again and again["booking_id"] == first["booking_id"]
    assert len(stores.bookings.office_day_bookings("OF-B", DAY)) == 1
    with pytest.raises(WebhookIdReused):  # another body under the same webhook-id
        partner_bookings.book_for_citizen(PARTNER, "msg_a", partner_body(2, 1), NOW)
    other = Partner("p-other", "Consulate", "consulate", 60, "x", "x")
    with pytest.raises(NotFound):  # a partner reads only its own bookings
        partner_bookings.read_for_partner(other.partner_id, first["booking_id"])
    assert partner_bookings.read_for_partner("p1470", first["booking_id"])["booking_id"] == first["booking_id"]


def test_the_web_is_refused_beyond_its_share_until_the_release(shared):
    for i in range(8):
        web_book(200 + i, i)
    with pytest.raises(ChannelShareFull):
        web_book(208, 8)
    partner_bookings.book_for_citizen(PARTNER, "msg_b", partner_body(300, 9), NOW)
    # From 24 h before the day: 16 seats - 8 web - 1 partner = 7 more for the web, then the seats end.
    for n, i in enumerate((8, 10, 11, 12, 13, 14, 15)):
        web_book(400 + n, i, now=RELEASED)
    assert len(stores.bookings.office_day_bookings("OF-B", DAY)) == 16
    # The partner channel keeps its cap after the release, but the seats are gone.
    with pytest.raises(SlotFull):
        partner_bookings.book_for_citizen(PARTNER, "msg_c", partner_body(500, 3), RELEASED)


def test_a_cancelled_web_booking_gives_its_seat_back_to_the_web_part(shared):
    made = [web_book(600 + i, i) for i in range(8)]
    bookings.cancel(made[0]["booking_id"], made[0]["access_code"], now=NOW)
    assert stores.bookings.get_booking(made[0]["booking_id"]).status == CANCELLED
    assert web_book(610, 12)["status"] == "BOOKED"
    assert sum(stores.bookings.share_counts("OF-B", DAY).values()) == 8


def test_the_shares_are_versioned_and_checked(shared):
    view = channels.shares_view()
    assert view["number"] == 1 and view["offices"]["OF-B"]["web"] == 50 and view["network"]["web"] == 100
    with pytest.raises(Conflict):
        channels.adopt(ChannelSharesChangeIn(expected_number=0, network=SHARES), "admin", now=NOW)
    with pytest.raises(InvalidInput):
        channels.adopt(ChannelSharesChangeIn(expected_number=1, offices={"OF-NOPE": SHARES}), "admin", now=NOW)
    view = channels.adopt(ChannelSharesChangeIn(expected_number=1, offices={"OF-B": None}), "admin", now=NOW)
    assert view["number"] == 2 and view["offices"] == {} and len(view["history"]) == 2
    with pytest.raises(ValueError):
        ChannelSharesIn(web=50, consulate=40)
    day = channels.day_view("OF-B", DAY, now=calendar.now_tehran())
    assert day["seats"] == 16 and [c["seats"] for c in day["channels"]] == [16, 0, 0, 0]
