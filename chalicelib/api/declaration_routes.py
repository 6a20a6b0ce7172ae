"""An office's own declarations (its manager): which services it offers, which only in person,
its own durations, its weekly hours. The association's governance of the catalogue: services
added, edited and retired, each a catalogue version readable with who, when, before and after."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import Operator
from chalicelib.api.callers import ASSOCIATION_ADMIN, OFFICE_MANAGER
from chalicelib.api.http import Routes, lazy

if TYPE_CHECKING:
    from chalicelib.schemas import (
        CatalogueVersionQuery,
        DeclarationQuery,
        OfficeHoursIn,
        ServiceDeclarationIn,
        ServiceEditIn,
        ServiceIn,
    )

catalogue_admin = lazy("chalicelib.services.catalogue_admin")
declarations = lazy("chalicelib.services.declarations")

api = Routes(__name__, tag="office")


def _manager(caller: Operator) -> str:
    return f"manager:{caller.operator_id}"


@api.get("/office/services", response="DeclarationPageOut", auth=OFFICE_MANAGER, query="DeclarationQuery",
         problems=(404,))
def list_declarations(caller: Operator, query: DeclarationQuery):
    return declarations.list_declarations(caller.office_id, query.category, query.limit, query.cursor)


@api.put("/office/services/{service_id}", response="DeclaredServiceOut", auth=OFFICE_MANAGER,
         body="ServiceDeclarationIn", problems=(404, 409))
def declare_service(service_id, caller: Operator, body: ServiceDeclarationIn):
    return declarations.declare(caller.office_id, service_id, body.offered, body.in_person_required,
                                body.duration_min, _manager(caller))


@api.get("/office/hours", response="OfficeHoursOut", auth=OFFICE_MANAGER, problems=(404,))
def office_hours(caller: Operator):
    return declarations.get_hours(caller.office_id)


@api.put("/office/hours", response="OfficeHoursOut", auth=OFFICE_MANAGER, body="OfficeHoursIn", problems=(404,))
def set_office_hours(caller: Operator, body: OfficeHoursIn):
    return declarations.set_hours(caller.office_id, {d: [list(i) for i in v] for d, v in body.hours.items()},
                                  _manager(caller))


@api.post("/admin/services", response="AdminServiceOut", status=201, tag="association", auth=ASSOCIATION_ADMIN,
          body="ServiceIn", problems=(409,))
def add_service(caller: str, body: ServiceIn):
    return catalogue_admin.add(body.model_dump(), f"association:{caller}")


@api.put("/admin/services/{service_id}", response="AdminServiceOut", tag="association", auth=ASSOCIATION_ADMIN,
         body="ServiceEditIn", problems=(404,))
def edit_service(service_id, caller: str, body: ServiceEditIn):
    return catalogue_admin.edit(service_id, body.model_dump(exclude_unset=True, exclude_none=True),
                                f"association:{caller}")


@api.post("/admin/services/{service_id}/retire", response="AdminServiceOut", tag="association",
          auth=ASSOCIATION_ADMIN, problems=(404,))
def retire_service(service_id, caller: str):
    return catalogue_admin.retire(service_id, f"association:{caller}")


@api.post("/admin/services/{service_id}/reinstate", response="AdminServiceOut", tag="association",
          auth=ASSOCIATION_ADMIN, problems=(404,))
def reinstate_service(service_id, caller: str):
    return catalogue_admin.reinstate(service_id, f"association:{caller}")


@api.get("/admin/catalogue/versions", response="CatalogueVersionsOut", tag="association", auth=ASSOCIATION_ADMIN,
         query="CatalogueVersionQuery")
def catalogue_versions(caller: str, query: CatalogueVersionQuery):
    return catalogue_admin.versions(query.limit, query.before, query.entity)
