"""The lists the consoles poll answer 304 to a client that already holds the current version
(ETag / If-None-Match), and a new version as soon as anything in it changed."""
from __future__ import annotations

import json

import pytest
from chalice import Response
from chalice.test import Client

from app import app
from chalicelib.api import callers
from chalicelib.api.auth import Operator
from chalicelib.api.http import conditional, entity_tag, none_match, operations
from chalicelib.services import remote_requests


def test_if_none_match_is_compared_weakly_and_may_list_tags_or_be_a_star():
    tag = entity_tag('{"a": 1}')
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34
    assert entity_tag('{"a": 1}') == tag and entity_tag('{"a": 2}') != tag
    assert none_match(tag, tag)
    assert none_match(f"W/{tag}", tag)
    assert none_match(f'"other", {tag}', tag)
    assert none_match("*", tag)
    assert not none_match('"other"', tag)
    assert not none_match(None, tag) and not none_match("", tag)


def test_only_a_200_gets_a_tag_and_only_a_matching_one_becomes_304():
    ok = Response(body='{"open": 1}', status_code=200, headers={"Content-Type": "application/json"})
    tagged = conditional(ok, None)
    assert tagged.status_code == 200 and tagged.headers["ETag"] == entity_tag('{"open": 1}')
    same = conditional(Response(body='{"open": 1}', status_code=200), entity_tag('{"open": 1}'))
    assert (same.status_code, same.body, same.headers["ETag"]) == (304, "", entity_tag('{"open": 1}'))
    refused = conditional(Response(body='{"status": 404}', status_code=404), entity_tag('{"status": 404}'))
    assert refused.status_code == 404 and "ETag" not in refused.headers


def test_the_polled_office_lists_declare_it():
    polled = {op.name for _, op in operations(app.routes) if op.etag}
    assert polled == {"todays_bookings", "desk_list", "office_work_list", "office_counters"}


@pytest.fixture
def office_counters(monkeypatch):
    state = {"open": 1, "busy": 0}
    monkeypatch.setattr(callers, "operator_from", lambda authorization: Operator("u-1", "OF-A"))
    monkeypatch.setattr(remote_requests, "office_counters",
                        lambda office_id, open_: {"office_id": office_id, **state})
    return state


def test_over_http_a_poll_without_change_is_304_and_a_change_is_a_new_version(office_counters):
    with Client(app) as client:
        first = client.http.get("/v1/office/counters", headers={"Authorization": "Bearer t"})
        assert first.status_code == 200 and json.loads(first.body) == {"office_id": "OF-A", "open": 1, "busy": 0}
        tag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "private, no-cache"
        again = client.http.get("/v1/office/counters", headers={"Authorization": "Bearer t", "If-None-Match": tag})
        assert (again.status_code, again.body, again.headers["ETag"]) == (304, b"", tag)
        office_counters["busy"] = 1
        changed = client.http.get("/v1/office/counters", headers={"Authorization": "Bearer t", "If-None-Match": tag})
        assert changed.status_code == 200 and json.loads(changed.body)["busy"] == 1
        assert changed.headers["ETag"] != tag
