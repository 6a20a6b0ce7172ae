"""Citizens prove their mobile, on DynamoDB Local: the code is read where a developer reads it (the
local SMS log), parallel sends and guesses are counted in the responses, the SMS log and the
database, and sessions that are tampered, expired or for another audience are refused."""
from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import jwt

from infra.local.sms_log import codes_to, wait_for_code
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.remote_support import fire, statuses
from tests.integration.support import citizen_session, post, problem, sms_log, with_token


def challenges_to(phone: str) -> list:
    """The challenge rows of a mobile in the database (found by the mobile's keyed hash)."""
    from chalicelib.dal.models import OtpChallengeItem
    from chalicelib.domain import citizen as rules
    from chalicelib.domain import validators
    from chalicelib.settings import get_settings
    key = rules.mobile_key(get_settings().citizen_pepper, validators.mobile(phone))
    return list(OtpChallengeItem.scan(OtpChallengeItem.mobile_key == key, consistent_read=True))


def ask(client, n: int, mobile_n: int | None = None):
    return post(client, "/v1/otp", {"national_id": national_id(n), "mobile": mobile(mobile_n or n)})


def test_the_citizen_flow_through_the_api(client):
    seen = len(codes_to(sms_log(), mobile(1)))
    sent = ask(client, 1)
    assert sent.status_code == 202, sent.body
    body = json.loads(sent.body)
    assert body["mobile"] == "+98912*****01" and body["resend_after_seconds"] == 60 and body["expires"]["jalali"]
    code = wait_for_code(sms_log(), mobile(1), seen)
    # The code is in the SMS log with the mobile masked, and nowhere in the database.
    from chalicelib.dal.models import OtpChallengeItem
    stored = challenges_to(mobile(1))
    assert len(stored) == 1 and code not in json.dumps(stored[0].attribute_values, default=str)
    assert all(national_id(1) not in json.dumps(i.attribute_values, default=str)
               for i in OtpChallengeItem.scan(consistent_read=True))
    verified = post(client, "/v1/otp/verify", {"challenge_id": body["challenge_id"], "code": code})
    assert verified.status_code == 200, verified.body
    session = json.loads(verified.body)
    assert session["national_id"] == "*******" + national_id(1)[-3:] and session["mobile"] == "+98912*****01"
    me = with_token(session["session"])
    assert json.loads(client.http.get("/v1/me/bookings", headers=me).body) == {"items": []}
    assert json.loads(client.http.get("/v1/me/requests", headers=me).body) == {"items": []}

    # A booking made with the session is listed, and read with the session alone (lost access code).
    day = next_open_day()
    booked = post(client, "/v1/bookings", {"office_id": "OF-A", "service_id": "S0001", "start": at(day, "09:00").isoformat(),
                                           "national_id": national_id(1), "mobile": mobile(1)}, me)
    assert booked.status_code == 201, booked.body
    booking_id = json.loads(booked.body)["booking_id"]
    mine = json.loads(client.http.get("/v1/me/bookings", headers=me).body)["items"]
    assert [b["booking_id"] for b in mine] == [booking_id]
    assert client.http.get(f"/v1/bookings/{booking_id}", headers=me).status_code == 200
    # Another citizen's session neither reads it nor books in this citizen's name.
    theirs = with_token(citizen_session(client, 2))
    problem(client.http.get(f"/v1/bookings/{booking_id}", headers=theirs), 404)
    problem(post(client, "/v1/bookings", {"office_id": "OF-A", "service_id": "S0001",
                                          "start": at(day, "10:00").isoformat(), "national_id": national_id(1),
                                          "mobile": mobile(1)}, theirs), 403, "session-mismatch")
    # The session cancels it, without the access code.
    assert post(client, f"/v1/bookings/{booking_id}/cancel", None, me).status_code == 200
    assert json.loads(client.http.get("/v1/me/bookings", headers=me).body) == {"items": []}


def test_wrong_codes_expire_the_challenge_after_five_tries(client):
    seen = len(codes_to(sms_log(), mobile(3)))
    challenge = json.loads(ask(client, 3).body)["challenge_id"]
    code = wait_for_code(sms_log(), mobile(3), seen)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        doc = problem(post(client, "/v1/otp/verify", {"challenge_id": challenge, "code": wrong}), 422, "otp-wrong-code")
        assert doc["tries_left"] == left
    problem(post(client, "/v1/otp/verify", {"challenge_id": challenge, "code": wrong}), 410, "otp-expired")
    problem(post(client, "/v1/otp/verify", {"challenge_id": challenge, "code": code}), 410, "otp-expired")
    problem(post(client, "/v1/otp/verify", {"challenge_id": challenge, "code": "12345"}), 422, "invalid-input")
    resent = problem(ask(client, 3), 429, "rate-limited")  # the resend delay
    assert resent["detail_fa"]


def test_a_second_mobile_for_a_paired_citizen_gets_no_sms(client):
    citizen_session(client, 4)
    before = len(codes_to(sms_log(), mobile(5)))
    other = ask(client, 4, mobile_n=5)
    assert other.status_code == 202 and set(json.loads(other.body)) == {"challenge_id", "expires",
                                                                         "resend_after_seconds", "mobile"}
    assert len(codes_to(sms_log(), mobile(5))) == before


def test_bad_sessions_are_refused(client):
    from chalicelib.domain import citizen as rules
    from chalicelib.services.citizens import session_keys
    good = citizen_session(client, 6)
    claims = jwt.decode(good, options={"verify_signature": False})
    key = session_keys()[0]
    header, _, signature = good.split(".")
    tampered_payload = jwt.utils.base64url_encode(json.dumps({**claims, "sub": "0" * 32}).encode()).decode()
    bad = {
        "tampered": f"{header}.{tampered_payload}.{signature}",
        "expired": jwt.encode({**claims, "exp": claims["iat"] - 60}, key, algorithm="HS256"),
        "audience": jwt.encode({**claims, "aud": "ejso-staff"}, key, algorithm="HS256"),
        "issuer": jwt.encode({**claims, "iss": "elsewhere"}, key, algorithm="HS256"),
        "kind": jwt.encode({**claims, "token_use": "id"}, key, algorithm="HS256"),
        "none": jwt.encode(claims, None, algorithm="none"),
        "other key": jwt.encode(claims, "k" * 40, algorithm="HS256"),
    }
    assert client.http.get("/v1/me/bookings", headers=with_token(good)).status_code == 200
    for name, token in bad.items():
        doc = problem(client.http.get("/v1/me/bookings", headers=with_token(token)), 401, "citizen-session-required")
        assert doc["title_fa"], name
    problem(client.http.get("/v1/me/bookings"), 401, "citizen-session-required")
    problem(client.http.get("/v1/me/requests", headers={"Authorization": "Basic abc"}), 401)
    assert rules.AUDIENCE == claims["aud"] and claims["exp"] - claims["iat"] == timedelta(minutes=30).total_seconds()


def test_a_hundred_parallel_sends_to_one_mobile_send_one_code(api, network):
    """100 clients ask at the same instant: one code goes, counted in the answers, in the SMS log
    and in the database."""
    phone = mobile(7)
    before = len(codes_to(sms_log(), phone))
    body = json.dumps({"national_id": national_id(7), "mobile": phone}).encode()
    results = fire([("POST", f"{api}/v1/otp", body, {"Content-Type": "application/json"})] * 100)
    counts = statuses(results)
    assert counts == Counter({202: 1, 429: 99}), counts
    assert all(r.headers["Retry-After"] for r in results if r.status_code == 429)
    assert len(codes_to(sms_log(), phone)) - before == 1
    assert len(challenges_to(phone)) == 1


def test_a_hundred_parallel_guesses_spend_five_tries(api, network):
    """Guesses released together share the code's five tries: four wrong answers, then the code
    is dead for everyone, the right code included."""
    import requests
    phone = mobile(8)
    seen = len(codes_to(sms_log(), phone))
    sent = requests.post(f"{api}/v1/otp", json={"national_id": national_id(8), "mobile": phone}, timeout=30)
    assert sent.status_code == 202, sent.text
    challenge = sent.json()["challenge_id"]
    code = wait_for_code(sms_log(), phone, seen)
    guesses = [f"{g:06d}" for g in range(100_000, 100_101) if f"{g:06d}" != code][:100]
    results = fire([("POST", f"{api}/v1/otp/verify", json.dumps({"challenge_id": challenge, "code": g}).encode(),
                     {"Content-Type": "application/json"}) for g in guesses])
    counts = statuses(results)
    assert counts == Counter({422: 4, 410: 96}), counts
    assert sorted(r.json()["tries_left"] for r in results if r.status_code == 422) == [1, 2, 3, 4]
    late = requests.post(f"{api}/v1/otp/verify", json={"challenge_id": challenge, "code": code}, timeout=30)
    assert late.status_code == 410
    assert [int(c.tries_left) for c in challenges_to(phone)] == [0]


def test_the_citizens_remote_requests_are_listed_with_the_session(client):
    from tests.integration.remote_support import request_body
    me = with_token(citizen_session(client, 9))
    filed = post(client, "/v1/requests", request_body(9), {**me, "Idempotency-Key": "citizen-9-request-1"})
    assert filed.status_code == 201, filed.body
    post(client, "/v1/requests", request_body(10), {"Idempotency-Key": "citizen-10-request-1"})  # someone else's
    listed = json.loads(client.http.get("/v1/me/requests", headers=me).body)["items"]
    assert [r["tracking_code"] for r in listed] == [json.loads(filed.body)["tracking_code"]]
    problem(post(client, "/v1/requests", request_body(10), {**me, "Idempotency-Key": "citizen-10-request-2"}), 403,
            "session-mismatch")
