"""Public, read-only routes: the service catalogue, offices, free slots, the holiday calendar."""
from __future__ import annotations

from datetime import timedelta

from chalice import Blueprint

from chalicelib.api.http import handled, json_response, query
from chalicelib.domain import calendar
from chalicelib.errors import InvalidInput
from chalicelib.schemas import Page, SlotQuery
from chalicelib.services import catalogue

bp = Blueprint(__name__)


def _param(name: str) -> str | None:
    value = (bp.current_request.query_params or {}).get(name)
    return value.strip() or None if value else None


def _page() -> Page:
    return query(bp, Page, ("limit", "cursor"))


@bp.route("/v1/health", methods=["GET"])
@handled(bp)
def health():
    return json_response({"status": "ok", "time": calendar.datetime_out(calendar.now_tehran())})


@bp.route("/v1/services", methods=["GET"])
@handled(bp)
def search_services():
    page = _page()
    return json_response(catalogue.search_services(_param("q"), _param("category"), _param("mode"),
                                                   page.limit, page.cursor))


@bp.route("/v1/services/{service_id}", methods=["GET"])
@handled(bp)
def get_service(service_id):
    return json_response(catalogue.service_view(catalogue.get_service(service_id)))


@bp.route("/v1/offices", methods=["GET"])
@handled(bp)
def list_offices():
    page = _page()
    return json_response(catalogue.list_offices(_param("province"), _param("city"), _param("service"),
                                                page.limit, page.cursor))


@bp.route("/v1/offices/{office_id}", methods=["GET"])
@handled(bp)
def get_office(office_id):
    return json_response(catalogue.office_detail(office_id))


@bp.route("/v1/offices/{office_id}/slots", methods=["GET"])
@handled(bp)
def office_slots(office_id):
    q = query(bp, SlotQuery, ("service", "date"))
    return json_response(catalogue.free_slots(office_id, q.service, q.date))


@bp.route("/v1/calendar/holidays", methods=["GET"])
@handled(bp)
def holidays():
    try:
        start = calendar.parse_date(_param("from")) if _param("from") else calendar.now_tehran().date()
        end = calendar.parse_date(_param("to")) if _param("to") else start + timedelta(days=365)
    except ValueError as exc:
        raise InvalidInput(str(exc), "تاریخ نامعتبر است") from exc
    return json_response(catalogue.holidays(start, end))
