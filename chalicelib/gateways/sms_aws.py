"""AWS End User Messaging SMS (the `pinpoint-sms-voice-v2` API): one `SendTextMessage` per
message, TRANSACTIONAL, from the configured origination identity, through a configuration set
whose event destination records delivery receipts.

The client is built on first use, with the standard retry mode and bounded timeouts so a slow
endpoint costs a delivery run seconds, not minutes. A timeout is ambiguous (AWS may have accepted
the message): it is reported as retryable, so a citizen may rarely get a message twice, never
zero times. moto does not implement this API; the tests use botocore's Stubber."""
from __future__ import annotations

import threading

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

from chalicelib.gateways.sms import PermanentSmsError, RetryableSmsError, SendResult, check_message

# Refusals about this destination: the same message to the same number will never go.
_DESTINATION_CONFLICTS = {
    "DESTINATION_PHONE_NUMBER_OPTED_OUT": "opted_out",
    "DESTINATION_PHONE_NUMBER_NOT_VERIFIED": "invalid_number",  # sandbox accounts
    "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION": "rejected",
    "DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE": "rejected",
}
_INVALID_NUMBER = {"CANNOT_PARSE", "DESTINATION_COUNTRY_BLOCKED", "COUNTRY_CODE_MISMATCH"}


class AwsSmsSender:
    name = "aws"

    def __init__(self, *, origination_identity: str, configuration_set: str, region: str,
                 connect_timeout_s: float = 1.0, read_timeout_s: float = 5.0, client=None):
        self._identity = origination_identity
        self._configuration_set = configuration_set
        self._region = region
        self._timeouts = (connect_timeout_s, read_timeout_s)
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    from botocore.config import Config
                    self._client = boto3.client("pinpoint-sms-voice-v2", region_name=self._region, config=Config(
                        connect_timeout=self._timeouts[0], read_timeout=self._timeouts[1],
                        retries={"mode": "standard", "total_max_attempts": 2}, max_pool_connections=32))
        return self._client

    def send(self, recipient_e164: str, text: str) -> SendResult:
        size = check_message(recipient_e164, text)
        try:
            answer = self.client.send_text_message(
                DestinationPhoneNumber=recipient_e164, OriginationIdentity=self._identity,
                ConfigurationSetName=self._configuration_set, MessageBody=text, MessageType="TRANSACTIONAL")
        except ClientError as exc:
            raise _classify(exc) from None  # the original message may quote the number
        except (ReadTimeoutError, ConnectionError) as exc:
            raise RetryableSmsError("timeout", type(exc).__name__) from None
        except BotoCoreError as exc:
            raise RetryableSmsError("unavailable", type(exc).__name__) from None
        return SendResult(answer["MessageId"], size.segments)


def _classify(exc: ClientError) -> RetryableSmsError | PermanentSmsError:
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    reason = exc.response.get("Reason") or error.get("Reason") or ""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    label = f"{code}:{reason}" if reason else code
    if code == "ThrottlingException":
        return RetryableSmsError("throttled", label)
    if code == "ConflictException" and reason in _DESTINATION_CONFLICTS:
        return PermanentSmsError(_DESTINATION_CONFLICTS[reason], label)
    if code == "ValidationException":
        # The request as built is refused and would be again; a bad number is told apart.
        return PermanentSmsError("invalid_number" if reason in _INVALID_NUMBER else "rejected", label)
    if code == "InternalServerException" or status >= 500:
        return RetryableSmsError("unavailable", label)
    # Spend limits, access, a missing identity or configuration set: our account, not the
    # message. Retried with backoff while an operator is alerted by the failure metric.
    return RetryableSmsError("account", label)
