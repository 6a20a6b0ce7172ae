"""`make load`: the 08:00 rush on Tehran under Locust, against the `make run` stack, with the
false-refusal check. Developer tooling, never deployed.

    python -m bench.load [--host http://127.0.0.1:8000] [--users 500] [--spawn-rate 50] [--run-time 60s]
                         [--offices 4] [--tag main]

Without --host it starts the stack `make run` starts (infra/local/stack.py: DynamoDB Local with the
demo network, cognito-local, the documents bucket, `chalice local` behind the same-origin front,
the event runner) on free 127.0.0.1 ports over a fresh copy of a seeded database (seeded once and
kept under bench/out/load-seed/), and stops it after. With --host it uses a running stack (its
DynamoDB Local and cognito-local on DDB_PORT and COGNITO_PORT, as `make run` has them).

The per-address abuse limits (20 bookings a minute per client address) are raised for the stack it
starts: every simulated citizen comes from 127.0.0.1, where in AWS each has an address of their own.

It prepares the plan (the day that just opened, the popular offices' slots, a partner and its
secret, operators' ID tokens), runs Locust headless and bounded, then prints throughput,
p50/p95/p99 per endpoint, the error mix, and the false-refusal rate: every `409 slot-full` is
checked against the seats in the database after the run (a refusal is false when a counter was
still free in every cell of its time at the end, with no cancellation at that office-day to
explain it). Locust's CSVs (stats, history, failures) and a summary go to bench/out/."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import requests

from bench.load.rules import false_refusals

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
SEED_INPUTS = ("chalicelib/dal/models.py", "infra/local/demo_network.py", "infra/local/bootstrap.py", "infra/local/data")
# Generous per-address buckets: thousands of citizens share 127.0.0.1 here.
RATE_LIMITS = {name: {"rate": 1_000_000, "per_s": 1, "burst": 1_000_000}
               for name in ("hold-client", "booking-client", "remote-client", "upload-client", "partner")}
PARTNER = "load-1470"
TEHRAN = (35.70, 51.40)


def log(text: str) -> None:
    print(text, flush=True)


# --- the stack ------------------------------------------------------------------------------------

def _seed_key() -> str:
    digest = hashlib.sha256(date.today().strftime("%Y-%m").encode())  # the seed's six months of outcomes
    for name in SEED_INPUTS:
        path = ROOT / name
        for file in sorted(path.rglob("*") if path.is_dir() else [path]):
            if file.is_file():
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def seeded_database() -> Path:
    """A DynamoDB Local data directory with the tables and the demo network, built once per seed
    (three to four minutes on a busy two-core machine) and copied for every run."""
    cache = OUT / "load-seed" / _seed_key()
    if (cache / "shared-local-instance.db").is_file():
        return cache
    from infra.local.ddb_local import DynamoDBLocal
    from infra.local.runner import load_stage_env
    building = cache.with_name(cache.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    log(f"* seeding the demo network once into {cache.relative_to(ROOT)} (reused by the next runs)")
    with DynamoDBLocal(data_dir=building) as ddb:
        env = {**os.environ, "DDB_ENDPOINT": ddb.endpoint, "PYTHONPATH": str(ROOT)}
        load_stage_env("local", config_path=ROOT / ".chalice/config.json", environ=env)
        subprocess.run([str(BIN / "python"), "-m", "infra.local.bootstrap", "--seed-if-empty"], env=env, cwd=ROOT,
                       check=True)
    shutil.rmtree(cache, ignore_errors=True)
    building.rename(cache)
    return cache


class Stack:
    """infra/local/stack.py (what `make run` starts) on free ports over a copy of the seeded database."""

    def __init__(self):
        from infra.local.ddb_local import free_port
        self.work = Path(tempfile.mkdtemp(prefix="ejso-load-"))
        self.ports = {name: free_port() for name in ("PORT", "DDB_PORT", "COGNITO_PORT", "S3_PORT")}
        self.proc: subprocess.Popen | None = None
        self.host = f"http://127.0.0.1:{self.ports['PORT']}"

    def start(self, timeout: float = 600) -> None:
        shutil.copytree(seeded_database(), self.work / "ddb")
        env = {**os.environ, **{k: str(v) for k, v in self.ports.items()}, "EJSO_LOCAL_DIR": str(self.work),
               "RATE_LIMITS": json.dumps(RATE_LIMITS), "PYTHONPATH": str(ROOT)}
        log(f"* starting the stack (infra/local/stack.py) on {self.host}; logs in {self.work}")
        self.proc = subprocess.Popen([str(BIN / "python"), "-m", "infra.local.stack"], cwd=ROOT, env=env,
                                     stdout=open(self.work / "stack.log", "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the stack exited ({self.proc.returncode}): {(self.work / 'stack.log').read_text()[-2000:]}")
            try:
                if requests.get(f"{self.host}/v1/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError(f"the stack did not answer in {timeout:.0f} s; see {self.work}/stack.log")

    def stop(self, keep_logs: Path | None = None) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # stack.py stops its children, then its servers
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if keep_logs is not None:  # the API's and the runner's logs outlive the throwaway stack
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log_file in self.work.glob("*.log"):
                shutil.copy2(log_file, keep_logs / log_file.name)
        shutil.rmtree(self.work, ignore_errors=True)


# --- the plan -------------------------------------------------------------------------------------

def _staff_token(cognito_endpoint: str, email: str, group: str, office: str | None = None) -> str:
    from infra.local import cognito
    pool = cognito.provision(cognito_endpoint)
    cognito.ensure_user(pool, cognito.StaffUser(email, group, office_id=office))
    return cognito.sign_in(pool, email)["IdToken"]


def _partner_secret(host: str, admin: dict) -> str:
    body = {"name": "مرکز تماس ۱۴۷۰ (آزمون بار)", "kind": "call_centre_1470", "quota_per_minute": 10_000}
    resp = requests.put(f"{host}/v1/admin/partners/{PARTNER}", json=body, headers=admin, timeout=30)
    resp.raise_for_status()
    if "new_secret" in resp.json():
        return resp.json()["new_secret"]["secret"]
    for old in resp.json()["secrets"][:-1]:  # a running stack keeps earlier runs' secrets: room for one more
        requests.delete(f"{host}/v1/admin/partners/{PARTNER}/secrets/{old['id']}", headers=admin, timeout=30)
    rotated = requests.post(f"{host}/v1/admin/partners/{PARTNER}/secrets", headers=admin, timeout=30)
    rotated.raise_for_status()
    return rotated.json()["new_secret"]["secret"]


def _free_slots(host: str, office: str, service: str, day: date) -> list[str]:
    resp = requests.get(f"{host}/v1/offices/{office}/slots", params={"service": service, "date": day.isoformat()},
                        timeout=30)
    return [s["at"] for s in resp.json().get("slots", [])] if resp.status_code == 200 else []


def the_opened_day(host: str, office: str, service: str, horizon: int) -> tuple[date, list[str]]:
    """The day that entered the booking window this morning (today + horizon), or the latest day
    of the window the office opens on, with its free slots."""
    today = date.today()
    for back in range(horizon):
        day = today + timedelta(days=horizon - back)
        free = _free_slots(host, office, service, day)
        if free:
            return day, free
    raise RuntimeError(f"{office} has no free slot for {service} in the booking window")


def prepare(host: str, cognito_endpoint: str, offices_wanted: int, operators_wanted: int) -> dict:
    from chalicelib.settings import get_settings
    from infra.local import cognito
    offices = requests.get(f"{host}/v1/offices", params={"province": "Tehran", "limit": 50}, timeout=30).json()["items"]
    services = requests.get(f"{host}/v1/services", params={"mode": "in_person", "limit": 50}, timeout=30).json()["items"]
    remote = requests.get(f"{host}/v1/services", params={"mode": "remote_allowed", "limit": 1}, timeout=30).json()["items"]
    # The rush's service: the first in-person service the first Tehran offices all offer.
    chosen, service, day = [], None, None
    for svc in services:
        picked, opened = [], None
        for office in offices:
            try:
                d, free = the_opened_day(host, office["office_id"], svc["service_id"], get_settings().booking_horizon_days)
            except RuntimeError:
                continue
            if opened in (None, d):
                opened = d
                picked.append({"office_id": office["office_id"], "slots": free})
            if len(picked) == offices_wanted:
                break
        if len(picked) == offices_wanted:
            chosen, service, day = picked, svc["service_id"], opened
            break
    if not chosen:
        raise RuntimeError("no in-person service that enough Tehran offices offer on one opened day")
    admin_token = _staff_token(cognito_endpoint, f"admin@{cognito.DOMAIN}", cognito.ASSOCIATION_ADMIN_GROUP)
    admin = {"Authorization": f"Bearer {admin_token}"}
    secret = _partner_secret(host, admin)
    # Operators of Tehran offices offering the remote service, each opening one counter to remote
    # work (an office with no licensed operator today cannot: the next one is taken).
    operators = []
    for o in requests.get(f"{host}/v1/offices", params={"service": remote[0]["service_id"], "province": "Tehran",
                                                        "limit": 20}, timeout=30).json()["items"]:
        token = _staff_token(cognito_endpoint, f"load-operator-{o['office_id'].lower()}@{cognito.DOMAIN}",
                             cognito.OPERATOR_GROUP, o["office_id"])
        opened = requests.post(f"{host}/v1/office/counters", json={"open": 1}, timeout=30,
                               headers={"Authorization": f"Bearer {token}"})
        if opened.status_code == 200:
            operators.append({"office_id": o["office_id"], "token": token})
        if len(operators) == operators_wanted:
            break
    return {"day": day.isoformat(), "service": service, "offices": chosen,
            # The first office is the one everyone wants (first in the list, best known), the rest less so.
            "office_weights": [1.0 / (i + 1) for i in range(len(chosen))],
            "remote_service": remote[0]["service_id"], "partner": PARTNER, "partner_secret": secret,
            "operators": operators, "centre": TEHRAN, "retries": 2,
            # A different range of citizens each run, so a running stack's earlier bookings do not collide.
            "first_citizen": int(time.time()) % 100_000 * 1000 + 1,
            "weights": {"citizen": 80, "remote": 6, "partner": 4, "suggestions": 10}}


# --- the check ------------------------------------------------------------------------------------

def check_refusals(plan: dict, refusals: list[dict]) -> dict:
    """Every `409 slot-full` against the seats at the end of the run, read directly from the table:
    false when a counter open to bookings that day had no seat taken in any cell of the time."""
    from chalicelib.dal.booking_store import office_day_pk
    from chalicelib.dal.models import BookingItem, SeatItem
    from chalicelib.domain import slots
    from chalicelib.services import catalogue
    from chalicelib.settings import get_settings
    day, grid, now = date.fromisoformat(plan["day"]), get_settings().slot_grid_minutes, time.time()
    service = catalogue.get_service(plan["service"])
    state = {}
    for entry in plan["offices"]:
        office = catalogue.get_office(entry["office_id"])
        taken, held = defaultdict(set), 0
        for seat in SeatItem.query(office_day_pk(office.office_id, day), SeatItem.sk.startswith("SEAT#"),
                                   consistent_read=True):
            if seat.status == "HELD" and (seat.expires_at or 0) < now:
                continue  # an expired hold: a free seat
            held += seat.status == "HELD"
            _, cell, counter = seat.sk.split("#")
            taken[cell].add(int(counter))
        rows = list(BookingItem.office_day_index.query(office_day_pk(office.office_id, day)))
        cancelled = [b for b in rows if b.status == "CANCELLED"]
        state[office.office_id] = {"office": office, "taken": taken, "held": held,
                                   "counters": catalogue.bookable_counters(office, day),
                                   "booked": sum(b.status != "CANCELLED" and b.service_id == service.service_id for b in rows),
                                   "cancelled": cancelled, "cancelled_cells": [tuple(b.cells or ()) for b in cancelled]}

    def cells_of(refusal: dict) -> tuple[str, ...]:
        office = state[refusal["office_id"]]["office"]
        return slots.cells_for(datetime.fromisoformat(refusal["start"]), office.duration_of(service), grid)

    false = false_refusals(refusals, state, cells_of)
    seats = {o: sum(len(v) for v in st["taken"].values()) for o, st in state.items()}
    return {"refusals": len(refusals), "false": false,
            "offices": {o: {"counters": st["counters"], "booked": st["booked"], "seats_taken": seats[o],
                            "held": st["held"], "cancelled": len(st["cancelled"])} for o, st in state.items()}}


# --- the report -----------------------------------------------------------------------------------

def _stats(prefix: Path) -> list[dict]:
    import csv
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def report(prefix: Path, plan: dict, outcomes: dict, checked: dict, args, loads: list[float], took: float) -> str:
    rows = _stats(prefix)
    lines = [f"Locust {args.users} users (spawn {args.spawn_rate}/s, {args.run_time}) on {plan['day']}, "
             f"service {plan['service']} at {', '.join(o['office_id'] for o in plan['offices'])}; "
             f"load average during the run {min(loads):.1f}-{max(loads):.1f} (mean {statistics.fmean(loads):.1f}) "
             f"on {os.cpu_count()} cores",
             "",
             "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = r["Name"] if r["Name"] != "Aggregated" else "**all**"
        lines.append(f"| {name} | {r['Request Count']} | {float(r['Requests/s']):.1f} | {r['50%']} | {r['95%']} | "
                     f"{r['99%']} | {float(r['Max Response Time']):.0f} | {r['Failure Count']} |")
    lines += ["", "Answers (status and problem type) per endpoint:", ""]
    for name, counts in sorted(outcomes.items()):
        lines.append(f"- {name}: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])))
    booking = next((r for r in rows if r["Name"] == "POST /v1/bookings"), None)
    n_false, n_ref = len(checked["false"]), checked["refusals"]
    made = sum(v["booked"] for v in checked["offices"].values())
    lines += ["",
              f"Bookings made: {made} (seats taken per office: "
              + ", ".join(f"{o} {v['seats_taken']} cells of {v['counters']} counters" for o, v in checked["offices"].items())
              + ")",
              f"409 slot-full answers: {n_ref}; FALSE REFUSALS (a counter still free at the end, no cancellation): "
              f"{n_false} = {100 * n_false / n_ref if n_ref else 0:.2f} % of the refusals",
              f"p99 of POST /v1/bookings under the rush: {booking['99%'] if booking else 'n/a'} ms "
              f"(p50 {booking['50%'] if booking else 'n/a'}, p95 {booking['95%'] if booking else 'n/a'})",
              f"whole run {took:.0f} s"]
    return "\n".join(lines)


def _sample_load(samples: list[float], stop: threading.Event) -> None:
    while not stop.wait(5):
        samples.append(os.getloadavg()[0])


def run(args) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    stack = None
    if args.host:
        host = args.host.rstrip("/")
        ddb_port, cognito_port = os.environ.get("DDB_PORT", "8100"), os.environ.get("COGNITO_PORT", "9229")
    else:
        stack = Stack()
        host, ddb_port, cognito_port = stack.host, stack.ports["DDB_PORT"], stack.ports["COGNITO_PORT"]
    # Before any chalicelib import: the stack's database, the local stage's settings.
    os.environ["DDB_ENDPOINT"] = f"http://127.0.0.1:{ddb_port}"
    from infra.local.runner import load_stage_env
    load_stage_env("local", config_path=ROOT / ".chalice/config.json")
    try:
        if stack:
            stack.start()
        log(f"* stack up after {time.monotonic() - started:.0f} s; preparing the plan")
        plan = prepare(host, f"http://127.0.0.1:{cognito_port}", args.offices, args.operators)
        tag = args.tag
        prefix = OUT / f"load_{tag}"
        files = {"LOAD_PLAN": OUT / f"load_{tag}_plan.json", "LOAD_REFUSALS": OUT / f"load_{tag}_refusals.jsonl",
                 "LOAD_OUTCOMES": OUT / f"load_{tag}_outcomes.json"}
        files["LOAD_PLAN"].write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
        files["LOAD_REFUSALS"].write_text("")
        log(f"* rush on {plan['day']}: service {plan['service']} at "
            + ", ".join(f"{o['office_id']} ({len(o['slots'])} slots)" for o in plan["offices"])
            + f"; {len(plan['operators'])} operators; Locust {args.users} users, {args.spawn_rate}/s, {args.run_time}")
        loads, stop = [os.getloadavg()[0]], threading.Event()
        sampler = threading.Thread(target=_sample_load, args=(loads, stop), daemon=True)
        sampler.start()
        env = {**os.environ, **{k: str(v) for k, v in files.items()}, "PYTHONPATH": str(ROOT)}
        locust = subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench/load/locustfile.py"), "--headless", "--only-summary",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.run_time, "--host", host,
             "--csv", str(prefix), "--csv-full-history", "--stop-timeout", "15", "--loglevel", "WARNING"],
            cwd=ROOT, env=env)
        stop.set()
        if not Path(f"{prefix}_stats.csv").is_file():
            log(f"locust wrote no statistics (exit {locust.returncode})")
            return 1
        refusals = [json.loads(line) for line in files["LOAD_REFUSALS"].read_text().splitlines() if line]
        outcomes = json.loads(files["LOAD_OUTCOMES"].read_text()) if files["LOAD_OUTCOMES"].is_file() else {}
        checked = check_refusals(plan, refusals)
        text = report(prefix, plan, outcomes, checked, args, loads, time.monotonic() - started)
        (OUT / f"load_{tag}_summary.md").write_text(text + "\n", encoding="utf-8")
        (OUT / f"load_{tag}_false_refusals.json").write_text(json.dumps(checked["false"], indent=1))
        log("\n" + text)
        for item in checked["false"][:20]:
            log(f"  FALSE REFUSAL: {item}")
        log(f"\nCSV: {prefix}_stats.csv, {prefix}_stats_history.csv, {prefix}_failures.csv; "
            f"summary: bench/out/load_{tag}_summary.md")
        return 1 if checked["false"] else 0
    finally:
        if stack:
            log(f"* stopping the stack (its logs kept in bench/out/load_{args.tag}_logs/)")
            stack.stop(keep_logs=OUT / f"load_{args.tag}_logs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=None, help="a running stack (make run) instead of starting one")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--spawn-rate", type=float, default=50)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--offices", type=int, default=4, help="the popular Tehran offices the rush books")
    parser.add_argument("--operators", type=int, default=4, help="Tehran offices whose operator pulls remote work")
    parser.add_argument("--tag", default="main", help="names the output files: bench/out/load_<tag>_*")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
