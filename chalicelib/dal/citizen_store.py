"""Citizens' proof of mobile on DynamoDB: one-time code challenges, the resend gate and hourly
counters that bound the sends, and the mobile each citizen verified first. Every change is one
conditional write or one transaction, so parallel requests cannot send more codes, spend more
tries or pair more mobiles than the rules allow.

Item layout (table `citizens`; no national ID or mobile in clear, in keys or anywhere):
  OT#{challenge_id}  / CHALLENGE      a code sent: its keyed hash, expiry, tries left
  MO#{mobile_key}    / RESEND         no new code to this mobile before resend_at
  MO#{mobile_key}    / HOUR#{hour}    codes sent to this mobile in that UTC hour
  CL#{client_key}    / HOUR#{hour}    codes asked from this client address in that UTC hour
  CZ#{citizen_key}   / MOBILE         the mobile (its keyed hash) the citizen verified first

TTL deletes challenges, gates and counters some time after they stop mattering; expiry itself
is enforced in conditions and reads."""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.dal.db import Tx, is_unavailable, unavailable_guard
from chalicelib.dal.models import MobilePairingItem, OtpChallengeItem, OtpGateItem, OtpHourItem
from chalicelib.domain.calendar import TEHRAN
from chalicelib.domain.citizen import Challenge, Sending
from chalicelib.errors import ServiceUnavailable, TxConditionFailed

_CLEANUP = timedelta(hours=2)  # TTL after the item stops mattering


def _challenge_pk(challenge_id: str) -> str:
    return f"OT#{challenge_id}"


def _mobile_pk(mobile_key: str) -> str:
    return f"MO#{mobile_key}"


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _challenge(item: OtpChallengeItem) -> Challenge:
    return Challenge(item.pk.removeprefix("OT#"), item.citizen_key, item.mobile_key, item.code_hash,
                     datetime.fromtimestamp(int(item.expires_at), TEHRAN), int(item.tries_left),
                     item.national_id_masked, item.mobile_masked)


@unavailable_guard
def open_challenge(sending: Sending, now: datetime) -> None:
    """Write the challenge, close the mobile's resend gate until `sending.resend_at` and count the
    send in the mobile's and the client's hour, all or nothing.
    Failing labels: resend (a code went to this mobile less than the resend delay ago),
    mobile_hour, client_hour (the hour's cap is reached)."""
    c, now_s = sending.challenge, _epoch(now)
    ttl = c.expires_at + _CLEANUP
    hour_ttl = now + timedelta(hours=1) + _CLEANUP
    tx = Tx()
    tx.put("challenge", OtpChallengeItem(_challenge_pk(c.challenge_id), "CHALLENGE", citizen_key=c.citizen_key,
                                         mobile_key=c.mobile_key, code_hash=c.code_hash,
                                         expires_at=_epoch(c.expires_at), tries_left=c.tries_left,
                                         national_id_masked=c.national_id_masked, mobile_masked=c.mobile_masked,
                                         ttl=ttl),
           condition=OtpChallengeItem.pk.does_not_exist())
    tx.put("resend", OtpGateItem(_mobile_pk(c.mobile_key), "RESEND", resend_at=_epoch(sending.resend_at),
                                 ttl=sending.resend_at + _CLEANUP),
           condition=OtpGateItem.pk.does_not_exist() | (OtpGateItem.resend_at <= now_s))
    hour = f"HOUR#{sending.hour}"
    for label, pk, cap in (("mobile_hour", _mobile_pk(c.mobile_key), sending.per_mobile_per_hour),
                           ("client_hour", f"CL#{sending.client_key}", sending.per_client_per_hour)):
        tx.update(label, OtpHourItem(pk, hour), [OtpHourItem.sent.add(1), OtpHourItem.ttl.set(hour_ttl)],
                  condition=OtpHourItem.sent.does_not_exist() | (OtpHourItem.sent < cap))
    tx.commit()


@unavailable_guard
def withdraw_challenge(sending: Sending) -> None:
    """Undo a send whose SMS could not go: the challenge goes, and the resend gate opens again if
    it is still this send's. The hourly counts stay spent (a failing gateway is no free retry)."""
    c = sending.challenge
    tx = Tx()
    tx.delete("challenge", OtpChallengeItem(_challenge_pk(c.challenge_id), "CHALLENGE"))
    tx.delete("resend", OtpGateItem(_mobile_pk(c.mobile_key), "RESEND"),
              condition=OtpGateItem.resend_at == _epoch(sending.resend_at))
    try:
        tx.commit()
    except TxConditionFailed:  # the gate is no longer this send's: delete the challenge alone
        OtpChallengeItem(_challenge_pk(c.challenge_id), "CHALLENGE").delete()


@unavailable_guard
def get_challenge(challenge_id: str) -> Challenge | None:
    """The challenge, open or not (None once verified or never made)."""
    try:
        return _challenge(OtpChallengeItem.get(_challenge_pk(challenge_id), "CHALLENGE", consistent_read=True))
    except DoesNotExist:
        return None


def spend_try(challenge_id: str, now: datetime) -> Challenge | None:
    """Take one try of an open challenge before its code is compared, so parallel guesses cannot
    share a try; the challenge as it is after. None when it is missing, expired or out of tries."""
    item = OtpChallengeItem(_challenge_pk(challenge_id), "CHALLENGE")
    try:
        item.update([OtpChallengeItem.tries_left.add(-1)],
                    condition=OtpChallengeItem.pk.exists() & (OtpChallengeItem.tries_left > 0)
                    & (OtpChallengeItem.expires_at > _epoch(now)))
    except UpdateError as exc:
        if is_unavailable(exc):
            raise ServiceUnavailable() from exc
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return _challenge(item)


@unavailable_guard
def close_challenge(challenge: Challenge, now: datetime) -> None:
    """A verified code: delete its challenge and pair the citizen with the mobile, unless the
    citizen is paired with another one. Failing labels: challenge (already used), pairing."""
    tx = Tx()
    tx.delete("challenge", OtpChallengeItem(_challenge_pk(challenge.challenge_id), "CHALLENGE"),
              condition=OtpChallengeItem.pk.exists())
    tx.put("pairing", MobilePairingItem(f"CZ#{challenge.citizen_key}", "MOBILE", mobile_key=challenge.mobile_key,
                                        paired_at=now.isoformat(timespec="seconds")),
           condition=MobilePairingItem.pk.does_not_exist() | (MobilePairingItem.mobile_key == challenge.mobile_key))
    tx.commit()


@unavailable_guard
def paired_mobile(citizen_key: str) -> str | None:
    """The key of the mobile the citizen verified first, or None."""
    try:
        return MobilePairingItem.get(f"CZ#{citizen_key}", "MOBILE", consistent_read=True).mobile_key
    except DoesNotExist:
        return None
