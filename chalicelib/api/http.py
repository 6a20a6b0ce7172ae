"""HTTP plumbing shared by every route: parse JSON bodies and queries, and map every error to
application/problem+json in one place. Route handlers stay short: parse, call, map."""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib.errors import (
    PROBLEM_JSON,
    DomainError,
    IdempotencyKeyRequired,
    InvalidInput,
    MalformedRequest,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
    problem,
)
from chalicelib.observability import logger
from chalicelib.settings import get_settings

M = TypeVar("M", bound=BaseModel)
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
    "cursor": "نشانگر صفحه نامعتبر است",
}


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


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(payload, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def problem_response(error: DomainError, path: str | None = None) -> Response:
    status, headers, text = problem(error, path)
    return Response(body=text, status_code=status, headers=headers)


def handled(bp: Blueprint) -> Callable:
    """Decorator for route views: domain errors become problem+json; anything unexpected is a
    logged 500 problem, never a stack trace."""
    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def inner(*args, **kwargs):
            path = getattr(bp.current_request, "path", None)
            try:
                return view(*args, **kwargs)
            except DomainError as err:
                if isinstance(err, ServiceUnavailable):
                    logger.warning("database unavailable", extra={"path": path})
                return problem_response(err, path)
            except Exception:  # noqa: BLE001 - the last line of defence
                logger.exception("unhandled error", extra={"path": path})
                err = DomainError("An internal error occurred", "خطای داخلی رخ داد")
                err.status, err.code = 500, "internal-error"
                return problem_response(err, path)
        return inner
    return wrap


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
