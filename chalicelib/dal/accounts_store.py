"""The association's accounts on DynamoDB: the tariff book, fee records, their monthly totals and
volumes, receipts and tariff proposals. Takes and returns the domain's `BookVersion`,
`FeeRecord`, `FeeTotals`, `Receipt` and `Volume`.

Item layout (table `accounts`):
  TARIFFS              / HEAD          the book's latest version number
  TARIFFS              / V#{n:06d}     one adopted version (immutable)
  FE#{office}#{month}  / {record key}  a fee record (BK#…, RQ#…, ADJ#…), written once
  FT#{month}           / {office}      the office's records of the month, summed
  FV#{month}           / {office}#{service}  services delivered (the simulator's volumes)
  RC#{receipt}         / RECEIPT       the citizen's receipt
  TP#{proposal}        / PROPOSAL      a proposed book
A fee is written by the transaction that completes the visit or request (`add_fee`, called by
booking_store and request_store), so a completion and its fee exist together or not at all.

Reads on the request path are point reads: the head (cached per container under the "tariffs"
stamp, which an adoption moves in its own transaction: catalogue_store.cached) and the versions it
names (immutable, so cached for good once read)."""
from __future__ import annotations

import secrets
import threading
from collections.abc import Sequence
from datetime import date, datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal import catalogue_store, outbox_store
from chalicelib.dal.db import Tx, TxConditionFailed, TxConflict, unavailable_guard
from chalicelib.dal.models import (
    FeeRecordItem,
    FeeTotalItem,
    FeeVolumeItem,
    ProposalItem,
    ReceiptItem,
    TariffHeadItem,
    TariffVersionItem,
)
from chalicelib.domain.config import StaleVersion
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.tariffs import BookVersion, FeeRecord, FeeTotals, Receipt, TariffLine, Volume

BOOK = "TARIFFS"
HEAD = "HEAD"
_versions: dict[tuple[str, int], BookVersion] = {}  # (book id, number): immutable once adopted, kept
_lock = threading.Lock()


def _version_sk(number: int) -> str:
    return f"V#{number:06d}"


def _version(item: TariffVersionItem) -> BookVersion:
    return BookVersion(int(item.sk.removeprefix("V#")), date.fromisoformat(item.effective_from),
                       {s: TariffLine.from_doc(v) for s, v in (item.lines or {}).items()}, item.adopted_by,
                       item.adopted_at, item.reason or "", item.proposal_id)


def _version_item(v: BookVersion) -> TariffVersionItem:
    return TariffVersionItem(BOOK, _version_sk(v.number), effective_from=v.effective_from.isoformat(),
                             lines={s: line.doc() for s, line in v.lines.items()}, adopted_by=v.adopted_by,
                             adopted_at=v.adopted_at, reason=v.reason or None, proposal_id=v.proposal_id)


# --- the tariff book -----------------------------------------------------------------------------

def _head(cached: bool) -> tuple[int, str]:
    def read() -> tuple[int, str]:
        try:
            item = TariffHeadItem.get(BOOK, HEAD, consistent_read=not cached)
        except DoesNotExist:
            return 0, ""
        return int(item.number), item.book_id
    return read() if not cached else catalogue_store.cached("tariff-head", read, kind="tariffs")


@unavailable_guard
def book_head(*, cached: bool = True) -> int:
    """The book's latest version number; 0 when nothing was ever written (the seed is implied)."""
    return _head(cached)[0]


@unavailable_guard
def book_versions(*, cached: bool = True) -> list[BookVersion]:
    """Every adopted version, oldest first: the head, then a point read of each version not read
    before (versions never change, so a container reads each once)."""
    head, book = _head(cached)
    missing = [n for n in range(1, head + 1) if (book, n) not in _versions]
    if missing:
        for item in TariffVersionItem.batch_get([(BOOK, _version_sk(n)) for n in missing], consistent_read=True):
            with _lock:
                _versions[(book, int(item.sk.removeprefix("V#")))] = _version(item)
    return [_versions[(book, n)] for n in range(1, head + 1) if (book, n) in _versions]


@unavailable_guard
def adopt_versions(versions: Sequence[BookVersion], expected: int, *, proposal_id: str | None = None) -> int:
    """Write `versions` (numbered expected+1, expected+2, …) and move the head to the last, only if
    the head is still `expected`; with `proposal_id`, also mark that proposal adopted (once).
    Raises StaleVersion otherwise. Returns the new head."""
    if not versions or [v.number for v in versions] != list(range(expected + 1, expected + 1 + len(versions))):
        raise ValueError("versions must follow the head in order")
    number, book = _head(cached=False)
    if number != expected:
        raise StaleVersion("tariffs")
    tx = Tx()
    for v in versions:
        tx.put("version", _version_item(v), condition=TariffVersionItem.pk.does_not_exist())
    last = versions[-1]
    condition = TariffHeadItem.pk.does_not_exist() if expected == 0 else TariffHeadItem.number == expected
    tx.put("head", TariffHeadItem(BOOK, HEAD, number=last.number, book_id=book or secrets.token_hex(8),
                                  updated_at=last.adopted_at), condition=condition)
    if proposal_id is not None:
        tx.update("proposal", ProposalItem(f"TP#{proposal_id}", "PROPOSAL"),
                  [ProposalItem.adopted_version.set(last.number)],
                  condition=ProposalItem.pk.exists() & ProposalItem.adopted_version.does_not_exist())
    try:
        catalogue_store.commit_stamped(tx, "tariffs", "tariff-head")  # retried when it met a change of another kind
    except (TxConditionFailed, TxConflict) as exc:
        raise StaleVersion("tariffs") from exc
    return last.number


def forget_cache() -> None:
    """Tests and tools that rewrite the table: forget the versions read."""
    with _lock:
        _versions.clear()
    catalogue_store.forget("tariff-head")


# --- fee records -----------------------------------------------------------------------------------

def _record_doc(r: FeeRecord) -> dict:
    return {"record_key": r.record_key, "receipt_id": r.receipt_id, "kind": r.kind, "office_id": r.office_id,
            "province": r.province, "service_id": r.service_id, "tariff_version": r.tariff_version,
            "government_rials": r.government_rials, "office_rials": r.office_rials,
            "share_base_rials": r.share_base_rials, "channel": r.channel, "period": r.period,
            "at": r.at.isoformat(timespec="seconds"), "subject": r.subject, "actor": r.actor,
            "refers_to": r.refers_to, "reason": r.reason}


def _record_from_doc(d: dict) -> FeeRecord:
    return FeeRecord(d["record_key"], d["receipt_id"], d["kind"], d["office_id"], d["province"], d["service_id"],
                     int(d["tariff_version"]), int(d["government_rials"]), int(d["office_rials"]),
                     int(d["share_base_rials"]), d["channel"], d["period"], datetime.fromisoformat(d["at"]),
                     d["subject"], d["actor"], d.get("refers_to"), d.get("reason"))


def _record_item(r: FeeRecord) -> FeeRecordItem:
    doc = _record_doc(r)
    key = doc.pop("record_key")
    return FeeRecordItem(f"FE#{r.office_id}#{r.period}", key, **doc)


def _record(item: FeeRecordItem) -> FeeRecord:
    return _record_from_doc({**{k: getattr(item, k) for k in FeeRecordItem.get_attributes() if k not in ("pk", "sk")},
                             "record_key": item.sk})


def _count_totals(tx: Tx, r: FeeRecord) -> None:
    actions = [FeeTotalItem.province.set(r.province), FeeTotalItem.government_rials.add(r.government_rials),
               FeeTotalItem.office_rials.add(r.office_rials), FeeTotalItem.share_base_rials.add(r.share_base_rials)]
    if r.kind == "fee":
        actions.append(FeeTotalItem.count.add(1))
        tx.update("volume", FeeVolumeItem(f"FV#{r.period}", f"{r.office_id}#{r.service_id}"),
                  [FeeVolumeItem.office_id.set(r.office_id), FeeVolumeItem.service_id.set(r.service_id),
                   FeeVolumeItem.count.add(1)])
    tx.update("totals", FeeTotalItem(f"FT#{r.period}", r.office_id), actions)


def add_fee(tx: Tx, record: FeeRecord, *, access_code_hash: str | None, citizen_key: str | None,
            messages: Sequence[OutboxMessage] = ()) -> None:
    """Inside the completing transaction: the fee record and the receipt (both only if new: label
    `fee`), the month's totals and volumes, and the receipt's SMS."""
    tx.put("fee", _record_item(record), condition=FeeRecordItem.pk.does_not_exist())
    tx.put("fee", ReceiptItem(f"RC#{record.receipt_id}", "RECEIPT", record=_record_doc(record),
                              access_code_hash=access_code_hash, citizen_key=citizen_key, adjusted_rials=0),
           condition=ReceiptItem.pk.does_not_exist())
    _count_totals(tx, record)
    outbox_store.add(tx, messages)


@unavailable_guard
def record_fee(record: FeeRecord, *, access_code_hash: str | None, citizen_key: str | None,
               messages: Sequence[OutboxMessage] = ()) -> None:
    """A fee on its own transaction (bulk loads and tests). Failing label: fee (already recorded)."""
    tx = Tx()
    add_fee(tx, record, access_code_hash=access_code_hash, citizen_key=citizen_key, messages=messages)
    tx.commit()


@unavailable_guard
def record_adjustment(record: FeeRecord, receipt: Receipt) -> None:
    """A refund or correction of `receipt`: the new record, the month's totals and the receipt's
    adjusted sum, only if nobody adjusted the receipt since it was read. Failing labels: duplicate
    (the reference was recorded already), receipt (adjusted meanwhile)."""
    tx = Tx()
    tx.put("duplicate", _record_item(record), condition=FeeRecordItem.pk.does_not_exist())
    _count_totals(tx, record)
    read = ReceiptItem.adjusted_rials == receipt.adjusted_rials
    if receipt.adjusted_rials == 0:
        read = read | ReceiptItem.adjusted_rials.does_not_exist()
    tx.update("receipt", ReceiptItem(f"RC#{receipt.receipt_id}", "RECEIPT"),
              [ReceiptItem.adjusted_rials.add(record.total_rials)], condition=ReceiptItem.pk.exists() & read)
    tx.commit()


@unavailable_guard
def get_receipt(receipt_id: str) -> Receipt | None:
    try:
        item = ReceiptItem.get(f"RC#{receipt_id}", "RECEIPT", consistent_read=True)
    except DoesNotExist:
        return None
    return Receipt(receipt_id, _record_from_doc(item.record), item.access_code_hash, item.citizen_key,
                   int(item.adjusted_rials or 0))


@unavailable_guard
def office_records(office_id: str, period: str) -> list[FeeRecord]:
    """An office's fee records of one month (one paginated Query of its partition)."""
    return [_record(i) for i in FeeRecordItem.query(f"FE#{office_id}#{period}", consistent_read=True)]


@unavailable_guard
def month_totals(period: str) -> dict[str, FeeTotals]:
    """office_id -> its fee totals of the month: one paginated Query of the month's partition."""
    return {i.sk: FeeTotals(i.sk, i.province or "", int(i.count or 0), int(i.government_rials or 0),
                            int(i.office_rials or 0), int(i.share_base_rials or 0))
            for i in FeeTotalItem.query(f"FT#{period}", consistent_read=True)}


@unavailable_guard
def month_volumes(period: str) -> list[Volume]:
    """Services delivered per office and service in the month: one paginated Query."""
    return [Volume(period, i.office_id, i.service_id, int(i.count or 0))
            for i in FeeVolumeItem.query(f"FV#{period}", consistent_read=True)]


# --- proposals -------------------------------------------------------------------------------------

@unavailable_guard
def save_proposal(proposal_id: str, document: dict, actor: str, now: datetime) -> None:
    ProposalItem(f"TP#{proposal_id}", "PROPOSAL", document=document, created_by=actor,
                 created_at=now.isoformat(timespec="seconds")).save(condition=ProposalItem.pk.does_not_exist())


@unavailable_guard
def get_proposal(proposal_id: str) -> dict | None:
    """{document, created_by, created_at, adopted_version} or None."""
    try:
        item = ProposalItem.get(f"TP#{proposal_id}", "PROPOSAL", consistent_read=True)
    except DoesNotExist:
        return None
    return {"document": item.document, "created_by": item.created_by, "created_at": item.created_at,
            "adopted_version": int(item.adopted_version) if item.adopted_version is not None else None}
