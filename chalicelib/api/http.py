"""HTTP plumbing shared by every route: parse JSON bodies and queries, and map every error to
application/problem+json in one place. Route handlers stay short: parse, call, map."""
from __future__ import annotations

import functools
import hashlib
import hmac
import importlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from chalice import Blueprint, Response
from chalice.app import CognitoUserPoolAuthorizer, Request

from chalicelib.api.auth import STAFF_AUTHORIZER, STAFF_POOL_ARN_VARIABLE
from chalicelib.domain import calendar
from chalicelib.errors import (
    PROBLEM_JSON,
    DomainError,
    IdempotencyKeyRequired,
    InvalidInput,
    MalformedRequest,
    PayloadTooLarge,
    ServiceUnavailable,
    TooManyRequests,
    UnsupportedMediaType,
    database_unavailable,
    problem,
)
from chalicelib.observability import logger
from chalicelib.secrets import get_secret

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound="BaseModel")
ANY_CONTENT = ["*/*"]  # we check the media type ourselves, to answer with problem+json

# Persian messages per field; pydantic's own text is English.
FIELD_FA = {
    "national_id": "کد ملی نامعتبر است",
    "mobile": "شماره همراه نامعتبر است",
    "start": "زمان نوبت نامعتبر است",
    "date": "تاریخ نامعتبر است",
    "office_id": "شناسه دفتر نامعتبر است",
    "service_id": "شناسه خدمت نامعتبر است",
    "service": "شناسه خدمت نامعتبر است",
    "name": "نام نامعتبر است",
    "hold_id": "شناسه نگهداری نوبت نامعتبر است",
    "limit": "تعداد نتایج نامعتبر است",
    "challenge_id": "شناسه کد تأیید نامعتبر است",
    "code": "کد تأیید باید ۶ رقم باشد",
    "cursor": "نشانگر صفحه نامعتبر است",
    "country": "کشور نامعتبر است",
    "time_zone": "منطقه زمانی نامعتبر است",
    "description": "شرح درخواست نامعتبر است",
    "documents": "سند نامعتبر است",
    "upload_id": "شناسه بارگذاری نامعتبر است",
    "tz": "منطقه زمانی نامعتبر است؛ نامی مانند Europe/Berlin بفرستید",
    "contact": "روش تماس باید تصویری (video) یا تلفنی (phone) باشد",
    "join": "اطلاعات ورود به جلسه نامعتبر است",
    "note": "یادداشت نتیجه جلسه نامعتبر است",
}


def get_settings():  # noqa: ANN201 - chalicelib.settings.Settings
    """The settings, read when a request first needs them: their validation (pydantic) is not
    paid by `import app`, a cold start."""
    from chalicelib.settings import get_settings as settings
    return settings()


def lazy(module: str) -> Any:
    """`module`, imported when one of its names is first used: a route module names the use cases
    its views call without importing them (and their schemas, stores and libraries) when the app
    is imported, so a cold start pays only for the routes' declarations. The import is Python's own
    (thread-safe; later uses find it in sys.modules)."""
    _LAZY.append(module)
    return _LazyModule(module)


_LAZY: list[str] = []


def import_all() -> None:
    """Every module the routes named `lazy`, and every schema: what a long-lived local server (and
    a test session) imports once at its start, so that no request pays for it. Lambda imports
    them route by route, when first used."""
    for module in _LAZY:
        importlib.import_module(module)
    importlib.import_module("chalicelib.schemas")


class _LazyModule:
    def __init__(self, name: str) -> None:
        self.__name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self.__name!r}>"


def schema(ref: str | type[BaseModel]) -> type[BaseModel]:
    """A schema named by a route: "BookingIn" (chalicelib.schemas) or "appeals.AppealIn" (its module
    there). Routes name their schemas so that pydantic builds them when a request or the contract
    generator first reads them, not at import."""
    if not isinstance(ref, str):
        return ref
    module, _, name = ref.rpartition(".")
    return getattr(importlib.import_module("chalicelib.schemas" + (f".{module}" if module else "")), name)


def invalid(exc: ValidationError) -> InvalidInput:
    # Never echo the input back: it may be a national ID or a mobile number.
    errors = []
    for err in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or "body"
        message = err["msg"].removeprefix("Value error, ")
        fa = FIELD_FA.get(str(err["loc"][0]) if err["loc"] else "", "مقدار نامعتبر است")
        if err["type"] == "extra_forbidden":
            fa = "این فیلد مجاز نیست"
        elif err["type"] == "missing":
            fa = "این فیلد الزامی است"
        errors.append({"field": field, "message": message, "message_fa": fa})
    return InvalidInput(errors=errors)


def body(bp: Blueprint, model: type[M]) -> M:
    request = bp.current_request
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType()
    raw = request.raw_body or b""
    if len(raw) > get_settings().max_body_bytes:
        raise PayloadTooLarge()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedRequest() from exc
    if not isinstance(data, dict):
        raise MalformedRequest("The body must be a JSON object", "بدنه درخواست باید یک شیء JSON باشد")
    return validated(model, data)


def validated(model: type[M], data: dict[str, Any]) -> M:
    from pydantic import ValidationError
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from exc


def query(bp: Blueprint, model: type[M], names: tuple[str, ...] | None = None) -> M:
    """The query string as `model`; with `names`, only those parameters are read."""
    params = dict(bp.current_request.query_params or {})
    return validated(model, {k: v for k, v in params.items() if names is None or k in names})


def header(bp: Blueprint, name: str) -> str | None:
    value = bp.current_request.headers.get(name)
    return value.strip() if value else None


_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9\-_.:]{8,128}$")


def path_day(raw: str) -> date:
    """A day in the path (/admin/calendar/{day}): ISO or Jalali, Persian digits allowed."""
    try:
        return calendar.parse_date(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc), FIELD_FA["date"]) from exc


def idempotency_key(bp: Blueprint, *, required: bool) -> str | None:
    """The client's Idempotency-Key header, checked; absent is fine unless `required`."""
    key = header(bp, "Idempotency-Key")
    if key is None:
        if required:
            raise IdempotencyKeyRequired()
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise InvalidInput("Idempotency-Key must be 8-128 letters, digits or -_.:",
                           "کلید یکتایی باید ۸ تا ۱۲۸ حرف یا رقم باشد")
    return key


EDGE_HEADER = "X-Origin-Verify"  # set by our CloudFront distribution on every request it forwards


def _from_our_edge(request: Request) -> bool:
    """Whether the request came through our CloudFront: it carries the edge's secret origin header
    (a client reaching API Gateway directly does not know it)."""
    arn = get_settings().edge_secret_arn
    given = (request.headers or {}).get(EDGE_HEADER)
    return bool(arn and given) and hmac.compare_digest(given.encode(), get_secret(arn).encode())


def client_address(request: Request) -> str | None:
    """The caller's address, never from a header a client can write: the TCP peer API Gateway saw,
    or, behind our CloudFront (whose edge is that peer), the viewer address CloudFront saw."""
    viewer = (request.headers or {}).get("CloudFront-Viewer-Address")  # "203.0.113.7:46532", "[2001:db8::1]:443"
    if viewer and _from_our_edge(request):
        return viewer.rsplit(":", 1)[0].strip("[]") or None
    identity = (getattr(request, "context", None) or {}).get("identity") or {}
    return identity.get("sourceIp") or None


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(payload, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def problem_response(error: DomainError, path: str | None = None) -> Response:
    status, headers, text = problem(error, path)
    return Response(body=text, status_code=status, headers=headers)


@dataclass(frozen=True)
class Auth:
    """Who may call a route. `identify` reads the caller from the request (401, or 403 when
    `forbids`) before anything else is read; `scheme` names the contract's security scheme."""
    scheme: str
    identify: Callable[[Request], Any]
    forbids: bool = False
    staff: bool = False  # a Cognito ID token of the staff pool: API Gateway checks it first in AWS
    optional: bool = False  # no credentials: `identify` gives None; wrong ones are refused all the same


def source_ip(request: Request, caller: Any = None) -> str:
    """A limit's default subject: the client's address (`client_address`)."""
    return client_address(request) or "unknown"


@dataclass(frozen=True)
class Limit:
    """A token bucket a route spends from before it does anything else (after `auth`): `policy`
    names it in settings `rate_limits`; `subject` picks whose bucket from the request and the
    caller (default: the source IP). `per_minute` may replace the policy's rate per caller.
    With `refusals_only` the bucket is spent only by a refused request (a 4xx after the caller
    was identified), so an accepted one costs no round trip; a caller whose bucket this container
    saw empty is refused before anything else, and the refusal that finds it empty answers 429."""
    policy: str
    subject: Callable[[Request, Any], str] = source_ip
    per_minute: Callable[[Any], int | None] | None = None
    refusals_only: bool = False

    def spend(self, request: Request, caller: Any) -> None:
        from chalicelib.services import limits
        per_minute = self.per_minute(caller) if self.per_minute else None
        limits.take(self.policy, self.subject(request, caller), per_minute=per_minute)

    def after_refusal(self, request: Request, caller: Any, refusal: DomainError) -> DomainError:
        """What a refused request answers: its refusal, or 429 when it was one too many."""
        if not self.refusals_only or caller is None or not 400 <= refusal.status < 500 or refusal.status == 429:
            return refusal
        try:
            self.spend(request, caller)
        except TooManyRequests as too_many:
            return too_many
        except DomainError:  # the bucket could not be read: the refusal stands as it was
            pass
        return refusal


@dataclass(frozen=True)
class Reply:
    """A view's answer when the status or headers vary: `content` is the body (None: no body)."""
    content: Any
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """What a route accepts and answers: read by the view's wrapper and by the contract generator."""
    name: str
    method: str
    path: str
    tag: str
    statuses: tuple[int, ...]
    # The schemas by name (see `schema`), built when first read.
    response_refs: dict[int, str | type[BaseModel]] = field(default_factory=dict)  # per success status; none for 204
    body_ref: str | type[BaseModel] | None = None
    body_required: bool = True
    query_ref: str | type[BaseModel] | None = None
    auth: Auth | None = None
    idempotency: str | None = None  # "optional" or "required"
    headers: tuple[str, ...] = ()
    optional_headers: tuple[str, ...] = ()  # read when sent (e.g. an access code where a session also does)
    problems: tuple[int, ...] = ()
    database: bool = True
    limit: Limit | None = None
    etag: bool = False  # a polled list: its 200 carries an ETag, and If-None-Match with it answers 304
    # Media types the first success status may also be written in, chosen by the request (a CSV download).
    also_as: tuple[str, ...] = ()

    @functools.cached_property
    def responses(self) -> dict[int, type[BaseModel]]:
        return {status: schema(ref) for status, ref in self.response_refs.items()}

    @functools.cached_property
    def body(self) -> type[BaseModel] | None:
        return schema(self.body_ref) if self.body_ref else None

    @functools.cached_property
    def query(self) -> type[BaseModel] | None:
        return schema(self.query_ref) if self.query_ref else None

    def problem_statuses(self) -> tuple[int, ...]:
        """Every problem status the route can answer: from what it reads, plus its own."""
        statuses = {500, *self.problems}
        if self.limit:
            statuses.add(429)
        if self.database:
            statuses.add(503)
        if self.body_ref:
            statuses |= {400, 413, 415, 422}
        if self.query_ref:
            statuses.add(422)
        if self.auth:
            statuses |= {401, 403} if self.auth.forbids else {401}
        if self.idempotency:
            statuses |= {409, 422} | ({400} if self.idempotency == "required" else set())
        return tuple(sorted(statuses))


def entity_tag(body: str | bytes) -> str:
    """A strong validator of a response body: the same bytes, the same tag."""
    data = body.encode() if isinstance(body, str) else body
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def none_match(if_none_match: str | None, tag: str) -> bool:
    """Whether If-None-Match names `tag` (RFC 9110 13.1.2: weak comparison, a list, or *)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == tag for t in if_none_match.split(","))


def conditional(response: Response, if_none_match: str | None) -> Response:
    """A polled list's answer: a 200 gets its ETag; when the client already holds that version it
    gets 304 without the body. The list is read all the same: the saving is the transfer and the
    client's re-rendering, which is what polling every few seconds from many counters costs."""
    if response.status_code != 200:
        return response
    tag = entity_tag(response.body)
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if none_match(if_none_match, tag):
        return Response(body="", status_code=304, headers=headers)
    response.headers = {**response.headers, **headers}
    return response


def _error_response(err: DomainError | None, path: str | None) -> Response:
    if err is None:
        logger.exception("unhandled error", extra={"path": path})
        err = DomainError("An internal error occurred", "خطای داخلی رخ داد")
        err.status, err.code = 500, "internal-error"
    elif isinstance(err, ServiceUnavailable):
        logger.warning("database unavailable", extra={"path": path})
    return problem_response(err, path)


class Routes:
    """A blueprint whose views are declared with what they read and answer.

    The wrapper does, in this order: identify the caller (`auth`), spend a token of the route's
    `limit` (429 with Retry-After when its bucket is empty), check the Idempotency-Key,
    read the query (`query` model), read the JSON body (`body` model), call the view with them as
    keyword arguments (`caller`, `idempotency_key`, `query`, `body`, besides the path's), and
    write its result as JSON with the declared status. Every error becomes problem+json here: Chalice
    turns a view's exception into its own 500 before any middleware could."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    @property
    def current_request(self) -> Request:
        return self.blueprint.current_request

    @property
    def lambda_context(self) -> Any:
        return self.blueprint.lambda_context

    def header(self, name: str) -> str | None:
        return header(self.blueprint, name)

    def get(self, path: str, **spec: Any) -> Callable:
        return self.route("GET", path, **spec)

    def post(self, path: str, **spec: Any) -> Callable:
        return self.route("POST", path, **spec)

    def put(self, path: str, **spec: Any) -> Callable:
        return self.route("PUT", path, **spec)

    def delete(self, path: str, **spec: Any) -> Callable:
        return self.route("DELETE", path, **spec)

    def route(self, method: str, path: str, *, status: int | tuple[int, ...] = 200,
              response: str | dict[int, str] | None = None, body: str | None = None,
              body_required: bool = True, query: str | None = None, auth: Auth | None = None,
              idempotency: str | None = None, headers: tuple[str, ...] = (), optional_headers: tuple[str, ...] = (),
              problems: tuple[int, ...] = (), database: bool = True, tag: str | None = None,
              limit: str | Limit | None = None, etag: bool = False, also_as: tuple[str, ...] = ()) -> Callable:
        statuses = status if isinstance(status, tuple) else (status,)
        responses = response if isinstance(response, dict) else {s: response for s in statuses if s != 204 and response}

        def register(view: Callable) -> Callable:
            op = Operation(name=view.__name__, method=method, path=path, tag=tag or self.tag, statuses=statuses,
                           response_refs=responses, body_ref=body, body_required=body_required, query_ref=query,
                           auth=auth,
                           idempotency=idempotency, headers=headers, optional_headers=optional_headers,
                           problems=problems, database=database,
                           limit=Limit(limit) if isinstance(limit, str) else limit, etag=etag, also_as=also_as)

            @functools.wraps(view)
            def inner(**params: Any) -> Response:
                request = self.blueprint.current_request
                path_ = getattr(request, "path", None)
                inputs: dict[str, Any] = {}
                try:
                    self._read_inputs(op, request, inputs)
                    response = self._respond(op, view(**params, **inputs))
                    return conditional(response, header(self.blueprint, "If-None-Match")) if op.etag else response
                except DomainError as err:
                    if op.limit:
                        err = op.limit.after_refusal(request, inputs.get("caller"), err)
                    return _error_response(err, path_)
                except Exception as exc:  # noqa: BLE001 - the last line of defence
                    # A database call no store turned into a 503 is still the database's, not ours.
                    return _error_response(ServiceUnavailable() if database_unavailable(exc) else None, path_)

            inner.operation = op  # type: ignore[attr-defined]
            # Every method with a body takes any media type: the wrapper answers a wrong one with a problem.
            content = {"content_types": ANY_CONTENT} if method in ("POST", "PUT", "PATCH") else {}
            # API Gateway's Cognito authorizer in front of every staff route: the stack sets the pool's
            # ARN while it packages the app; locally (and in tests) the app's own check is the only one.
            if auth is not None and auth.staff and os.environ.get(STAFF_POOL_ARN_VARIABLE):
                content["authorizer"] = CognitoUserPoolAuthorizer(
                    STAFF_AUTHORIZER, provider_arns=[os.environ[STAFF_POOL_ARN_VARIABLE]])
            self.blueprint.route(path, methods=[method], **content)(inner)
            return inner
        return register

    def _read_inputs(self, op: Operation, request: Request, inputs: dict[str, Any]) -> None:
        """The view's keyword arguments, into `inputs` as they are read (a refusal after the
        caller is known still finds the caller there)."""
        if op.auth:
            inputs["caller"] = op.auth.identify(request)
        if op.limit:
            # After auth (a partner's bucket must not be spent by unsigned requests naming it),
            # before the body is read.
            if op.limit.refusals_only:
                from chalicelib.services import limits
                limits.refuse_if_remembered(op.limit.policy, op.limit.subject(request, inputs.get("caller")))
            else:
                op.limit.spend(request, inputs.get("caller"))
        if op.idempotency:
            inputs["idempotency_key"] = idempotency_key(self.blueprint, required=op.idempotency == "required")
        if op.query:
            names = tuple(f.alias or name for name, f in op.query.model_fields.items())
            inputs["query"] = query(self.blueprint, op.query, names)
        if op.body:
            inputs["body"] = (body(self.blueprint, op.body) if op.body_required or request.raw_body
                              else op.body())

    @staticmethod
    def _respond(op: Operation, result: Any) -> Response:
        if isinstance(result, Response):
            return result
        reply = result if isinstance(result, Reply) else Reply(result, op.statuses[0])
        if reply.status not in op.statuses:
            logger.error("undeclared status", extra={"operation": op.name, "status": reply.status})
        if reply.content is None:
            return Response(body="", status_code=reply.status, headers=reply.headers)
        model = op.responses.get(reply.status)
        if model is None:
            return json_response(reply.content, reply.status, reply.headers)
        # What the use case returned, checked against the documented model and written as it gave it:
        # keys it left out stay out (exclude_unset), an int stays an int.
        out = reply.content if isinstance(reply.content, model) else model.model_validate(reply.content)
        return json_response(out.model_dump(mode="json", by_alias=True, exclude_unset=True), reply.status,
                             reply.headers)


def operations(routes: dict[str, dict[str, Any]]) -> list[tuple[str, Operation]]:
    """(full path, operation) of every declared route of an app's `routes`, sorted by path and method."""
    found = []
    for path, methods in routes.items():
        for method, entry in methods.items():
            op = getattr(entry.view_function, "operation", None)
            if op is not None and op.method == method:
                found.append((path, op))
    return sorted(found, key=lambda item: (item[0], item[1].method))


def chalice_errors_as_problems(event, get_response):
    """HTTP middleware: Chalice's own error bodies ({Code, Message}: 405, 415, 500) become problems too."""
    response = get_response(event)
    if response.status_code >= 400 and isinstance(response.body, dict) and "Code" in response.body:
        err = DomainError(str(response.body.get("Message")), "درخواست قابل پردازش نیست")
        err.status, err.code = response.status_code, str(response.body["Code"])
        status, headers, text = problem(err, getattr(event, "path", None))
        response.body, response.status_code = text, status
        response.headers = {**response.headers, **headers, "Content-Type": PROBLEM_JSON}
    return response
