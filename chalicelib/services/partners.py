"""Partners (the 1470 network, consulates, court systems): the registry the association keeps,
secret rotation, and the authentication of each delivery (Standard Webhooks) with its quota.
Secrets are never logged and leave the service only once, when they are created."""
from __future__ import annotations

import secrets as _secrets
from dataclasses import replace
from datetime import datetime
from urllib.parse import quote

from chalicelib.domain import calendar, webhooks
from chalicelib.domain.partner import Partner, PartnerSecret
from chalicelib.errors import Conflict, InvalidInput, InvalidSignature, NotFound
from chalicelib.observability import logger, metrics
from chalicelib.schemas import PartnerIn
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

MAX_ACTIVE_SECRETS = 3


# --- authentication of deliveries -------------------------------------------------------------

def read_content(partner_id: str, tracking_code: str) -> bytes:
    """What a partner signs for a status read (a GET has no body): the method and the path."""
    return f"GET /v1/partners/{quote(partner_id)}/requests/{quote(tracking_code)}".encode()


def booking_read_content(partner_id: str, booking_id: str) -> bytes:
    """What a partner signs to read a booking it made."""
    return f"GET /v1/partners/{quote(partner_id)}/bookings/{quote(booking_id)}".encode()


def authenticate(partner_id: str, headers: dict[str, str], content: bytes, now: datetime | None = None) -> tuple[
        Partner, str]:
    """The partner named in the path, if the delivery is signed with one of ITS active secrets
    (never a secret chosen by anything in the payload). Returns (partner, webhook-id); every
    failure is the same 401. The partner's per-minute quota is the route's token bucket (`limit`)."""
    now = now or calendar.now_tehran()
    partner = stores.partners.get(partner_id) if webhooks.WEBHOOK_ID.match(partner_id or "") else None
    active = partner.signing_secrets if partner is not None and partner.active else []
    try:
        msg_id = webhooks.verify(headers, content, active, int(now.timestamp()), get_settings().webhook_tolerance_seconds)
    except webhooks.WebhookError as exc:
        metrics.add_metric(name="PartnerSignatureRejected", unit="Count", value=1)
        logger.warning("partner delivery rejected", extra={"partner_known": partner is not None, "why": str(exc)})
        raise InvalidSignature() from exc
    return partner, msg_id


# --- the registry (association administrators) -----------------------------------------------

def partner_view(partner: Partner) -> dict:
    return {"partner_id": partner.partner_id, "name": partner.name, "kind": partner.kind,
            "callback_url": partner.callback_url, "quota_per_minute": partner.quota_per_minute,
            "active": partner.active, "secrets": [{"id": s.id, "created_at": s.created_at} for s in partner.secrets],
            "created_at": partner.created_at, "updated_at": partner.updated_at}


def _new_secret(now: datetime) -> PartnerSecret:
    return PartnerSecret("sk_" + _secrets.token_hex(6), webhooks.new_secret(), now.isoformat(timespec="seconds"))


def _check_callback(url: str | None) -> None:
    if url is None:
        return
    # Only `make run` (stage local) may call back to the partner simulator on 127.0.0.1.
    problem = webhooks.callback_url_problem(url, allow_private=get_settings().stage == "local")
    if problem:
        raise InvalidInput(f"callback_url refused: {problem}", "نشانی بازگشت پذیرفته نیست",
                           errors=[{"field": "callback_url", "message": problem,
                                    "message_fa": "نشانی بازگشت پذیرفته نیست"}])


def upsert(partner_id: str, req: PartnerIn, admin: str, now: datetime | None = None) -> tuple[dict, bool]:
    """Create a partner (with a first secret, shown once) or update its details."""
    now = now or calendar.now_tehran()
    if not webhooks.WEBHOOK_ID.match(partner_id):
        raise InvalidInput("partner_id must be 1-256 letters, digits or -_:", "شناسه همکار نامعتبر است")
    _check_callback(req.callback_url)
    stamp = now.isoformat(timespec="seconds")
    found = stores.partners.get(partner_id)
    created = found is None
    secret = _new_secret(now) if created else None
    quota = req.quota_per_minute or (found.quota_per_minute if found else 0) or \
        get_settings().partner_default_quota_per_minute
    if found is None:
        partner = Partner(partner_id, req.name, req.kind, quota, created_at=stamp, updated_at=stamp,
                          callback_url=req.callback_url, secrets=(secret,), active=req.active)
    else:
        partner = replace(found, name=req.name, kind=req.kind, callback_url=req.callback_url, active=req.active,
                          quota_per_minute=quota, updated_at=stamp)
    partner = stores.partners.save(partner)
    logger.info("partner saved", extra={"partner_id": partner_id, "admin": admin, "new_partner": created})
    view = partner_view(partner)
    if secret:
        view["new_secret"] = {"id": secret.id, "secret": secret.secret}
    return view, created


def _registered(partner_id: str) -> Partner:
    partner = stores.partners.get(partner_id)
    if partner is None:
        raise NotFound("No such partner", "همکاری با این شناسه یافت نشد")
    return partner


def list_all() -> dict:
    """The registry for the association's page: every partner, retired ones too, secrets as ids."""
    return {"items": [partner_view(p) for p in stores.partners.all_partners()]}


def get(partner_id: str) -> dict:
    return partner_view(_registered(partner_id))


def rotate(partner_id: str, admin: str, now: datetime | None = None) -> dict:
    """Add a new secret; the old ones stay valid until retired, so nothing is dropped meanwhile."""
    now = now or calendar.now_tehran()
    partner = _registered(partner_id)
    if len(partner.secrets) >= MAX_ACTIVE_SECRETS:
        raise Conflict(f"At most {MAX_ACTIVE_SECRETS} active secrets; retire one first",
                       "حداکثر سه کلید فعال مجاز است؛ ابتدا یکی را غیرفعال کنید")
    secret = _new_secret(now)
    partner = stores.partners.save(replace(partner, secrets=(*partner.secrets, secret),
                                           updated_at=now.isoformat(timespec="seconds")))
    logger.info("partner secret added", extra={"partner_id": partner_id, "secret_id": secret.id, "admin": admin})
    return {**partner_view(partner), "new_secret": {"id": secret.id, "secret": secret.secret}}


def retire(partner_id: str, secret_id: str, admin: str, now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    partner = stores.partners.get(partner_id)
    if partner is None or not any(s.id == secret_id for s in partner.secrets):
        raise NotFound("No such partner or secret", "همکار یا کلید یافت نشد")
    if len(partner.secrets) == 1:
        raise Conflict("A partner keeps at least one secret; add the new one first",
                       "همکار باید دست‌کم یک کلید فعال داشته باشد؛ ابتدا کلید جدید را اضافه کنید")
    partner = stores.partners.save(replace(partner, secrets=tuple(s for s in partner.secrets if s.id != secret_id),
                                           updated_at=now.isoformat(timespec="seconds")))
    logger.info("partner secret retired", extra={"partner_id": partner_id, "secret_id": secret_id, "admin": admin})
    return partner_view(partner)
