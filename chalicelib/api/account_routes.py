"""The association's accounts: the citizen's receipt (access code or session), the
association's refunds and corrections, monthly statements (JSON or CSV), province summary and
reconciliation; an office's manager reads their own office's line of the monthly statement."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response

from chalicelib.api.auth import AssociationStaff, Operator
from chalicelib.api.callers import ASSOCIATION_ADMIN, ASSOCIATION_STAFF, CITIZEN_IF_ANY, OFFICE_MANAGER
from chalicelib.api.http import Reply, Routes, lazy

if TYPE_CHECKING:
    from chalicelib.domain.citizen import CitizenSession
    from chalicelib.schemas import AccountsStatementQuery, AdjustmentIn, MonthQuery, OfficeStatementQuery

accounts = lazy("chalicelib.services.accounts")

api = Routes(__name__, tag="association")
CSV = "text/csv"  # a statement with format=csv


@api.get("/receipts/{receipt_id}", response="ReceiptOut", auth=CITIZEN_IF_ANY, optional_headers=("X-Access-Code",),
         problems=(404,), tag="receipts")
def read_receipt(receipt_id, caller: CitizenSession | None):
    return accounts.read_receipt(receipt_id, api.header("X-Access-Code"), caller)


@api.post("/admin/receipts/{receipt_id}/adjustments", response="FeeRecordOut", status=(201, 200),
          auth=ASSOCIATION_ADMIN, body="AdjustmentIn", problems=(404, 409))
def adjust_fee(receipt_id, caller: str, body: AdjustmentIn):
    view, created = accounts.adjust(receipt_id, body.reference, body.kind, body.model_dump(
        include={"government_rials", "office_rials", "share_base_rials"}), body.reason, caller)
    return Reply(view, 201 if created else 200)


@api.get("/admin/accounts/statements", response="AccountsStatementOut", auth=ASSOCIATION_STAFF,
         query="AccountsStatementQuery", also_as=(CSV,))
def accounts_statement(caller: AssociationStaff, query: AccountsStatementQuery):
    view = accounts.statement(query.month, query.office_id, province=caller.province)
    return _csv(view, f"statement-{view['month']}.csv") if query.format == "csv" else view


@api.get("/office/accounts/statement", response="AccountsStatementOut", tag="office", auth=OFFICE_MANAGER,
         query="OfficeStatementQuery", also_as=(CSV,))
def office_statement(caller: Operator, query: OfficeStatementQuery):
    view = accounts.statement(query.month, caller.office_id)
    return _csv(view, f"statement-{caller.office_id}-{view['month']}.csv") if query.format == "csv" else view


def _csv(view: dict, filename: str) -> Response:
    return Response(body=accounts.statement_csv(view), status_code=200, headers={
        "Content-Type": f"{CSV}; charset=utf-8", "Content-Disposition": f'attachment; filename="{filename}"'})


@api.get("/admin/accounts/provinces", response="ProvinceSummaryOut", auth=ASSOCIATION_STAFF, query="MonthQuery")
def accounts_provinces(caller: AssociationStaff, query: MonthQuery):
    return accounts.province_summary(query.month, province=caller.province)


@api.post("/admin/accounts/reconcile", response="ReconciliationOut", auth=ASSOCIATION_ADMIN, query="MonthQuery",
          problems=(409,))
def reconcile_accounts(caller: str, query: MonthQuery):
    return accounts.reconcile(query.month)
