"""The ranking's jobs: two stream consumers fold outcomes into monthly per-office
aggregates (once per stream event), and a daily schedule publishes the month's ranking (once per
month, whatever fires). Grants: infra/stacks/service.py."""
from __future__ import annotations

import os

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from chalice import Blueprint, Rate

from chalicelib.observability import logger
from chalicelib.services import ranking
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
_s = get_settings()
# Resolved at package time (CDK sets <TABLE>_STREAM_ARN); locally the placeholder names the table.
BOOKINGS_STREAM_ARN = os.environ.get(
    "BOOKINGS_STREAM_ARN",
    f"arn:aws:dynamodb:{_s.region}:000000000000:table/{_s.table_name('bookings')}/stream/local")
REQUESTS_STREAM_ARN = os.environ.get(
    "REQUESTS_STREAM_ARN",
    f"arn:aws:dynamodb:{_s.region}:000000000000:table/{_s.table_name('requests')}/stream/local")
_bookings = BatchProcessor(event_type=EventType.DynamoDBStreams)
_requests = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _images(record: DynamoDBRecord) -> tuple[dict | None, dict | None]:
    change = record.dynamodb
    return (change.new_image if change else None), (change.old_image if change else None)


def _fold_booking(record: DynamoDBRecord) -> None:
    ranking.fold_booking_change(record.event_id, *_images(record))


def _fold_request(record: DynamoDBRecord) -> None:
    ranking.fold_request_change(record.event_id, *_images(record))


@bp.on_dynamodb_record(stream_arn=BOOKINGS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                       name="fold_booking_ranking")
def fold_booking_ranking(event):
    return process_partial_response(event=event.to_dict(), record_handler=_fold_booking, processor=_bookings,
                                    context=event.context)


@bp.on_dynamodb_record(stream_arn=REQUESTS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                       name="fold_request_ranking")
def fold_request_ranking(event):
    return process_partial_response(event=event.to_dict(), record_handler=_fold_request, processor=_requests,
                                    context=event.context)


@bp.schedule(Rate(1, unit=Rate.DAYS), name="rank_offices")
def rank_offices(event):
    logger.info("ranking recompute", extra=ranking.rank_offices())
