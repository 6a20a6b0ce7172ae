"""Remote requests' schedule: the SLA sweep every minute returns overdue requests to the pool.
Its grants are in infra/stacks/service.py."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.api.http import lazy
from chalicelib.observability import logger

remote_jobs = lazy("chalicelib.services.remote_jobs")

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="sweep_remote_sla")
def sweep_remote_sla(event):
    logger.info("remote SLA sweep", extra=remote_jobs.sweep_sla())
