"""Scheduled jobs and stream consumers. Each is a thin shell over one use case."""
from __future__ import annotations

import os

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from chalice import Blueprint, Rate

from chalicelib.observability import logger
from chalicelib.services import jobs
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
_s = get_settings()
# The ARN is resolved at package time from the environment (set by the CDK stack); locally the
# placeholder names the table, and the local runner resolves its real stream from that name.
BOOKINGS_STREAM_ARN = os.environ.get(
    "BOOKINGS_STREAM_ARN",
    f"arn:aws:dynamodb:{_s.region}:000000000000:table/{_s.table_name('bookings')}/stream/local")
_processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="deliver_outbox")
def deliver_outbox(event):
    logger.info("outbox delivered", extra=jobs.deliver_outbox())


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="snapshot_office_load")
def snapshot_office_load(event):
    logger.info("load snapshot written", extra=jobs.snapshot_office_load())


def _fold(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    jobs.fold_booking_outcome(record.event_id, change.new_image if change else None,
                              change.old_image if change else None)


@bp.on_dynamodb_record(stream_arn=BOOKINGS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                       name="fold_booking_outcomes")
def fold_booking_outcomes(event):
    return process_partial_response(event=event.to_dict(), record_handler=_fold, processor=_processor,
                                    context=event.context)
