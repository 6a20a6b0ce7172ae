"""Items built as `Shape`s (without a PynamoDB model) are byte for byte the items the model
itself would write: the same names, types, serializers, defaults and version. The booking's
transaction writes its seats, booking, guard, answer and messages this way."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.dal import outbox_store
from chalicelib.dal.booking_store import ANSWERS, BOOKINGS, GUARDS, SEATS
from chalicelib.dal.db import Expr, Shape
from chalicelib.dal.models import BookingItem, CitizenGuardItem, IdempotencyItem, OutboxItem, SeatItem
from chalicelib.domain import outbox
from chalicelib.domain.calendar import TEHRAN

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=TEHRAN)


def model_item(model_cls, **values) -> dict:
    """What PynamoDB itself puts for a new model with these values."""
    return model_cls(**values).get_save_kwargs_from_instance()["Item"]


BOOKING = dict(
    pk="BK#BK123", sk="BOOKING", office_id="OF-THR-0001", service_id="S0001", day="2026-12-01",
    start="2026-12-01T09:00:00+03:30", cells=["09:00", "09:15"], counter=2, status="BOOKED", citizen_key="c" * 32,
    national_id_masked="001****789", mobile="+989121234567", name="زهرا\u200cسادات", access_code_hash="h" * 64,
    created_at=NOW.isoformat(), updated_at=NOW.isoformat(),
    history=[{"at": NOW.isoformat(), "actor": "citizen", "from": None, "to": "BOOKED"}],
    share=["web=2"], tariff_version=3, fee_rials=500_000, gsi1pk="OD#OF-THR-0001#2026-12-01",
    gsi1sk="09:00#BK123", gsi2pk="CZ#" + "c" * 32, gsi2sk="2026-12-01T09:00:00+03:30",
)


@pytest.mark.parametrize(("shape", "model_cls", "values"), [
    (SEATS, SeatItem, dict(pk="OD#OF-A#2026-12-01", sk="SEAT#09:00#1", status="BOOKED", booking_id="BK1")),
    (SEATS, SeatItem, dict(pk="OD#OF-A#2026-12-01", sk="SEAT#09:00#1", status="HELD", hold_id="HD1",
                           expires_at=1_800_000_000, ttl=NOW + timedelta(hours=1))),
    (BOOKINGS, BookingItem, BOOKING),
    (BOOKINGS, BookingItem, {**BOOKING, "name": None, "share": None, "history": [], "partner_id": "P-1470",
                             "channel": "call_centre", "kind": "session", "session": {"mode": "video", "tz": "Europe/Berlin"}}),
    (GUARDS, CitizenGuardItem, dict(pk="CZ#abc", sk="DAY#2026-12-01#SVC#S0001", booking_id="BK1")),
    (ANSWERS, IdempotencyItem, dict(id="booking#k", expiration=NOW + timedelta(hours=24), fingerprint="f" * 64,
                                    answer={"booking_id": "BK1", "start": {"jalali": "۱۴۰۵/۰۹/۱۰"}})),
], ids=["seat-booked", "seat-held", "booking", "session-by-partner", "guard", "first-answer"])
def test_a_shapes_item_is_the_models_own(shape, model_cls, values):
    assert shape.item(**values) == model_item(model_cls, **values)


def test_outbox_messages_are_the_models_own():
    sms = outbox.sms("booking_confirmed", "+989121234567", NOW, booking_id="BK1",
                     params={"office_fa": "دفتر ۱", "when_jalali": "۱۴۰۵/۰۹/۱۰ ۰۹:۰۰"})
    values = outbox_store._values(sms)
    assert outbox_store.MESSAGES.item(**values) == model_item(OutboxItem, **values)
    assert values["attempts"] == 0 and "params" in values


def test_a_versioned_item_starts_at_version_one_and_a_missing_required_value_is_refused():
    assert BOOKINGS.item(**BOOKING)["version"] == {"N": "1"}
    with pytest.raises(ValueError, match="office_id"):
        BOOKINGS.item(**{**BOOKING, "office_id": None})
    with pytest.raises(TypeError, match="colour"):
        GUARDS.item(pk="CZ#a", sk="DAY#x", booking_id="BK1", colour="red")


def test_a_condition_carries_only_the_placeholders_it_has():
    assert Expr("attribute_not_exists(#pk)", {"#pk": "pk"}).kwargs() == {
        "ConditionExpression": "attribute_not_exists(#pk)", "ExpressionAttributeNames": {"#pk": "pk"}}
    assert Shape(IdempotencyItem).wire("expiration", datetime(2026, 1, 1, tzinfo=UTC)) == {"N": "1767225600"}


def test_a_shapes_key_is_the_models_own():
    from chalicelib.dal.booking_store import BLOCKS, DAYS
    from chalicelib.dal.models import CitizenDayItem
    assert DAYS.key("CZ#abc", "DAY#2026-12-01") == CitizenDayItem("CZ#abc", "DAY#2026-12-01").get_delete_kwargs_from_instance(
        add_version_condition=False)["Key"]
    assert BLOCKS.key("CZ#abc", "BLOCK") == {"pk": {"S": "CZ#abc"}, "sk": {"S": "BLOCK"}}
    assert Shape(IdempotencyItem).key("booking#k") == {"id": {"S": "booking#k"}}
