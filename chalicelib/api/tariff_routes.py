"""The association's tariff book: its versions (the audit trail), one service's tariffs, and a
change of one service's tariff from a later day on."""
from __future__ import annotations

from chalicelib.api.auth import AssociationStaff
from chalicelib.api.callers import ASSOCIATION_ADMIN, ASSOCIATION_STAFF
from chalicelib.api.http import Routes
from chalicelib.schemas import ServiceTariffsOut, TariffBookOut, TariffChangeIn, TariffChangeOut
from chalicelib.services import tariffs

api = Routes(__name__, tag="association")


@api.get("/admin/tariffs", response=TariffBookOut, auth=ASSOCIATION_STAFF)
def tariff_book(caller: AssociationStaff):
    return tariffs.book_view()


@api.get("/admin/tariffs/{service_id}", response=ServiceTariffsOut, auth=ASSOCIATION_STAFF, problems=(404,))
def service_tariffs(service_id, caller: AssociationStaff):
    return tariffs.service_tariffs(service_id)


@api.put("/admin/tariffs/{service_id}", response=TariffChangeOut, auth=ASSOCIATION_ADMIN, body=TariffChangeIn,
         problems=(404, 409))
def change_tariff(service_id, caller: str, body: TariffChangeIn):
    return tariffs.change_service(service_id, body.model_dump(include={"government_rials", "office_rials",
                                                                       "share_base_rials"}),
                                  body.effective_from, body.expected_version, caller, body.reason)
