"""Documents of remote requests (pure rules and the grant on the fake bucket) and the phone
numbers of citizens abroad (libphonenumber)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.domain import documents, remote
from chalicelib.domain.documents import StoredDocument
from chalicelib.schemas import RemoteRequestIn, UploadGrantIn
from tests.fakes.documents import FakeDocumentStore


def test_keys_are_random_under_their_grant_and_only_granted_keys_belong():
    upload_id = documents.new_upload_id()
    keys = {documents.new_key(upload_id) for _ in range(200)}
    assert len(keys) == 200 and all(documents.grant_of(k) == upload_id for k in keys)
    assert len({documents.new_upload_id() for _ in range(200)}) == 200
    for bad in ("uploads/2026/abc", f"documents/{upload_id}/../x", f"documents/{upload_id}", "", f"x/{upload_id}/abc"):
        assert documents.grant_of(bad) is None


def test_what_an_upload_must_be_to_be_cited():
    ok = StoredDocument("k", 10, "application/pdf")
    assert documents.mismatch(ok, 10, "application/pdf") is None
    assert documents.mismatch(StoredDocument("k", 10, "Application/PDF; charset=x"), 10, "application/pdf") is None
    assert documents.mismatch(None, 10, "application/pdf") == "missing"
    assert documents.mismatch(ok, 11, "application/pdf") == "size"
    assert documents.mismatch(ok, 10, "image/png") == "media_type"


def test_downloads_are_attachments_with_the_persian_name_kept():
    value = documents.attachment_disposition("گذرنامه من.pdf")
    assert value.startswith('attachment; filename="document.pdf"; filename*=UTF-8\'\'')
    assert "%DA%AF" in value and " " not in value.split("filename*=")[1]
    assert documents.attachment_disposition("scan 1.png").startswith('attachment; filename="scan_1.png"')


def test_the_grant_on_the_fake_bucket_fixes_key_type_and_size():
    from chalicelib.services import documents as use_case
    from chalicelib.services.stores import stores
    bucket = FakeDocumentStore()
    with stores.use(documents=bucket):
        granted = use_case.grant(UploadGrantIn(documents=[{"name": "a.pdf", "media_type": "application/pdf",
                                                           "size": 3}]))
    form = granted["documents"][0]
    assert documents.grant_of(form["upload_ref"]) == granted["upload_id"]
    assert bucket.post(form, b"abcd") == 400 and bucket.post({**form, "fields": {**form["fields"],
                                                                                 "Content-Type": "image/png"}}, b"abc") == 403
    assert bucket.post(form, b"abc") == 204


def body(**extra) -> dict:
    return {"service_id": "S0001", "national_id": "0012345679", "mobile": "09121234567", **extra}


@pytest.mark.parametrize(("mobile", "country", "e164"), [
    ("+49 151 1234 5678", "DE", "+4915112345678"),
    ("0151 12345678", "DE", "+4915112345678"),  # national form, read with the country's plan
    ("۰۰۴۴ ۷۹۱۱ ۱۲۳۴۵۶", "GB", "+447911123456"),  # Persian digits, 00 prefix
    ("+1 415 555 2671", "US", "+14155552671"),  # the US plan does not tell mobiles from fixed lines
])
def test_mobiles_abroad_are_checked_against_their_country_plan(mobile, country, e164):
    assert RemoteRequestIn.model_validate(body(mobile=mobile, country=country)).mobile == e164


@pytest.mark.parametrize(("mobile", "country"), [
    ("+44 20 7946 0958", "GB"),  # a London fixed line: it cannot receive SMS
    ("+49 151 1234", "DE"),  # too short for the plan
    ("0151 12345678", "FR"),  # a German national number read with the French plan
    ("+4915112345678", "IR"),  # at home an Iranian mobile is needed
    ("abc", "DE"),
])
def test_mobiles_abroad_that_are_refused(mobile, country):
    with pytest.raises(ValidationError):
        RemoteRequestIn.model_validate(body(mobile=mobile, country=country))


def test_countries_are_regions_with_a_numbering_plan():
    assert remote.country(" de ") == "DE"
    for bad in ("XX", "IRN", "", 7):
        with pytest.raises(ValueError):
            remote.country(bad)
