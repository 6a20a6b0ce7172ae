"""What a stream record changed: the bookings and requests tables hold several item types, told
apart by their keys, and only the booking and the remote request themselves are outcomes."""
from __future__ import annotations

from collections.abc import Mapping


def is_booking(image: Mapping | None) -> bool:
    return bool(image) and str(image.get("pk", "")).startswith("BK#")


def is_remote_request(image: Mapping | None) -> bool:
    return bool(image) and str(image.get("pk", "")).startswith("RQ#")
