"""Sending one SMS: the interface the outbox's SMS courier depends on, its typed errors, the
local stand-in that only logs, and the choice of adapter from settings (SMS_MODE).

A send either returns a `SendResult` or raises `SmsError`: `RetryableSmsError` when the same
message may well go through later (throttling, the provider's 5xx, timeouts, and problems of our
own account such as credit or a rotated key, which an operator fixes without the message
changing), `PermanentSmsError` when it never will (invalid number, opted out, text refused).
Errors carry a short reason and the provider's code, never the number or the text."""
from __future__ import annotations

import functools
import itertools
import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from chalicelib.domain import sms as sms_rules
from chalicelib.domain.validators import mask_mobile
from chalicelib.observability import logger

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True)
class SendResult:
    message_id: str  # the provider's id, for delivery reports and support requests
    segments: int


class SmsError(Exception):
    retryable = False

    def __init__(self, reason: str, code: str | int | None = None):
        super().__init__(f"{reason} ({code})" if code is not None else reason)
        self.reason = reason  # throttled | unavailable | timeout | account | invalid_number | opted_out | rejected
        self.code = code


class RetryableSmsError(SmsError):
    retryable = True


class PermanentSmsError(SmsError):
    retryable = False


class SmsSender(Protocol):
    name: str

    def send(self, recipient_e164: str, text: str) -> SendResult: ...


def check_message(recipient_e164: str, text: str) -> sms_rules.SmsSize:
    """What every adapter refuses before calling anyone: a number not in E.164, an empty text."""
    if not _E164.fullmatch(recipient_e164 or ""):
        raise PermanentSmsError("invalid_number", "not E.164")
    if not text.strip():
        raise PermanentSmsError("rejected", "empty text")
    return sms_rules.measure(text)


class LogSender:
    """Local and test stages: records that a message would go, masked, and sends nothing. With a
    `log_path` (SMS_LOG_PATH, local and test stages only) it also appends each message to that file,
    one JSON line: the mobile masked, the text in full, the time, so a developer running the stack
    (and the browser tests) can read a one-time code. No deployed stage writes it."""
    name = "log"

    def __init__(self, log_path: str | None = None) -> None:
        self._ids = itertools.count(1)
        self._log_path = log_path
        self._lock = threading.Lock()

    def send(self, recipient_e164: str, text: str) -> SendResult:
        size = check_message(recipient_e164, text)
        message_id = f"log-{uuid.uuid4().hex[:12]}-{next(self._ids)}"
        logger.info("sms (not sent: log mode)", extra={
            "to": mask_mobile(recipient_e164), "segments": size.segments, "encoding": size.encoding})
        if self._log_path:
            line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                               "to": mask_mobile(recipient_e164), "text": text, "id": message_id},
                              ensure_ascii=False)
            # One write of one line in append mode: lines from several processes do not interleave.
            with self._lock, open(self._log_path, "a", encoding="utf-8") as log:
                log.write(line + "\n")
        return SendResult(message_id, size.segments)


@functools.lru_cache(maxsize=1)
def configured_sender() -> SmsSender:
    """The sender SMS_MODE chooses, built once per container (clients inside are lazy)."""
    from chalicelib.settings import get_settings
    s = get_settings()
    if s.missing_for_sms():
        raise RuntimeError(f"SMS_MODE={s.sms_mode} needs {', '.join(s.missing_for_sms())}")
    if s.sms_mode == "aws":
        from chalicelib.gateways.sms_aws import AwsSmsSender
        return AwsSmsSender(origination_identity=s.sms_origination_identity,
                            configuration_set=s.sms_configuration_set, region=s.sms_region or s.region,
                            connect_timeout_s=s.sms_connect_timeout_s, read_timeout_s=s.sms_read_timeout_s)
    if s.sms_mode == "smsir":
        from chalicelib.gateways.sms_ir import SmsIrSender
        from chalicelib.secrets import forget_secret, get_secret
        arn = s.smsir_api_key_secret_arn
        return SmsIrSender(line_number=s.smsir_line_number, api_key=lambda: get_secret(arn),
                           on_key_refused=lambda: forget_secret(arn), base_url=s.smsir_base_url,
                           connect_timeout_s=s.sms_connect_timeout_s, read_timeout_s=s.sms_read_timeout_s)
    return LogSender(s.sms_log_path if s.is_local else None)
