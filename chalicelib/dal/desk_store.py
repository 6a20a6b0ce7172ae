"""The front desk on DynamoDB, in the bookings table's office-day partition (pk OD#office#day),
every item under sk DS#… so one strongly consistent query reads the whole desk (models.DeskItem):

  DS#LINE         streak of the walk-in cap, `calls`, `open_counters`
  DS#SEQ          the day's last ticket number (an atomic counter: numbers never repeat)
  DS#CTR#{k:02d}  counter k: `ticket` = the number served there (absent: the counter is free)
  DS#TK#{n:05d}   ticket n
  DS#{office} / PACE  the office's measured service pace (kept across days)

A call is one transaction: the ticket is still WAITING, the counter has nobody, and the line is as
read (`calls` unchanged, so the streak the pick used is the current one). Ending a visit frees the
counter in the same transaction. Walk-ins count among the office's visitors (load_store.count_day)
from their ticket to the end of their visit, as checked-in appointments do; the line item is written
only by calls (and a counter's closing), so tickets issued at once never contend on it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.dal import accounts_store, booking_store, load_store, outbox_store
from chalicelib.dal.booking_store import office_day_pk
from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import DeskItem
from chalicelib.domain.booking import Booking
from chalicelib.domain.desk import CALLED, WAITING, WALK_IN, DeskLoad, Line, Pace, Ticket
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.tariffs import FeeRecord

LINE, SEQ, PACE = "DS#LINE", "DS#SEQ", "PACE"
_TICKET, _COUNTER = "DS#TK#", "DS#CTR#"


def _ticket_sk(number: int) -> str:
    return f"{_TICKET}{number:05d}"


def _counter_sk(counter: int) -> str:
    return f"{_COUNTER}{counter:02d}"


def _pace_pk(office_id: str) -> str:
    return f"DS#{office_id}"


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _ticket_item(t: Ticket) -> DeskItem:
    return DeskItem(office_day_pk(t.office_id, t.day), _ticket_sk(t.number), kind=t.kind, service_id=t.service_id,
                    status=t.status, arrived_at=_stamp(t.arrived_at), due=_stamp(t.due), booking_id=t.booking_id,
                    citizen_key=t.citizen_key, national_id_masked=t.national_id_masked, counter=t.counter,
                    called_at=_stamp(t.called_at), called_by=t.called_by, ended_at=_stamp(t.ended_at),
                    recalls=t.recalls, issued_by=t.issued_by, call_seq=t.call_seq)


def _ticket_from(item: DeskItem, office_id: str, day: date) -> Ticket:
    return Ticket(office_id, day, int(item.sk.removeprefix(_TICKET)), item.kind, item.service_id, item.status,
                  _moment(item.arrived_at), due=_moment(item.due), booking_id=item.booking_id,
                  citizen_key=item.citizen_key, national_id_masked=item.national_id_masked,
                  counter=None if item.counter is None else int(item.counter), called_at=_moment(item.called_at),
                  called_by=item.called_by, ended_at=_moment(item.ended_at), recalls=int(item.recalls or 0),
                  issued_by=item.issued_by, call_seq=None if item.call_seq is None else int(item.call_seq))


# --- reads ------------------------------------------------------------------------------------

@unavailable_guard
def line(office_id: str, day: date) -> Line:
    """The office-day's whole desk in one consistent query: tickets (number order), counters, line."""
    tickets, at_counter = [], {}
    streak = calls = 0
    opened: frozenset[int] = frozenset()
    for item in DeskItem.query(office_day_pk(office_id, day), DeskItem.sk.startswith("DS#"), consistent_read=True):
        if item.sk.startswith(_TICKET):
            tickets.append(_ticket_from(item, office_id, day))
        elif item.sk.startswith(_COUNTER):
            if item.ticket is not None:
                at_counter[int(item.sk.removeprefix(_COUNTER))] = int(item.ticket)
        elif item.sk == LINE:
            streak, calls = int(item.streak or 0), int(item.calls or 0)
            opened = frozenset(int(k) for k in item.open_counters or ())
    return Line(office_id, day, tuple(tickets), at_counter, streak, calls, opened)


@unavailable_guard
def desk_loads(office_ids: list[str], day: date) -> dict[str, DeskLoad]:
    """Each office's desk of `day`, in batches (the load snapshot reads O(offices) items)."""
    loads = {o: DeskLoad() for o in office_ids}
    for item in DeskItem.batch_get([(office_day_pk(o, day), LINE) for o in office_ids]):
        loads[item.pk.split("#")[1]] = DeskLoad(len(item.open_counters or ()))
    return loads


@unavailable_guard
def paces(office_ids: list[str]) -> dict[str, Pace]:
    """The offices' measured paces (offices that measured nothing yet are absent)."""
    return {item.pk.removeprefix("DS#"): Pace(float(item.minutes), int(item.measured or 0))
            for item in DeskItem.batch_get([(_pace_pk(o), PACE) for o in office_ids])}


# --- writes -----------------------------------------------------------------------------------

@unavailable_guard
def next_number(office_id: str, day: date) -> int:
    """The next ticket number of the office-day (atomic: concurrent callers never get the same)."""
    item = DeskItem(office_day_pk(office_id, day), SEQ)
    item.update(actions=[DeskItem.issued.add(1)])
    return int(item.issued)


def _arrive(tx: Tx, ticket: Ticket) -> None:
    tx.put("number", _ticket_item(ticket), condition=DeskItem.sk.does_not_exist())


@unavailable_guard
def issue(ticket: Ticket, now: datetime) -> Ticket:
    """A walk-in's ticket joins the line and the office's visitors. Label: number (already used)."""
    tx = Tx()
    _arrive(tx, ticket)
    load_store.count_day(tx, ticket.office_id, ticket.day, now, waiting=1)
    tx.commit()
    return ticket


@unavailable_guard
def check_in(booking: Booking, after: Booking, ticket: Ticket, now: datetime) -> Booking:
    """Check an appointment in and give it its ticket, in one transaction. Labels: booking, number."""
    tx = Tx()
    booking_store.add_transition(tx, booking, after, now)
    _arrive(tx, ticket)
    tx.commit()
    return after


@unavailable_guard
def call(seen: Line, ticket: Ticket, streak: int, counter: int, operator: str, now: datetime) -> Ticket:
    """Call `ticket` to `counter`, if the ticket still waits (label ticket), nobody is at the
    counter (label counter) and the line is as `seen` (label line): the pick's streak is current."""
    after = ticket.called(counter, operator, now, call_seq=seen.calls + 1)
    pk = office_day_pk(ticket.office_id, ticket.day)
    tx = Tx()
    tx.update("ticket", DeskItem(pk, _ticket_sk(ticket.number)),
              [DeskItem.status.set(CALLED), DeskItem.counter.set(counter), DeskItem.called_at.set(_stamp(after.called_at)),
               DeskItem.called_by.set(operator), DeskItem.call_seq.set(after.call_seq)],
              condition=DeskItem.status == WAITING, versioned=False)
    tx.update("counter", DeskItem(pk, _counter_sk(counter)), [DeskItem.ticket.set(ticket.number)],
              condition=DeskItem.ticket.does_not_exist(), versioned=False)
    unchanged = DeskItem.calls == seen.calls
    if seen.calls == 0:
        unchanged = DeskItem.calls.does_not_exist() | unchanged
    tx.update("line", DeskItem(pk, LINE),
              [DeskItem.streak.set(streak), DeskItem.calls.add(1), DeskItem.open_counters.add({counter})],
              condition=unchanged, versioned=False)
    tx.commit()
    return after


@unavailable_guard
def end(ticket: Ticket, outcome: str, now: datetime, *, booking: Booking | None = None,
        booking_after: Booking | None = None, fee: FeeRecord | None = None,
        messages: Sequence[OutboxMessage] = ()) -> Ticket:
    """End a ticket's visit: a CALLED ticket frees its counter (labels ticket, counter); a WAITING
    one (an appointment completed from the day list) leaves the line (label ticket). With
    `booking`, the appointment's step to `booking_after` is written too (label booking)."""
    after = ticket.ended(outcome, now)
    pk = office_day_pk(ticket.office_id, ticket.day)
    tx = Tx()
    written = [DeskItem.status.set(outcome), DeskItem.ended_at.set(_stamp(after.ended_at))]
    if ticket.status == CALLED:
        tx.update("ticket", DeskItem(pk, _ticket_sk(ticket.number)), written,
                  condition=(DeskItem.status == CALLED) & (DeskItem.counter == ticket.counter), versioned=False)
        tx.update("counter", DeskItem(pk, _counter_sk(ticket.counter)), [DeskItem.ticket.remove()],
                  condition=DeskItem.ticket == ticket.number, versioned=False)
    else:
        tx.update("ticket", DeskItem(pk, _ticket_sk(ticket.number)), written, condition=DeskItem.status == WAITING,
                  versioned=False)
    if booking is not None and booking_after is not None:
        booking_store.add_transition(tx, booking, booking_after, now)
        if fee is not None:  # the completed visit's fee and receipt (label fee)
            accounts_store.add_fee(tx, fee, access_code_hash=booking.access_code_hash, citizen_key=booking.citizen_key)
        outbox_store.add(tx, messages)
    elif ticket.kind == WALK_IN:
        load_store.count_day(tx, ticket.office_id, ticket.day, now, waiting=-1)
        if fee is not None:  # the served walk-in's fee and receipt (label fee), readable with its citizen's session
            accounts_store.add_fee(tx, fee, access_code_hash=None, citizen_key=ticket.citizen_key)
    tx.commit()
    return after


@unavailable_guard
def recall(ticket: Ticket) -> Ticket:
    """Announce a called ticket again (label ticket: it is no longer at that counter)."""
    tx = Tx()
    tx.update("ticket", DeskItem(office_day_pk(ticket.office_id, ticket.day), _ticket_sk(ticket.number)),
              [DeskItem.recalls.add(1)], condition=(DeskItem.status == CALLED) & (DeskItem.counter == ticket.counter),
              versioned=False)
    tx.commit()
    return replace(ticket, recalls=ticket.recalls + 1)


@unavailable_guard
def close_counter(office_id: str, day: date, counter: int) -> None:
    """The counter stops calling (it no longer counts as open). Label counter: someone is at it."""
    pk = office_day_pk(office_id, day)
    tx = Tx()
    tx.check("counter", DeskItem, pk, _counter_sk(counter), DeskItem.ticket.does_not_exist())
    tx.update("line", DeskItem(pk, LINE), [DeskItem.open_counters.delete({counter})], versioned=False)
    tx.commit()


@unavailable_guard
def record_pace(office_id: str, seen: Pace | None, minutes: float, now: datetime) -> bool:
    """Replace the office's pace with `minutes` if it is still `seen` (no other visit folded since);
    False when another one was (the caller folds again on the fresh value, or lets it go)."""
    item = DeskItem(_pace_pk(office_id), PACE)
    condition = DeskItem.measured.does_not_exist() if seen is None else DeskItem.measured == seen.measured
    try:
        item.update(actions=[DeskItem.minutes.set(minutes), DeskItem.measured.add(1),
                             DeskItem.updated_at.set(_stamp(now))], condition=condition)
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


@unavailable_guard
def pace(office_id: str) -> Pace | None:
    try:
        item = DeskItem.get(_pace_pk(office_id), PACE, consistent_read=True)
    except DoesNotExist:
        return None
    return Pace(float(item.minutes), int(item.measured or 0))
