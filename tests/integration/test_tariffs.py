"""The tariff book through the API on DynamoDB Local: only the association's administrators
change it, from a later day (Jalali in), over the version they read; the catalogue shows the
tariff in force, so a change effective tomorrow leaves today's prices alone."""
from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.domain import calendar
from chalicelib.domain.text import to_persian_digits
from tests.integration.support import as_admin, as_operator, problem

ADMIN = as_admin()
TOMORROW = calendar.now_tehran().date() + timedelta(days=1)


def put(client, body: dict, headers: dict = ADMIN, service: str = "S0001"):
    return client.http.put(f"/v1/admin/tariffs/{service}", headers={"Content-Type": "application/json", **headers},
                           body=json.dumps(body, ensure_ascii=False))


def change(effective=TOMORROW, expected: int = 1, office: int = 600_000) -> dict:
    return {"effective_from": to_persian_digits(calendar.to_jalali(effective)), "government_rials": 100_000,
            "office_rials": office, "share_base_rials": office - 50_000, "expected_version": expected,
            "reason": "بازنگري تعرفه"}


def test_only_administrators_change_the_book(client):
    assert put(client, change(), headers={}).status_code == 401
    problem(put(client, change(), headers=as_operator("OF-A")), 403)
    assert client.http.get("/v1/admin/tariffs").status_code == 401


def test_a_change_effective_tomorrow_does_not_touch_todays_price(client):
    r = put(client, change())
    assert r.status_code == 200, r.body
    out = json.loads(r.body)
    assert (out["version"], out["total_rials"], out["effective_from"]["date"]) == (2, 700_000, TOMORROW.isoformat())
    admin = out["adopted_by"]  # the administrator's user id in the pool
    assert out["reason"] == "بازنگری تعرفه"  # Arabic yeh folded
    today = json.loads(client.http.get("/v1/services/S0001").body)
    assert today["tariff_rials"] == 500_000 and today["tariff"]["version"] == 1
    listed = json.loads(client.http.get("/v1/services?category=petitions").body)["items"]
    assert [s["tariff"]["total_rials"] for s in listed if s["service_id"] == "S0001"] == [500_000]
    detail = json.loads(client.http.get("/v1/admin/tariffs/S0001", headers=ADMIN).body)
    assert detail["in_force"]["version"] == 1 and [v["version"] for v in detail["versions"]] == [1, 2]
    book = json.loads(client.http.get("/v1/admin/tariffs", headers=ADMIN).body)
    assert book["head"] == 2 and [(v["version"], v["adopted_by"]) for v in book["items"]] == [
        (2, admin), (1, "catalogue seed")]


def test_refusals_are_problems(client):
    problem(put(client, change(effective=calendar.now_tehran().date())), 422)  # today cannot be repriced
    problem(put(client, {**change(), "share_base_rials": 900_000}), 422)
    problem(put(client, change(), service="S9999"), 404)
    problem(put(client, {**change(), "effective_from": "1405/13/40"}), 422)
    assert put(client, change()).status_code == 200
    conflict = problem(put(client, change(expected=1, office=800_000)), 409)  # read version 1, 2 is in force
    assert "2" in conflict["detail"]
    assert put(client, change(expected=2, office=800_000)).status_code == 200
