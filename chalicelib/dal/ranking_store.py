"""The ranking's data on DynamoDB (table `ranking`, models in dal/models.py):

  AG#{period}#{k}         / {office_id}#{slot}  a part of an office's counters of one Jalali
                                                month (atomic ADDs); the month's counters are the
                                                sum of the office's parts
  AG#{period}#{k}         / {office_id}#I       the office's latest inspection of that month
  EV#{source}#{event id}  / SEEN         an event already folded (TTL), written with its counters
  RC#{office}#{period}#{citizen} / SEEN  a citizen's rating of the office that month already counted
  SNAPSHOTS               / {period}     the one ranking of a period (written last, once)
  SN#{period}#{fp[:16]}   / {office_id}  a snapshot's per-office rows

Aggregate counters have dynamic names (one per ranking flow and per service category), which
PynamoDB cannot express, so they are written and read with the shared botocore client here;
everything else goes through the models.

Why the aggregates are in parts: with one item per office and month under one partition key per
month, every completion of the month wrote one partition, and two stream shards folding the same
office's events at once conflicted on its item (the transaction was cancelled and the stream
retried the batch). Now the month is spread over MONTH_SHARDS partition keys (k: a hash of the
office id), and each office's counters over PARTS items. A container (one stream batch at a time)
adds to its own part, drawn at random when it starts; when that part is in another container's
transaction at that instant, the fold moves to the next part at once and the container keeps it,
so up to PARTS concurrent batches settle on parts of their own instead of failing batches.
Exactly once still comes from the event's marker in the same transaction, whatever part takes
the counts. The recompute reads the month's MONTH_SHARDS
partitions (one paginated Query each) and sums at most PARTS items per office (plus the
inspection item): O(offices), and the same sums as one item per office, exactly."""
from __future__ import annotations

import functools
import random
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.dal import catalogue_store
from chalicelib.dal.db import TxConflict, shared_client, unavailable_guard
from chalicelib.dal.models import AggregateItem, OfficeItem, SnapshotItem, SnapshotRowItem
from chalicelib.domain import ranking_live as live
from chalicelib.domain.ranking import TierState
from chalicelib.domain.ranking_live import Delta, MonthAggregate, OncePerCitizen, RankingRow, RankingSnapshot
from chalicelib.errors import DATABASE_BUSY, ServiceUnavailable

_ser, _de = TypeSerializer(), TypeDeserializer()
SNAPSHOTS = "SNAPSHOTS"
_KEYS = {"pk", "sk", "office_id", "period", "inspection_score", "inspection_on", "updated_at"}


def _raw_guard(fn):
    """The raw-client calls' version of `unavailable_guard`: unreachable or throttled -> 503."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (BotoConnectionError, HTTPClientError) as exc:
            raise ServiceUnavailable() from exc
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in DATABASE_BUSY:
                raise ServiceUnavailable() from exc
            raise
    return wrapper


MONTH_SHARDS = 8  # partition keys a month's aggregates are spread over
PARTS = 4  # items an office's counters of a month are spread over
INSPECTION = "I"
_part = random.randrange(PARTS)  # this container's part (moved on a conflict)


def _hash(text: str) -> int:
    return zlib.crc32(text.encode())


def aggregate_pk(period: str, office_id: str) -> str:
    return f"AG#{period}#{_hash(office_id) % MONTH_SHARDS}"


def _part_sk(office_id: str, part: int | str) -> str:
    return f"{office_id}#{part}"


def _table() -> str:
    return AggregateItem.Meta.table_name


def _updates(delta: Delta, part: int, stamp: str) -> list[dict]:
    """The delta's counters added to the office's part `part`; its inspection, if any, set on the
    office's inspection item, only if newer than (or as new as) the one recorded."""
    key = {"pk": {"S": aggregate_pk(delta.period, delta.office_id)}}
    base_names = {"#o": "office_id", "#p": "period", "#u": "updated_at"}
    base_values = {":o": _ser.serialize(delta.office_id), ":p": _ser.serialize(delta.period),
                   ":u": _ser.serialize(stamp)}
    sets = "SET #o = :o, #p = :p, #u = :u"
    out = []
    if delta.counts or delta.inspection is None:
        names, values, adds = dict(base_names), dict(base_values), []
        for i, (name, value) in enumerate(sorted(delta.counts.items())):
            names[f"#c{i}"], values[f":c{i}"] = name, _ser.serialize(int(value))
            adds.append(f"#c{i} :c{i}")
        out.append({"TableName": _table(), "Key": {**key, "sk": {"S": _part_sk(delta.office_id, part)}},
                    "UpdateExpression": sets + (" ADD " + ", ".join(adds) if adds else ""),
                    "ExpressionAttributeNames": names, "ExpressionAttributeValues": values})
    if delta.inspection is not None:  # a state: only a newer (or same-day) inspection replaces it
        names = {**base_names, "#is": "inspection_score", "#io": "inspection_on"}
        values = {**base_values, ":is": _ser.serialize(Decimal(str(delta.inspection[1]))),
                  ":io": _ser.serialize(delta.inspection[0])}
        out.append({"TableName": _table(), "Key": {**key, "sk": {"S": _part_sk(delta.office_id, INSPECTION)}},
                    "UpdateExpression": sets + ", #is = :is, #io = :io",
                    "ConditionExpression": "attribute_not_exists(#io) OR #io <= :io",
                    "ExpressionAttributeNames": names, "ExpressionAttributeValues": values})
    return out


# Each source's event ids are a namespace of the markers (stream event ids, association references).
_MARKER = {live.BOOKING_EVENT: "bk", live.REQUEST_EVENT: "rq", live.COMPLAINT_RECORD: "cp",
           live.INSPECTION_RECORD: "in"}
RATING_MARKER_DAYS = 62  # the marker names the month: keep it past the month's end


@_raw_guard
def fold(source: str, event_id: str, deltas: Iterable[Delta], now: datetime, keep_days: int, *,
         once_per: OncePerCitizen | None = None) -> bool:
    """Apply one event's additions exactly once: the event's marker (attribute_not_exists, kept
    `keep_days`) and every counter update are one TransactWriteItems. False if the event was
    already folded (or an inspection older than the one recorded). Deltas of the same office and
    period merge. `once_per`: a second marker that must not exist either, so at most one event
    per citizen, office and month counts (one rating)."""
    merged: dict[tuple[str, str], Delta] = {}
    for d in deltas:
        key = (d.office_id, d.period)
        prev = merged.get(key)
        merged[key] = d if prev is None else Delta(d.office_id, d.period, {
            k: prev.counts.get(k, 0) + d.counts.get(k, 0) for k in {*prev.counts, *d.counts}},
            d.inspection or prev.inspection)
    if not merged:
        return False
    stamp = now.isoformat(timespec="seconds")
    expires = int((now + timedelta(days=keep_days)).timestamp())
    marker = f"EV#{_MARKER[source]}#{event_id}"
    items = [{"Put": {"TableName": _table(), "Item": {"pk": {"S": marker}, "sk": {"S": "SEEN"},
                                                       "ttl": {"N": str(expires)}},
                      "ConditionExpression": "attribute_not_exists(pk)"}}]
    if once_per is not None:
        until = int((now + timedelta(days=RATING_MARKER_DAYS)).timestamp())
        once = f"RC#{once_per.office_id}#{once_per.period}#{once_per.citizen_key}"
        items.append({"Put": {"TableName": _table(), "Item": {"pk": {"S": once}, "sk": {"S": "SEEN"},
                                                               "ttl": {"N": str(until)}},
                              "ConditionExpression": "attribute_not_exists(pk)"}})
    global _part
    for _attempt in range(PARTS):
        part = _part
        updates = [{"Update": u} for _, d in sorted(merged.items()) for u in _updates(d, part, stamp)]
        try:
            shared_client().transact_write_items(TransactItems=items + updates)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in codes:
                return False
            if "TransactionConflict" in codes:  # another fold holds this part now: take the next
                _part = (part + 1) % PARTS
                continue
            raise
        return True
    raise TxConflict()  # every part was busy: the stream retries the record


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@_raw_guard
def period_aggregates(period: str) -> dict[str, MonthAggregate]:
    """office_id -> its counters of one month (the sum of its parts) and the month's latest
    inspection score: one paginated Query of each of the month's MONTH_SHARDS partitions, at
    most PARTS + 1 items (~1 KB) an office, whatever the number of events."""
    counts: dict[str, dict[str, int]] = {}
    inspections: dict[str, float] = {}
    for k in range(MONTH_SHARDS):
        kwargs = {"TableName": _table(), "KeyConditionExpression": "pk = :pk",
                  "ExpressionAttributeValues": {":pk": {"S": f"AG#{period}#{k}"}}, "ConsistentRead": True}
        while True:
            page = shared_client().query(**kwargs)
            for raw in page.get("Items", []):
                item = {key: _plain(_de.deserialize(v)) for key, v in raw.items()}
                office_id = item["office_id"]
                mine = counts.setdefault(office_id, {})
                if item.get("inspection_on") is not None:
                    inspections[office_id] = float(item["inspection_score"])
                for name, value in item.items():
                    if name not in _KEYS:
                        mine[name] = mine.get(name, 0) + int(value)
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {o: MonthAggregate(o, c, inspections.get(o)) for o, c in sorted(counts.items())}


@_raw_guard
def save_aggregates(rows: Iterable[tuple[str, str, dict[str, int]]]) -> int:
    """Bulk load (period, office_id, counters) items, unconditionally, each as the office's first
    part: the demo seed only."""
    batch, count = [], 0

    def flush():
        pending = {_table(): batch}
        while pending:
            pending = shared_client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or None

    for period, office_id, counts in rows:
        item = {"pk": aggregate_pk(period, office_id), "sk": _part_sk(office_id, 0), "office_id": office_id,
                "period": period, **counts}
        batch.append({"PutRequest": {"Item": {k: _ser.serialize(v) for k, v in item.items()}}})
        count += 1
        if len(batch) == 25:
            flush()
            batch = []
    if batch:
        flush()
    return count


# --- snapshots ---------------------------------------------------------------------------------

def rows_pk(period: str, fingerprint: str) -> str:
    return f"SN#{period}#{fingerprint[:16]}"


def _snapshot_of(item: SnapshotItem) -> RankingSnapshot:
    return RankingSnapshot(item.sk, policy_version=item.policy_version, fingerprint=item.fingerprint,
                           offices=int(item.offices), schedule=item.schedule, policy=item.policy,
                           created_at=datetime.fromisoformat(item.created_at))


def _head_item(head: RankingSnapshot) -> SnapshotItem:
    return SnapshotItem(SNAPSHOTS, head.period, policy_version=head.policy_version, fingerprint=head.fingerprint,
                        rows_pk=rows_pk(head.period, head.fingerprint), offices=head.offices,
                        schedule=dict(head.schedule), policy=dict(head.policy),
                        created_at=head.created_at.isoformat(timespec="seconds"))


def _row_of(item: SnapshotRowItem) -> RankingRow:
    return RankingRow(item.sk, province=item.province, tier=int(item.tier), score=Decimal(item.score),
                      provisional=bool(item.provisional), rank=int(item.rank), state=TierState(**item.state),
                      previous=TierState(**item.previous) if item.previous else None, card=item.card,
                      aggregate=item.aggregate, fees_rials=int(item.fees_rials or 0))


def _row_item(pk: str, row: RankingRow) -> SnapshotRowItem:
    return SnapshotRowItem(pk, row.office_id, province=row.province, tier=row.tier, score=str(row.score),
                           provisional=row.provisional, rank=row.rank, state=asdict(row.state),
                           previous=asdict(row.previous) if row.previous else None, card=dict(row.card),
                           aggregate=dict(row.aggregate), fees_rials=row.fees_rials)


def _published(period: str) -> RankingSnapshot | None:
    try:
        return _snapshot_of(SnapshotItem.get(SNAPSHOTS, period, consistent_read=True))
    except DoesNotExist:
        return None


@unavailable_guard
def snapshot(period: str) -> RankingSnapshot | None:
    return _published(period)


@unavailable_guard
def snapshots(before: str | None = None, limit: int = 24) -> list[RankingSnapshot]:
    """Published snapshots, newest first (only those of periods before `before`, if given)."""
    condition = SnapshotItem.sk < before if before else None
    return [_snapshot_of(i) for i in SnapshotItem.query(SNAPSHOTS, condition, scan_index_forward=False, limit=limit,
                                                         consistent_read=True)]


@unavailable_guard
def rows(snapshot: RankingSnapshot, *, cached: bool = False) -> dict[str, RankingRow]:
    """office_id -> its row. A published snapshot's rows never change, so `cached` may keep them
    per container (the public outputs read them on every request)."""
    pk = rows_pk(snapshot.period, snapshot.fingerprint)

    def read():
        return {r.sk: _row_of(r) for r in SnapshotRowItem.query(pk)}
    return catalogue_store.cached(f"ranking:{pk}", read) if cached else read()


@unavailable_guard
def office_rows(snapshots: Sequence[RankingSnapshot], office_id: str) -> dict[str, RankingRow]:
    """period -> the office's row, for each of the `snapshots` it has one in (one BatchGet)."""
    by_pk = {rows_pk(h.period, h.fingerprint): h.period for h in snapshots}
    found = SnapshotRowItem.batch_get([(pk, office_id) for pk in by_pk])
    return {by_pk[r.pk]: _row_of(r) for r in found}


def _write_rows(items: list[SnapshotRowItem]) -> None:
    with SnapshotRowItem.batch_write() as writer:
        for item in items:
            writer.save(item)


def _delete_rows(pk: str) -> None:
    with SnapshotRowItem.batch_write() as writer:
        for item in SnapshotRowItem.query(pk, attributes_to_get=["pk", "sk"]):
            writer.delete(item)


@unavailable_guard
def publish(snapshot: RankingSnapshot, rows: Sequence[RankingRow]) -> tuple[RankingSnapshot, bool]:
    """The month's one ranking. The rows go in first, under a key holding the inputs'
    fingerprint (a rerun with the same inputs rewrites the same bytes); the head is then written
    with attribute_not_exists, so it exists only once its rows do, and only once per month.
    Returns (the month's snapshot, True) when this call published it; otherwise (the one
    published before, False), and our rows are removed if they differ from the winner's."""
    pk = rows_pk(snapshot.period, snapshot.fingerprint)
    _write_rows([_row_item(pk, r) for r in rows])
    try:
        _head_item(snapshot).save(condition=SnapshotItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        winner = _published(snapshot.period)
        if rows_pk(winner.period, winner.fingerprint) != pk:
            _delete_rows(pk)  # our inputs differed (events arrived between the runs): never referenced
        return winner, False
    return snapshot, True


@unavailable_guard
def set_tier(office_id: str, tier: int) -> None:
    """The office's published tier (routing and the office list read it). Not conditional on the
    office's version: the tier is the ranking's field alone, and an office edit must not lose it."""
    OfficeItem(office_id).update(actions=[OfficeItem.tier.set(tier)], condition=OfficeItem.office_id.exists(),
                                 add_version_condition=False)
