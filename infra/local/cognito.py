"""Staff sign-in locally: cognito-local (the npm package, an offline Cognito user-pools emulator
that serves the pool's JWKS) on 127.0.0.1, the pool, its app client and groups, and the demo
staff. Developer tooling, never deployed: in AWS the CDK stack creates the pool.

    python -m infra.local.cognito token [USER]     sign a demo user in and print an ID token
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

from chalicelib.api.auth import (
    ASSOCIATION_ADMIN_GROUP,
    GROUPS,
    OFFICE_ATTRIBUTE,
    OFFICE_MANAGER_GROUP,
    OPERATOR_GROUP,
    PROVINCE_ATTRIBUTE,
    PROVINCIAL_REPRESENTATIVE_GROUP,
)
from infra.local.server import LocalServer, listening

ROOT = Path(__file__).resolve().parents[2]
POOL_NAME = "ejso-local-staff"
CLIENT_NAME = "ejso-local-web"
DEFAULT_PORT = 9229
# One password for every demo account (local only; the prod pool requires MFA besides).
DEMO_PASSWORD = "Demo-Staff-2024!"  # noqa: S105 - a local demo account, documented in the README
DOMAIN = "ejso.local"


@dataclass(frozen=True)
class StaffUser:
    email: str
    group: str
    office_id: str | None = None
    province: str | None = None


# The demo network's offices (infra/local/demo_network.py) and province.
DEMO_USERS = (
    StaffUser(f"op1@{DOMAIN}", OPERATOR_GROUP, office_id="OF-THR-0001"),
    StaffUser(f"manager1@{DOMAIN}", OFFICE_MANAGER_GROUP, office_id="OF-THR-0001"),
    StaffUser(f"op2@{DOMAIN}", OPERATOR_GROUP, office_id="OF-THR-0002"),
    StaffUser(f"manager2@{DOMAIN}", OFFICE_MANAGER_GROUP, office_id="OF-THR-0002"),
    StaffUser(f"admin@{DOMAIN}", ASSOCIATION_ADMIN_GROUP),
    StaffUser(f"rep-tehran@{DOMAIN}", PROVINCIAL_REPRESENTATIVE_GROUP, province="Tehran"),
)


class CognitoLocal(LocalServer):
    """A cognito-local process; it keeps its pools and users under `data_dir`/.cognito."""

    name = "cognito-local"

    def __init__(self, data_dir: str | os.PathLike, port: int | None = None, log_path: str | None = None):
        super().__init__(port, log_path)
        self.data_dir = Path(data_dir)

    def start(self, timeout: float = 60.0) -> CognitoLocal:
        binary = ROOT / "node_modules/.bin/cognito-local"
        if not binary.exists():
            raise RuntimeError("cognito-local is not installed: run `make setup` (npm ci installs it)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1"}
        self.launch([str(binary)], self.data_dir, timeout, env)
        return self


def client(endpoint: str):
    return boto3.client("cognito-idp", endpoint_url=endpoint, region_name="local", aws_access_key_id="local",
                        aws_secret_access_key="local",  # noqa: S106 - cognito-local ignores credentials
                        config=Config(retries={"max_attempts": 2}))


@dataclass(frozen=True)
class Pool:
    endpoint: str
    pool_id: str
    client_id: str

    def environ(self) -> dict[str, str]:
        """The app's settings for this pool."""
        return {"COGNITO_ENDPOINT": self.endpoint, "COGNITO_USER_POOL_ID": self.pool_id,
                "COGNITO_CLIENT_ID": self.client_id}


def provision(endpoint: str) -> Pool:
    """The pool, its app client and the groups, created when missing (idempotent)."""
    idp = client(endpoint)
    pool_id = next((p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == POOL_NAME), None)
    if pool_id is None:
        # office_id and province are immutable: nobody, not even an administrator, changes them
        # after creation (a move to another office is a new account).
        pool_id = idp.create_user_pool(
            PoolName=POOL_NAME, MfaConfiguration="OFF",
            Schema=[{"Name": name, "AttributeDataType": "String", "Mutable": False}
                    for name in (OFFICE_ATTRIBUTE, PROVINCE_ATTRIBUTE)])["UserPool"]["Id"]
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == CLIENT_NAME), None)
    if client_id is None:
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=CLIENT_NAME, ExplicitAuthFlows=["USER_PASSWORD_AUTH"],
            ReadAttributes=["email", f"custom:{OFFICE_ATTRIBUTE}", f"custom:{PROVINCE_ATTRIBUTE}"],
            WriteAttributes=["email"])["UserPoolClient"]["ClientId"]
    have = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in GROUPS:
        if group not in have:
            idp.create_group(UserPoolId=pool_id, GroupName=group)
    return Pool(endpoint, pool_id, client_id)


def ensure_user(pool: Pool, user: StaffUser, password: str = DEMO_PASSWORD) -> None:
    """Create the user with its group and attributes unless it exists (then it is left as is)."""
    idp = client(pool.endpoint)
    try:
        idp.admin_get_user(UserPoolId=pool.pool_id, Username=user.email)
        return
    except idp.exceptions.UserNotFoundException:
        pass
    attributes = [{"Name": "email", "Value": user.email}, {"Name": "email_verified", "Value": "true"}]
    if user.office_id:
        attributes.append({"Name": f"custom:{OFFICE_ATTRIBUTE}", "Value": user.office_id})
    if user.province:
        attributes.append({"Name": f"custom:{PROVINCE_ATTRIBUTE}", "Value": user.province})
    idp.admin_create_user(UserPoolId=pool.pool_id, Username=user.email, UserAttributes=attributes,
                          MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool.pool_id, Username=user.email, Password=password, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool.pool_id, Username=user.email, GroupName=user.group)


def sign_in(pool: Pool, username: str, password: str = DEMO_PASSWORD) -> dict:
    """USER_PASSWORD_AUTH, as `make token` and the tests do: the pool's IdToken, AccessToken, RefreshToken."""
    result = client(pool.endpoint).initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password})
    return result["AuthenticationResult"]


def provision_demo(endpoint: str) -> Pool:
    pool = provision(endpoint)
    for user in DEMO_USERS:
        ensure_user(pool, user)
    return pool


def demo_user(office: str | None, manager: bool = False, user: str | None = None) -> str:
    """`make token`'s arguments to a demo account: USER=..., or OFFICE=<id> [MANAGER=1], or
    OFFICE=association / OFFICE=province."""
    if user:
        return user if "@" in user else f"{user}@{DOMAIN}"
    if office in (None, "", "association"):
        return f"admin@{DOMAIN}"
    if office == "province":
        return f"rep-tehran@{DOMAIN}"
    group = OFFICE_MANAGER_GROUP if manager else OPERATOR_GROUP
    for u in DEMO_USERS:
        if u.office_id == office and u.group == group:
            return u.email
    raise SystemExit(f"no demo account for office {office}; the demo offices with accounts: "
                     f"{', '.join(sorted({u.office_id for u in DEMO_USERS if u.office_id}))}")


def main(argv: list[str]) -> int:
    port = int(os.environ.get("COGNITO_PORT", DEFAULT_PORT))
    endpoint = f"http://127.0.0.1:{port}"
    if not listening(port):
        print(f"cognito-local is not running on {endpoint}: start the stack with `make run` first", file=sys.stderr)
        return 1
    if argv[:1] == ["token"]:
        args = argv[1:]
        manager = "--manager" in args
        args = [a for a in args if a != "--manager"]
        user = next((a[5:] for a in args if a.startswith("user=")), None)
        office = next((a for a in args if not a.startswith("user=")), None)
        pool = provision_demo(endpoint)
        print(sign_in(pool, demo_user(office, manager, user))["IdToken"])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
