"""A citizen proving their mobile, on the fakes: the code goes by SMS at once and is stored only as
a keyed hash; resend delay, hourly caps, five tries, expiry; the first verified mobile wins; the
session's checks (signature, rotation, issuer, audience, kind, expiry); the citizen's own items."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, timedelta

import jwt
import pytest

from chalicelib.domain import citizen as rules
from chalicelib.domain.booking import citizen_key
from chalicelib.errors import (
    CitizenSessionRequired,
    OtpExpired,
    OtpWrongCode,
    RateLimited,
    SessionMismatch,
    SmsUnavailable,
)
from chalicelib.gateways.sms import RetryableSmsError, SendResult
from chalicelib.schemas import BookingIn, OtpIn, OtpVerifyIn
from chalicelib.services import bookings, citizens
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings
from tests.fakes.citizens import FakeCitizenStore
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day


class Phone:
    """The SMS sender: keeps what it was asked to send; `fail` makes the next sends fail."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.fail = False

    def send(self, recipient: str, text: str) -> SendResult:
        if self.fail:
            raise RetryableSmsError("unavailable", 503)
        self.sent.append((recipient, text))
        return SendResult(f"m{len(self.sent)}", 1)

    def code(self, index: int = -1) -> str:
        return self.sent[index][1].split(":")[1].split()[0]


@pytest.fixture()
def phone(monkeypatch):
    found = Phone()
    monkeypatch.setattr(citizens, "configured_sender", lambda: found)
    return found


@pytest.fixture()
def store(fakes):
    found = FakeCitizenStore()
    with stores.use(citizens=found):
        yield found


def ask(n: int = 1, *, mobile_n: int | None = None, client: str = "10.0.0.1", now=NOW) -> dict:
    return citizens.send_code(OtpIn(national_id=national_id(n), mobile=mobile(mobile_n or n)), client, now)


def verify(challenge: str, code: str, now=NOW) -> dict:
    return citizens.verify_code(OtpVerifyIn(challenge_id=challenge, code=code), now)


def test_a_code_goes_at_once_and_only_its_keyed_hash_is_kept(store, phone):
    sent = ask(1)
    assert sent["mobile"] == "+98912*****01" and sent["resend_after_seconds"] == 60
    assert [to for to, _ in phone.sent] == ["+989120000001"]
    code = phone.code()
    assert len(code) == 6 and code.isdigit()
    challenge = store.challenges[sent["challenge_id"]]
    assert code not in repr(challenge) and national_id(1) not in repr(challenge) and "9120000001" not in repr(challenge)
    assert challenge.code_hash == rules.code_hash(get_settings().citizen_pepper, sent["challenge_id"], code)
    assert challenge.expires_at == NOW + timedelta(minutes=2) and challenge.tries_left == 5


def test_the_right_code_gives_a_session_bound_to_citizen_and_mobile(store, phone):
    sent = ask(1)
    persian = phone.code().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    out = verify(sent["challenge_id"], persian)  # Persian digits, as a phone keyboard types them
    assert out["national_id"] == "*******" + national_id(1)[-3:] and out["mobile"] == "+98912*****01"
    session = citizens.session_from(out["session"], NOW + timedelta(minutes=29))
    pepper = get_settings().citizen_pepper
    assert session.citizen_key == citizen_key(national_id(1), pepper)
    assert session.mobile_key == rules.mobile_key(pepper, "+989120000001")
    claims = jwt.decode(out["session"], options={"verify_signature": False})
    assert national_id(1) not in json.dumps(claims) and "9120000001" not in json.dumps(claims)
    with pytest.raises(OtpExpired):  # a code works once
        verify(sent["challenge_id"], phone.code())


def test_five_tries_then_the_code_is_dead_even_when_right(store, phone):
    sent = ask(1)
    wrong = "000000" if phone.code() != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(OtpWrongCode) as err:
            verify(sent["challenge_id"], wrong)
        assert err.value.extra == {"tries_left": left}
    with pytest.raises(OtpExpired):  # the fifth wrong try
        verify(sent["challenge_id"], wrong)
    with pytest.raises(OtpExpired):
        verify(sent["challenge_id"], phone.code())


def test_a_code_expires_after_two_minutes(store, phone):
    sent = ask(1)
    with pytest.raises(OtpExpired):
        verify(sent["challenge_id"], phone.code(), NOW + timedelta(seconds=120))
    assert verify(ask(2)["challenge_id"], phone.code(), NOW + timedelta(seconds=119))["session"]


def test_a_new_code_only_after_the_resend_delay(store, phone):
    ask(1)
    with pytest.raises(RateLimited) as err:
        ask(1, now=NOW + timedelta(seconds=59))
    assert err.value.headers["Retry-After"] == "60"
    ask(1, now=NOW + timedelta(seconds=60))
    assert len(phone.sent) == 2


def test_codes_per_mobile_and_per_client_are_capped_each_hour(store, phone):
    start = NOW.astimezone(UTC).replace(minute=0).astimezone(NOW.tzinfo)  # the counters' hours are UTC hours
    for i in range(5):
        ask(1, now=start + timedelta(minutes=i * 2))
    with pytest.raises(RateLimited) as err:
        ask(1, now=start + timedelta(minutes=12))
    assert err.value.headers["Retry-After"] == str(48 * 60)  # the next hour
    ask(1, now=start + timedelta(minutes=60))  # a new hour
    for n in range(2, 22):  # twenty codes from one client this hour, the cap
        ask(n, client="10.9.9.9", now=start)
    with pytest.raises(RateLimited):
        ask(30, client="10.9.9.9", now=start)
    ask(30, client="10.9.9.8", now=start)


def test_the_first_verified_mobile_wins_and_another_gets_no_code(store, phone):
    verify(ask(1)["challenge_id"], phone.code())
    before = len(phone.sent)
    other = ask(1, mobile_n=2, now=NOW + timedelta(minutes=5))
    assert set(other) == {"challenge_id", "expires", "resend_after_seconds", "mobile"}  # the same answer
    assert len(phone.sent) == before  # but nothing sent to the other mobile
    with pytest.raises(OtpWrongCode):  # a guess is answered as on any challenge
        verify(other["challenge_id"], "123456", NOW + timedelta(minutes=5))
    # Even a code guessed right (planted here) gives no session: the pairing stands.
    pepper = get_settings().citizen_pepper
    planted = store.challenges[other["challenge_id"]]
    store.challenges[other["challenge_id"]] = replace(planted, code_hash=rules.code_hash(pepper, planted.challenge_id,
                                                                                         "654321"))
    with pytest.raises(OtpExpired):
        verify(other["challenge_id"], "654321", NOW + timedelta(minutes=5))
    assert store.pairings[citizen_key(national_id(1), pepper)] == rules.mobile_key(pepper, "+989120000001")
    # The paired mobile still gets its codes.
    ask(1, now=NOW + timedelta(minutes=5))
    assert phone.sent[-1][0] == "+989120000001"


def test_two_mobiles_racing_for_one_citizen_pair_once(store, phone):
    first, second = ask(1), ask(1, mobile_n=2)
    first_code, second_code = phone.code(0), phone.code(1)
    verify(second["challenge_id"], second_code)
    with pytest.raises(OtpExpired):
        verify(first["challenge_id"], first_code)
    assert store.pairings[citizen_key(national_id(1), get_settings().citizen_pepper)] == \
        rules.mobile_key(get_settings().citizen_pepper, "+989120000002")


def test_a_failed_sms_answers_503_and_leaves_nothing_that_blocks_a_retry(store, phone):
    phone.fail = True
    with pytest.raises(SmsUnavailable) as err:
        ask(1)
    assert err.value.status == 503 and err.value.headers["Retry-After"]
    assert store.challenges == {} and store.gates == {}
    phone.fail = False
    verify(ask(1)["challenge_id"], phone.code())  # at once: no resend delay from the failed send


def _session(**claims) -> str:
    base = {"iss": rules.ISSUER, "aud": rules.AUDIENCE, "token_use": "citizen", "sub": "c" * 32, "mob": "m" * 32,
            "iat": int(NOW.timestamp()), "exp": int((NOW + timedelta(minutes=30)).timestamp()), "jti": "j"}
    return jwt.encode({**base, **claims}, get_settings().citizen_session_secret, algorithm="HS256")


@pytest.mark.parametrize("token", [
    None, "", "not-a-jwt",
    _session(aud="ejso-staff"), _session(iss="someone-else"), _session(token_use="id"),
    _session(exp=int((NOW - timedelta(seconds=10)).timestamp())),
    jwt.encode({"sub": "c" * 32}, "x" * 32, algorithm="HS256"),
    jwt.encode({"iss": rules.ISSUER, "aud": rules.AUDIENCE, "token_use": "citizen", "sub": "c", "mob": "m",
                "iat": 1, "exp": 9_999_999_999, "jti": "j"}, "another-key-of-at-least-32-chars!!", algorithm="HS256"),
], ids=["none", "empty", "garbage", "audience", "issuer", "kind", "expired", "claims", "key"])
def test_a_bad_session_is_one_answer(token):
    with pytest.raises(CitizenSessionRequired) as err:
        citizens.session_from(token, NOW)
    assert err.value.status == 401 and err.value.code == "citizen-session-required"


def test_alg_none_and_a_tampered_payload_are_refused():
    good = _session()
    header, payload, signature = good.split(".")
    forged = jwt.utils.base64url_encode(json.dumps({**jwt.decode(good, options={"verify_signature": False}),
                                                     "sub": "d" * 32}).encode()).decode()
    none = jwt.encode({**jwt.decode(good, options={"verify_signature": False})}, None, algorithm="none")
    for token in (f"{header}.{forged}.{signature}", none):
        with pytest.raises(CitizenSessionRequired):
            citizens.session_from(token, NOW)
    assert citizens.session_from(good, NOW).citizen_key == "c" * 32


def test_the_session_key_rotates_current_and_previous(monkeypatch):
    old, new = "o" * 40, "n" * 40
    assert citizens.parse_keys(json.dumps({"current": new, "previous": old})) == (new, old)
    assert citizens.parse_keys(new) == (new,)
    with pytest.raises(RuntimeError):
        citizens.parse_keys("short")
    session = rules.new_session("c" * 32, "m" * 32, NOW, 30)
    signed_before = rules.sign_session(session, old, NOW)
    assert rules.verify_session(signed_before, (new, old), NOW).citizen_key == "c" * 32
    with pytest.raises(rules.InvalidSession):
        rules.verify_session(signed_before, (new,), NOW)  # once the previous key is dropped


def test_the_body_must_be_the_sessions_citizen(store, phone):
    session = citizens.session_from(verify(ask(1)["challenge_id"], phone.code())["session"], NOW)
    day = open_day(skip=1)

    def body(nid: int, mob: int) -> BookingIn:
        return BookingIn(office_id="OF-A", service_id="S0001", start=at(day, "09:00"), national_id=national_id(nid),
                         mobile=mobile(mob))

    for other in (body(2, 1), body(1, 2)):
        with pytest.raises(SessionMismatch):
            bookings.book(other, now=NOW, session=session)
    created = bookings.book(body(1, 1), now=NOW, session=session)
    # The session reads, and lists, the citizen's own bookings; another citizen's session does not.
    assert bookings.read(created["booking_id"], None, session=session)["booking_id"] == created["booking_id"]
    assert [b["booking_id"] for b in bookings.of_citizen(session.citizen_key, NOW)["items"]] == [created["booking_id"]]
    assert bookings.of_citizen(citizen_key(national_id(2), get_settings().citizen_pepper), NOW)["items"] == []


def test_codes_are_uniform_six_digits():
    codes = [rules.new_code() for _ in range(2000)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) > 1990  # a CSPRNG over a million values repeats rarely in 2,000 draws
    assert {c[0] for c in codes} == set("0123456789")  # leading zeros are kept


def test_a_citizen_cannot_renew_holds_for_ever(store, phone):
    """One live hold at a time, and at most HOLDS_PER_CITIZEN_PER_DAY (10) a day: letting holds
    expire and holding again stops there, so a slot cannot be kept from others all day."""
    from chalicelib.errors import HoldInProgress
    from chalicelib.schemas import HoldIn
    session = citizens.session_from(verify(ask(1)["challenge_id"], phone.code())["session"], NOW)
    day, start = open_day(skip=1), NOW.replace(hour=8)
    slot = HoldIn(office_id="OF-A", service_id="S0001", start=at(day, "09:00"))
    bookings.hold(slot, start, session=session)
    with pytest.raises(HoldInProgress):
        bookings.hold(slot, start + timedelta(minutes=4), session=session)
    for renewal in range(1, 10):  # each after the previous expired (5 minutes)
        bookings.hold(slot, start + timedelta(minutes=6 * renewal), session=session)
    with pytest.raises(RateLimited) as err:
        bookings.hold(slot, start + timedelta(minutes=6 * 10), session=session)
    assert int(err.value.headers["Retry-After"]) > 0
    other = citizens.session_from(verify(ask(2)["challenge_id"], phone.code())["session"], NOW)
    assert bookings.hold(slot, start + timedelta(minutes=6 * 10), session=other)["hold_id"]  # the slot is free
