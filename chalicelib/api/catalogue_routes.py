"""Public, read-only routes: the service catalogue, offices, free slots, the holiday calendar."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.api.http import Routes, lazy
from chalicelib.domain import calendar

if TYPE_CHECKING:
    from chalicelib.schemas import HolidayQuery, OfficeSearchQuery, PlaceQuery, ServiceSearchQuery, SlotQuery

catalogue = lazy("chalicelib.services.catalogue")

api = Routes(__name__, tag="catalogue")


@api.get("/services", response="ServicePageOut", query="ServiceSearchQuery")
def search_services(query: ServiceSearchQuery):
    return catalogue.search_services(query.q, query.category, query.mode, query.limit, query.cursor)


@api.get("/categories", response="CategoryListOut")
def list_categories():
    return catalogue.categories()


@api.get("/places", response="PlaceListOut", query="PlaceQuery", problems=(404, 409))
def list_places(query: PlaceQuery):
    return catalogue.places(query.service)


@api.get("/services/{service_id}", response="ServiceOut", problems=(404, 409))
def get_service(service_id):
    return catalogue.service_view(catalogue.get_service(service_id))


@api.get("/offices", response="OfficePageOut", query="OfficeSearchQuery", problems=(404, 409))
def list_offices(query: OfficeSearchQuery):
    return catalogue.list_offices(query.province, query.city, query.service, query.limit, query.cursor)


@api.get("/offices/{office_id}", response="OfficeDetailOut", problems=(404,))
def get_office(office_id):
    return catalogue.office_detail(office_id)


@api.get("/offices/{office_id}/slots", response="SlotsOut", query="SlotQuery", problems=(404, 409))
def office_slots(office_id, query: SlotQuery):
    return catalogue.free_slots(office_id, query.service, query.date)


@api.get("/calendar/holidays", response="HolidayListOut", query="HolidayQuery")
def holidays(query: HolidayQuery):
    start = query.from_ or calendar.now_tehran().date()
    return catalogue.holidays(start, query.to or start + timedelta(days=365))
