"""Local event runner: does for `@app.schedule` and `@app.on_dynamodb_record` handlers what the
Lambda service does in AWS, since `chalice local` serves HTTP only. Developer tooling, never deployed.

    python -m infra.local.runner [--stage local] [--speedup 1] [--from-start]   # until Ctrl-C / SIGTERM
    python -m infra.local.runner job NAME                                       # one schedule, once

Schedules fire on their `rate(...)` (cron falls back to a fixed interval). Streams are polled on
DynamoDB Local's Streams API with Lambda's checkpoint rules: advance on success, redeliver from the
lowest `batchItemFailures` sequence number, retry a raising batch `max_retries` times and then write it
to `.local/stream-failures.jsonl` and move on. Handlers are invoked with `chalice.test.Client`, which
patches `os.environ` per call, so everything runs on one thread.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from chalice import Chalice
from chalice.app import DynamoDBEventConfig, ScheduledEventConfig
from chalice.test import Client

ROOT = Path(__file__).resolve().parents[2]
logger = logging.getLogger("infra.local.runner")

POLL_INTERVAL = 0.25  # seconds between GetRecords calls, as Lambda's poller and the Amplify mock do
RESOLVE_RETRY = 1.0  # seconds before looking again for a missing table, stream or endpoint
GET_RECORDS_MAX = 1000  # the Streams API's cap on GetRecords' Limit
COUNT_KEYS = ("schedules", "schedule_errors", "batches", "records", "failed_batches")

_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


# ---------------------------------------------------------------------------------------------- config


def load_stage_env(stage: str = "local", config_path: str | os.PathLike[str] = ".chalice/config.json",
                   environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Apply the stage's `environment_variables` (top level, then stage level; the stage wins) to
    `environ` (default `os.environ`), never overriding a variable that is already set, so a developer's
    shell can still point things elsewhere. A missing config file is not an error. Returns what was set."""
    target = os.environ if environ is None else environ
    try:
        config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        logger.info("no %s; stage environment not applied", config_path)
        return {}
    merged = {**config.get("environment_variables", {}),
              **config.get("stages", {}).get(stage, {}).get("environment_variables", {})}
    applied = {key: str(value) for key, value in merged.items() if key not in target}
    target.update(applied)
    return applied


def schedule_interval(expression: str, cron_interval: float = 60.0) -> float:
    """Seconds between runs of an EventBridge schedule expression. `rate(...)` is exact; `cron(...)`
    is not evaluated locally and runs every `cron_interval` seconds instead."""
    expression = expression.strip()
    if match := _RATE.fullmatch(expression):
        value = int(match.group(1))
        if value < 1:
            raise ValueError(f"schedule {expression!r}: the rate must be a positive whole number")
        return float(value * _UNIT_SECONDS[match.group(2).rstrip("s")])
    if expression.startswith("cron(") and expression.endswith(")"):
        return float(cron_interval)
    raise ValueError(f"unsupported schedule expression {expression!r}: expected rate(N unit) or cron(...)")


def table_name_from_stream_arn(arn: str) -> str:
    """`arn:aws:dynamodb:<region>:<account>:table/<NAME>/stream/<label>` -> NAME. The decorator's ARN is
    a placeholder locally; only the table name in it is used."""
    parts = arn.split(":", 5)
    resource = parts[5].split("/") if len(parts) == 6 else []
    if len(resource) < 2 or resource[0] != "table" or not resource[1]:
        raise ValueError(f"cannot read a table name from stream ARN {arn!r}")
    return resource[1]


class UnknownJobError(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name, self.known = name, known
        super().__init__(f"unknown job {name!r}; scheduled jobs: {', '.join(known) or '(none)'}")


# ------------------------------------------------------------------------------------------ schedules


@dataclass
class _Schedule:
    name: str
    expression: str
    interval: float
    next_due: float


# -------------------------------------------------------------------------------------------- streams


def _lambda_json(value: Any) -> Any:
    """Botocore parses timestamps and binary attributes; Lambda's JSON event has epoch seconds and
    base64 strings (Chalice's DynamoDBRecord calls utcfromtimestamp on ApproximateCreationDateTime)."""
    if isinstance(value, dict):
        return {key: _lambda_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_lambda_json(item) for item in value]
    if isinstance(value, dt.datetime):
        seconds = value.timestamp()
        return int(seconds) if seconds.is_integer() else seconds
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@dataclass
class _Shard:
    shard_id: str
    parent_id: str | None
    start: str  # iterator type to begin with when there is no checkpoint: LATEST or TRIM_HORIZON
    done: bool = False  # read to its end (or a closed shard skipped at startup)
    iterator: str | None = None
    end_reached: bool = False  # GetRecords returned no NextShardIterator: the shard is closed and read
    resume: tuple[str, str] | None = None  # (AT_/AFTER_SEQUENCE_NUMBER, seq) to rebuild an iterator from
    pending: list[dict[str, Any]] | None = None  # the batch being delivered, kept across retries
    attempts: int = 0  # consecutive failed deliveries of the current position


class _StreamPoller:
    """One `@app.on_dynamodb_record` handler and the stream of its table."""

    def __init__(self, runner: EventRunner, config: DynamoDBEventConfig) -> None:
        self.runner = runner
        self.name = config.name
        self.batch_size = max(1, int(config.batch_size))
        self.table_name = table_name_from_stream_arn(config.stream_arn)
        self.stream_arn: str | None = None
        self.shards: dict[str, _Shard] = {}
        self.at_startup = True  # shards seen on the first successful look existed at startup
        self.needs_resolve = True
        self.needs_describe = False
        self.retry_at = 0.0
        self.trouble: str | None = None  # last problem logged, so a missing table is logged once

    @property
    def busy(self) -> bool:
        """A batch is waiting for a retry."""
        return any(shard.pending is not None for shard in self.shards.values())

    def poll(self, counts: Counter[str]) -> None:
        if time.monotonic() < self.retry_at:
            return
        try:
            if self.needs_resolve and not self._resolve():
                return
            if self.needs_describe:
                self._describe()
            for shard in [s for s in self.shards.values() if self._ready(s)]:
                self._poll_shard(shard, counts)
            self._note(None)
        except ClientError as exc:
            code = _error_code(exc)
            if code == "ResourceNotFoundException":
                # The table or its stream went away (deleted, recreated, stream disabled): look it up again.
                self._note(f"stream of {self.table_name} is gone; looking it up again")
                self.needs_resolve = True
            else:
                # A dev tool should not die on a DynamoDB Local hiccup; shard positions are kept.
                self._note(f"{code or 'error'} from DynamoDB Local ({exc}); retrying")
                self.needs_describe = self.stream_arn is not None
            self.retry_at = time.monotonic() + RESOLVE_RETRY
        except BotoCoreError as exc:
            self._note(f"DynamoDB Local unreachable at {self.runner.endpoint_url} ({type(exc).__name__}); retrying")
            self.retry_at = time.monotonic() + RESOLVE_RETRY

    def _note(self, trouble: str | None) -> None:
        """Log a problem once when it starts, and once when it clears."""
        if trouble != self.trouble:
            if trouble:
                logger.warning("%s: %s", self.name, trouble)
            elif self.trouble:
                logger.info("%s: stream of %s is available again", self.name, self.table_name)
            self.trouble = trouble

    def _resolve(self) -> bool:
        try:
            table = self.runner.dynamodb.describe_table(TableName=self.table_name)["Table"]
        except ClientError as exc:
            if _error_code(exc) != "ResourceNotFoundException":
                raise
            return self._not_yet(f"table {self.table_name} does not exist yet; will retry")
        arn = table.get("LatestStreamArn")
        if not arn or not table.get("StreamSpecification", {}).get("StreamEnabled", False):
            return self._not_yet(f"table {self.table_name} has no stream enabled; will retry")
        if arn == self.stream_arn and self.shards and all(s.done for s in self.shards.values()):
            return self._not_yet(f"stream of {self.table_name} is closed; waiting for a new one")
        if arn != self.stream_arn:
            if self.stream_arn:
                logger.info("%s: table %s has a new stream", self.name, self.table_name)
            self.stream_arn, self.shards = arn, {}
        self.needs_resolve, self.needs_describe = False, True
        return True

    def _not_yet(self, why: str) -> bool:
        # Whatever appears later is new since startup, so it is read from its start.
        self.at_startup = False
        self._note(why)
        self.retry_at = time.monotonic() + RESOLVE_RETRY
        return False

    def _describe(self) -> None:
        assert self.stream_arn is not None
        listed: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self.runner.streams.describe_stream(**kwargs)["StreamDescription"]
            listed.extend(description.get("Shards", []))
            if not description.get("LastEvaluatedShardId"):
                break
            kwargs["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]
        skip_existing = self.at_startup and not self.runner.from_start
        for entry in listed:
            if entry["ShardId"] in self.shards:
                continue
            closed = "EndingSequenceNumber" in entry.get("SequenceNumberRange", {})
            # Like a new event source mapping at LATEST: shards there at startup are read from now on
            # (a closed one has nothing new to give); shards appearing later are read from the start.
            self.shards[entry["ShardId"]] = _Shard(
                entry["ShardId"], entry.get("ParentShardId"), start="LATEST" if skip_existing else "TRIM_HORIZON",
                done=skip_existing and closed)
        ids = {entry["ShardId"] for entry in listed}
        self.shards = {sid: s for sid, s in self.shards.items() if not s.done or sid in ids}
        self.at_startup = False
        self.needs_describe = False
        if all(s.done for s in self.shards.values()):
            self.needs_resolve = True  # stream disabled or table deleted: wait for the next stream
        for shard in self.shards.values():
            # LATEST means "now", so take those iterators at once rather than on first read.
            if shard.start == "LATEST" and shard.iterator is None and self._ready(shard):
                shard.iterator = self._iterator(shard)

    def _ready(self, shard: _Shard) -> bool:
        """Parents are read to their end before their children, keeping per-item order."""
        if shard.done:
            return False
        parent = self.shards.get(shard.parent_id) if shard.parent_id else None
        return parent is None or parent.done

    def _iterator(self, shard: _Shard) -> str:
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard.shard_id}
        if shard.resume:
            kwargs["ShardIteratorType"], kwargs["SequenceNumber"] = shard.resume
        else:
            kwargs["ShardIteratorType"] = shard.start
        shard.end_reached = False
        return self.runner.streams.get_shard_iterator(**kwargs)["ShardIterator"]

    def _poll_shard(self, shard: _Shard, counts: Counter[str]) -> None:
        if shard.pending is None and not shard.end_reached:
            try:
                if shard.iterator is None:
                    shard.iterator = self._iterator(shard)
                response = self.runner.streams.get_records(ShardIterator=shard.iterator,
                                                           Limit=min(self.batch_size, GET_RECORDS_MAX))
            except ClientError as exc:
                code = _error_code(exc)
                if code not in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                    raise
                # Iterators live 15 minutes (e.g. after a laptop sleep); trimmed data is gone for good.
                logger.info("%s: %s on shard %s; getting a new iterator", self.name, code, shard.shard_id)
                if code == "TrimmedDataAccessException":
                    shard.resume, shard.start = None, "TRIM_HORIZON"
                shard.iterator = None
                self.needs_describe = True
                return
            shard.iterator = response.get("NextShardIterator")
            shard.end_reached = shard.iterator is None
            records = response.get("Records", [])
            if records:
                shard.pending = [self._lambda_record(record) for record in records]
        if shard.pending is not None:
            self._deliver(shard, counts)
        if shard.pending is None and shard.end_reached:
            shard.done = True
            self.needs_describe = True  # the shard closed: find its children

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        out = _lambda_json(record)
        # DynamoDB Local omits eventSourceARN (Chalice's DynamoDBRecord needs it) and reports a fake region.
        out["eventSourceARN"] = self.stream_arn
        out["awsRegion"] = self.runner.region
        return out

    def _deliver(self, shard: _Shard, counts: Counter[str]) -> None:
        batch = shard.pending
        assert batch is not None
        sequences = [record["dynamodb"]["SequenceNumber"] for record in batch]
        counts["batches"] += 1
        counts["records"] += len(batch)
        try:
            result = self.runner.invoke(self.name, {"Records": batch}, f"{len(batch)} record(s)")
        except Exception as exc:  # noqa: BLE001 - any handler error fails the whole batch, as in Lambda
            self._whole_batch_failed(shard, batch, sequences, exc, counts)
            return
        try:
            failed = _failed_sequence_numbers(result, sequences)
        except ValueError as exc:
            logger.warning("%s: %s; the whole batch counts as failed", self.name, exc)
            self._whole_batch_failed(shard, batch, sequences, exc, counts)
            return
        if not failed:
            shard.attempts = 0
            shard.resume = ("AFTER_SEQUENCE_NUMBER", sequences[-1])
            shard.pending = None
            return
        shard.attempts += 1
        if shard.attempts > self.runner.max_retries:
            self._give_up(shard, batch, sequences, None, failed=failed)
            counts["failed_batches"] += 1
            return
        # Lambda's ReportBatchItemFailures: the shard is re-read from the lowest failed record on.
        lowest = min(failed, key=int)
        logger.warning("%s: %d of %d records failed; redelivering from sequence %s (retry %d of %d)", self.name,
                       len(failed), len(batch), lowest, shard.attempts, self.runner.max_retries)
        shard.resume = ("AT_SEQUENCE_NUMBER", lowest)
        shard.iterator, shard.pending, shard.end_reached = None, None, False

    def _whole_batch_failed(self, shard: _Shard, batch: list[dict[str, Any]], sequences: list[str],
                            exc: Exception, counts: Counter[str]) -> None:
        """Keep the batch and retry it on the next poll, up to max_retries; then write it off."""
        shard.attempts += 1
        if shard.attempts <= self.runner.max_retries:
            logger.warning("%s: batch of %d failed (%s); retry %d of %d", self.name, len(batch),
                           type(exc).__name__, shard.attempts, self.runner.max_retries)
            return
        self._give_up(shard, batch, sequences, exc, failed=sequences)
        counts["failed_batches"] += 1

    def _give_up(self, shard: _Shard, batch: list[dict[str, Any]], sequences: list[str],
                 exc: BaseException | None, failed: list[str]) -> None:
        self.runner.record_failure({
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "handler": self.name, "streamArn": self.stream_arn, "shardId": shard.shard_id,
            "startSequenceNumber": sequences[0], "endSequenceNumber": sequences[-1],
            "batchSize": len(batch), "attempts": shard.attempts, "failedSequenceNumbers": failed,
            "error": f"{type(exc).__name__}: {exc}" if exc else "batchItemFailures",
            "event": {"Records": batch},
        })
        logger.error("%s: gave up on %d record(s), sequence %s..%s, after %d attempts; batch written to %s",
                     self.name, len(batch), sequences[0], sequences[-1], shard.attempts, self.runner.failures_path)
        # Move past the batch; shard.iterator already points after it.
        shard.resume = ("AFTER_SEQUENCE_NUMBER", sequences[-1])
        shard.pending, shard.attempts = None, 0


def _failed_sequence_numbers(result: Any, sequences: list[str]) -> list[str]:
    """The sequence numbers a handler reported in `batchItemFailures`. An identifier that is not in the
    batch fails the whole batch, as Lambda does."""
    items = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not items:
        return []
    failed = [item.get("itemIdentifier") if isinstance(item, dict) else None for item in items]
    unknown = [seq for seq in failed if seq not in sequences]
    if unknown:
        raise ValueError(f"batchItemFailures names {unknown!r}, which is not a SequenceNumber in the batch")
    return [str(seq) for seq in failed]


# ---------------------------------------------------------------------------------------------- runner


class EventRunner:
    """Fires the app's schedules and feeds its DynamoDB stream handlers from DynamoDB Local.

    `clock` drives schedules only (tests inject a fake one); stream polling uses real time.
    Not thread-safe: call it from one thread.
    """

    def __init__(self, app: Chalice, *, endpoint_url: str, region: str = "me-central-1", stage: str = "local",
                 clock: Callable[[], float] = time.monotonic, speedup: float = 1.0, cron_interval: float = 60.0,
                 from_start: bool = False, max_retries: int = 3, poll_interval: float = POLL_INTERVAL,
                 failures_path: str | os.PathLike[str] = ".local/stream-failures.jsonl",
                 project_dir: str | os.PathLike[str] = ".") -> None:
        if speedup <= 0:
            raise ValueError("speedup must be positive")
        self.app, self.endpoint_url, self.region, self.stage = app, endpoint_url, region, stage
        self.from_start, self.max_retries, self.poll_interval = from_start, max_retries, poll_interval
        self.failures_path = Path(failures_path)
        self._clock = clock
        # The test client applies the stage's per-function env vars and builds a LambdaContext.
        self._client = Client(app, stage_name=stage, project_dir=str(project_dir))
        credentials = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
        botocfg = BotoConfig(connect_timeout=2, read_timeout=10, retries={"max_attempts": 2})
        self.dynamodb = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region, config=botocfg,
                                     **credentials)
        self.streams = boto3.client("dynamodbstreams", endpoint_url=endpoint_url, region_name=region,
                                    config=botocfg, **credentials)

        now = clock()
        self._schedules: list[_Schedule] = []
        self._streams: list[_StreamPoller] = []
        for source in app.event_sources:
            if isinstance(source, ScheduledEventConfig):
                expr = source.schedule_expression
                text = expr if isinstance(expr, str) else expr.to_string()
                interval = schedule_interval(text, cron_interval) / speedup
                if not _RATE.fullmatch(text.strip()):
                    logger.info("%s: %s is not evaluated locally; running it every %.0f s", source.name, text,
                                interval)
                self._schedules.append(_Schedule(source.name, text, interval, now + interval))
            elif isinstance(source, DynamoDBEventConfig):
                self._streams.append(_StreamPoller(self, source))

    @property
    def job_names(self) -> list[str]:
        return [schedule.name for schedule in self._schedules]

    @property
    def stream_handler_names(self) -> list[str]:
        return [poller.name for poller in self._streams]

    # -- invoking

    def invoke(self, name: str, payload: dict[str, Any], what: str) -> Any:
        """Invoke one handler as Lambda would, logging its name, size and duration (never the payload)."""
        started = time.perf_counter()
        try:
            result = self._client.lambda_.invoke(name, payload).payload
        except Exception:
            logger.warning("invoked %s with %s: raised after %.1f ms", name, what,
                           (time.perf_counter() - started) * 1000, exc_info=True)
            raise
        logger.info("invoked %s with %s in %.1f ms", name, what, (time.perf_counter() - started) * 1000)
        return result

    def record_failure(self, entry: dict[str, Any]) -> None:
        """The local stand-in for the on-failure destination: one JSON line per abandoned batch."""
        self.failures_path.parent.mkdir(parents=True, exist_ok=True)
        with self.failures_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _scheduled_event(self, name: str) -> dict[str, Any]:
        event = self._client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={},
            resources=[f"arn:aws:events:{self.region}:000000000000:rule/{name}"], region=self.region)
        # The template has a fixed id and time; EventBridge sends a fresh id and the current time.
        event.update(id=str(uuid.uuid4()), account="000000000000",
                     time=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        return event

    def run_job(self, name: str) -> Any:
        """Invoke the schedule handler `name` now; returns what the handler returned."""
        if name not in self.job_names:
            raise UnknownJobError(name, self.job_names)
        return self.invoke(name, self._scheduled_event(name), "a scheduled event")

    # -- polling

    def tick(self) -> dict[str, int]:
        """One pass: fire the schedules that are due, then poll every stream once."""
        counts: Counter[str] = Counter()
        now = self._clock()
        for schedule in self._schedules:
            if now < schedule.next_due:
                continue
            schedule.next_due += schedule.interval
            if schedule.next_due <= now:
                # Fell behind (slow handler, suspended laptop): skip missed runs rather than burst.
                schedule.next_due = now + schedule.interval
            counts["schedules"] += 1
            try:
                self.run_job(schedule.name)
            except Exception:  # noqa: BLE001 - logged by invoke(); like EventBridge, the next run still comes
                counts["schedule_errors"] += 1
        self._poll_streams(counts)
        return {key: counts[key] for key in COUNT_KEYS}

    def _poll_streams(self, counts: Counter[str]) -> None:
        for poller in self._streams:
            poller.poll(counts)

    def drain_streams(self, timeout: float = 30.0, quiet: float = 1.0) -> dict[str, int]:
        """Poll the streams until no batch has been delivered for `quiet` seconds and none is waiting for a
        retry. Raises TimeoutError if that does not happen within `timeout` seconds."""
        counts: Counter[str] = Counter()
        started = last_work = time.monotonic()
        while True:
            before = counts["batches"]
            self._poll_streams(counts)
            now = time.monotonic()
            if counts["batches"] != before or any(poller.busy for poller in self._streams):
                last_work = now
            elif now - last_work >= quiet:
                return {key: counts[key] for key in COUNT_KEYS}
            if now - started > timeout:
                raise TimeoutError(f"streams still busy after {timeout} s ({dict(counts)})")
            if counts["batches"] == before:
                time.sleep(self.poll_interval)

    def run_forever(self, stop_event: threading.Event) -> None:
        """Tick until `stop_event` is set; back-to-back while streams have work, else every poll interval."""
        logger.info("event runner on %s: schedules [%s], stream handlers [%s]", self.endpoint_url,
                    ", ".join(f"{s.name} every {s.interval:g} s" for s in self._schedules),
                    ", ".join(f"{p.name} <- {p.table_name}" for p in self._streams))
        while not stop_event.is_set():
            if not self.tick()["batches"]:
                stop_event.wait(self.poll_interval)
        logger.info("event runner stopped")


# ------------------------------------------------------------------------------------------------- CLI


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local.runner",
                                     description="Run the app's schedules and DynamoDB stream handlers locally.")
    parser.add_argument("--stage", default="local", help="Chalice stage whose environment is applied")
    parser.add_argument("--speedup", type=float, default=1.0, help="divide every schedule interval by this")
    parser.add_argument("--from-start", action="store_true",
                        help="read streams from TRIM_HORIZON instead of only new records")
    parser.add_argument("--cron-interval", type=float, default=60.0,
                        help="seconds between runs of cron(...) schedules, which are not evaluated locally")
    commands = parser.add_subparsers(dest="command")
    job = commands.add_parser("job", help="invoke one scheduled handler once and exit")
    job.add_argument("name")
    args = parser.parse_args(argv)
    if args.speedup <= 0:
        parser.error("--speedup must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    load_stage_env(args.stage, ROOT / ".chalice" / "config.json")
    endpoint = os.environ.get("DDB_ENDPOINT") or f"http://127.0.0.1:{os.environ.get('DDB_PORT', '8100')}"
    os.environ["DDB_ENDPOINT"] = endpoint  # the handlers talk to the same DynamoDB Local as the runner
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "me-central-1"
    # Import the app the way Lambda does: from the project root, after the stage environment is set.
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from app import app

    runner = EventRunner(app, endpoint_url=endpoint, region=region, stage=args.stage, speedup=args.speedup,
                         cron_interval=args.cron_interval, from_start=args.from_start, project_dir=ROOT,
                         failures_path=ROOT / ".local" / "stream-failures.jsonl")
    if args.command == "job":
        try:
            runner.run_job(args.name)
        except UnknownJobError as exc:
            print(exc, file=sys.stderr)
            return 2
        except Exception:  # noqa: BLE001 - the traceback was logged by invoke()
            return 1
        return 0

    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():  # a second Ctrl-C while a handler hangs: leave now
            raise SystemExit(128 + signum)
        logger.info("%s received; stopping after the current invocation", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    runner.run_forever(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
