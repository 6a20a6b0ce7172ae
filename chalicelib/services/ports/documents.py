"""The documents bucket: presigned uploads and downloads of remote requests' documents, and what
an uploaded object is. Objects are never public; the browser talks to the bucket only with the
short-lived presigned forms and links made here."""
from __future__ import annotations

from typing import Protocol

from chalicelib.domain.documents import StoredDocument


class DocumentStore(Protocol):
    def upload_form(self, key: str, media_type: str, size: int, expires_in: int) -> dict:
        """A presigned POST for exactly `key`, `media_type` and `size` bytes: {"url", "fields"}.
        The browser sends `fields` and then the file as multipart/form-data to `url`."""

    def stat(self, key: str) -> StoredDocument | None:
        """The uploaded object's size and type, or None when nothing was uploaded under `key`."""

    def download_url(self, key: str, name: str, media_type: str, expires_in: int) -> str:
        """A presigned GET of the object, served as an attachment named `name`."""
