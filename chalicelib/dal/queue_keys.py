"""Keys of the remote-work queues in the `requests` table, shared by request_store (which writes
and claims entries) and load_store (which counts the national queue).

  Q#{shard}    / {deadline epoch:012d}#{tracking_code}   the national queue, EDF, sharded
  QO#{office}  / {deadline epoch:012d}#{tracking_code}   a citizen's preferred office's own queue
  AS#{shard}   / {accept_by epoch:012d}#{tracking_code}  assigned, to be started by accept_by
"""
from __future__ import annotations

import hashlib
from datetime import datetime

QUEUE_SHARDS = 8
NATIONAL = tuple(f"Q#{n}" for n in range(QUEUE_SHARDS))


def shard(tracking_code: str) -> int:
    return int(hashlib.sha256(tracking_code.encode()).hexdigest(), 16) % QUEUE_SHARDS


def national_queue(tracking_code: str) -> str:
    return f"Q#{shard(tracking_code)}"


def office_queue(office_id: str) -> str:
    return f"QO#{office_id}"


def queue(tracking_code: str, office_id: str | None) -> str:
    """The partition a request waits in: its office's own queue, or its national shard."""
    return office_queue(office_id) if office_id else national_queue(tracking_code)


def office_of(partition: str) -> str | None:
    return partition.removeprefix("QO#") if partition.startswith("QO#") else None


def sort_key(moment: datetime, tracking_code: str) -> str:
    """Earliest first; the code breaks ties and keeps keys unique."""
    return f"{int(moment.timestamp()):012d}#{tracking_code}"


def lease_key(tracking_code: str, accept_by: datetime) -> tuple[str, str]:
    return f"AS#{shard(tracking_code)}", sort_key(accept_by, tracking_code)
