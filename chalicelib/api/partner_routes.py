"""Partner gateway (Standard Webhooks signatures, the secret chosen by the partner in the path)
and the association's partner registry (JWT bearer, role `association`)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.auth import association_admin_from
from chalicelib.api.http import ANY_CONTENT, body, handled, header, json_response
from chalicelib.errors import PayloadTooLarge
from chalicelib.request_schemas import PartnerIn, PartnerRequestIn
from chalicelib.services import partners, remote_requests
from chalicelib.settings import get_settings

bp = Blueprint(__name__)


def _signed(partner_id: str, content: bytes):
    """(partner, webhook-id) of a delivery signed with one of this partner's secrets, else 401."""
    headers = {k.lower(): v for k, v in (bp.current_request.headers or {}).items()}
    return partners.authenticate(partner_id, headers, content)


@bp.route("/v1/partners/{partner_id}/requests", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def partner_create_request(partner_id):
    raw = bp.current_request.raw_body or b""
    if len(raw) > get_settings().max_body_bytes:
        raise PayloadTooLarge()  # before any HMAC is computed
    partner, webhook_id = _signed(partner_id, raw)
    view, created = remote_requests.submit_from_partner(partner, webhook_id, body(bp, PartnerRequestIn))
    location = f"/v1/partners/{partner_id}/requests/{view['tracking_code']}"
    return json_response(view, 201 if created else 200, {"Location": location})


@bp.route("/v1/partners/{partner_id}/requests/{tracking_code}", methods=["GET"])
@handled(bp)
def partner_read_request(partner_id, tracking_code):
    partner, _ = _signed(partner_id, partners.read_content(partner_id, tracking_code))
    return json_response(remote_requests.read_for_partner(partner.partner_id, tracking_code))


def _admin() -> str:
    return association_admin_from(header(bp, "Authorization"))


@bp.route("/v1/admin/partners/{partner_id}", methods=["PUT"], content_types=ANY_CONTENT)
@handled(bp)
def upsert_partner(partner_id):
    admin = _admin()
    view, created = partners.upsert(partner_id, body(bp, PartnerIn), admin)
    return json_response(view, 201 if created else 200)


@bp.route("/v1/admin/partners/{partner_id}", methods=["GET"])
@handled(bp)
def read_partner(partner_id):
    _admin()
    return json_response(partners.get(partner_id))


@bp.route("/v1/admin/partners/{partner_id}/secrets", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def rotate_partner_secret(partner_id):
    return json_response(partners.rotate(partner_id, _admin()), 201)


@bp.route("/v1/admin/partners/{partner_id}/secrets/{secret_id}", methods=["DELETE"])
@handled(bp)
def retire_partner_secret(partner_id, secret_id):
    return json_response(partners.retire(partner_id, secret_id, _admin()))
