"""The 08:00 rush on Tehran, for Locust (`make load` runs it headless through bench/load/run.py).

Every user is a person at the opening hour: citizens booking the same offices' same slots of the
day that just opened (the page they loaded at 07:59 showed them all free), citizens sending remote
requests, a partner (the 1470 call centre) posting signed requests, people asking where to go
(`GET /v1/suggestions`), and office operators pulling remote work. What they are given (offices,
slots, the partner's secret, the operators' ID tokens) is the plan run.py prepared against the
stack: a JSON file named by LOAD_PLAN. Every `409 slot-full` is appended to LOAD_REFUSALS (office,
service, start, when) so run.py can check it against the database after the run; LOAD_OUTCOMES
receives each endpoint's status codes and problem types at the end.

Citizen sessions are minted as the server mints them after a verified one-time code
(`citizens.signed_session_for`, the stack's local signing key and pepper): the real sign-in path
goes through the SMS log and the per-address one-time-code caps, which would measure the test
rig, not the rush."""
from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections import Counter, defaultdict

from locust import HttpUser, between, events, task

from bench.load.rules import national_id
from infra.local.runner import load_stage_env

load_stage_env("local")  # the signing key and pepper of the local stage, as the stack has them

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115 - read once
_refusals = open(os.environ["LOAD_REFUSALS"], "a", encoding="utf-8")  # noqa: SIM115 - open for the run
_outcomes: dict[str, Counter] = defaultdict(Counter)
_people = itertools.count(PLAN["first_citizen"])
TIMEOUT = 60  # seconds; an answer later than that is a failure (a citizen has left)


def session(nid: str, mobile: str) -> str:
    """The session the API gives after the code sent to `mobile` (09..., as the citizen types it)
    was verified; the server keeps the mobile as +989..."""
    from chalicelib.services.citizens import signed_session_for
    return signed_session_for(nid, "+98" + mobile[1:])


def _problem(resp) -> str:
    try:
        kind = resp.json().get("type", "")
    except ValueError:
        return ""
    return kind.rsplit("/", 1)[-1] if isinstance(kind, str) else ""


def record(name: str, resp) -> str:
    """Count the answer (status and problem type) under the endpoint's name; return the type. A
    503's Retry-After tells its cause: 1 when a booking's time budget or seat races ran out, 2 when
    the database did not answer in time."""
    kind = _problem(resp) if resp.status_code >= 400 else ""
    wait = f" (Retry-After {resp.headers.get('Retry-After')})" if resp.status_code == 503 else ""
    _outcomes[name][f"{resp.status_code} {kind}".strip() + wait] += 1
    return kind


def _check(resp, name: str, ok: tuple[int, ...]) -> str:
    """A refusal the API documents (409, 404 of an empty queue...) is an answer, not a failure of
    the system; Locust counts as failures only what is not in `ok` (5xx, 429, 401...)."""
    kind = record(name, resp)
    if resp.status_code in ok:
        resp.success()
    else:
        resp.failure(f"{resp.status_code} {kind}")
    return kind


class Citizen(HttpUser):
    """A citizen at 08:00: books a slot of the day that just opened at one of the popular offices,
    most wanting the first hours. The page was loaded before 08:00, so the first try is from the
    slots everyone saw; after `409 slot-full` the citizen reloads the office's free slots and tries
    the first free one, up to `retries` times, then gives up. Each task is a new citizen."""
    weight = PLAN["weights"]["citizen"]
    wait_time = between(0.5, 2.0)

    def _pick(self, slots: list[str]) -> str:
        # Earlier times are wanted more: a triangular draw towards the day's first slots.
        return slots[min(int(random.triangular(0, len(slots), 0)), len(slots) - 1)]

    @task
    def book(self) -> None:
        n = next(_people)
        nid, mobile = national_id(n), f"0912{n % 10_000_000:07d}"
        headers = {"Authorization": f"Bearer {session(nid, mobile)}", "Content-Type": "application/json"}
        office = random.choices(PLAN["offices"], weights=PLAN["office_weights"])[0]
        start = self._pick(office["slots"])
        for attempt in range(PLAN["retries"] + 1):
            body = {"office_id": office["office_id"], "service_id": PLAN["service"], "start": start,
                    "national_id": nid, "mobile": mobile}
            with self.client.post("/v1/bookings", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                                  name="POST /v1/bookings", catch_response=True, timeout=TIMEOUT) as resp:
                kind = _check(resp, "POST /v1/bookings", (201, 409))
            if resp.status_code != 409 or kind != "slot-full":
                return
            _refusals.write(json.dumps({"office_id": office["office_id"], "service_id": PLAN["service"],
                                        "start": start, "at": time.time()}) + "\n")
            _refusals.flush()
            if attempt == PLAN["retries"]:
                return
            with self.client.get(f"/v1/offices/{office['office_id']}/slots",
                                 params={"service": PLAN["service"], "date": PLAN["day"]},
                                 name="GET /v1/offices/{id}/slots", catch_response=True, timeout=TIMEOUT) as resp:
                _check(resp, "GET /v1/offices/{id}/slots", (200,))
            free = [s["at"] for s in resp.json().get("slots", [])] if resp.status_code == 200 else []
            if not free:
                return  # the day is full at this office: the citizen gives up
            start = free[0]


class RemoteCitizen(HttpUser):
    """A citizen sending a remote request (no visit): their session and an Idempotency-Key."""
    weight = PLAN["weights"]["remote"]
    wait_time = between(1.0, 3.0)

    @task
    def send(self) -> None:
        n = next(_people)
        nid, mobile = national_id(n), f"0935{n % 10_000_000:07d}"
        body = {"service_id": PLAN["remote_service"], "national_id": nid, "mobile": mobile,
                "description": "درخواست آزمون بار"}
        headers = {"Authorization": f"Bearer {session(nid, mobile)}", "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post("/v1/requests", json=body, headers=headers, name="POST /v1/requests",
                              catch_response=True, timeout=TIMEOUT) as resp:
            _check(resp, "POST /v1/requests", (201,))


class Partner(HttpUser):
    """The 1470 call centre posting its callers' requests, signed (Standard Webhooks)."""
    weight = PLAN["weights"]["partner"]
    wait_time = between(1.0, 3.0)

    @task
    def post(self) -> None:
        from chalicelib.domain import webhooks
        n = next(_people)
        body = json.dumps({"partner_ref": f"1470-LOAD-{n}", "service_id": PLAN["remote_service"],
                           "national_id": national_id(n), "mobile": f"0919{n % 10_000_000:07d}",
                           "description": "درخواست ثبت‌شده از طریق تماس با ۱۴۷۰"}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json",
                   **webhooks.sign_headers([PLAN["partner_secret"]], f"msg_{uuid.uuid4().hex}", int(time.time()), body)}
        with self.client.post(f"/v1/partners/{PLAN['partner']}/requests", data=body, headers=headers,
                              name="POST /v1/partners/{id}/requests", catch_response=True, timeout=TIMEOUT) as resp:
            _check(resp, "POST /v1/partners/{id}/requests", (201,))


class Asker(HttpUser):
    """Someone asking where to go for the rush's service, from a point in Tehran."""
    weight = PLAN["weights"]["suggestions"]
    wait_time = between(1.0, 3.0)

    @task
    def ask(self) -> None:
        lat, lon = PLAN["centre"]
        params = {"service": random.choice([PLAN["service"], PLAN["remote_service"]]),
                  "lat": f"{lat + random.uniform(-0.12, 0.12):.4f}", "lon": f"{lon + random.uniform(-0.15, 0.15):.4f}"}
        with self.client.get("/v1/suggestions", params=params, name="GET /v1/suggestions", catch_response=True,
                             timeout=TIMEOUT) as resp:
            _check(resp, "GET /v1/suggestions", (200,))


_desks = itertools.cycle(range(len(PLAN["operators"]) or 1))


class Operator(HttpUser):
    """An office's operator taking remote work: pull the next request, start it, complete it."""
    fixed_count = len(PLAN["operators"])
    wait_time = between(2.0, 5.0)

    def on_start(self) -> None:
        desk = PLAN["operators"][next(_desks)]  # its office opened one counter to remote work (run.py)
        self.office, self.headers = desk["office_id"], {"Authorization": f"Bearer {desk['token']}"}

    @task
    def pull(self) -> None:
        with self.client.post("/v1/office/queue/next", headers=self.headers, name="POST /v1/office/queue/next",
                              catch_response=True, timeout=TIMEOUT) as resp:
            _check(resp, "POST /v1/office/queue/next", (200, 204))
        if resp.status_code != 200:
            return
        code = resp.json()["tracking_code"]
        for step in ("start", "complete"):
            name = f"POST /v1/office/requests/{{code}}/{step}"
            with self.client.post(f"/v1/office/requests/{code}/{step}", headers=self.headers, name=name,
                                  catch_response=True, timeout=TIMEOUT) as resp:
                _check(resp, name, (200,))


@events.test_stop.add_listener
def _write_outcomes(**_kwargs) -> None:
    _refusals.close()
    with open(os.environ["LOAD_OUTCOMES"], "w", encoding="utf-8") as out:
        json.dump({name: dict(counts) for name, counts in _outcomes.items()}, out, indent=1, sort_keys=True)
