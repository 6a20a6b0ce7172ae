"""Remote requests: the citizen's intake (with the session of a verified mobile) and status read
(tracking code + X-Access-Code header),
the upload grant for its documents, and the office's remote work (operator JWT): pull the next
request, start, complete, reject or send in person (a booking offer at nearby offices), and the
office's open counters. An operator only sees requests assigned to their own office."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import Operator
from chalicelib.api.callers import CITIZEN, OPERATOR
from chalicelib.api.http import Reply, Routes, lazy

if TYPE_CHECKING:
    from chalicelib.domain.citizen import CitizenSession
    from chalicelib.schemas import OpenCountersIn, RatingIn, RemoteRequestIn, RequestDecisionIn, RequestResultIn, UploadGrantIn

documents = lazy("chalicelib.services.documents")
remote_requests = lazy("chalicelib.services.remote_requests")

api = Routes(__name__, tag="office")
ACCESS_CODE = ("X-Access-Code",)


@api.post("/uploads", response="UploadGrantOut", tag="requests", body="UploadGrantIn", status=201, limit="upload-client")
def grant_uploads(body: UploadGrantIn):
    """Presigned POSTs for a remote request's documents, sent straight to the documents bucket;
    the request then cites `upload_id` and each document's `upload_ref`."""
    return Reply(documents.grant(body), 201)


@api.post("/requests", response="RemoteRequestCreatedOut", tag="requests", body="RemoteRequestIn", idempotency="required",
          auth=CITIZEN, status=201, problems=(403, 404, 409), limit="remote-client")
def create_remote_request(body: RemoteRequestIn, idempotency_key: str, caller: CitizenSession):
    result = remote_requests.submit(body, idempotency_key, api.lambda_context, session=caller)
    return Reply(result, 201, {"Location": f"/v1/requests/{result['tracking_code']}"})


@api.get("/requests/{tracking_code}", response="CitizenRemoteRequestOut", tag="requests", headers=ACCESS_CODE,
         problems=(404,))
def read_remote_request(tracking_code):
    return remote_requests.read(tracking_code, api.header("X-Access-Code"))


@api.post("/requests/{tracking_code}/rating", response="CitizenRemoteRequestOut", tag="requests", body="RatingIn",
          status=201, headers=(*ACCESS_CODE, "X-Rating-Token"), problems=(404, 409))
def rate_remote_request(tracking_code, body: RatingIn):
    return remote_requests.rate(tracking_code, api.header("X-Access-Code"), api.header("X-Rating-Token"),
                                body.score, body.comment)


@api.post("/office/queue/next", response="OfficeRemoteRequestOut", auth=OPERATOR, status=(200, 204),
          problems=(404, 409))
def pull_next_request(caller: Operator):
    claimed = remote_requests.next_request(caller.office_id, caller.operator_id)
    return claimed if claimed else Reply(None, 204)


@api.get("/office/requests", response="OfficeWorkListOut", auth=OPERATOR, etag=True)
def office_work_list(caller: Operator):
    return remote_requests.work_list(caller.office_id)


@api.get("/office/requests/{tracking_code}", response="OfficeRemoteRequestOut", auth=OPERATOR, problems=(404,))
def office_remote_request(tracking_code, caller: Operator):
    return remote_requests.office_read(caller.office_id, tracking_code)


@api.post("/office/requests/{tracking_code}/start", response="OfficeRemoteRequestOut", auth=OPERATOR,
          problems=(404, 409))
def start_remote_request(tracking_code, caller: Operator):
    return remote_requests.act(caller.office_id, caller.operator_id, tracking_code, "start", None)


@api.post("/office/requests/{tracking_code}/complete", response="OfficeRemoteRequestOut", auth=OPERATOR,
          body="RequestResultIn", body_required=False, problems=(404, 409))
def complete_remote_request(tracking_code, caller: Operator, body: RequestResultIn):
    return remote_requests.act(caller.office_id, caller.operator_id, tracking_code, "complete", body.note)


@api.post("/office/requests/{tracking_code}/reject", response="OfficeRemoteRequestOut", auth=OPERATOR,
          body="RequestDecisionIn", problems=(404, 409))
def reject_remote_request(tracking_code, caller: Operator, body: RequestDecisionIn):
    return remote_requests.act(caller.office_id, caller.operator_id, tracking_code, "reject", body.reason)


@api.post("/office/requests/{tracking_code}/needs-in-person", response="OfficeRemoteRequestOut", auth=OPERATOR,
          body="RequestDecisionIn", problems=(404, 409))
def send_request_in_person(tracking_code, caller: Operator, body: RequestDecisionIn):
    return remote_requests.act(caller.office_id, caller.operator_id, tracking_code, "needs_in_person", body.reason)


@api.get("/office/counters", response="OfficeCountersOut", auth=OPERATOR, problems=(404,), etag=True)
def office_counters(caller: Operator):
    return remote_requests.office_counters(caller.office_id, None)


@api.post("/office/counters", response="OfficeCountersOut", auth=OPERATOR, body="OpenCountersIn", problems=(404,))
def set_office_counters(caller: Operator, body: OpenCountersIn):
    return remote_requests.office_counters(caller.office_id, body.open)
