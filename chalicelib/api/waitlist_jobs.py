"""The waitlist's jobs: the bookings stream offers each freed seat (a booking cancelled or moved)
to the first citizen waiting for it, and every minute the offers whose time is up pass to the next
in line. Their grants are in infra/stacks/service.py."""
from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from chalice import Blueprint, Rate

from chalicelib.api.ranking_jobs import BOOKINGS_STREAM_ARN
from chalicelib.observability import logger
from chalicelib.services import waitlist

bp = Blueprint(__name__)
_bookings = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _offer(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    waitlist.on_booking_change(change.new_image if change else None, change.old_image if change else None)


@bp.on_dynamodb_record(stream_arn=BOOKINGS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                       name="offer_freed_seats")
def offer_freed_seats(event):
    return process_partial_response(event=event.to_dict(), record_handler=_offer, processor=_bookings,
                                    context=event.context)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="roll_waitlist_offers")
def roll_waitlist_offers(event):
    logger.info("waitlist offers rolled", extra=waitlist.roll_offers())
