"""Print a bearer token (local signing key from settings): an operator's for an office, or an
association administrator's.

    python -m infra.local.token OF-THR-0001 [operator-id] [--manager]   (--manager: keeps the operators registry)
    python -m infra.local.token association [admin-id]
"""
from __future__ import annotations

import sys

from infra.local.runner import load_stage_env


def main(argv: list[str]) -> int:
    manager = "--manager" in argv
    argv = [a for a in argv if a != "--manager"]
    if not argv or not argv[0]:
        print("usage: make token OFFICE=<office_id>   or   make token OFFICE=association", file=sys.stderr)
        return 2
    load_stage_env("local")
    from chalicelib.api.auth import issue_token
    if argv[0] == "association":
        print(issue_token(argv[1] if len(argv) > 1 else "admin-1", None, role="association"))
    else:
        print(issue_token(argv[1] if len(argv) > 1 else f"op-{argv[0]}", argv[0], manager=manager))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
