"""Whose address a per-client limit counts: the TCP peer API Gateway saw, or, only for requests that
prove they came through our CloudFront (the edge secret in X-Origin-Verify), the viewer's address
CloudFront saw. A header a client writes itself never moves the bucket."""
import pytest
from chalice.app import Request

from chalicelib.api import http

EDGE_ARN = "arn:aws:secretsmanager:me-central-1:123456789012:secret:ejso/prod/edge-origin-AbCdEf"
EDGE_SECRET = "s3cret-edge-value-0123456789"


def _request(headers: dict[str, str]) -> Request:
    return Request({"multiValueQueryStringParameters": None, "headers": headers, "pathParameters": {},
                    "requestContext": {"httpMethod": "POST", "resourcePath": "/holds",
                                       "identity": {"sourceIp": "15.158.0.9"}},  # a CloudFront edge
                    "body": None, "stageVariables": {}, "isBase64Encoded": False})


@pytest.fixture
def behind_cloudfront(monkeypatch):
    settings = http.get_settings().model_copy(update={"edge_secret_arn": EDGE_ARN})
    monkeypatch.setattr(http, "get_settings", lambda: settings)
    monkeypatch.setattr(http, "get_secret", {EDGE_ARN: EDGE_SECRET}.__getitem__)


@pytest.mark.parametrize("viewer, expected", [("203.0.113.7:46532", "203.0.113.7"),
                                              ("[2001:db8::1]:443", "2001:db8::1")])
def test_our_edge_gives_the_viewer_address(behind_cloudfront, viewer, expected):
    request = _request({"cloudfront-viewer-address": viewer, "x-origin-verify": EDGE_SECRET})
    assert http.client_address(request) == expected
    assert http.source_ip(request) == expected


@pytest.mark.parametrize("proof", [None, "guessed", EDGE_SECRET[:-1]])
def test_a_viewer_address_without_the_edge_secret_is_ignored(behind_cloudfront, proof):
    headers = {"cloudfront-viewer-address": "203.0.113.7:46532"}
    if proof is not None:
        headers["x-origin-verify"] = proof
    assert http.client_address(_request(headers)) == "15.158.0.9"


def test_without_an_edge_the_peer_is_the_client():
    request = _request({"cloudfront-viewer-address": "203.0.113.7:46532", "x-origin-verify": EDGE_SECRET})
    assert http.get_settings().edge_secret_arn is None
    assert http.client_address(request) == "15.158.0.9"
