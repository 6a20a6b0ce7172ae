"""An in-memory documents bucket with the S3 store's contract: a form accepts one exact key,
type and size until it expires (as S3 enforces the signed policy), a link reads the object."""
from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlsplit

from chalicelib.domain.documents import StoredDocument


class FakeDocumentStore:
    URL = "https://documents.fake/"

    def __init__(self):
        self.objects: dict[str, tuple[bytes, str]] = {}
        self._forms: dict[str, tuple[str, str, int, float]] = {}
        self._links: dict[str, tuple[str, float]] = {}

    def upload_form(self, key: str, media_type: str, size: int, expires_in: int) -> dict:
        token = secrets.token_hex(8)
        self._forms[token] = (key, media_type, size, time.time() + expires_in)
        return {"url": self.URL, "fields": {"key": key, "Content-Type": media_type, "policy": token}}

    def stat(self, key: str) -> StoredDocument | None:
        found = self.objects.get(key)
        return StoredDocument(key, len(found[0]), found[1]) if found else None

    def download_url(self, key: str, name: str, media_type: str, expires_in: int) -> str:
        token = secrets.token_hex(8)
        self._links[token] = (key, time.time() + expires_in)
        return f"{self.URL}{key}?token={token}"

    # What the browser and the office's client do over HTTP, for tests.
    def post(self, form: dict, content: bytes) -> int:
        """Upload as S3 would answer the form: 204, or 403 for a broken policy (400 too large)."""
        grant = self._forms.get(form["fields"].get("policy", ""))
        if grant is None or time.time() > grant[3] or form["fields"].get("key") != grant[0] \
                or form["fields"].get("Content-Type") != grant[1]:
            return 403
        if len(content) != grant[2]:
            return 400
        self.objects[grant[0]] = (content, grant[1])
        return 204

    def get(self, url: str) -> tuple[int, bytes]:
        parts = urlsplit(url)
        token = parse_qs(parts.query).get("token", [""])[0]
        link = self._links.get(token)
        if link is None or time.time() > link[1] or link[0] != parts.path.lstrip("/"):
            return 403, b""
        return 200, self.objects[link[0]][0]
