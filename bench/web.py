"""Lighthouse on the citizen web app (mobile profile, Debian's chromium) against a throwaway local
stack with the small e2e network: the home, suggestions and booking (days) pages.

    python -m bench.web

Prints performance, accessibility and best-practices per page against the targets (90, 95, 95)
and exits 1 when one is missed. Lighthouse is pinned in bench/web/package.json (12.x: 13.x wants
Node 22)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.local.web_stack import WebStack  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "web" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
                "--no-first-run --disable-sync --disable-dev-shm-usage")


def pages() -> dict[str, str]:
    from tests.e2e import network
    office, service = network.OFFICES[0].office_id, "S0004"
    return {
        "home": "/",
        "suggestions": f"/services/{service}/where?city={urllib.parse.quote('کرج')}",
        "booking (days)": f"/offices/{office}/services/{service}/days",
    }


def lighthouse(url: str, out: Path) -> dict[str, int]:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",  # noqa: S603, S607
                    f"--only-categories={','.join(TARGETS)}", f"--chrome-flags={CHROME_FLAGS}",
                    "--no-enable-error-reporting", "--max-wait-for-load=30000"], env=env, check=True)
    report = json.loads(out.read_text(encoding="utf-8"))
    return {name: round(report["categories"][name]["score"] * 100) for name in TARGETS}


def main() -> int:
    if not LIGHTHOUSE.is_file():
        print("Lighthouse is not installed: run `make bench-web` (npm ci in bench/web)", file=sys.stderr)
        return 2
    from tests.e2e import network
    stack = WebStack()
    missed = []
    try:
        base = stack.start(network.seed)
        print(f"{'page':<16}" + "".join(f"{name:>16}" for name in TARGETS))
        with tempfile.TemporaryDirectory() as tmp:
            for i, (name, path) in enumerate(pages().items()):
                scores = lighthouse(base + path, Path(tmp) / f"{i}.json")
                print(f"{name:<16}" + "".join(f"{scores[k]:>16}" for k in TARGETS))
                missed += [f"{name} {k} {scores[k]} < {TARGETS[k]}" for k in TARGETS if scores[k] < TARGETS[k]]
    finally:
        stack.stop()
    print("targets: " + ", ".join(f"{k} >= {v}" for k, v in TARGETS.items()))
    print("PASS" if not missed else "FAIL: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
