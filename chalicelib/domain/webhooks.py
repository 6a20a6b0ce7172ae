"""Standard Webhooks v1 (symmetric HMAC-SHA256), pure: signing, verification, secrets, and the
SSRF rule for callback URLs. Implemented here rather than with the `standardwebhooks` package,
which pulls an HTTP client and its generated API (httpx, attrs, dateutil, Deprecated) and raises a
bare ValueError on a malformed signature header: here every failure is a `WebhookError`.

Signed content: `{webhook-id}.{webhook-timestamp}.{raw body bytes}`; `webhook-signature` is a
space-separated list of `v1,<base64 HMAC>`; any one matching an active secret is enough."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import re
import secrets as _secrets
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format prefix, not a secret
MAX_SIGNATURE_HEADER = 2048
WEBHOOK_ID = re.compile(r"^[A-Za-z0-9_\-:]{1,256}$")  # no '.', no spaces, ASCII only (spec: id must not hold '.')
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_B64 = re.compile(r"^[A-Za-z0-9+/]{43}=$")  # 32 bytes of HMAC-SHA256, padded base64


class WebhookError(Exception):
    """The delivery cannot be authenticated. The reason is for logs, never for the caller."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(32)).decode()


def secret_bytes(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WebhookError("secret is not base64") from exc
    if len(key) < 16:
        raise WebhookError("secret too short")
    return key


def signature(secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """`v1,<base64>` for one secret."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def sign_headers(secrets: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers a sender puts on a delivery, one signature per secret (rotation)."""
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets)}


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if value is None or not isinstance(value, str) or not value.strip():
        raise WebhookError(f"missing {name}")
    return value.strip()


def verify(headers: Mapping[str, str], body: bytes, secrets: Iterable[str], now: int, tolerance: int = 300) -> str:
    """Check a delivery; return its `webhook-id`. Raises WebhookError on any failure, whatever
    the input (never another exception)."""
    try:
        return _verify(headers, body, list(secrets), now, tolerance)
    except WebhookError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed delivery is an authentication failure
        raise WebhookError("malformed delivery") from exc


def _verify(headers: Mapping[str, str], body: bytes, secrets: list[str], now: int, tolerance: int) -> str:
    msg_id = _header(headers, "webhook-id")
    raw_ts = _header(headers, "webhook-timestamp")
    raw_sig = _header(headers, "webhook-signature")
    if not WEBHOOK_ID.match(msg_id):
        raise WebhookError("bad webhook-id")
    if not _TIMESTAMP.match(raw_ts):
        raise WebhookError("bad webhook-timestamp")
    timestamp = int(raw_ts)
    if timestamp < now - tolerance:
        raise WebhookError("timestamp too old")
    if timestamp > now + tolerance:
        raise WebhookError("timestamp in the future")
    if len(raw_sig) > MAX_SIGNATURE_HEADER:
        raise WebhookError("signature header too long")
    offered = []
    for part in raw_sig.split(" "):
        version, sep, value = part.partition(",")
        if sep and version == "v1" and _B64.match(value):
            offered.append(value.encode())
    if not offered or not secrets:
        raise WebhookError("no v1 signature")
    content = f"{msg_id}.{timestamp}.".encode() + body
    matched = False
    for secret in secrets:
        expected = base64.b64encode(hmac.new(secret_bytes(secret), content, hashlib.sha256).digest())
        for candidate in offered:
            # Constant time, and no early exit, so timing says nothing about which one matched.
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise WebhookError("no matching signature")
    return msg_id


# --- callback URLs (SSRF) ----------------------------------------------------------------------

def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


def callback_url_problem(url: str, *, allow_private: bool = False) -> str | None:
    """Why a callback URL is refused at registration, or None. HTTPS only, no credentials, and no
    literal private, loopback or link-local address (names are checked again at delivery, after
    resolution). `allow_private` is for the local stage's partner simulator only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        return "not a URL"
    if not host:
        return "no host"
    if parts.username or parts.password:
        return "credentials are not allowed in the URL"
    if allow_private:
        return None if parts.scheme in ("http", "https") else "scheme must be https"
    if parts.scheme != "https":
        return "scheme must be https"
    if host in ("localhost",) or host.endswith((".localhost", ".local", ".internal")):
        return "host is not public"
    try:
        public = address_is_public(host.strip("[]"))
    except ValueError:
        return None  # a name: resolved and checked at delivery
    return None if public else "address is not public"


# --- our own deliveries to partners (status callbacks) ------------------------------------------

# Seconds to wait after each failed attempt: the Standard Webhooks example schedule, stretched to
# about 75 hours in all; each delay gets +-20 % jitter so a partner's recovery is not stampeded.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000, 86400, 86400)
THROTTLE_STATUSES = (429, 502, 503, 504)


def new_message_id() -> str:
    return "msg_" + _secrets.token_hex(12)


def next_delay(attempts: int, status: int | None, retry_after: int | None, jitter: float) -> float | None:
    """Seconds until the next attempt after `attempts` failed ones, or None to give up.
    `jitter` is a factor in [0.8, 1.2]; a throttling answer's Retry-After is honoured."""
    if status == 410 or attempts >= len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempts] * jitter
    if status in THROTTLE_STATUSES and retry_after is not None:
        delay = max(delay, min(retry_after, 86400))
    return delay


def status_event(tracking_code: str, status: str, at: str, reason: str | None = None) -> dict:
    """A thin status payload: no national ID, no mobile, no documents."""
    return {"type": "request.status", "timestamp": at,
            "data": {"tracking_code": tracking_code, "status": status, "reason": reason}}
