"""The database client's failures: a call whose request may have reached the database is not
retried (a hung database costs one read timeout, a write is never sent twice by the client),
one that never left is; and every such failure is 'unavailable' (503), wherever it surfaces."""
from __future__ import annotations

import socket
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

from chalicelib.dal.db import no_retry_once_sent
from chalicelib.errors import database_unavailable


class Listener:
    """A port that accepts connections and never answers; counts the requests it was sent."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.requests = 0
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        try:
            if conn.recv(65536):
                self.requests += 1
        except OSError:
            pass

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


def client(endpoint: str, attempts: int = 3, guarded: bool = True):
    c = boto3.client("dynamodb", region_name="me-central-1", endpoint_url=endpoint,
                     aws_access_key_id="x", aws_secret_access_key="x",
                     config=Config(connect_timeout=0.3, read_timeout=0.3,
                                   retries={"mode": "standard", "total_max_attempts": attempts}))
    return no_retry_once_sent(c) if guarded else c


@pytest.mark.parametrize("operation", ["get_item", "update_item"])
def test_a_call_the_database_does_not_answer_is_sent_once(operation):
    hung = Listener()
    try:
        with pytest.raises(ReadTimeoutError) as caught:
            getattr(client(hung.endpoint), operation)(TableName="t", Key={"pk": {"S": "a"}})
        time.sleep(0.1)
        assert hung.requests == 1
        assert database_unavailable(caught.value)
    finally:
        hung.close()


def test_without_the_guard_botocore_would_send_it_again():
    """The guard is what makes the difference (the listener does count a second request)."""
    hung = Listener()
    try:
        with pytest.raises(ReadTimeoutError):
            client(hung.endpoint, guarded=False).update_item(TableName="t", Key={"pk": {"S": "a"}})
        time.sleep(0.1)
        assert hung.requests == 3
    finally:
        hung.close()


def test_a_call_that_never_left_is_retried():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    attempts = []
    c = client(closed)
    c.meta.events.register("before-send.dynamodb", lambda **kw: attempts.append(1))
    with pytest.raises(EndpointConnectionError) as caught:
        c.get_item(TableName="t", Key={"pk": {"S": "a"}})
    assert len(attempts) == 3 and database_unavailable(caught.value)


def test_what_counts_as_unavailable():
    throttled = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "UpdateItem")
    refused = ClientError({"Error": {"Code": "ConditionalCheckFailedException"}}, "UpdateItem")
    assert database_unavailable(throttled) and not database_unavailable(refused)
    assert database_unavailable(ConnectTimeoutError(endpoint_url="x"))
    wrapped = RuntimeError("pynamodb's error")
    wrapped.cause = ReadTimeoutError(endpoint_url="x")
    assert database_unavailable(wrapped) and not database_unavailable(ValueError("a bug"))


def test_a_timeout_met_while_reading_an_error_code_is_still_unavailable():
    """Code that reads a PynamoDB error's response code fails on a timeout (it has no response)."""
    from pynamodb.exceptions import PutError
    raised = None
    try:
        try:
            raise PutError("Failed to put item", cause=ReadTimeoutError(endpoint_url="x"))
        except PutError as exc:
            _ = exc.cause_response_code == "ConditionalCheckFailedException"
    except Exception as exc:  # noqa: BLE001 - what a store's except block would let out
        raised = exc
    assert isinstance(raised, AttributeError) and database_unavailable(raised)


def test_takes_queued_behind_an_unanswered_one_answer_at_once(monkeypatch):
    """Eight requests of one address against a hung limits table: one waits the read timeout,
    the seven queued behind it on the bucket's lock answer 503 then, not a timeout each in turn."""
    from chalicelib.dal import limit_store
    from chalicelib.domain.limits import Policy
    from chalicelib.errors import ServiceUnavailable
    tried = []

    def hung(bucket, now_ms, policy):
        tried.append(bucket)
        time.sleep(0.4)  # the read timeout
        raise ServiceUnavailable()

    monkeypatch.setattr(limit_store, "_take", hung)
    limit_store.forget()
    failed, took = [], []

    def one():
        started = time.monotonic()
        try:
            limit_store.take("booking-client:127.0.0.1", 0, Policy(rate=20, per_s=60, burst=20))
        except ServiceUnavailable:
            failed.append(1)
        took.append(time.monotonic() - started)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limit_store.forget()
    assert len(failed) == 8 and len(tried) == 1, tried
    assert max(took) < 8 * 0.4 / 2, took
