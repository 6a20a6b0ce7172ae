"""Scheduled jobs of the booking engine. Each is a thin shell over one use case."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.observability import logger
from chalicelib.services import jobs

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="deliver_outbox")
def deliver_outbox(event):
    logger.info("outbox delivered", extra=jobs.deliver_outbox())


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="snapshot_office_load")
def snapshot_office_load(event):
    logger.info("load snapshot written", extra=jobs.snapshot_office_load())
