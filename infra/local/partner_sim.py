"""A partner simulator for the local stack (`make run`): registers a partner (the 1470 call
centre) through the association's API, listens for status callbacks on a local port, posts
signed requests (Standard Webhooks), replays one to show it is processed once, then lets an
office pull and work them so the callbacks arrive, each verified against the partner's secret.
It also books an in-person appointment on behalf of a citizen within the 1470 channel's share
(giving the office a 1470 share first if it has none), replays it and reads it back, signed.
Developer tooling, never deployed.

    python -m infra.local.partner_sim [--api http://127.0.0.1:8000] [--port 8765] [--count 3]
                                      [--partner sim-1470] [--office OF-THR-0001] [--no-drive]

Callbacks are delivered by the `deliver_partner_callbacks` use case; until that schedule is
registered in the app (it waits for its AWS grants), the simulator runs it in-process against the
same DynamoDB Local, exactly as the local event runner would.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from infra.local.runner import load_stage_env


def national_id(n: int) -> str:
    body = f"{(n * 7919) % 10**9:09d}"
    total = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    nid = body + str(total if total < 2 else 11 - total)
    return nid if len(set(nid)) > 1 else national_id(n + 1)


class Callbacks:
    """A tiny HTTP server that checks each callback's signature with the partner's secrets."""

    def __init__(self, port: int):
        self.secrets: list[str] = []
        self.received: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                from chalicelib.domain import webhooks
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    webhooks.verify(headers, body, outer.secrets, int(time.time()))
                    verdict = "signature OK"
                    self.send_response(204)
                except webhooks.WebhookError as exc:
                    verdict = f"signature REFUSED ({exc})"
                    self.send_response(401)
                self.end_headers()
                event = json.loads(body or b"{}")
                outer.received.append(event)
                data = event.get("data", {})
                print(f"  <- callback {headers.get('webhook-id')}: {data.get('tracking_code')} "
                      f"{data.get('status')} (ref {data.get('partner_ref')}) - {verdict}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


def signed_post(api: str, partner: str, secret: str, body: bytes, msg_id: str) -> requests.Response:
    from chalicelib.domain import webhooks
    headers = {"Content-Type": "application/json",
               **webhooks.sign_headers([secret], msg_id, int(time.time()), body)}
    return requests.post(f"{api}/v1/partners/{partner}/requests", data=body, headers=headers, timeout=30)


def _staff(email: str, group: str, office: str | None = None) -> dict:
    """Headers of a staff account of the local pool (cognito-local of `make run`), signed in."""
    from infra.local import cognito
    endpoint = f"http://127.0.0.1:{os.environ.get('COGNITO_PORT', cognito.DEFAULT_PORT)}"
    pool = cognito.provision(endpoint)
    user = cognito.StaffUser(email, group, office_id=office)
    cognito.ensure_user(pool, user)
    token = cognito.sign_in(pool, user.email)["IdToken"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def register(api: str, partner: str, port: int) -> str:
    """The partner's secret: a new partner's first one, or a freshly rotated one."""
    from infra.local import cognito
    admin = _staff(f"admin@{cognito.DOMAIN}", cognito.ASSOCIATION_ADMIN_GROUP)
    body = {"name": "مرکز تماس ۱۴۷۰ (شبیه‌ساز)", "kind": "call_centre_1470",
            "callback_url": f"http://127.0.0.1:{port}/callbacks", "quota_per_minute": 600}
    resp = requests.put(f"{api}/v1/admin/partners/{partner}", json=body, headers=admin, timeout=30)
    resp.raise_for_status()
    view = resp.json()
    if "new_secret" in view:
        return view["new_secret"]["secret"]
    rotated = requests.post(f"{api}/v1/admin/partners/{partner}/secrets", headers=admin, timeout=30)
    if rotated.status_code == 409:  # three secrets already: retire the oldest, then rotate
        oldest = view["secrets"][0]["id"]
        requests.delete(f"{api}/v1/admin/partners/{partner}/secrets/{oldest}", headers=admin,
                        timeout=30).raise_for_status()
        rotated = requests.post(f"{api}/v1/admin/partners/{partner}/secrets", headers=admin, timeout=30)
    rotated.raise_for_status()
    return rotated.json()["new_secret"]["secret"]


def remote_service_and_office(api: str, office: str | None) -> tuple[str, str]:
    services = requests.get(f"{api}/v1/services", params={"mode": "remote_allowed", "limit": 1}, timeout=30).json()
    service = services["items"][0]["service_id"]
    if office:
        return service, office
    offices = requests.get(f"{api}/v1/offices", params={"service": service, "limit": 1}, timeout=30).json()
    return service, offices["items"][0]["office_id"]


def _operator(office: str) -> dict:
    from infra.local import cognito
    if office not in _OPERATORS:  # one sign-in per office for the run (the ID token lives for an hour)
        _OPERATORS[office] = _staff(f"sim-operator-{office.lower()}@{cognito.DOMAIN}", cognito.OPERATOR_GROUP, office)
    return _OPERATORS[office]


_OPERATORS: dict[str, dict] = {}


def _work(api: str, office: str, code: str, how: str) -> None:
    for step in ("start", "complete"):
        requests.post(f"{api}/v1/office/requests/{code}/{step}", headers=_operator(office), timeout=30).raise_for_status()
    print(f"  office {office}: {code} {how}, started, completed")


def drive(api: str, office: str, routed: list[tuple[str, str]], waiting: int) -> None:
    """Requests the router already gave to an idle office are worked there; an operator of
    `office` pulls, starts and completes the ones still waiting in the queue."""
    for code, assigned_to in routed:
        _work(api, assigned_to, code, "assigned on arrival")
    requests.post(f"{api}/v1/office/counters", json={"open": 1}, headers=_operator(office), timeout=30)
    for _ in range(waiting):
        pulled = requests.post(f"{api}/v1/office/queue/next", headers=_operator(office), timeout=30)
        if pulled.status_code != 200:
            print(f"  office {office}: queue/next -> {pulled.status_code}")
            return
        _work(api, office, pulled.json()["tracking_code"], "pulled")


def _signed_headers(secret: str, msg_id: str, content: bytes) -> dict:
    from chalicelib.domain import webhooks
    return {"Content-Type": "application/json", **webhooks.sign_headers([secret], msg_id, int(time.time()), content)}


def book_on_behalf(api: str, partner: str, secret: str, office: str, service: str) -> None:
    """A booking for a citizen on the phone: the office's first free slot in the next days, inside
    the 1470 channel's share of that day; a replay returns it; the partner reads it back."""
    from infra.local import cognito
    admin = _staff(f"admin@{cognito.DOMAIN}", cognito.ASSOCIATION_ADMIN_GROUP)
    shares = requests.get(f"{api}/v1/admin/channel-shares", headers=admin, timeout=30).json()
    if (shares["offices"].get(office) or shares["network"]).get("call_centre_1470", 0) == 0:
        change = {"expected_number": shares["number"], "offices": {office: {"web": 80, "call_centre_1470": 20}}}
        requests.put(f"{api}/v1/admin/channel-shares", json=change, headers=admin, timeout=30).raise_for_status()
        print(f"  office {office}: shares set to web 80 %, 1470 20 %")
    from datetime import date, timedelta
    for ahead in range(2, 12):
        day = (date.today() + timedelta(days=ahead)).isoformat()
        free = requests.get(f"{api}/v1/offices/{office}/slots", params={"service": service, "date": day}, timeout=30)
        if free.status_code == 200 and free.json()["slots"]:
            start = free.json()["slots"][0]["at"]
            break
    else:
        print(f"  office {office}: no free slot for {service} in the next days")
        return
    body = json.dumps({"office_id": office, "service_id": service, "start": start, "national_id": national_id(99),
                       "mobile": "09120000099", "partner_ref": f"1470-SIM-{uuid.uuid4().hex[:8]}"}).encode()
    msg_id = f"msg_{uuid.uuid4().hex}"
    url = f"{api}/v1/partners/{partner}/bookings"
    made = requests.post(url, data=body, headers=_signed_headers(secret, msg_id, body), timeout=30)
    print(f"  -> booking {msg_id}: {made.status_code} {made.json().get('booking_id') or made.json().get('type')}")
    if made.status_code != 201:
        return
    booking_id = made.json()["booking_id"]
    again = requests.post(url, data=body, headers=_signed_headers(secret, msg_id, body), timeout=30)
    print(f"  -> replay of {msg_id}: {again.status_code} {again.json().get('booking_id')} (not booked again)")
    path = f"/v1/partners/{partner}/bookings/{booking_id}"
    read = requests.get(f"{api}{path}", headers=_signed_headers(secret, f"msg_{uuid.uuid4().hex}",
                                                                 f"GET {path}".encode()), timeout=30)
    print(f"  -> status of {booking_id}: {read.status_code} {read.json().get('status')} at {read.json()['start']['at']}")


def deliver_callbacks() -> dict:
    from chalicelib.services import remote_jobs
    return remote_jobs.deliver_callbacks()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--port", type=int, default=8765, help="local port for the callbacks")
    parser.add_argument("--partner", default="sim-1470")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--office", default=None, help="the office that works the requests (default: one offering it)")
    parser.add_argument("--no-drive", action="store_true", help="only post; do not work the requests")
    args = parser.parse_args(argv)
    load_stage_env("local")
    # Before any chalicelib import (settings are read once): the stack's DynamoDB Local.
    os.environ.setdefault("DDB_ENDPOINT", f"http://127.0.0.1:{os.environ.get('DDB_PORT', '8100')}")

    callbacks = Callbacks(args.port)
    try:
        secret = register(args.api, args.partner, args.port)
        callbacks.secrets = [secret]
        print(f"partner {args.partner} registered; callbacks on http://127.0.0.1:{args.port}/callbacks")
        service, office = remote_service_and_office(args.api, args.office)
        first, routed = None, []
        for n in range(args.count):
            body = json.dumps({"partner_ref": f"1470-SIM-{uuid.uuid4().hex[:8]}", "service_id": service,
                               "national_id": national_id(n + 1), "mobile": f"0912{n + 1:07d}",
                               "description": "درخواست ثبت‌شده از طریق تماس با ۱۴۷۰"}, ensure_ascii=False).encode()
            msg_id = f"msg_{uuid.uuid4().hex}"
            resp = signed_post(args.api, args.partner, secret, body, msg_id)
            created = resp.json()
            print(f"  -> {msg_id}: {resp.status_code} {created.get('tracking_code')} {created.get('status')}")
            if created.get("status") == "ASSIGNED":
                routed.append((created["tracking_code"], created["office"]["office_id"]))
            first = first or (body, msg_id)
        if first:
            replay = signed_post(args.api, args.partner, secret, *first)
            print(f"  -> replay of {first[1]}: {replay.status_code} {replay.json().get('tracking_code')} (not created again)")
            forged = signed_post(args.api, args.partner, "whsec_" + "QUJD" * 8, first[0], f"msg_{uuid.uuid4().hex}")
            print(f"  -> signed with a wrong secret: {forged.status_code} {forged.json().get('type')}")
        book_on_behalf(args.api, args.partner, secret, office, service)  # remote_allowed: bookable in person too
        if not args.no_drive:
            drive(args.api, office, routed, args.count - len(routed))
            print(f"  callback delivery: {deliver_callbacks()}")
            deadline = time.monotonic() + 5
            while len(callbacks.received) < 3 * args.count and time.monotonic() < deadline:
                time.sleep(0.1)
        print(f"{len(callbacks.received)} callbacks received")
    finally:
        callbacks.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
