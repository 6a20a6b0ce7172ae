"""Delivery of what waits in the outboxes, every minute: SMS to citizens and status callbacks to
partners. Their grants are in infra/stacks/service.py."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.api.http import lazy
from chalicelib.observability import logger

jobs = lazy("chalicelib.services.jobs")
remote_jobs = lazy("chalicelib.services.remote_jobs")

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="deliver_outbox")
def deliver_outbox(event):
    logger.info("outbox delivered", extra=jobs.deliver_outbox(lambda_context=getattr(event, "context", None)))


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="deliver_partner_callbacks")
def deliver_partner_callbacks(event):
    logger.info("partner callbacks delivered", extra=remote_jobs.deliver_callbacks())
