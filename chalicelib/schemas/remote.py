"""Bodies of remote requests (the citizen's and a partner's), the office's remote work and the
partner registry."""
from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, WithJsonSchema, field_validator, model_validator

from chalicelib.domain import documents as document_rules
from chalicelib.domain import remote, validators
from chalicelib.domain.text import fold_persian
from chalicelib.schemas.common import ID, InstantOut, NationalId, Number, OptionalPersianText, Out, PersianText, Strict

MEDIA_TYPES = document_rules.MEDIA_TYPES
PARTNER_KINDS = ("call_centre_1470", "consulate", "court_system")
MAX_DOCUMENTS = document_rules.MAX_DOCUMENTS
MediaType = Literal["application/pdf", "image/jpeg", "image/png"]
UPLOAD_REF = rf"^{document_rules.PREFIX}/{document_rules.UPLOAD_ID}/[a-z2-7]{{16}}$"


class UploadDocumentIn(Strict):
    """A document the citizen is about to upload: its name, type and exact size in bytes."""
    name: PersianText = Field(min_length=1, max_length=120)
    media_type: MediaType
    size: int = Field(ge=1, le=50 * 1024 * 1024, description="Exact size in bytes; the limit is in the grant's policy.")


class UploadGrantIn(Strict):
    documents: list[UploadDocumentIn] = Field(min_length=1, max_length=MAX_DOCUMENTS)


class DraftDocumentIn(Strict):
    """A document of the request: metadata, with either small inline content (base64) or the key
    (`upload_ref`) of an upload made with the request's upload grant (`upload_id`)."""
    name: PersianText = Field(min_length=1, max_length=120)
    media_type: MediaType
    size: int = Field(ge=1, le=50 * 1024 * 1024)
    content_base64: str | None = None
    upload_ref: str | None = Field(default=None, pattern=UPLOAD_REF,
                                   description="The key a grant of `POST /v1/uploads` gave this document.")

    @model_validator(mode="after")
    def _content_xor_ref(self) -> DraftDocumentIn:
        if (self.content_base64 is None) == (self.upload_ref is None):
            raise ValueError("give either content_base64 or upload_ref")
        if self.content_base64 is not None:
            try:
                raw = base64.b64decode(self.content_base64, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError("content_base64 is not base64") from exc
            if len(raw) != self.size:
                raise ValueError("size does not match the content")
        return self


def mobile_at_home_or_abroad(value: object, info: ValidationInfo) -> str:
    """An Iranian mobile at home; an international one for citizens abroad, checked against their
    country's numbering plan (the model's `country`, validated before `mobile`). A field validator's
    body, so that a bad number is reported on `mobile`, next to the field. With an invalid country
    (reported on `country`), any well-formed international number passes here."""
    where = info.data.get("country")
    try:
        return validators.mobile(value)
    except ValueError:
        if where == "IR":
            raise
        return remote.international_mobile(value, where)


class RemoteRequestIn(Strict):
    service_id: str = Field(pattern=ID)
    national_id: NationalId
    country: str = "IR"  # before `mobile`: the mobile is checked by the country's rules
    time_zone: str = "Asia/Tehran"
    mobile: str
    description: OptionalPersianText = Field(default=None, max_length=2000)
    documents: list[DraftDocumentIn] = Field(default_factory=list)
    upload_id: str | None = Field(default=None, pattern=rf"^{document_rules.UPLOAD_ID}$",
                                  description="The upload grant (`POST /v1/uploads`) the documents' `upload_ref`s belong to.")
    preferred_office_id: str | None = Field(default=None, pattern=ID)

    @field_validator("documents")
    @classmethod
    def _documents(cls, value: list[DraftDocumentIn]) -> list[DraftDocumentIn]:
        if len(value) > MAX_DOCUMENTS:
            raise ValueError(f"at most {MAX_DOCUMENTS} documents")
        refs = [d.upload_ref for d in value if d.upload_ref]
        if len(set(refs)) != len(refs):
            raise ValueError("a document is cited twice")
        return value

    @model_validator(mode="after")
    def _uploads_of_the_grant(self) -> RemoteRequestIn:
        for doc in self.documents:
            if doc.upload_ref and document_rules.grant_of(doc.upload_ref) != self.upload_id:
                raise ValueError("every upload_ref must be a key of the upload grant named in upload_id")
        return self

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> str:
        return remote.country(value)

    @field_validator("time_zone", mode="before")
    @classmethod
    def _time_zone(cls, value: object) -> str:
        return remote.time_zone(value)

    @field_validator("mobile", mode="before")
    @classmethod
    def _mobile(cls, value: object, info: ValidationInfo) -> str:
        return mobile_at_home_or_abroad(value, info)

    def idempotency_view(self) -> dict:
        return self.model_dump(mode="json")


class PartnerRequestIn(RemoteRequestIn):
    """What a partner posts: the citizen's request plus the partner's own reference."""
    partner_ref: str = Field(pattern=r"^[A-Za-z0-9\-_:/]{1,80}$")


class RequestDecisionIn(Strict):
    """An operator's reason when rejecting or sending a request to an office in person."""
    reason: str = Field(min_length=3, max_length=500)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return fold_persian(value)


class RequestResultIn(Strict):
    """An operator's note on completing a request (what was done, e.g. the petition's number), for the
    citizen (and the partner) to read with the status."""
    note: str | None = Field(default=None, min_length=3, max_length=500)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        return fold_persian(value) if value is not None else None


class OpenCountersIn(Strict):
    open: int = Field(ge=0, le=50)


class PartnerIn(Strict):
    name: str = Field(min_length=2, max_length=120)
    kind: Literal["call_centre_1470", "consulate", "court_system"]
    callback_url: str | None = Field(default=None, max_length=500)
    quota_per_minute: int | None = Field(default=None, ge=1, le=10_000)
    active: bool = True


class RatingIn(Strict):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=500)

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        return fold_persian(value) if value else None


RequestStatus = Literal["RECEIVED", "ASSIGNED", "IN_PROGRESS", "COMPLETED", "REJECTED", "NEEDS_IN_PERSON"]
DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class RequestServiceOut(Out):
    service_id: str
    name_fa: str | None
    name_en: str | None


class RequestOfficeOut(Out):
    office_id: str
    name_fa: str | None
    name_en: str | None


class DocumentOut(Out):
    name: str
    media_type: str
    size: int
    upload_ref: str | None = None
    content_base64: str | None = Field(default=None, description="Only in the office's view.")
    download_url: str | None = Field(default=None, description=(
        "Only in the office's view, for an uploaded document: a presigned GET, valid for minutes."))


class UploadFormOut(Out):
    """One document's presigned POST: send `fields`, then the file as the last part `file`, as
    multipart/form-data to `url`. The policy fixes the key, the type and the exact size."""
    upload_ref: str = Field(description="Cite it in the request's `documents[].upload_ref`.")
    name: str
    media_type: str
    size: int
    url: str
    fields: dict[str, str]


class UploadGrantOut(Out):
    upload_id: str = Field(description="Cite it in the request's `upload_id`.")
    expires_at: InstantOut = Field(description="Upload before this; the forms are refused after it.")
    max_bytes: int = Field(description="The largest document accepted.")
    documents: list[UploadFormOut]


class RatingOut(Out):
    score: int = Field(ge=1, le=5)
    at: DateTime


class InPersonOfficeOut(Out):
    office_id: str
    name_fa: str
    name_en: str
    distance_km: Number
    slots: str = Field(examples=["/v1/offices/OF-THR-0002/slots?service=S0001"])


class StatusChangeOut(Out):
    status: RequestStatus
    at: DateTime


class RemoteRequestOut(Out):
    tracking_code: str = Field(pattern=r"^RQ[2-9A-HJ-NP-Z]{10}$", examples=["RQ7K3M9QX2PL"])
    status: RequestStatus
    service: RequestServiceOut
    office: RequestOfficeOut | None = Field(description="The office working on it; null while it waits in a queue.")
    queue: Literal["national", "office"] = Field(description="`office`: the preferred office's own queue.")
    preferred_office_id: str | None
    country: str
    time_zone: str
    documents: list[DocumentOut]
    sla_deadline: InstantOut
    reason: str | None = Field(description="Why it was rejected or sent in person; or, once completed, the "
                                           "operator's result note.")
    rating: RatingOut | None = Field(description="The citizen's rating, once given.")
    in_person_offer: list[InPersonOfficeOut] | None = Field(
        description="`NEEDS_IN_PERSON`: nearby offices serving the service in person, each with its slots to book.")
    timeline: list[StatusChangeOut]
    created_at: DateTime
    updated_at: DateTime


class RemoteRequestCreatedOut(RemoteRequestOut):
    access_code: str | None = Field(
        None, examples=["7K3M9QX2"],
        description="Shown only once, in the answer that created the request; needed in `X-Access-Code` to read the "
                    "status. A retry under the same Idempotency-Key returns the request without it (it is never "
                    "stored in clear).")


class RatingInvitationOut(Out):
    token: str
    url: str = Field(examples=["/v1/requests/RQ7K3M9QX2PL/rating"])


class CitizenRemoteRequestOut(RemoteRequestOut):
    rating_invitation: RatingInvitationOut | None = Field(
        description="Open while a sampled, completed request has not been rated.")


class PartnerRemoteRequestOut(RemoteRequestOut):
    partner_ref: str | None


class OfficeRemoteRequestOut(RemoteRequestOut):
    description: str | None
    national_id: str = Field(description="Masked.", examples=["*******679"])
    mobile: str = Field(description="Masked.")
    source: Literal["citizen", "partner"]
    accept_by: InstantOut | None = Field(
        description="Start it before this, or the SLA sweep returns it to the queue.")


class WorkListItemOut(RemoteRequestOut):
    source: Literal["citizen", "partner"]
    accept_by: InstantOut | None


class OfficeWorkListOut(Out):
    office_id: str
    items: list[WorkListItemOut]


class OfficeCountersOut(Out):
    office_id: str
    open: int = Field(ge=0)
    busy: int = Field(ge=0)


class SecretRefOut(Out):
    id: str
    created_at: DateTime


class PartnerOut(Out):
    partner_id: str
    name: str
    kind: Literal["call_centre_1470", "consulate", "court_system"]
    callback_url: str | None
    quota_per_minute: int = Field(ge=1)
    active: bool
    secrets: list[SecretRefOut] = Field(description="The active secrets' ids (never the secrets).")
    created_at: DateTime
    updated_at: DateTime


class PartnerListOut(Out):
    items: list[PartnerOut] = Field(description="Every registered partner by id, retired (inactive) ones too.")


class NewSecretOut(Out):
    """Shown only once; hand it to the partner over a secure channel."""
    id: str
    secret: str = Field(pattern=r"^whsec_[A-Za-z0-9+/=]+$")


class PartnerWithSecretOut(PartnerOut):
    new_secret: NewSecretOut


class StatusCallbackData(Out):
    tracking_code: str = Field(examples=["RQ7K3M9QX2PL"])
    partner_ref: str | None = Field(examples=["CASE-2026-0042"])
    status: RequestStatus
    reason: str | None = Field(description="Why it was rejected or sent in person; otherwise null.")


class StatusCallbackOut(Out):
    """What the network posts to a partner's `callback_url` when one of its requests changes status."""
    type: Literal["request.status"]
    timestamp: DateTime
    data: StatusCallbackData
