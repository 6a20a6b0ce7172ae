"""The network's load: offices' live counters, the national queue, and the minute's snapshot."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Protocol

from chalicelib.domain.catalogue import Office
from chalicelib.domain.load import LiveLoad, LoadSnapshot, QueueSample


class LoadStore(Protocol):
    def office_loads(self, office_ids: list[str], day: date) -> dict[str, LiveLoad]:
        """Each office's live counters of `day` (an office never counted gets `LiveLoad()`)."""

    def national_queue_length(self) -> int:
        """Remote requests waiting in the national queue."""

    def snapshot(self, offices: Iterable[Office] | None = None) -> LoadSnapshot:
        """The last snapshot saved (`NO_SNAPSHOT` before the first); may be a minute old. With
        `offices`, only their lines (an office the snapshot has no line for is left out), read
        without the rest; `[]`: the day, minute and queue alone."""

    def save_snapshot(self, snapshot: LoadSnapshot, provinces: Mapping[str, str]) -> None:
        """Replace the snapshot (one writer: the schedule); `provinces` names each office's province."""

    def record_queue_length(self, sample: QueueSample) -> None:
        """Add a sample to its day's series of the national queue's length (one writer: the schedule)."""

    def queue_lengths(self, day: date) -> list[QueueSample]:
        """The samples of `day` (Asia/Tehran), oldest first; [] for a day never sampled."""
