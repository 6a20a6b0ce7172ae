"""What a stream record changed: the bookings and requests tables hold several item types, told
apart by their keys, and only the booking and the remote request themselves are outcomes."""
from __future__ import annotations

from collections.abc import Mapping


def is_booking(image: Mapping | None) -> bool:
    return bool(image) and str(image.get("pk", "")).startswith("BK#")


def is_walk_in_ticket(image: Mapping | None) -> bool:
    """A walk-in's ticket at the front desk (dal/desk_store.py); an appointment's ticket is not an
    outcome of its own (its booking is)."""
    return bool(image) and str(image.get("sk", "")).startswith("DS#TK#") and image.get("kind") == "walk_in"


def is_remote_request(image: Mapping | None) -> bool:
    return bool(image) and str(image.get("pk", "")).startswith("RQ#")
