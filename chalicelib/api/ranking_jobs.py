"""The ranking's jobs: two stream consumers fold outcomes into monthly per-office
aggregates (once per stream event), and a daily schedule publishes the month's ranking (once per
month, whatever fires). Grants: infra/stacks/service.py."""
from __future__ import annotations

import functools
import os

from chalice import Blueprint, Rate

from chalicelib.api.http import lazy
from chalicelib.observability import logger

ranking = lazy("chalicelib.services.ranking")

bp = Blueprint(__name__)


def stream_arn(table: str) -> str:
    """A table's stream ARN, read when the handler is declared: CDK sets <TABLE>_STREAM_ARN on every
    function (so `chalice package` finds the real one); locally a placeholder names the table, and
    only then are the settings read."""
    arn = os.environ.get(f"{table.upper()}_STREAM_ARN")
    if arn:
        return arn
    from chalicelib.settings import get_settings
    s = get_settings()
    return f"arn:aws:dynamodb:{s.region}:000000000000:table/{s.table_name(table)}/stream/local"


BOOKINGS_STREAM_ARN = stream_arn("bookings")
REQUESTS_STREAM_ARN = stream_arn("requests")


@functools.cache
def batch_processor(name: str):  # noqa: ANN201 - a Powertools BatchProcessor
    """One Powertools batch processor per stream consumer, built on its first batch (the batch
    utilities are not imported at cold start by functions that never read a stream)."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
    return BatchProcessor(event_type=EventType.DynamoDBStreams)


def process_stream(event, record_handler, processor: str):  # noqa: ANN001, ANN201
    """Each record of a stream batch through `record_handler`, failures reported per record."""
    from aws_lambda_powertools.utilities.batch import process_partial_response
    return process_partial_response(event=event.to_dict(), record_handler=record_handler,
                                    processor=batch_processor(processor), context=event.context)


def _images(record) -> tuple[dict | None, dict | None]:
    change = record.dynamodb
    return (change.new_image if change else None), (change.old_image if change else None)


def _fold_booking(record) -> None:
    ranking.fold_booking_change(record.event_id, *_images(record))


def _fold_request(record) -> None:
    ranking.fold_request_change(record.event_id, *_images(record))


@bp.on_dynamodb_record(stream_arn=BOOKINGS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                       name="fold_booking_ranking")
def fold_booking_ranking(event):
    return process_stream(event, _fold_booking, "fold_booking_ranking")


@bp.on_dynamodb_record(stream_arn=REQUESTS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                       name="fold_request_ranking")
def fold_request_ranking(event):
    return process_stream(event, _fold_request, "fold_request_ranking")


@bp.schedule(Rate(1, unit=Rate.DAYS), name="rank_offices")
def rank_offices(event):
    logger.info("ranking recompute", extra=ranking.rank_offices())
