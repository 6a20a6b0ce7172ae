"""What the staff consoles need before anyone has signed in: the pool to sign in to."""
from __future__ import annotations

from chalicelib.api import auth
from chalicelib.api.http import Routes

api = Routes(__name__, tag="office")


@api.get("/staff/sign-in-config", response="StaffSignInConfigOut", database=False)
def staff_sign_in_config():
    return auth.sign_in_config()
