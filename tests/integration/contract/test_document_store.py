"""The documents store's contract, on the in-memory fake and on S3 (moto's S3 server, over real
HTTP): a form stores exactly its key, a stat tells what is there, a link gives the content back
as an attachment. What S3 itself enforces of the form's policy is checked in test_documents."""
from __future__ import annotations

import pytest

from chalicelib.domain import documents
from tests.fakes.documents import FakeDocumentStore
from tests.integration.remote_support import PDF, PNG


class FakeBackend:
    def __init__(self):
        self.store = FakeDocumentStore()

    def post(self, form: dict, content: bytes) -> int:
        return self.store.post(form, content)

    def get(self, url: str) -> tuple[int, bytes, str]:
        status, content = self.store.get(url)
        return status, content, "attachment"


class S3Backend:
    def __init__(self):
        from chalicelib.dal import document_store
        self.store = document_store

    def post(self, form: dict, content: bytes) -> int:
        import requests
        resp = requests.post(form["url"], data=form["fields"], files={"file": ("f", content)}, timeout=10)
        return resp.status_code

    def get(self, url: str) -> tuple[int, bytes, str]:
        import requests
        resp = requests.get(url, timeout=10)
        return resp.status_code, resp.content, resp.headers.get("Content-Disposition", "")


@pytest.fixture(params=("fake", "s3"))
def backend(request):
    return FakeBackend() if request.param == "fake" else S3Backend()


def test_a_form_stores_its_key_and_stat_tells_size_and_type(backend):
    key = documents.new_key(documents.new_upload_id())
    assert backend.store.stat(key) is None
    form = backend.store.upload_form(key, "application/pdf", len(PDF), 600)
    assert form["url"] and form["fields"]["key"] == key
    assert backend.post(form, PDF) == 204
    assert backend.store.stat(key) == documents.StoredDocument(key, len(PDF), "application/pdf")
    other = documents.new_key(documents.new_upload_id())
    assert backend.store.stat(other) is None  # nothing leaks to another key


def test_a_link_gives_the_content_back_as_an_attachment(backend):
    key = documents.new_key(documents.new_upload_id())
    assert backend.post(backend.store.upload_form(key, "image/png", len(PNG), 600), PNG) == 204
    status, content, disposition = backend.get(backend.store.download_url(key, "گذرنامه.png", "image/png", 60))
    assert (status, content) == (200, PNG) and disposition.startswith("attachment")
