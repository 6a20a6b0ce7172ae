"""The waitlist's jobs: the bookings stream offers each freed seat (a booking cancelled or moved)
to the first citizen waiting for it, and every minute the offers whose time is up pass to the next
in line. Their grants are in infra/stacks/service.py."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.api.http import lazy
from chalicelib.api.ranking_jobs import BOOKINGS_STREAM_ARN, process_stream
from chalicelib.observability import logger

waitlist = lazy("chalicelib.services.waitlist")

bp = Blueprint(__name__)


def _offer(record) -> None:
    change = record.dynamodb
    waitlist.on_booking_change(change.new_image if change else None, change.old_image if change else None)


@bp.on_dynamodb_record(stream_arn=BOOKINGS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                       name="offer_freed_seats")
def offer_freed_seats(event):
    return process_stream(event, _offer, "offer_freed_seats")


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="roll_waitlist_offers")
def roll_waitlist_offers(event):
    logger.info("waitlist offers rolled", extra=waitlist.roll_offers())
