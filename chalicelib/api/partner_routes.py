"""Partner gateway (Standard Webhooks signatures, the secret chosen by the partner in the path)
and the association's partner registry (JWT bearer, role `association`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Request

from chalicelib.api.callers import ASSOCIATION_ADMIN
from chalicelib.api.http import Auth, Limit, Reply, Routes, get_settings, lazy, path_day
from chalicelib.errors import PayloadTooLarge

if TYPE_CHECKING:
    from chalicelib.schemas import PartnerIn, PartnerRequestIn
    from chalicelib.schemas.channels import ChannelSharesChangeIn, PartnerBookingIn

channels = lazy("chalicelib.services.channels")
partner_bookings = lazy("chalicelib.services.partner_bookings")
partners = lazy("chalicelib.services.partners")
remote_requests = lazy("chalicelib.services.remote_requests")

api = Routes(__name__, tag="partners")
SIGNATURE = ("webhook-id", "webhook-timestamp", "webhook-signature")


def _signed(request: Request, content: bytes):
    """(partner, webhook-id) of a delivery signed with one of this partner's secrets, else 401."""
    headers = {k.lower(): v for k, v in (request.headers or {}).items()}
    return partners.authenticate(request.uri_params["partner_id"], headers, content)


def _signed_body(request: Request):
    raw = request.raw_body or b""
    if len(raw) > get_settings().max_body_bytes:
        raise PayloadTooLarge()  # before any HMAC is computed
    return _signed(request, raw)


def _signed_read(request: Request):
    params = request.uri_params
    return _signed(request, partners.read_content(params["partner_id"], params["tracking_code"]))


def _signed_booking_read(request: Request):
    params = request.uri_params
    return _signed(request, partners.booking_read_content(params["partner_id"], params["booking_id"]))


SIGNED_BODY = Auth("partnerSignature", _signed_body)
SIGNED_READ = Auth("partnerSignature", _signed_read)
SIGNED_BOOKING_READ = Auth("partnerSignature", _signed_booking_read)
# Each partner's own bucket, spent once its signature is verified: its quota_per_minute a minute.
PER_PARTNER = Limit("partner", subject=lambda request, caller: caller[0].partner_id,
                    per_minute=lambda caller: caller[0].quota_per_minute)


@api.post("/partners/{partner_id}/requests", response="PartnerRemoteRequestOut", auth=SIGNED_BODY,
          body="PartnerRequestIn", status=(201, 200), headers=SIGNATURE, problems=(404, 409),
          limit=PER_PARTNER)
def partner_create_request(partner_id, caller, body: PartnerRequestIn):
    partner, webhook_id = caller
    view, created = remote_requests.submit_from_partner(partner, webhook_id, body)
    location = f"/v1/partners/{partner_id}/requests/{view['tracking_code']}"
    return Reply(view, 201 if created else 200, {"Location": location})


@api.get("/partners/{partner_id}/requests/{tracking_code}", response="PartnerRemoteRequestOut", auth=SIGNED_READ,
         headers=SIGNATURE, problems=(404,), limit=PER_PARTNER)
def partner_read_request(partner_id, tracking_code, caller):
    partner, _ = caller
    return remote_requests.read_for_partner(partner.partner_id, tracking_code)


@api.post("/partners/{partner_id}/bookings", response="channels.PartnerBookingOut", auth=SIGNED_BODY,
          body="channels.PartnerBookingIn", status=(201, 200), headers=SIGNATURE, problems=(404, 409), limit=PER_PARTNER)
def partner_create_booking(partner_id, caller, body: PartnerBookingIn):
    partner, webhook_id = caller
    view, created = partner_bookings.book_for_citizen(partner, webhook_id, body)
    location = f"/v1/partners/{partner_id}/bookings/{view['booking_id']}"
    return Reply(view, 201 if created else 200, {"Location": location})


@api.get("/partners/{partner_id}/bookings/{booking_id}", response="channels.PartnerBookingOut", auth=SIGNED_BOOKING_READ,
         headers=SIGNATURE, problems=(404,), limit=PER_PARTNER)
def partner_read_booking(partner_id, booking_id, caller):
    partner, _ = caller
    return partner_bookings.read_for_partner(partner.partner_id, booking_id)


@api.get("/admin/channel-shares", response="channels.ChannelSharesOut", tag="association", auth=ASSOCIATION_ADMIN)
def channel_shares(caller: str):
    return channels.shares_view()


@api.put("/admin/channel-shares", response="channels.ChannelSharesOut", tag="association", auth=ASSOCIATION_ADMIN,
         body="channels.ChannelSharesChangeIn", problems=(409,))
def adopt_channel_shares(caller: str, body: ChannelSharesChangeIn):
    return channels.adopt(body, caller)


@api.get("/admin/offices/{office_id}/channel-shares/{day}", response="channels.OfficeDaySharesOut", tag="association",
         auth=ASSOCIATION_ADMIN, problems=(404, 422))
def office_day_channel_shares(office_id, day, caller: str):
    return channels.day_view(office_id, path_day(day))


@api.get("/admin/partners", response="PartnerListOut", tag="association", auth=ASSOCIATION_ADMIN)
def list_partners(caller: str):
    return partners.list_all()


@api.put("/admin/partners/{partner_id}", response={200: "PartnerOut", 201: "PartnerWithSecretOut"}, tag="association",
         auth=ASSOCIATION_ADMIN, body="PartnerIn", status=(200, 201), problems=(409,))
def upsert_partner(partner_id, caller: str, body: PartnerIn):
    view, created = partners.upsert(partner_id, body, caller)
    return Reply(view, 201 if created else 200)


@api.get("/admin/partners/{partner_id}", response="PartnerOut", tag="association", auth=ASSOCIATION_ADMIN,
         problems=(404,))
def read_partner(partner_id, caller: str):
    return partners.get(partner_id)


@api.post("/admin/partners/{partner_id}/secrets", response="PartnerWithSecretOut", tag="association",
          auth=ASSOCIATION_ADMIN, status=201, problems=(404, 409))
def rotate_partner_secret(partner_id, caller: str):
    return partners.rotate(partner_id, caller)


@api.delete("/admin/partners/{partner_id}/secrets/{secret_id}", response="PartnerOut", tag="association",
            auth=ASSOCIATION_ADMIN, problems=(404, 409))
def retire_partner_secret(partner_id, secret_id, caller: str):
    return partners.retire(partner_id, secret_id, caller)
