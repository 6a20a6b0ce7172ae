"""In-memory citizen store: the conditions of `chalicelib/dal/citizen_store.py`, checked all
together before anything is written, with the same failure labels."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.citizen import Challenge, Sending
from chalicelib.errors import TxConditionFailed


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class FakeCitizenStore:
    def __init__(self) -> None:
        self.challenges: dict[str, Challenge] = {}
        self.gates: dict[str, int] = {}  # mobile key -> resend_at (epoch seconds)
        self.hours: dict[tuple[str, str], int] = {}  # ("MO"|"CL", key, hour) -> sent
        self.pairings: dict[str, str] = {}  # citizen key -> mobile key
        self._lock = threading.Lock()

    def open_challenge(self, sending: Sending, now: datetime) -> None:
        c = sending.challenge
        with self._lock:
            failed = set()
            if c.challenge_id in self.challenges:
                failed.add("challenge")
            if self.gates.get(c.mobile_key, 0) > _epoch(now):
                failed.add("resend")
            mobile, client = ("MO", c.mobile_key, sending.hour), ("CL", sending.client_key, sending.hour)
            if self.hours.get(mobile, 0) >= sending.per_mobile_per_hour:
                failed.add("mobile_hour")
            if self.hours.get(client, 0) >= sending.per_client_per_hour:
                failed.add("client_hour")
            if failed:
                raise TxConditionFailed(failed)
            self.challenges[c.challenge_id] = c
            self.gates[c.mobile_key] = _epoch(sending.resend_at)
            self.hours[mobile] = self.hours.get(mobile, 0) + 1
            self.hours[client] = self.hours.get(client, 0) + 1

    def withdraw_challenge(self, sending: Sending) -> None:
        c = sending.challenge
        with self._lock:
            self.challenges.pop(c.challenge_id, None)
            if self.gates.get(c.mobile_key) == _epoch(sending.resend_at):
                del self.gates[c.mobile_key]

    def get_challenge(self, challenge_id: str) -> Challenge | None:
        return self.challenges.get(challenge_id)

    def spend_try(self, challenge_id: str, now: datetime) -> Challenge | None:
        with self._lock:
            c = self.challenges.get(challenge_id)
            if c is None or c.tries_left <= 0 or _epoch(c.expires_at) <= _epoch(now):
                return None
            self.challenges[challenge_id] = c = replace(c, tries_left=c.tries_left - 1)
            return c

    def close_challenge(self, challenge: Challenge, now: datetime) -> None:
        with self._lock:
            failed = set()
            if challenge.challenge_id not in self.challenges:
                failed.add("challenge")
            if self.pairings.get(challenge.citizen_key, challenge.mobile_key) != challenge.mobile_key:
                failed.add("pairing")
            if failed:
                raise TxConditionFailed(failed)
            del self.challenges[challenge.challenge_id]
            self.pairings[challenge.citizen_key] = challenge.mobile_key

    def paired_mobile(self, citizen_key: str) -> str | None:
        return self.pairings.get(citizen_key)
