"""Keys of the remote-work queues in the `requests` table, shared by request_store (which writes
and claims entries) and load_store (which counts the national queue).

  QC#{category} / {deadline epoch:012d}#{tracking_code}   the national queue, EDF, one partition per
                                                          service category
  QO#{office}   / {deadline epoch:012d}#{tracking_code}   a citizen's preferred office's own queue
  AS#{shard}    / {accept_by epoch:012d}#{tracking_code}  assigned, to be started by accept_by

The national queue is partitioned by category so an office reads only the partitions of the
categories it serves: work it cannot do never stands at the head of what it reads. Intake writes a
few requests a second nationally, far under one partition's limit, so a category needs no shards.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

LEASE_SHARDS = 8
NATIONAL_PREFIX = "QC#"


def shard(tracking_code: str) -> int:
    return int(hashlib.sha256(tracking_code.encode()).hexdigest(), 16) % LEASE_SHARDS


def national_queue(category: str) -> str:
    return f"{NATIONAL_PREFIX}{category}"


def national(categories: Iterable[str]) -> tuple[str, ...]:
    """The national queue's partitions of these categories."""
    return tuple(national_queue(c) for c in sorted(set(categories)))


def office_queue(office_id: str) -> str:
    return f"QO#{office_id}"


def queue(category: str, office_id: str | None) -> str:
    """The partition a request waits in: its office's own queue, or its category's national one."""
    return office_queue(office_id) if office_id else national_queue(category)


def office_of(partition: str) -> str | None:
    return partition.removeprefix("QO#") if partition.startswith("QO#") else None


def sort_key(moment: datetime, tracking_code: str) -> str:
    """Earliest first; the code breaks ties and keeps keys unique."""
    return f"{int(moment.timestamp()):012d}#{tracking_code}"


def lease_key(tracking_code: str, accept_by: datetime) -> tuple[str, str]:
    return f"AS#{shard(tracking_code)}", sort_key(accept_by, tracking_code)
