"""The accounts' daily check: the month's fee records against the totals kept beside them and
the statement built on them (services/accounts.reconcile). A disagreement is logged as an error
and counted (AccountsReconciliationFailed, which the stack alarms on); the job itself succeeds,
so one bad month does not hide the next day's check behind retries. Grants: infra/stacks/service.py."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.api.http import lazy
from chalicelib.errors import AccountsDisagree
from chalicelib.observability import logger

accounts = lazy("chalicelib.services.accounts")

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.DAYS), name="reconcile_accounts")
def reconcile_accounts(event):
    for month in accounts.months_to_check():
        try:
            logger.info("accounts reconciled", extra=accounts.reconcile(month))
        except AccountsDisagree:
            pass  # reconcile logged and counted it
