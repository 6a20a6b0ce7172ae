"""The offices' load, kept for routing: a snapshot every minute, and the open-counter
reconciliation every five. Their grants are in infra/stacks/service.py."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.observability import logger
from chalicelib.services import jobs, remote_jobs

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="snapshot_office_load")
def snapshot_office_load(event):
    logger.info("load snapshot written", extra=jobs.snapshot_office_load())


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="reconcile_office_counters")
def reconcile_office_counters(event):
    logger.info("office counters reconciled", extra=remote_jobs.reconcile_counters())
