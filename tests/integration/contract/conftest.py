"""Each contract test runs twice: on the in-memory fake and on the DynamoDB store (DynamoDB
Local). Everything a test writes carries a tag unique to it, so the DynamoDB runs share the
session's tables with other tests and delete what they wrote afterwards."""
from __future__ import annotations

import secrets

import pytest

BACKENDS = ("fake", "dynamodb")


@pytest.fixture(scope="session")
def dynamodb(ddb_endpoint) -> str:
    """The session's tables. On a loaded machine DynamoDB Local can answer a first CreateTable
    after the client's timeout, and the client's retry then finds the table made: try again."""
    from pynamodb.exceptions import TableError

    from infra.local.bootstrap import create_tables
    for attempt in range(3):
        try:
            create_tables()
            break
        except TableError:
            if attempt == 2:
                raise
    return ddb_endpoint


@pytest.fixture()
def tag() -> str:
    return "CT" + secrets.token_hex(4).upper()


def delete_tagged(table: str, tag: str) -> None:
    """Delete every item of `table` whose key or booking_id mentions `tag` (tests' own items)."""
    from chalicelib.dal.db import shared_client
    from chalicelib.settings import get_settings

    client, name = shared_client(), get_settings().table_name(table)
    keys = [k["AttributeName"] for k in client.describe_table(TableName=name)["Table"]["KeySchema"]]
    for page in client.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
        for item in page["Items"]:
            text = " ".join(str(v.get("S", "")) for k, v in item.items() if k in (*keys, "booking_id"))
            if tag in text:
                client.delete_item(TableName=name, Key={k: item[k] for k in keys})
