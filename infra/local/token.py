"""Print a staff ID token: signs a demo account in to the local pool (cognito-local, started by
`make run`) with USER_PASSWORD_AUTH, the same tokens the API gets in AWS.

    python -m infra.local.token OF-THR-0001 [--manager]   an office's operator (or its manager)
    python -m infra.local.token association               the association's administrator
    python -m infra.local.token province                  the provincial representative for Tehran
    python -m infra.local.token user=op1@ejso.local       any account of the pool
"""
from __future__ import annotations

import sys

from infra.local.cognito import main as cognito_main


def main(argv: list[str]) -> int:
    return cognito_main(["token", *[a for a in argv if a]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
