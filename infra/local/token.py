"""Print an operator token for an office (local signing key from settings).

    python -m infra.local.token OF-THR-0001 [operator-id]
"""
from __future__ import annotations

import sys

from infra.local.runner import load_stage_env


def main(argv: list[str]) -> int:
    if not argv or not argv[0]:
        print("usage: make token OFFICE=<office_id>", file=sys.stderr)
        return 2
    load_stage_env("local")
    from chalicelib.api.auth import issue_token
    print(issue_token(argv[1] if len(argv) > 1 else f"op-{argv[0]}", argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
