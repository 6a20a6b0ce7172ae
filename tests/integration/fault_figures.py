"""The fault-injection figures: each scenario of test_faults.py records what it counted (requests
answered, data lost, duplicates, from the responses and the database) here; the integration run
prints them as one table at its end and writes it to bench/out/faults.md (README: "Failures,
injected"). One JSON line per scenario, so pytest-xdist's workers can each add theirs."""
from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
LINES = OUT / "faults.jsonl"
TABLE = OUT / "faults.md"
HEADER = ("| scenario | requests | answered | answered within 3 s | lost | duplicates | what the test saw |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: | --- |")


def start() -> None:
    """A new run: forget the last run's figures."""
    LINES.unlink(missing_ok=True)


def record(scenario: str, *, requests: int, answered: int, lost: int, duplicates: int,
           within_3s: int | None = None, note: str = "") -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    line = {"scenario": scenario, "requests": requests, "answered": answered, "within_3s": within_3s,
            "lost": lost, "duplicates": duplicates, "note": note}
    with open(LINES, "a", encoding="utf-8") as out:  # one short write per line: appends do not interleave
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


def table() -> str | None:
    if not LINES.exists():
        return None
    rows = [json.loads(line) for line in LINES.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not rows:
        return None
    body = [f"| {r['scenario']} | {r['requests']} | {r['answered']} | "
            f"{'—' if r['within_3s'] is None else r['within_3s']} | {r['lost']} | {r['duplicates']} | {r['note']} |"
            for r in rows]
    text = "\n".join([HEADER, *body])
    TABLE.write_text(text + "\n", encoding="utf-8")
    return text
