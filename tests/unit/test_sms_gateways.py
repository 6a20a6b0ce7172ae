"""The SMS senders: AWS End User Messaging SMS through botocore's Stubber (moto does not implement
the API), SMS.ir against a local fake HTTP receiver, the log sender, the secret cache, and the
choice by settings."""
import json
import logging
import threading

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from chalicelib.gateways import sms as gateway
from chalicelib.gateways.sms import LogSender, PermanentSmsError, RetryableSmsError, SendResult
from chalicelib.gateways.sms_aws import AwsSmsSender
from chalicelib.gateways.sms_ir import SmsIrSender, national_mobile
from chalicelib.secrets import SecretCache
from chalicelib.settings import load_settings
from infra.local.fake_smsir import FakeSmsIr

MOBILE = "+989121234567"
PERSIAN = "نوبت شما در دفتر ۱۲ ثبت شد. شناسه: BK-1"


# --- AWS End User Messaging SMS ------------------------------------------------------------------

def _aws() -> tuple[AwsSmsSender, Stubber]:
    client = boto3.client("pinpoint-sms-voice-v2", region_name="me-central-1")
    return AwsSmsSender(origination_identity="pool-ejso", configuration_set="ejso-sms", region="me-central-1",
                        client=client), Stubber(client)


def test_aws_sends_one_transactional_message_from_the_configured_identity():
    sender, stub = _aws()
    stub.add_response("send_text_message", {"MessageId": "aws-msg-1"}, expected_params={
        "DestinationPhoneNumber": MOBILE, "OriginationIdentity": "pool-ejso", "ConfigurationSetName": "ejso-sms",
        "MessageBody": PERSIAN, "MessageType": "TRANSACTIONAL"})
    with stub:
        assert sender.send(MOBILE, PERSIAN) == SendResult("aws-msg-1", 1)
    stub.assert_no_pending_responses()


@pytest.mark.parametrize("code, http, fields, expected, reason", [
    ("ThrottlingException", 400, {}, RetryableSmsError, "throttled"),
    ("InternalServerException", 500, {}, RetryableSmsError, "unavailable"),
    ("ServiceQuotaExceededException", 402, {"Reason": "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"}, RetryableSmsError,
     "account"),
    ("AccessDeniedException", 403, {"Reason": "ACCOUNT_DISABLED"}, RetryableSmsError, "account"),
    ("ResourceNotFoundException", 404, {"ResourceType": "configuration-set", "ResourceId": "ejso-sms"},
     RetryableSmsError, "account"),
    ("ConflictException", 409, {"Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT"}, PermanentSmsError, "opted_out"),
    ("ConflictException", 409, {"Reason": "RESOURCE_NOT_ACTIVE"}, RetryableSmsError, "account"),
    ("ValidationException", 400, {"Reason": "CANNOT_PARSE"}, PermanentSmsError, "invalid_number"),
    ("ValidationException", 400, {"Reason": "MAXIMUM_SIZE_EXCEEDED"}, PermanentSmsError, "rejected"),
])
def test_aws_errors_are_told_apart(code, http, fields, expected, reason):
    sender, stub = _aws()
    # The provider's message may quote the number; our error never does.
    stub.add_client_error("send_text_message", service_error_code=code, service_message=f"about {MOBILE}",
                          http_status_code=http, modeled_fields={"Message": f"about {MOBILE}", **fields})
    with stub, pytest.raises(expected) as caught:
        sender.send(MOBILE, PERSIAN)
    assert caught.value.reason == reason and caught.value.retryable is (expected is RetryableSmsError)
    assert "912" not in str(caught.value) and caught.value.__cause__ is None


def test_aws_client_is_lazy_with_standard_retries_and_bounded_timeouts():
    sender = AwsSmsSender(origination_identity="pool-ejso", configuration_set="ejso-sms", region="me-central-1",
                          connect_timeout_s=0.7, read_timeout_s=2.5)
    assert sender._client is None  # nothing built at import or construction
    config = sender.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (0.7, 2.5)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
    assert sender.client is sender.client


def test_nothing_is_sent_for_a_number_not_in_e164_or_an_empty_text():
    sender, stub = _aws()
    with stub:  # no response queued: any call would fail the test with a StubResponseError
        for bad in ("09121234567", "+98 912 123 4567", ""):
            with pytest.raises(PermanentSmsError, match="invalid_number"):
                sender.send(bad, PERSIAN)
        with pytest.raises(PermanentSmsError, match="rejected"):
            sender.send(MOBILE, "  ")


# --- SMS.ir over HTTP ----------------------------------------------------------------------------

@pytest.fixture
def fake():
    with FakeSmsIr(api_key="key-1") as server:
        yield server


def _smsir(fake, key="key-1", refused=None) -> SmsIrSender:
    return SmsIrSender(line_number="30004505000017", api_key=lambda: key, base_url=fake.url,
                       on_key_refused=refused or (lambda: None), connect_timeout_s=0.5, read_timeout_s=0.5)


def test_smsir_posts_json_with_the_key_in_a_header_and_nothing_personal_in_the_url(fake):
    result = _smsir(fake).send(MOBILE, PERSIAN)
    assert result.segments == 1 and result.message_id.isdigit()
    (request,) = fake.requests
    assert request["path"] == "/v1/send/bulk" and "912" not in request["path"]
    assert request["headers"]["x-api-key"] == "key-1"
    assert json.loads(request["body"]) == {"lineNumber": 30004505000017, "messageText": PERSIAN,
                                           "mobiles": ["09121234567"], "sendDateTime": None}
    assert fake.accepted == {"09121234567": 1}


def test_smsir_takes_iranian_mobiles_only():
    assert national_mobile(MOBILE) == "09121234567"
    for other in ("+14155550123", "+98211234567", "+9891212345678"):
        with pytest.raises(PermanentSmsError, match="invalid_number"):
            national_mobile(other)


@pytest.mark.parametrize("http, status, expected, reason", [
    (400, 104, PermanentSmsError, "invalid_number"),
    (400, 115, PermanentSmsError, "opted_out"),
    (400, 103, PermanentSmsError, "rejected"),
    (400, 999, PermanentSmsError, "rejected"),  # an unknown logical refusal is about the request
    (429, 20, RetryableSmsError, "throttled"),
    (400, 20, RetryableSmsError, "throttled"),
    (500, 0, RetryableSmsError, "unavailable"),
    (503, 0, RetryableSmsError, "unavailable"),
    (400, 102, RetryableSmsError, "account"),  # out of credit: the message is fine
    (200, 1, RetryableSmsError, "unavailable"),  # success without a message id: not proven sent
])
def test_smsir_refusals_are_told_apart(fake, http, status, expected, reason):
    fake.fail_next(http, status)
    with pytest.raises(expected) as caught:
        _smsir(fake).send(MOBILE, PERSIAN)
    assert caught.value.reason == reason and caught.value.code == f"{http}/{status}"
    assert not fake.accepted


def test_smsir_refused_key_is_read_again_after_rotation(fake):
    keys = iter(["stale-key", "key-1"])
    cache = SecretCache(reader=lambda arn: next(keys), max_age_s=300)
    sender = SmsIrSender(line_number="3000", api_key=lambda: cache.get("arn:key"), base_url=fake.url,
                         on_key_refused=lambda: cache.forget("arn:key"))
    with pytest.raises(RetryableSmsError, match="account"):
        sender.send(MOBILE, PERSIAN)  # the real service answers 401 / status 10
    assert sender.send(MOBILE, PERSIAN).message_id  # the next attempt reads the rotated key


def test_smsir_timeouts_and_a_dead_endpoint_are_retryable(fake):
    fake.latency_s = (0.4, 0.4)
    slow = SmsIrSender(line_number="3000", api_key=lambda: "key-1", base_url=fake.url, read_timeout_s=0.1)
    with pytest.raises(RetryableSmsError, match="timeout"):
        slow.send(MOBILE, PERSIAN)
    url = fake.url
    fake.stop()
    dead = SmsIrSender(line_number="3000", api_key=lambda: "key-1", base_url=url, connect_timeout_s=0.2)
    with pytest.raises(RetryableSmsError):
        dead.send(MOBILE, PERSIAN)


def test_smsir_sender_is_shared_by_threads(fake):
    sender = _smsir(fake)
    barrier = threading.Barrier(16)
    results = []

    def one(i):
        barrier.wait()
        results.append(sender.send(f"+98912000{i:04d}", PERSIAN).message_id)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 16 and sum(fake.accepted.values()) == 16


# --- log mode, secrets, settings -------------------------------------------------------------------

def test_log_sender_logs_masked_recipient_and_segments_never_the_text():
    from chalicelib.observability import logger
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    collect = Collect()
    collect.setFormatter(logger.registered_handler.formatter)
    logger.addHandler(collect)
    try:
        text = PERSIAN * 3  # 3 x 39 UTF-16 units: two segments of 67
        assert LogSender().send(MOBILE, text).segments == 2
    finally:
        logger.removeHandler(collect)
    (line,) = [json.loads(raw) for raw in lines]
    assert line["to"] == "+98912*****67" and line["segments"] == 2 and line["encoding"] == "UCS-2"
    assert MOBILE[1:] not in lines[0] and "BK-1" not in lines[0] and "دفتر" not in lines[0]


def test_secret_cache_reads_once_per_max_age():
    reads, now = [], [0.0]

    def reader(arn):
        reads.append(arn)
        return f"value-{len(reads)}"

    cache = SecretCache(reader=reader, max_age_s=300, clock=lambda: now[0])
    assert cache.get("arn:a") == "value-1" and cache.get("arn:a") == "value-1"
    now[0] = 299.0
    assert cache.get("arn:a") == "value-1" and reads == ["arn:a"]
    now[0] = 300.0
    assert cache.get("arn:a") == "value-2"  # rotated values arrive within max_age


def test_secret_cache_reads_secrets_manager_by_default():
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="me-central-1")
        arn = client.create_secret(Name="ejso/smsir", SecretString="first")["ARN"]
        cache = SecretCache(max_age_s=0)
        assert cache.get(arn) == "first"
        client.put_secret_value(SecretId=arn, SecretString="rotated")
        assert cache.get(arn) == "rotated"


def test_settings_choose_and_validate_the_sms_mode():
    assert load_settings({}).sms_mode == "log"
    with pytest.raises(RuntimeError, match="sms_mode"):
        load_settings({"SMS_MODE": "gateway"})
    with pytest.raises(RuntimeError, match="smsir_api_key_secret_arn"):
        load_settings({"SMSIR_API_KEY_SECRET_ARN": "my-key"})
    with pytest.raises(RuntimeError, match="smsir_base_url"):
        load_settings({"SMSIR_BASE_URL": "http://api.sms.ir"})  # plain HTTP only to a local fake
    assert load_settings({"SMS_MODE": "aws"}).missing_for_sms() == ["SMS_CONFIGURATION_SET",
                                                                   "SMS_ORIGINATION_IDENTITY"]
    lambda_env = {"STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "ejso-api", "SMS_MODE": "smsir",
                  "SMSIR_LINE_NUMBER": "30004505000017"}
    with pytest.raises(RuntimeError, match="SMSIR_API_KEY_SECRET_ARN"):
        load_settings(lambda_env)  # a deployed function refuses to start unable to send
    ok = load_settings({**lambda_env, "SMSIR_API_KEY_SECRET_ARN": "arn:aws:secretsmanager:me-central-1:1:secret:s"})
    assert ok.missing_for_sms() == []


def test_the_configured_sender_follows_settings(monkeypatch):
    from chalicelib import settings
    for env, kind in [({"SMS_MODE": "log"}, LogSender), ({"SMS_MODE": "aws", "SMS_ORIGINATION_IDENTITY": "pool-1",
                                                          "SMS_CONFIGURATION_SET": "cs"}, AwsSmsSender),
                      ({"SMS_MODE": "smsir", "SMSIR_LINE_NUMBER": "3000",
                        "SMSIR_API_KEY_SECRET_ARN": "arn:aws:secretsmanager:x:1:secret:k"}, SmsIrSender)]:
        monkeypatch.setattr(settings, "get_settings", lambda env=env: load_settings(env))
        gateway.configured_sender.cache_clear()
        assert isinstance(gateway.configured_sender(), kind)
    monkeypatch.setattr(settings, "get_settings", lambda: load_settings({"SMS_MODE": "aws"}))
    gateway.configured_sender.cache_clear()
    with pytest.raises(RuntimeError, match="SMS_ORIGINATION_IDENTITY"):
        gateway.configured_sender()
    gateway.configured_sender.cache_clear()


def test_the_local_sms_log_keeps_the_text_and_masks_the_mobile(tmp_path):
    from infra.local.sms_log import codes_to, entries
    path = tmp_path / "sms.log"
    sender = LogSender(str(path))
    sender.send("+989121234567", "کد تأیید شما: 042917\nاین کد را به هیچ کس ندهید")
    sender.send("+989121234599", "کد تأیید شما: 111111")
    logged = entries(path)
    assert [e["to"] for e in logged] == ["+98912*****67", "+98912*****99"]
    assert "9121234567" not in path.read_text(encoding="utf-8")
    assert codes_to(path, "09121234567") == ["042917"]  # any accepted form of the mobile
    assert LogSender().send("+989121234567", "x").segments == 1 and entries(tmp_path / "none.log") == []


def test_the_local_sms_log_is_refused_outside_local_stages():
    from chalicelib.settings import load_settings
    with pytest.raises(RuntimeError, match="sms_log_path"):
        load_settings({"STAGE": "prod", "SMS_LOG_PATH": "/tmp/sms.log"})
    assert load_settings({"STAGE": "local", "SMS_LOG_PATH": "/tmp/sms.log"}).sms_log_path == "/tmp/sms.log"
