"""Schedules of remote requests: the SLA sweep and partner callback delivery every minute, and
the office counter reconciliation every five. Their grants are in infra/stacks/service.py."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.observability import logger
from chalicelib.services import remote_jobs

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="sweep_remote_sla")
def sweep_remote_sla(event):
    logger.info("remote SLA sweep", extra=remote_jobs.sweep_sla())


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="deliver_partner_callbacks")
def deliver_partner_callbacks(event):
    logger.info("partner callbacks delivered", extra=remote_jobs.deliver_callbacks())


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="reconcile_office_counters")
def reconcile_office_counters(event):
    logger.info("office counters reconciled", extra=remote_jobs.reconcile_counters())
