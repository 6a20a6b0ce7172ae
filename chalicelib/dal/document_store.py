"""The documents bucket on S3 (moto's S3 server locally): presigned POSTs with the limits in
their signed policy, HEAD for what was uploaded, presigned GETs for the office. SigV4 only;
path-style addressing locally (an IP endpoint has no bucket subdomains)."""
from __future__ import annotations

import functools

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.documents import StoredDocument, attachment_disposition
from chalicelib.errors import ServiceUnavailable
from chalicelib.settings import get_settings


@functools.lru_cache(maxsize=1)
def _client():
    import boto3
    from botocore.config import Config
    s = get_settings()
    if not s.documents_bucket:
        raise ServiceUnavailable("Document uploads are not configured", "بارگذاری سند پیکربندی نشده است")
    return boto3.client("s3", region_name=s.region, endpoint_url=s.s3_endpoint, config=Config(
        signature_version="s3v4", connect_timeout=s.db_connect_timeout_s, read_timeout=s.db_read_timeout_s,
        retries={"mode": "standard", "total_max_attempts": s.db_max_attempts},
        s3={"addressing_style": "path" if s.s3_endpoint else "virtual"}))


def _bucket() -> str:
    return get_settings().documents_bucket or ""


def upload_form(key: str, media_type: str, size: int, expires_in: int) -> dict:
    fields = {"Content-Type": media_type}
    conditions = [{"Content-Type": media_type}, ["content-length-range", size, size]]
    return _client().generate_presigned_post(_bucket(), key, Fields=fields, Conditions=conditions,
                                             ExpiresIn=expires_in)


def stat(key: str) -> StoredDocument | None:
    try:
        head = _client().head_object(Bucket=_bucket(), Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise ServiceUnavailable() from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable() from exc
    return StoredDocument(key, int(head["ContentLength"]), head.get("ContentType"))


def download_url(key: str, name: str, media_type: str, expires_in: int) -> str:
    return _client().generate_presigned_url("get_object", ExpiresIn=expires_in, Params={
        "Bucket": _bucket(), "Key": key, "ResponseContentType": media_type,
        "ResponseContentDisposition": attachment_disposition(name)})
