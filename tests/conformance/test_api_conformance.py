"""Schemathesis against the live local stack, from the generated contract (openapi.yaml): no 5xx,
every answer within its documented schema, content type and headers, every status documented.
Bounded: examples per operation and phase (schemathesis.toml), and the run must end within BUDGET_S."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "openapi.yaml"
CONFIG = Path(__file__).with_name("schemathesis.toml")  # checks, phases, examples per operation, workers
BUDGET_S = int(os.environ.get("CONFORMANCE_BUDGET_S", 420))  # a run that takes longer fails
SEED = int(os.environ.get("CONFORMANCE_SEED", 1405))


def seen(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_schemathesis_run(world, work_dir):
    """`st run` over every operation of the contract; its own exit status is the verdict."""
    statuses = work_dir / "seen-schemathesis.jsonl"
    statuses.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "tests.conformance.hooks",
           "CONFORMANCE_WORLD": world["path"], "CONFORMANCE_SEEN": str(statuses)}
    cmd = [str(Path(sys.executable).parent / "st"), "--no-color", "--config-file", str(CONFIG), "run", str(CONTRACT),
           "--url", world["base_url"], "--seed", str(SEED),
           "--report", "junit", "--report-junit-path", str(work_dir / "schemathesis-junit.xml")]
    started = time.monotonic()
    try:
        run = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=BUDGET_S)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the conformance run took more than its budget of {BUDGET_S} s") from exc
    took = time.monotonic() - started
    (work_dir / "schemathesis.out").write_text(run.stdout + run.stderr, encoding="utf-8")
    print(run.stdout[-6000:])
    print(f"schemathesis: {took:.0f} s, {len(seen(statuses))} calls")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-4000:]
