"""In-memory network load (ports.load.LoadStore). Tests set live counters with `count`; in the
running app the booking and request transactions keep them."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office
from chalicelib.domain.load import NO_SNAPSHOT, LiveLoad, LoadSnapshot, QueueSample


class FakeLoadStore:
    def __init__(self, snapshot: LoadSnapshot = NO_SNAPSHOT, queue_remote: int = 0) -> None:
        self.open: dict[str, tuple[int, int]] = {}  # office -> (open, busy): not per day
        self.days: dict[tuple[str, date], tuple[int, int]] = {}  # (office, day) -> (waiting, remote_claimed)
        self.queue_remote = queue_remote
        self.saved = snapshot
        self.queue_days: dict[date, list[QueueSample]] = {}

    def count(self, office_id: str, day: date, *, open: int | None = None, busy: int = 0, waiting: int = 0,
              remote_claimed: int = 0) -> None:
        """What the transactions would have counted (test setup)."""
        if open is not None:
            self.open[office_id] = (open, busy)
        was = self.days.get((office_id, day), (0, 0))
        self.days[(office_id, day)] = (was[0] + waiting, was[1] + remote_claimed)

    def office_loads(self, office_ids: list[str], day: date) -> dict[str, LiveLoad]:
        loads = {}
        for office_id in office_ids:
            load = LiveLoad()
            if office_id in self.open:
                opened, busy = self.open[office_id]
                load = replace(load, open=opened, busy=max(0, busy))
            if (office_id, day) in self.days:
                waiting, claimed = self.days[(office_id, day)]
                load = replace(load, waiting=max(0, waiting), remote_claimed=claimed)
            loads[office_id] = load
        return loads

    def national_queue_length(self) -> int:
        return self.queue_remote

    def snapshot(self, offices: Iterable[Office] | None = None) -> LoadSnapshot:
        if offices is None or self.saved is NO_SNAPSHOT:
            return self.saved
        wanted = [o.office_id for o in offices]
        return replace(self.saved, offices={o: self.saved.offices[o] for o in wanted if o in self.saved.offices})

    def save_snapshot(self, snapshot: LoadSnapshot, provinces: Mapping[str, str]) -> None:
        missing = set(snapshot.offices) - set(provinces)
        if missing:  # the real store shards by province: it cannot place such an office
            raise KeyError(sorted(missing)[0])
        self.saved = snapshot

    def record_queue_length(self, sample: QueueSample) -> None:
        day = self.queue_days.setdefault(sample.at.astimezone(calendar.TEHRAN).date(), [])
        if all(s.at != sample.at for s in day):  # a retried minute is not counted twice
            day.append(sample)

    def queue_lengths(self, day: date) -> list[QueueSample]:
        return sorted(self.queue_days.get(day, []), key=lambda s: s.at)
