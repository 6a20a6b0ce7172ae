"""Use cases of remote requests' documents: the upload grant (presigned POSTs), the check that a
request's cited uploads are there as granted, and the office's download links. The flow is told
in `chalicelib/domain/documents.py`."""
from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain import calendar, documents
from chalicelib.errors import InvalidInput
from chalicelib.observability import metrics
from chalicelib.schemas import DraftDocumentIn, UploadGrantIn
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

_WHY_FA = {
    "missing": "سند «{name}» بارگذاری نشده است؛ دوباره بارگذاری کنید",
    "size": "حجم سند «{name}» با حجم اعلام‌شده یکی نیست؛ دوباره بارگذاری کنید",
    "media_type": "نوع سند «{name}» با نوع اعلام‌شده یکی نیست؛ دوباره بارگذاری کنید",
}
_WHY_EN = {
    "missing": "The document “{name}” was not uploaded; upload it again",
    "size": "The document “{name}” does not have the size declared; upload it again",
    "media_type": "The document “{name}” does not have the type declared; upload it again",
}


def grant(body: UploadGrantIn, now: datetime | None = None) -> dict:
    """One upload id and a presigned POST per document, each for one fresh key, its declared
    type and exactly its declared size (at most DOCUMENT_MAX_BYTES)."""
    s = get_settings()
    now = now or calendar.now_tehran()
    for index, doc in enumerate(body.documents):
        if doc.size > s.document_max_bytes:
            mb = s.document_max_bytes / (1024 * 1024)
            en, fa = f"A document may be at most {mb:g} MB", f"حجم هر سند حداکثر {mb:g} مگابایت است"
            raise InvalidInput(en, fa, errors=[{"field": f"documents.{index}.size", "message": en, "message_fa": fa}])
    upload_id = documents.new_upload_id()
    forms = []
    for doc in body.documents:
        key = documents.new_key(upload_id)
        form = stores.documents.upload_form(key, doc.media_type, doc.size, s.upload_grant_seconds)
        forms.append({"upload_ref": key, "name": doc.name, "media_type": doc.media_type, "size": doc.size,
                      "url": form["url"], "fields": form["fields"]})
    metrics.add_metric(name="DocumentUploadsGranted", unit="Count", value=len(forms))
    return {"upload_id": upload_id, "max_bytes": s.document_max_bytes,
            "expires_at": calendar.datetime_out(now + timedelta(seconds=s.upload_grant_seconds)), "documents": forms}


def check_cited(cited: list[DraftDocumentIn]) -> None:
    """Every uploaded document the request cites is in the bucket with its declared size and
    type (that it is under the request's grant, the body's schema already checked)."""
    for index, doc in enumerate(cited):
        if not doc.upload_ref:
            continue
        why = documents.mismatch(stores.documents.stat(doc.upload_ref), doc.size, doc.media_type)
        if why:
            en, fa = _WHY_EN[why].format(name=doc.name), _WHY_FA[why].format(name=doc.name)
            raise InvalidInput(en, fa, errors=[{"field": f"documents.{index}", "message": en, "message_fa": fa}])


def with_links(docs: list[dict]) -> list[dict]:
    """The documents as the office sees them: an uploaded one with a short-lived download link."""
    seconds = get_settings().document_link_seconds
    return [{**d, "download_url": stores.documents.download_url(d["upload_ref"], d["name"], d["media_type"], seconds)}
            if d.get("upload_ref") else d for d in docs]
