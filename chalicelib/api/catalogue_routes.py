"""Public, read-only routes: the service catalogue, offices, free slots, the holiday calendar."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.api.http import Routes
from chalicelib.domain import calendar
from chalicelib.schemas import HolidayQuery, OfficeSearchQuery, ServiceSearchQuery, SlotQuery
from chalicelib.services import catalogue

api = Routes(__name__, tag="catalogue")


@api.get("/services", query=ServiceSearchQuery)
def search_services(query: ServiceSearchQuery):
    return catalogue.search_services(query.q, query.category, query.mode, query.limit, query.cursor)


@api.get("/services/{service_id}", problems=(404,))
def get_service(service_id):
    return catalogue.service_view(catalogue.get_service(service_id))


@api.get("/offices", query=OfficeSearchQuery, problems=(404,))
def list_offices(query: OfficeSearchQuery):
    return catalogue.list_offices(query.province, query.city, query.service, query.limit, query.cursor)


@api.get("/offices/{office_id}", problems=(404,))
def get_office(office_id):
    return catalogue.office_detail(office_id)


@api.get("/offices/{office_id}/slots", query=SlotQuery, problems=(404,))
def office_slots(office_id, query: SlotQuery):
    return catalogue.free_slots(office_id, query.service, query.date)


@api.get("/calendar/holidays", query=HolidayQuery)
def holidays(query: HolidayQuery):
    start = query.from_ or calendar.now_tehran().date()
    return catalogue.holidays(start, query.to or start + timedelta(days=365))
