"""Remote requests: the citizen's intake and status read (tracking code + X-Access-Code header),
and the office's remote work (operator JWT): pull the next request, start, complete, reject or send
in person (a booking offer at nearby offices), and
the office's open counters. An operator only sees requests assigned to their own office."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.auth import operator_from
from chalicelib.api.http import ANY_CONTENT, body, handled, header, idempotency_key, json_response
from chalicelib.dal import idempotency
from chalicelib.request_schemas import OpenCounters, RatingIn, RemoteRequestIn, RequestDecision
from chalicelib.services import remote_requests

bp = Blueprint(__name__)
def _operator():
    return operator_from(header(bp, "Authorization"))


@bp.route("/v1/requests", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def create_remote_request():
    key = idempotency_key(bp, required=True)
    req = body(bp, RemoteRequestIn)
    idempotency.register_context(bp.lambda_context)
    result = remote_requests.submit(req, key)
    return json_response(result, 201, {"Location": f"/v1/requests/{result['tracking_code']}"})


@bp.route("/v1/requests/{tracking_code}", methods=["GET"])
@handled(bp)
def read_remote_request(tracking_code):
    return json_response(remote_requests.read(tracking_code, header(bp, "X-Access-Code")))


@bp.route("/v1/requests/{tracking_code}/rating", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def rate_remote_request(tracking_code):
    req = body(bp, RatingIn)
    return json_response(remote_requests.rate(tracking_code, header(bp, "X-Access-Code"), header(bp, "X-Rating-Token"),
                                              req.score, req.comment), 201)


@bp.route("/v1/office/queue/next", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def pull_next_request():
    operator = _operator()
    claimed = remote_requests.next_request(operator.office_id, operator.operator_id)
    return json_response(claimed) if claimed else Response(body="", status_code=204)


@bp.route("/v1/office/requests", methods=["GET"])
@handled(bp)
def office_work_list():
    return json_response(remote_requests.work_list(_operator().office_id))


@bp.route("/v1/office/requests/{tracking_code}", methods=["GET"])
@handled(bp)
def office_remote_request(tracking_code):
    return json_response(remote_requests.office_read(_operator().office_id, tracking_code))


def _act(tracking_code: str, action: str, reason: str | None = None):
    operator = _operator()
    return json_response(remote_requests.act(operator.office_id, operator.operator_id, tracking_code, action, reason))


@bp.route("/v1/office/requests/{tracking_code}/start", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def start_remote_request(tracking_code):
    return _act(tracking_code, "start")


@bp.route("/v1/office/requests/{tracking_code}/complete", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def complete_remote_request(tracking_code):
    return _act(tracking_code, "complete")


@bp.route("/v1/office/requests/{tracking_code}/reject", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def reject_remote_request(tracking_code):
    _operator()  # authenticate before reading the body
    return _act(tracking_code, "reject", body(bp, RequestDecision).reason)


@bp.route("/v1/office/requests/{tracking_code}/needs-in-person", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def send_request_in_person(tracking_code):
    _operator()  # authenticate before reading the body
    return _act(tracking_code, "needs_in_person", body(bp, RequestDecision).reason)


@bp.route("/v1/office/counters", methods=["GET"])
@handled(bp)
def office_counters():
    return json_response(remote_requests.office_counters(_operator().office_id, None))


@bp.route("/v1/office/counters", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def set_office_counters():
    operator = _operator()
    return json_response(remote_requests.office_counters(operator.office_id, body(bp, OpenCounters).open))
