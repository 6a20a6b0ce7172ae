"""The callers a route can declare (`auth=`): a citizen with the session of a verified mobile
(required, or taken when sent), an office's operator, the office's manager, the
association's administrator, and the association's staff on the ranking inputs (an administrator,
or a provincial representative limited to their province's offices by the use case). Each reads
the bearer token from the request before anything else; the token itself is checked in auth.py."""
from __future__ import annotations

from chalice.app import Request

from chalicelib.api.auth import (
    association_admin_from,
    association_staff_from,
    office_manager_from,
    operator_from,
)
from chalicelib.api.citizen_auth import citizen_from, citizen_if_any
from chalicelib.api.http import Auth, Limit


def _bearer(request: Request) -> str | None:
    value = request.headers.get("Authorization")
    return value.strip() if value else None


OPERATOR = Auth("operatorBearer", lambda request: operator_from(_bearer(request)), staff=True)
OFFICE_MANAGER = Auth("operatorBearer", lambda request: office_manager_from(_bearer(request)), forbids=True, staff=True)
ASSOCIATION_ADMIN = Auth("associationBearer", lambda request: association_admin_from(_bearer(request)), forbids=True, staff=True)
ASSOCIATION_STAFF = Auth("associationBearer", lambda request: association_staff_from(_bearer(request)), forbids=True, staff=True)
CITIZEN = Auth("citizenBearer", lambda request: citizen_from(_bearer(request)))
CITIZEN_IF_ANY = Auth("citizenBearer", lambda request: citizen_if_any(_bearer(request)), optional=True)

# A citizen's refused bookings (a full slot, a duplicate, a bad body), per citizen: an accepted
# booking is bounded by its own transaction (the daily cap, one live booking per day and service),
# so it spends nothing and costs no round trip; per address, the edge's WAF rules apply (many
# citizens share an address behind a carrier's NAT at 08:00).
BOOKING_REFUSALS = Limit("booking-citizen", subject=lambda _request, caller: caller.citizen_key, refusals_only=True)
