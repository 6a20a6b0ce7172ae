"""SMS.ir (an Iranian SMS provider) over its REST API v1: `POST {base}/v1/send/bulk` with the key
in the `X-API-KEY` header and a JSON body `{lineNumber, messageText, mobiles, sendDateTime}`, so
neither the key nor the number ever appears in a URL. The answer is `{status, message, data}`:
status 1 with `data.messageIds` on success, a numbered refusal otherwise (HTTP 400 for logical
errors, 401 for the key, 429 for the rate, 500 for theirs).

Why a small client here rather than a PyPI package: the published clients are thin, pull in
requests or httpx, and do not tell retryable from permanent failures. urllib3 ships with botocore
already; one pool is shared by the delivery threads, timeouts are bounded and retries are left to
the outbox, which owns the backoff."""
from __future__ import annotations

import json
from collections.abc import Callable

import urllib3

from chalicelib.gateways.sms import PermanentSmsError, RetryableSmsError, SendResult, SmsError, check_message

# The provider's refusal codes, by what they mean for this message.
_RETRYABLE = {
    0: "unavailable",  # an error on their side
    10: "account", 11: "account", 12: "account", 13: "account", 14: "account", 15: "account",  # key, plan
    20: "throttled",
    101: "account", 102: "account",  # line number, credit
}
_PERMANENT = {
    103: "rejected",  # empty text
    104: "invalid_number",
    107: "invalid_number",  # empty list of mobiles
    115: "opted_out",  # on the operators' blacklist
    117: "rejected",  # text not approved
}
_KEY_REFUSED = {10, 11}


def national_mobile(recipient_e164: str) -> str:
    """SMS.ir takes Iranian mobiles in national form (09xxxxxxxxx) and nothing else."""
    if not recipient_e164.startswith("+989") or len(recipient_e164) != 13:
        raise PermanentSmsError("invalid_number", "not an Iranian mobile")
    return "0" + recipient_e164[3:]


class SmsIrSender:
    name = "smsir"

    def __init__(self, *, line_number: str, api_key: Callable[[], str], base_url: str = "https://api.sms.ir",
                 on_key_refused: Callable[[], None] = lambda: None, connect_timeout_s: float = 1.0,
                 read_timeout_s: float = 5.0, max_connections: int = 32):
        self._line_number = int(line_number)
        self._api_key = api_key
        self._on_key_refused = on_key_refused
        self._url = base_url.rstrip("/") + "/v1/send/bulk"
        self._http = urllib3.PoolManager(
            num_pools=2, maxsize=max_connections, block=False, retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout_s, read=read_timeout_s))

    def send(self, recipient_e164: str, text: str) -> SendResult:
        size = check_message(recipient_e164, text)
        body = {"lineNumber": self._line_number, "messageText": text,
                "mobiles": [national_mobile(recipient_e164)], "sendDateTime": None}
        try:
            response = self._http.request(
                "POST", self._url, body=json.dumps(body, ensure_ascii=False).encode(),
                headers={"X-API-KEY": self._api_key(), "Content-Type": "application/json",
                         "Accept": "application/json"})
        except urllib3.exceptions.TimeoutError as exc:
            raise RetryableSmsError("timeout", type(exc).__name__) from None
        except urllib3.exceptions.HTTPError as exc:
            raise RetryableSmsError("unavailable", type(exc).__name__) from None
        return SendResult(self._message_id(response), size.segments)

    def _message_id(self, response: urllib3.BaseHTTPResponse) -> str:
        try:
            answer = json.loads(response.data)
            status = int(answer["status"])
        except (ValueError, KeyError, TypeError):
            answer, status = {}, None
        if response.status == 200 and status == 1:
            ids = (answer.get("data") or {}).get("messageIds") or []
            if ids and ids[0] is not None:
                return str(ids[0])
            raise RetryableSmsError("unavailable", f"{response.status}/{status}")  # sent? not proven
        raise self._refusal(response.status, status)

    def _refusal(self, http_status: int, status: int | None) -> SmsError:
        code = f"{http_status}/{status}"
        if http_status == 401 or status in _KEY_REFUSED:
            self._on_key_refused()  # the key may have been rotated: read it again next time
        if http_status == 429:
            return RetryableSmsError("throttled", code)
        if status in _PERMANENT:
            return PermanentSmsError(_PERMANENT[status], code)
        if status in _RETRYABLE:
            return RetryableSmsError(_RETRYABLE[status], code)
        if http_status >= 500 or http_status in (401, 403) or status is None:
            return RetryableSmsError("unavailable" if http_status >= 500 or status is None else "account", code)
        # Any other logical refusal (HTTP 400, a code not listed above) is about the request itself.
        return PermanentSmsError("rejected", code)
