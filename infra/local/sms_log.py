"""The local SMS log (SMS_MODE=log with SMS_LOG_PATH, local and test stages only): every message
the stack would have sent, one JSON line each ({at, to: masked mobile, text, id}). The browser
and integration tests read one-time codes here, and so does a developer after `make run`:

    python -m infra.local.sms_log [--path .local/sms.log] [-n 10]     the last messages
"""
from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

from chalicelib.domain import validators

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = ROOT / ".local" / "sms.log"
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def entries(path: str | Path) -> list[dict]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def codes_to(path: str | Path, mobile: str) -> list[str]:
    """The one-time codes sent to `mobile` (any accepted form), oldest first."""
    masked = validators.mask_mobile(validators.mobile(mobile))
    found = []
    for entry in entries(path):
        match = _CODE.search(entry["text"]) if entry.get("to") == masked else None
        if match:
            found.append(match.group(1))
    return found


def wait_for_code(path: str | Path, mobile: str, already: int = 0, timeout: float = 10.0) -> str:
    """The first code to `mobile` after the `already` ones seen before asking (the send is
    synchronous, so it is normally there at once)."""
    deadline = time.monotonic() + timeout
    while True:
        found = codes_to(path, mobile)
        if len(found) > already:
            return found[already]
        if time.monotonic() > deadline:
            raise TimeoutError(f"no new code to {validators.mask_mobile(validators.mobile(mobile))} in {path}")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", default=str(DEFAULT_PATH))
    parser.add_argument("-n", type=int, default=10)
    args = parser.parse_args()
    for entry in entries(args.path)[-args.n:]:
        print(f"{entry['at']}  {entry['to']}  {entry['text']}")


if __name__ == "__main__":
    main()
