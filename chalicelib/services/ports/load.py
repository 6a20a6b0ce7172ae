"""The network's load: offices' live counters, the national queue, and the minute's snapshot."""
from __future__ import annotations

from datetime import date
from typing import Protocol

from chalicelib.domain.load import LiveLoad, LoadSnapshot, QueueSample


class LoadStore(Protocol):
    def office_loads(self, office_ids: list[str], day: date) -> dict[str, LiveLoad]:
        """Each office's live counters of `day` (an office never counted gets `LiveLoad()`)."""

    def national_queue_length(self) -> int:
        """Remote requests waiting in the national queue."""

    def snapshot(self) -> LoadSnapshot:
        """The last snapshot saved (`NO_SNAPSHOT` before the first); may be a minute old."""

    def save_snapshot(self, snapshot: LoadSnapshot) -> None:
        """Replace the snapshot (one writer: the schedule)."""

    def record_queue_length(self, sample: QueueSample) -> None:
        """Add a sample to its day's series of the national queue's length (one writer: the schedule)."""

    def queue_lengths(self, day: date) -> list[QueueSample]:
        """The samples of `day` (Asia/Tehran), oldest first; [] for a day never sampled."""
