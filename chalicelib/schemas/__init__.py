"""The API's schemas: what the routes accept and what they answer, as pydantic models. The
OpenAPI contract (openapi.yaml) is generated from them (`make openapi`).

One naming convention:
- a request body is `…In` (`BookingIn`, `RemoteRequestIn`, `CheckInIdentityIn`);
- a query string is `…Query` (`SlotQuery`, `PageQuery`);
- a response body is `…Out` (`BookingOut`), written from what the use case returns.

Bodies and queries derive from `Strict` (unknown fields refused, strings trimmed, values frozen).
Use cases take the body models as they are; nothing else in them depends on HTTP.
"""
from chalicelib.schemas.bookings import BookingIn, CheckInIdentityIn, HoldIn, RescheduleIn
from chalicelib.schemas.catalogue import (
    CalendarCorrectionIn,
    DayQuery,
    HolidayQuery,
    OfficeSearchQuery,
    ServiceSearchQuery,
    SlotQuery,
)
from chalicelib.schemas.common import ID, PageQuery, Strict
from chalicelib.schemas.operators import OperatorIn
from chalicelib.schemas.ranking import (
    ComplaintsIn,
    EquityQuery,
    InspectionIn,
    PolicyAdoptionIn,
    PolicyChangesIn,
    PolicySimulationIn,
    RankingQuery,
    StatementQuery,
)
from chalicelib.schemas.remote import (
    DraftDocumentIn,
    OpenCountersIn,
    PartnerIn,
    PartnerRequestIn,
    RatingIn,
    RemoteRequestIn,
    RequestDecisionIn,
)
from chalicelib.schemas.routing import RoutingParamsChangeIn, SuggestionQuery

__all__ = [
    "ID", "BookingIn", "CalendarCorrectionIn", "CheckInIdentityIn", "ComplaintsIn", "DayQuery", "DraftDocumentIn",
    "EquityQuery", "HoldIn", "HolidayQuery", "OfficeSearchQuery", "ServiceSearchQuery",
    "InspectionIn", "OpenCountersIn", "OperatorIn", "PageQuery", "PartnerIn", "PartnerRequestIn",
    "PolicyAdoptionIn", "PolicyChangesIn", "PolicySimulationIn", "RankingQuery", "RatingIn", "RemoteRequestIn",
    "RequestDecisionIn", "RescheduleIn", "RoutingParamsChangeIn", "SlotQuery", "StatementQuery", "Strict",
    "SuggestionQuery",
]
