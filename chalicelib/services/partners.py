"""Partners (the 1470 network, consulates, court systems): the registry the association keeps,
secret rotation, and the authentication of each delivery (Standard Webhooks) with its quota.
Secrets are never logged and leave the service only once, when they are created."""
from __future__ import annotations

import secrets as _secrets
from datetime import datetime
from urllib.parse import quote

from chalicelib.dal import partner_store
from chalicelib.dal.models import PartnerItem
from chalicelib.domain import calendar, webhooks
from chalicelib.errors import Conflict, InvalidInput, InvalidSignature, NotFound, RateLimited
from chalicelib.observability import logger, metrics
from chalicelib.schemas import PartnerIn
from chalicelib.settings import get_settings

MAX_ACTIVE_SECRETS = 3


# --- authentication of deliveries -------------------------------------------------------------

def read_content(partner_id: str, tracking_code: str) -> bytes:
    """What a partner signs for a status read (a GET has no body): the method and the path."""
    return f"GET /v1/partners/{quote(partner_id)}/requests/{quote(tracking_code)}".encode()


def authenticate(partner_id: str, headers: dict[str, str], content: bytes, now: datetime | None = None) -> tuple[
        PartnerItem, str]:
    """The partner named in the path, if the delivery is signed with one of ITS active secrets
    (never a secret chosen by anything in the payload). Returns (partner, webhook-id); every
    failure is the same 401. Then the partner's per-minute quota (429)."""
    now = now or calendar.now_tehran()
    partner = partner_store.get(partner_id) if webhooks.WEBHOOK_ID.match(partner_id or "") else None
    active = [s["secret"] for s in (partner.secrets or [])] if partner is not None and partner.active else []
    try:
        msg_id = webhooks.verify(headers, content, active, int(now.timestamp()), get_settings().webhook_tolerance_seconds)
    except webhooks.WebhookError as exc:
        metrics.add_metric(name="PartnerSignatureRejected", unit="Count", value=1)
        logger.warning("partner delivery rejected", extra={"partner_known": partner is not None, "why": str(exc)})
        raise InvalidSignature() from exc
    if not partner_store.count_delivery(partner.partner_id, now, int(partner.quota_per_minute)):
        raise RateLimited(f"At most {int(partner.quota_per_minute)} requests a minute",
                          "سقف تعداد درخواست در دقیقه پر شده است", retry_after=60 - now.second)
    return partner, msg_id


# --- the registry (association administrators) -----------------------------------------------

def partner_view(item: PartnerItem) -> dict:
    return {"partner_id": item.partner_id, "name": item.name, "kind": item.kind, "callback_url": item.callback_url,
            "quota_per_minute": int(item.quota_per_minute), "active": bool(item.active),
            "secrets": [{"id": s["id"], "created_at": s["created_at"]} for s in (item.secrets or [])],
            "created_at": item.created_at, "updated_at": item.updated_at}


def _new_secret(now: datetime) -> dict:
    return {"id": "sk_" + _secrets.token_hex(6), "secret": webhooks.new_secret(),
            "created_at": now.isoformat(timespec="seconds")}


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
    item = partner_store.get(partner_id)
    created = item is None
    secret = None
    if created:
        secret = _new_secret(now)
        item = PartnerItem(partner_id, secrets=[secret], created_at=stamp)
    item.name, item.kind, item.callback_url, item.active = req.name, req.kind, req.callback_url, req.active
    item.quota_per_minute = req.quota_per_minute or int(item.quota_per_minute or 0) or \
        get_settings().partner_default_quota_per_minute
    item.updated_at = stamp
    partner_store.save(item)
    logger.info("partner saved", extra={"partner_id": partner_id, "admin": admin, "new_partner": created})
    view = partner_view(item)
    if secret:
        view["new_secret"] = {"id": secret["id"], "secret": secret["secret"]}
    return view, created


def get(partner_id: str) -> dict:
    item = partner_store.get(partner_id)
    if item is None:
        raise NotFound("No such partner", "همکاری با این شناسه یافت نشد")
    return partner_view(item)


def rotate(partner_id: str, admin: str, now: datetime | None = None) -> dict:
    """Add a new secret; the old ones stay valid until retired, so nothing is dropped meanwhile."""
    now = now or calendar.now_tehran()
    item = partner_store.get(partner_id)
    if item is None:
        raise NotFound("No such partner", "همکاری با این شناسه یافت نشد")
    if len(item.secrets or []) >= MAX_ACTIVE_SECRETS:
        raise Conflict(f"At most {MAX_ACTIVE_SECRETS} active secrets; retire one first",
                       "حداکثر سه کلید فعال مجاز است؛ ابتدا یکی را غیرفعال کنید")
    secret = _new_secret(now)
    item.secrets = [*(item.secrets or []), secret]
    item.updated_at = now.isoformat(timespec="seconds")
    partner_store.save(item)
    logger.info("partner secret added", extra={"partner_id": partner_id, "secret_id": secret["id"], "admin": admin})
    return {**partner_view(item), "new_secret": {"id": secret["id"], "secret": secret["secret"]}}


def retire(partner_id: str, secret_id: str, admin: str, now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    item = partner_store.get(partner_id)
    if item is None or not any(s["id"] == secret_id for s in (item.secrets or [])):
        raise NotFound("No such partner or secret", "همکار یا کلید یافت نشد")
    if len(item.secrets) == 1:
        raise Conflict("A partner keeps at least one secret; add the new one first",
                       "همکار باید دست‌کم یک کلید فعال داشته باشد؛ ابتدا کلید جدید را اضافه کنید")
    item.secrets = [s for s in item.secrets if s["id"] != secret_id]
    item.updated_at = now.isoformat(timespec="seconds")
    partner_store.save(item)
    logger.info("partner secret retired", extra={"partner_id": partner_id, "secret_id": secret_id, "admin": admin})
    return partner_view(item)
