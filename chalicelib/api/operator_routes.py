"""The operators registry: an office's manager (operator token with the `manager` claim) keeps
their own office's operators; the association keeps any office's."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chalicelib.api.auth import Operator
from chalicelib.api.callers import ASSOCIATION_ADMIN, OFFICE_MANAGER
from chalicelib.api.http import Reply, Routes, lazy
from chalicelib.errors import InvalidInput

if TYPE_CHECKING:
    from chalicelib.schemas import OperatorIn

operators = lazy("chalicelib.services.operators")

api = Routes(__name__, tag="office")
_OPERATOR_ID = re.compile(r"^[A-Za-z0-9\-_]{1,40}$")


def _operator_id(raw: str) -> str:
    if not _OPERATOR_ID.match(raw or ""):
        raise InvalidInput("operator_id must be 1-40 letters, digits, - or _", "شناسه کاربر نامعتبر است")
    return raw


@api.get("/office/operators", response="OperatorRegistryOut", auth=OFFICE_MANAGER, problems=(404,))
def list_office_operators(caller: Operator):
    return operators.office_registry(caller.office_id)


@api.put("/office/operators/{operator_id}", response="OperatorOut", auth=OFFICE_MANAGER, body="OperatorIn",
         problems=(404,))
def register_office_operator(operator_id, caller: Operator, body: OperatorIn):
    return operators.register(caller.office_id, _operator_id(operator_id), body, f"manager:{caller.operator_id}")


@api.delete("/office/operators/{operator_id}", auth=OFFICE_MANAGER, status=204, problems=(404, 422))
def remove_office_operator(operator_id, caller: Operator):
    operators.remove(caller.office_id, _operator_id(operator_id))
    return Reply(None, 204)


@api.get("/admin/offices/{office_id}/operators", response="OperatorRegistryOut", tag="association",
         auth=ASSOCIATION_ADMIN, problems=(404,))
def list_operators(office_id, caller: str):
    return operators.office_registry(office_id)


@api.put("/admin/offices/{office_id}/operators/{operator_id}", response="OperatorOut", tag="association",
         auth=ASSOCIATION_ADMIN, body="OperatorIn", problems=(404,))
def register_operator(office_id, operator_id, caller: str, body: OperatorIn):
    return operators.register(office_id, _operator_id(operator_id), body, f"association:{caller}")


@api.delete("/admin/offices/{office_id}/operators/{operator_id}", tag="association", auth=ASSOCIATION_ADMIN,
            status=204, problems=(404, 422))
def remove_operator(office_id, operator_id, caller: str):
    operators.remove(office_id, _operator_id(operator_id))
    return Reply(None, 204)
