"""The offices' load, kept for routing: a snapshot every minute, and the open-counter
reconciliation every five; every five minutes too, the sweep of closed office days (bookings a
closure or fewer licensed counters left without a seat are cancelled, each with an SMS).
Their grants are in infra/stacks/service.py."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.api.http import lazy
from chalicelib.observability import logger

closures = lazy("chalicelib.services.closures")
jobs = lazy("chalicelib.services.jobs")
remote_jobs = lazy("chalicelib.services.remote_jobs")

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="snapshot_office_load")
def snapshot_office_load(event):
    logger.info("load snapshot written", extra=jobs.snapshot_office_load())


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="sweep_office_days")
def sweep_office_days(event):
    logger.info("closed office days swept", extra=closures.sweep_office_days())


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="reconcile_office_counters")
def reconcile_office_counters(event):
    logger.info("office counters reconciled", extra=remote_jobs.reconcile_counters())
