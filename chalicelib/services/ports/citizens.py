"""The citizen store: one-time code challenges, the limits on sending them, and the mobile each
citizen verified first. A refused change raises `TxConditionFailed` whose labels say which
condition failed:

  challenge     the challenge exists already (open) or no longer (close)
  resend        a code went to this mobile less than the resend delay ago
  mobile_hour   the mobile's codes this hour reached the cap
  client_hour   the client address's codes this hour reached the cap
  pairing       the citizen verified another mobile first"""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.domain.citizen import Challenge, Sending


class CitizenStore(Protocol):
    def open_challenge(self, sending: Sending, now: datetime) -> None:
        """Write the challenge, close the mobile's resend gate and count the send in the mobile's
        and the client's hour, all or nothing. Labels: challenge, resend, mobile_hour, client_hour."""

    def withdraw_challenge(self, sending: Sending) -> None:
        """Undo a send whose SMS did not go: delete the challenge, reopen the gate if still its own."""

    def get_challenge(self, challenge_id: str) -> Challenge | None:
        """The challenge, open or not; None once verified or never made."""

    def spend_try(self, challenge_id: str, now: datetime) -> Challenge | None:
        """Take one try of an open challenge (before comparing its code); the challenge after, or
        None when it is missing, expired or out of tries."""

    def close_challenge(self, challenge: Challenge, now: datetime) -> None:
        """Delete the verified challenge and pair its citizen with its mobile. Labels: challenge, pairing."""

    def paired_mobile(self, citizen_key: str) -> str | None:
        """The key of the mobile the citizen verified first, or None."""
