"""The outbox's one delivery loop, for every kind of message. Each kind has its courier (the SMS
gateway, the partner callback sender) that says what became of one message; the loop CLAIMS each
message (a lease with expiry, a conditional write) before handing it over, so overlapping or
retried runs never send one twice, then finishes it or moves it to its next attempt with the
delay the courier chose (each kind keeps its own backoff schedule).

Messages of one thread (a booking, a request) go one after another in due order; threads run
concurrently on a small pool of workers, each message still claimed on its own."""
from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain import calendar
from chalicelib.domain import outbox as messages
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.observability import logger, metrics
from chalicelib.services.stores import stores

# A claim outlives any run: a scheduled function is stopped after 60 s and a send times out
# after 15 s. A message whose run died is claimed again this long after it was claimed.
LEASE_SECONDS = 300
BATCH = 100  # due messages read per partition and run
WORKERS = 8  # threads sending at once


@dataclass(frozen=True)
class Outcome:
    """What became of one message. `label` is what the run counts it as; with `retry_in` the
    message is tried again that many seconds later, without it the message is finished."""
    label: str
    retry_in: float | None = None
    given_up: tuple[str, str | None] | None = None  # (reason, code): finished as a dead letter


Courier = Callable[[OutboxMessage, datetime], Outcome]


@dataclass
class Report:
    """One run: outcomes by label, due messages another run had claimed first, and messages this
    run finished after its lease had expired (another run may have claimed and sent them too)."""
    counts: Counter[str] = field(default_factory=Counter)
    claimed_elsewhere: int = 0
    lease_lost: int = 0
    buried: int = 0  # finished as dead letters
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, label: str | None = None, *, claimed_elsewhere: int = 0, lease_lost: int = 0,
            buried: int = 0) -> None:
        with self._lock:
            self.buried += buried
            if label is not None:
                self.counts[label] += 1
            self.claimed_elsewhere += claimed_elsewhere
            self.lease_lost += lease_lost


def deliver(kind: str, courier: Courier, now: datetime | None = None, *, workers: int = WORKERS,
            batch: int = BATCH, lease_seconds: float = LEASE_SECONDS, budget_s: float | None = None) -> Report:
    """Deliver the due messages of one kind: the due messages are read a page at a time and fed
    to `workers` threads as they free up (no page waits for the slowest send of the one before),
    until no due message is left or `budget_s` has passed; after that nothing more is claimed, so
    the run ends about one send later and what it did not reach waits, unclaimed, for the next
    run. `now` is the run's clock: leases are taken and retries scheduled on it, advanced by the
    time the run has taken so far."""
    now = now or calendar.now_tehran()
    started = time.monotonic()
    report = Report()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    def in_time() -> bool:
        return budget_s is None or time.monotonic() - started < budget_s

    # Messages of one thread go one after another in due order: a thread's later message waits in
    # its chain while an earlier one is being sent, and the worker sending it takes it next.
    chains: dict[str, deque[OutboxMessage]] = {}
    lock = threading.Lock()
    room = threading.Semaphore(max(1, workers) * 4)  # read ahead of the sends, boundedly
    broken = threading.Event()  # a worker failed (the database went away): read no further

    def run_chain(thread: str) -> None:
        while True:
            with lock:
                chain = chains[thread]
                if not chain:
                    del chains[thread]
                    return
                message = chain.popleft()
            try:
                if in_time() and not broken.is_set():
                    _deliver_one(message, courier, clock, lease_seconds, report)
            except BaseException:
                broken.set()
                with lock:  # its thread's later messages stay queued for the next run
                    for _ in chains.pop(thread):
                        room.release()
                raise
            finally:
                room.release()

    def offer(message: OutboxMessage) -> bool:
        """Hand the message to its thread's chain once there is room; False when the run is over."""
        while not room.acquire(timeout=0.25):
            if not in_time() or broken.is_set():
                return False
        with lock:
            queued = chains.get(message.thread)
            if queued is not None:
                queued.append(message)
                return True
            chains[message.thread] = deque([message])
        futures.append(pool.submit(run_chain, message.thread))
        return True

    futures: list = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=f"outbox-{kind}") as pool:
        for page in stores.outbox.due_pages(kind, now, batch):  # earliest first within each page
            if not all(offer(message) for message in page) or not in_time() or broken.is_set():
                break
        for future in futures:
            future.result()
    if report.lease_lost:
        metrics.add_metric(name="OutboxLeaseLost", unit="Count", value=report.lease_lost)
    if report.claimed_elsewhere or report.lease_lost:
        logger.info("outbox run overlapped another", extra={
            "kind": kind, "claimed_elsewhere": report.claimed_elsewhere, "lease_lost": report.lease_lost})
    return report


def _deliver_one(message: OutboxMessage, courier: Courier, clock: Callable[[], datetime], lease_seconds: float,
                 report: Report) -> None:
    claimed = stores.outbox.claim(message, clock(), lease_seconds)
    if claimed is None:
        report.add(claimed_elsewhere=1)
        return
    outcome = courier(claimed, clock())
    if outcome.given_up is not None:
        finished = stores.outbox.bury(messages.given_up(claimed, *outcome.given_up, clock()), claimed.lease)
        report.add(buried=1 if finished else 0)
    elif outcome.retry_in is None:
        finished = stores.outbox.done(claimed)
    else:
        finished = stores.outbox.retry_later(claimed, clock() + timedelta(seconds=max(outcome.retry_in, 1)))
    report.add(outcome.label, lease_lost=0 if finished else 1)
