"""The local event runner (infra/local/runner.py) on a real DynamoDB Local: schedules fire when due,
jobs run by name, stream records reach handlers in Lambda's shape, and failures follow Lambda's
checkpoint rules. Each test builds its own tiny Chalice app, so the project's app is not needed."""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from chalice import Chalice, Cron, Rate
from chalice.app import DynamoDBRecord

from infra.local.ddb_local import DynamoDBLocal
from infra.local.runner import EventRunner, UnknownJobError, load_stage_env, schedule_interval

REGION = "me-central-1"
UNUSED_ENDPOINT = "http://127.0.0.1:9"  # schedule-only apps never touch DynamoDB


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def ddb(ddb_local: DynamoDBLocal) -> DynamoDBLocal:
    """The session's DynamoDB Local: the runner finds a stream by its table's name, and every
    table here has its own (see `make_table`), so the app's tables are never read."""
    return ddb_local


@pytest.fixture()
def ddb_client(ddb: DynamoDBLocal) -> Any:
    return boto3.client("dynamodb", endpoint_url=ddb.endpoint, region_name=REGION,
                        aws_access_key_id="local", aws_secret_access_key="local")


@pytest.fixture()
def make_table(ddb_client: Any) -> Iterator[Callable[[str], str]]:
    """Creates uniquely named tables with a NEW_AND_OLD_IMAGES stream; deletes them afterwards."""
    created: list[str] = []

    def make(label: str, create: bool = True) -> str:
        name = f"runner-{label}-{uuid.uuid4().hex[:8]}"
        created.append(name)
        if create:
            create_table(ddb_client, name)
        return name

    yield make
    for name in created:
        try:
            ddb_client.delete_table(TableName=name)
        except ddb_client.exceptions.ResourceNotFoundException:
            pass


def create_table(client: Any, name: str) -> None:
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


def stream_arn(table: str) -> str:
    """The placeholder ARN a handler is declared with; the runner resolves the real stream."""
    return f"arn:aws:dynamodb:{REGION}:000000000000:table/{table}/stream/local"


def put(client: Any, table: str, pk: str, **attrs: dict[str, Any]) -> None:
    client.put_item(TableName=table, Item={"pk": {"S": pk}, **attrs})


def stream_app(table: str, handler: Callable[[Any], Any], batch_size: int = 10) -> Chalice:
    app = Chalice(app_name="runner-test-streams")
    app.on_dynamodb_record(stream_arn=stream_arn(table), batch_size=batch_size, name="on_change")(handler)
    return app


def runner_for(app: Chalice, ddb: DynamoDBLocal, tmp_path: Any, **kwargs: Any) -> EventRunner:
    options: dict[str, Any] = {"max_retries": 3, "poll_interval": 0.05}
    options.update(kwargs)
    return EventRunner(app, endpoint_url=ddb.endpoint, region=REGION, project_dir=tmp_path,
                       failures_path=tmp_path / ".local" / "stream-failures.jsonl", **options)


# ------------------------------------------------------------------------------------------ schedules


def schedule_app() -> tuple[Chalice, list[dict[str, Any]]]:
    app = Chalice(app_name="runner-test-schedules")
    fired: list[dict[str, Any]] = []

    @app.schedule("rate(1 minute)", name="every_minute")
    def every_minute(event: Any) -> None:
        fired.append(event.to_dict())

    return app, fired


def test_schedule_fires_on_tick_when_due_and_not_before(tmp_path: Any) -> None:
    app, fired = schedule_app()
    clock = FakeClock()
    runner = EventRunner(app, endpoint_url=UNUSED_ENDPOINT, clock=clock, project_dir=tmp_path)

    assert runner.tick()["schedules"] == 0
    clock.advance(59.9)
    assert runner.tick()["schedules"] == 0
    assert fired == []
    clock.advance(0.1)
    assert runner.tick()["schedules"] == 1
    assert runner.tick()["schedules"] == 0  # not twice for the same slot
    clock.advance(59)
    assert runner.tick()["schedules"] == 0
    clock.advance(1)
    assert runner.tick()["schedules"] == 1

    assert len(fired) == 2
    event = fired[0]
    assert event["source"] == "aws.events" and event["detail-type"] == "Scheduled Event"
    assert event["resources"] == [f"arn:aws:events:{REGION}:000000000000:rule/every_minute"]
    assert event["region"] == REGION and event["detail"] == {}
    assert fired[0]["id"] != fired[1]["id"]  # a fresh id per run, as EventBridge sends


def test_schedule_skips_missed_runs_instead_of_bursting(tmp_path: Any) -> None:
    app, fired = schedule_app()
    clock = FakeClock()
    runner = EventRunner(app, endpoint_url=UNUSED_ENDPOINT, clock=clock, project_dir=tmp_path)
    clock.advance(600)  # ten intervals late
    assert runner.tick()["schedules"] == 1
    assert runner.tick()["schedules"] == 0
    clock.advance(60)
    assert runner.tick()["schedules"] == 1
    assert len(fired) == 2


def test_schedule_objects_speedup_and_cron_fallback(tmp_path: Any) -> None:
    app = Chalice(app_name="runner-test-expressions")
    fired: list[str] = []

    @app.schedule(Rate(2, unit=Rate.HOURS), name="two_hourly")
    def two_hourly(event: Any) -> None:
        fired.append("two_hourly")

    @app.schedule(Cron(0, 3, "*", "*", "?", "*"), name="nightly")
    def nightly(event: Any) -> None:
        fired.append("nightly")

    clock = FakeClock()
    runner = EventRunner(app, endpoint_url=UNUSED_ENDPOINT, clock=clock, speedup=10, cron_interval=100,
                         project_dir=tmp_path)
    clock.advance(10)  # cron: 100 s / 10
    runner.tick()
    assert fired == ["nightly"]
    clock.advance(709)  # rate(2 hours) = 7200 s / 10 = 720 s from the start
    runner.tick()
    assert "two_hourly" not in fired
    clock.advance(1)
    runner.tick()
    assert fired.count("two_hourly") == 1


def test_schedule_interval_parses_rates_exactly() -> None:
    assert schedule_interval("rate(1 minute)") == 60
    assert schedule_interval("rate(5 minutes)") == 300
    assert schedule_interval("rate(1 hour)") == 3600
    assert schedule_interval("rate(3 days)") == 3 * 86400
    assert schedule_interval("cron(0 3 * * ? *)", cron_interval=42) == 42
    for bad in ("rate(0 minutes)", "rate(1 week)", "every minute"):
        with pytest.raises(ValueError):
            schedule_interval(bad)


def test_a_raising_schedule_does_not_stop_the_runner(tmp_path: Any) -> None:
    app = Chalice(app_name="runner-test-raising-schedule")

    @app.schedule("rate(1 minute)", name="broken")
    def broken(event: Any) -> None:
        raise RuntimeError("boom")

    clock = FakeClock()
    runner = EventRunner(app, endpoint_url=UNUSED_ENDPOINT, clock=clock, project_dir=tmp_path)
    clock.advance(60)
    assert runner.tick() == {"schedules": 1, "schedule_errors": 1, "batches": 0, "records": 0,
                             "failed_batches": 0}


def test_run_job_invokes_a_schedule_now_and_lists_names_when_unknown(tmp_path: Any) -> None:
    app, fired = schedule_app()
    runner = EventRunner(app, endpoint_url=UNUSED_ENDPOINT, clock=FakeClock(), project_dir=tmp_path)
    runner.run_job("every_minute")
    assert len(fired) == 1 and fired[0]["detail-type"] == "Scheduled Event"
    with pytest.raises(UnknownJobError, match="every_minute"):
        runner.run_job("no_such_job")


def test_load_stage_env_merges_levels_and_keeps_existing(tmp_path: Any) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "environment_variables": {"A": "top", "B": "top"},
        "stages": {"local": {"environment_variables": {"B": "stage", "C": "stage"}}},
    }))
    env = {"C": "mine"}
    applied = load_stage_env("local", config, environ=env)
    assert env == {"A": "top", "B": "stage", "C": "mine"}
    assert applied == {"A": "top", "B": "stage"}
    assert load_stage_env("local", tmp_path / "missing.json", environ=env) == {}


# -------------------------------------------------------------------------------------------- streams


def test_stream_records_reach_the_handler_as_chalice_records(ddb, ddb_client, make_table, tmp_path, caplog):
    table = make_table("records")
    got: list[DynamoDBRecord] = []

    def on_change(event: Any) -> None:
        got.extend(event)

    runner = runner_for(stream_app(table, on_change), ddb, tmp_path)
    put(ddb_client, table, "before-start")  # pre-existing shards are read from LATEST
    runner.tick()
    put(ddb_client, table, "a", name={"S": "Sara"}, photo={"B": b"\x00\x01"})
    put(ddb_client, table, "a", name={"S": "Sara M."})
    with caplog.at_level(logging.INFO, logger="infra.local.runner"):
        counts = runner.drain_streams(timeout=20, quiet=0.5)

    assert counts["records"] == 2 and counts["failed_batches"] == 0
    real_arn = ddb_client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    assert [r.event_name for r in got] == ["INSERT", "MODIFY"]
    first, second = got
    assert isinstance(first, DynamoDBRecord)
    assert first.event_source_arn == real_arn and first.table_name == table
    assert first.aws_region == REGION
    assert first.new_image == {"pk": {"S": "a"}, "name": {"S": "Sara"}, "photo": {"B": "AAE="}}
    assert first.keys == {"pk": {"S": "a"}} and first.old_image is None
    assert second.old_image["name"] == {"S": "Sara"} and second.new_image["name"] == {"S": "Sara M."}
    assert int(second.sequence_number) > int(first.sequence_number)
    # Invocations are logged by handler name and size, never with record contents.
    assert any("on_change" in r.getMessage() and "2 record(s)" in r.getMessage() for r in caplog.records)
    assert not any("Sara" in r.getMessage() for r in caplog.records)


def test_from_start_reads_existing_records_and_batches_by_batch_size(ddb, ddb_client, make_table, tmp_path):
    table = make_table("from-start")
    batches: list[list[str]] = []

    def on_change(event: Any) -> None:
        batches.append([r.keys["pk"]["S"] for r in event])

    for i in range(5):
        put(ddb_client, table, f"k{i}")
    runner = runner_for(stream_app(table, on_change, batch_size=2), ddb, tmp_path, from_start=True)
    runner.drain_streams(timeout=20, quiet=0.5)
    assert batches == [["k0", "k1"], ["k2", "k3"], ["k4"]]


def test_a_table_created_after_startup_is_read_from_its_start(ddb, ddb_client, make_table, tmp_path):
    table = make_table("late", create=False)
    got: list[str] = []
    runner = runner_for(stream_app(table, lambda event: got.extend(r.keys["pk"]["S"] for r in event)), ddb, tmp_path)
    assert runner.tick()["records"] == 0  # the table is missing: tolerated, looked up again later
    create_table(ddb_client, table)
    put(ddb_client, table, "first")
    runner.drain_streams(timeout=20, quiet=1.5)
    assert got == ["first"]


def test_a_raising_handler_is_retried_then_written_to_the_failures_file(ddb, ddb_client, make_table, tmp_path):
    table = make_table("raising")
    calls: list[list[str]] = []

    def on_change(event: Any) -> None:
        keys = [r.keys["pk"]["S"] for r in event]
        calls.append(keys)
        if any(k.startswith("bad") for k in keys):
            raise RuntimeError("cannot handle this batch")

    runner = runner_for(stream_app(table, on_change), ddb, tmp_path, max_retries=2)
    runner.tick()
    put(ddb_client, table, "bad-1")
    counts = runner.drain_streams(timeout=20, quiet=0.5)
    assert calls == [["bad-1"]] * 3  # the first attempt and two retries
    assert counts["failed_batches"] == 1

    lines = (tmp_path / ".local" / "stream-failures.jsonl").read_text().splitlines()
    assert len(lines) == 1
    failure = json.loads(lines[0])
    assert failure["handler"] == "on_change" and failure["attempts"] == 3
    assert failure["error"].startswith("RuntimeError")
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in failure["event"]["Records"]] == ["bad-1"]
    assert failure["event"]["Records"][0]["eventSourceARN"] == failure["streamArn"]

    # The poison batch was skipped: later records still flow.
    put(ddb_client, table, "good-1")
    runner.drain_streams(timeout=20, quiet=0.5)
    assert calls[-1] == ["good-1"]


def test_batch_item_failures_redeliver_from_the_failed_record(ddb, ddb_client, make_table, tmp_path):
    table = make_table("partial")
    deliveries: list[list[str]] = []
    failed_once: set[str] = set()

    def on_change(event: Any) -> dict[str, Any]:
        records = list(event)
        deliveries.append([r.keys["pk"]["S"] for r in records])
        failures = []
        for record in records:
            key = record.keys["pk"]["S"]
            if key == "poison" and key not in failed_once:  # fails once, then succeeds
                failed_once.add(key)
                failures.append({"itemIdentifier": record.sequence_number})
        return {"batchItemFailures": failures}

    runner = runner_for(stream_app(table, on_change), ddb, tmp_path)
    runner.tick()
    for key in ("ok-1", "poison", "ok-2"):
        put(ddb_client, table, key)
    counts = runner.drain_streams(timeout=20, quiet=0.5)

    # Redelivery starts AT the failed record, so the records after it come again too (as in Lambda).
    assert deliveries == [["ok-1", "poison", "ok-2"], ["poison", "ok-2"]]
    assert counts["failed_batches"] == 0
    assert not (tmp_path / ".local" / "stream-failures.jsonl").exists()
