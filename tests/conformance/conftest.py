"""The API conformance run: Schemathesis against a live local stack that this session starts
itself (DynamoDB Local in memory, cognito-local with the demo staff, moto's S3, `chalice local` on
free ports), seeded with the demo network (1,300 offices, 1,470 services, operators, six months of
outcomes), and the credentials each kind of caller needs: a citizen's session (through the mobile
check, its code read from the stack's SMS log), staff ID tokens (real sign-ins), a partner's secret
(registered through the association's API). Stopped at the end."""
from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from infra.local import cognito, status_log  # noqa: E402
from infra.local.web_stack import WebStack  # noqa: E402

WORK = ROOT / ".local" / "conformance"  # the run's world, statuses seen and the API's log
CITIZEN = {"national_id": "0012345679", "mobile": "09121234567"}
PARTNER = "conformance-1470"  # signs the partner routes' examples
MANAGED_PARTNER = "conformance-managed"  # the association's partner routes change this one
# Signs the session's own targeted requests: the Schemathesis run may leave the run's partner with
# its minute's quota spent (at rest it sends faster), and the targeted requests must not depend on it.
TARGETED_PARTNER = "conformance-targeted"
THROTTLED_PARTNER = "conformance-throttled"  # a quota of one request a minute: the partner routes' 429
# The caches as a deployed stage keeps them (the test stage's 0 makes every read of the calendar's
# corrections, the licences and the snapshot a query: at national size, thousands per suggestion).
STAGE_CACHES = {"CATALOGUE_CACHE_SECONDS": "60"}
# A manager whose account names an office the catalogue does not list (the staff directory and the
# catalogue are kept apart): the office routes answer such a caller 404.
UNLISTED_OFFICE = "OF-THR-9999"
STAFF = (*cognito.DEMO_USERS,
         cognito.StaffUser(f"manager-unlisted@{cognito.DOMAIN}", cognito.OFFICE_MANAGER_GROUP, office_id=UNLISTED_OFFICE))


def seed() -> None:
    from infra.local.bootstrap import create_tables, seed_demo
    create_tables()
    seed_demo(out=io.StringIO())


def citizen_session(base: str, sms_log: str, national_id: str, mobile: str) -> str:
    from infra.local import sms_log as log
    seen = len(log.codes_to(sms_log, mobile))
    sent = requests.post(f"{base}/v1/otp", json={"national_id": national_id, "mobile": mobile}, timeout=30)
    assert sent.status_code == 202, sent.text
    code = log.wait_for_code(sms_log, mobile, already=seen)
    verified = requests.post(f"{base}/v1/otp/verify", json={"challenge_id": sent.json()["challenge_id"], "code": code},
                             timeout=30)
    assert verified.status_code == 200, verified.text
    return verified.json()["session"]


def staff_token(stack: WebStack, email: str) -> str:
    return cognito.sign_in(stack.pool, email)["IdToken"]


def register_partner(base: str, admin: str, partner: str = PARTNER, quota_per_minute: int = 600) -> str:
    body = {"name": "مرکز تماس ۱۴۷۰ (آزمون قرارداد)", "kind": "call_centre_1470",
            "callback_url": "https://partner.example/callbacks", "quota_per_minute": quota_per_minute}
    made = requests.put(f"{base}/v1/admin/partners/{partner}", json=body, timeout=30,
                        headers={"Authorization": f"Bearer {admin}"})
    assert made.status_code == 201, made.text
    return made.json()["new_secret"]["secret"]


@pytest.fixture(scope="session")
def work_dir() -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    return WORK


@pytest.fixture(scope="session")
def stack(work_dir):
    (work_dir / "api.log").unlink(missing_ok=True)
    # Everything the stack answers, per route and status (the reachability check reads it).
    statuses = work_dir / "seen-conformance.jsonl"
    statuses.write_text("", encoding="utf-8")
    os.environ[status_log.VARIABLE] = str(statuses)
    stack = WebStack(staff=STAFF, web=False, api_log=str(work_dir / "api.log"), environ=STAGE_CACHES)
    try:
        stack.start(seed)
        print(f"stack up: {stack.timings}")
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def world(stack, work_dir) -> dict:
    return build_world(stack, work_dir)


def build_world(stack: WebStack, work_dir: Path) -> dict:
    """What the hooks read (tests/conformance/hooks.py): the base URL, one credential per caller
    kind, and the ids of things that exist."""
    base = stack.base_url
    tokens = {"admin": staff_token(stack, f"admin@{cognito.DOMAIN}"),
              "manager": staff_token(stack, f"manager1@{cognito.DOMAIN}"),
              "operator": staff_token(stack, f"op1@{cognito.DOMAIN}"),
              "representative": staff_token(stack, f"rep-tehran@{cognito.DOMAIN}"),
              "unlisted_manager": staff_token(stack, f"manager-unlisted@{cognito.DOMAIN}"),
              "journey_manager": staff_token(stack, f"manager2@{cognito.DOMAIN}")}
    world = {
        "base_url": base,
        "tokens": tokens,
        "citizen": {**CITIZEN, "session": citizen_session(base, stack.sms_log_path, **CITIZEN)},
        "partner": {"id": PARTNER, "secret": register_partner(base, tokens["admin"])},
        "managed_partner": MANAGED_PARTNER,
        "targeted_partner": {"id": TARGETED_PARTNER, "secret": register_partner(base, tokens["admin"], TARGETED_PARTNER)},
        "throttled_partner": {"id": THROTTLED_PARTNER,
                              "secret": register_partner(base, tokens["admin"], THROTTLED_PARTNER, quota_per_minute=1)},
        "office_id": "OF-THR-0001",
        "unlisted_office_id": UNLISTED_OFFICE,
        # The journeys' office (tests/conformance/test_journeys.py), its manager's: one the Schemathesis
        # run leaves as seeded (its examples change the run office's hours, services and counters).
        "journey_office_id": "OF-THR-0002",
        "ddb_endpoint": stack.ddb.endpoint,
        "sms_log": stack.sms_log_path,
    }
    register_partner(base, tokens["admin"], MANAGED_PARTNER)
    # The first suggestion loads the whole catalogue and builds the routing view (seconds at national
    # size on a busy machine): paid here, once, not by the run's first examples.
    warm = requests.get(f"{base}/v1/suggestions", params={"service": "S0004", "lat": 35.7, "lon": 51.4}, timeout=180)
    assert warm.status_code == 200, warm.text
    path = work_dir / "world.json"
    path.write_text(json.dumps(world, ensure_ascii=False, indent=1), encoding="utf-8")
    world["path"] = str(path)
    return world


@pytest.fixture(scope="session")
def scratch():
    with tempfile.TemporaryDirectory(prefix="ejso-conformance-") as d:
        yield Path(d)
