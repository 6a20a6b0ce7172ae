"""Documents of remote requests, with no I/O: the upload grant and its keys, and what an uploaded
object must be for a request to cite it.

The flow: the citizen asks for an upload grant (one `upload_id`, random, and one presigned POST
per document, each for one exact key under `documents/<upload_id>/`, one media type and one
exact size); the browser uploads each file straight to the bucket; the request then cites the
`upload_id` and each document's key (`upload_ref`). Before accepting the request the API checks
every cited key is under that grant and that the object is there with the granted size and
type. Nobody can write under a prefix they were not granted (the key is fixed in the signed
policy), and the 128-bit `upload_id` is known only to whoever asked for the grant."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_DOCUMENTS = 5
PREFIX = "documents"
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # lower-case base32: safe in keys and URLs
UPLOAD_ID = r"up[a-z2-7]{26}"
_KEY = re.compile(rf"^{PREFIX}/({UPLOAD_ID})/[a-z2-7]{{16}}$")


@dataclass(frozen=True)
class StoredDocument:
    """What the bucket says about an uploaded object."""
    key: str
    size: int
    media_type: str | None


def _random(length: int) -> str:
    return "".join(_ALPHABET[b % 32] for b in secrets.token_bytes(length))


def new_upload_id() -> str:
    """`up` + 26 base32 symbols (130 bits): unguessable, so it stands for the grant itself."""
    return "up" + _random(26)


def new_key(upload_id: str) -> str:
    """A fresh object key under the grant; the citizen's file name never reaches the key."""
    return f"{PREFIX}/{upload_id}/{_random(16)}"


def grant_of(key: str) -> str | None:
    """The upload id a key was granted under, or None for a key no grant issues."""
    match = _KEY.fullmatch(key or "")
    return match.group(1) if match else None


def mismatch(stored: StoredDocument | None, size: int, media_type: str) -> str | None:
    """Why an uploaded object cannot be cited as (size, media_type): 'missing', 'size' or
    'media_type'; None when it can. S3 already refuses an upload that breaks the policy; this
    holds where a policy is not enforced (a local S3) and catches a grant cited with other
    metadata than it was issued for."""
    if stored is None:
        return "missing"
    if stored.size != size:
        return "size"
    if (stored.media_type or "").split(";")[0].strip().lower() != media_type:
        return "media_type"
    return None


def attachment_disposition(name: str) -> str:
    """Content-Disposition for a download: always an attachment (never rendered in the office's
    page), the Persian file name kept with RFC 6266/5987 encoding, an ASCII fallback beside it."""
    from urllib.parse import quote
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") or "document"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:8]
    fallback = f"{stem}.{ext}" if dot and ext else stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
