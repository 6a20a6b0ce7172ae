"""Liveness: the API answers and tells its Tehran clock, without touching a database."""
from __future__ import annotations

from chalicelib.api.http import Routes
from chalicelib.domain import calendar

api = Routes(__name__, tag="catalogue")


@api.get("/health", response="HealthOut", database=False)
def health():
    return {"status": "ok", "time": calendar.datetime_out(calendar.now_tehran())}
