"""The association's routes (JWT bearer, role `association`): corrections of the network
calendar, effective at once, without a deploy."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.auth import association_admin_from
from chalicelib.api.http import ANY_CONTENT, body, handled, header, json_response
from chalicelib.domain import calendar
from chalicelib.errors import InvalidInput
from chalicelib.schemas import CalendarCorrection
from chalicelib.services import catalogue

bp = Blueprint(__name__)


def _admin() -> str:
    return association_admin_from(header(bp, "Authorization"))


def _day(raw: str):
    try:
        return calendar.parse_date(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc), "تاریخ نامعتبر است") from exc


@bp.route("/v1/admin/calendar/{day}", methods=["PUT"], content_types=ANY_CONTENT)
@handled(bp)
def correct_calendar_day(day):
    admin = _admin()
    req = body(bp, CalendarCorrection)
    return json_response(catalogue.correct_day(_day(day), req.closed, req.name_en, req.name_fa, admin))


@bp.route("/v1/admin/calendar/{day}", methods=["DELETE"])
@handled(bp)
def remove_calendar_correction(day):
    _admin()
    catalogue.remove_correction(_day(day))
    return Response(body="", status_code=204)
