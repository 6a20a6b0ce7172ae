"""The operators registry: an office's manager (operator token with the `manager` claim) keeps
their own office's operators; the association keeps any office's."""
from __future__ import annotations

import re

from chalice import Blueprint, Response

from chalicelib.api.auth import association_admin_from, office_manager_from
from chalicelib.api.http import ANY_CONTENT, body, handled, header, json_response
from chalicelib.errors import InvalidInput
from chalicelib.ranking_schemas import OperatorIn
from chalicelib.services import operators

bp = Blueprint(__name__)
_OPERATOR_ID = re.compile(r"^[A-Za-z0-9\-_]{1,40}$")


def _operator_id(raw: str) -> str:
    if not _OPERATOR_ID.match(raw or ""):
        raise InvalidInput("operator_id must be 1-40 letters, digits, - or _", "شناسه کاربر نامعتبر است")
    return raw


def _manager():
    return office_manager_from(header(bp, "Authorization"))


def _admin() -> str:
    return association_admin_from(header(bp, "Authorization"))


@bp.route("/v1/office/operators", methods=["GET"])
@handled(bp)
def list_office_operators():
    return json_response(operators.office_registry(_manager().office_id))


@bp.route("/v1/office/operators/{operator_id}", methods=["PUT"], content_types=ANY_CONTENT)
@handled(bp)
def register_office_operator(operator_id):
    manager = _manager()
    req = body(bp, OperatorIn)
    return json_response(operators.register(manager.office_id, _operator_id(operator_id), req,
                                            f"manager:{manager.operator_id}"))


@bp.route("/v1/office/operators/{operator_id}", methods=["DELETE"])
@handled(bp)
def remove_office_operator(operator_id):
    operators.remove(_manager().office_id, _operator_id(operator_id))
    return Response(body="", status_code=204)


@bp.route("/v1/admin/offices/{office_id}/operators", methods=["GET"])
@handled(bp)
def list_operators(office_id):
    _admin()
    return json_response(operators.office_registry(office_id))


@bp.route("/v1/admin/offices/{office_id}/operators/{operator_id}", methods=["PUT"], content_types=ANY_CONTENT)
@handled(bp)
def register_operator(office_id, operator_id):
    admin = _admin()
    req = body(bp, OperatorIn)
    return json_response(operators.register(office_id, _operator_id(operator_id), req, f"association:{admin}"))


@bp.route("/v1/admin/offices/{office_id}/operators/{operator_id}", methods=["DELETE"])
@handled(bp)
def remove_operator(office_id, operator_id):
    _admin()
    operators.remove(office_id, _operator_id(operator_id))
    return Response(body="", status_code=204)
