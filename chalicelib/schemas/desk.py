"""The front desk: walk-in tickets, call-next, ending a visit, the operator's desk list and the
public display board."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from chalicelib.domain.text import to_latin_digits
from chalicelib.schemas.bookings import BookedServiceOut, BookingOut
from chalicelib.schemas.common import ID, InstantOut, LocalDateOut, NationalId, Number, Out, Strict

TicketKind = Literal["walk_in", "appointment"]
TicketStatus = Literal["WAITING", "CALLED", "SERVED", "NOT_PRESENT", "CLOSED"]


def _digits(value: object) -> object:
    return to_latin_digits(value) if isinstance(value, str) else value


class TicketIn(Strict):
    """A walk-in's ticket: the service, and the citizen's national ID if they show it (kept only as
    a keyed hash and masked)."""
    service_id: str = Field(pattern=ID)
    national_id: NationalId | None = None


class CounterIn(Strict):
    """The operator's counter; on ending a visit, optionally the ticket number they mean (refused
    when another ticket is at the counter)."""
    counter: int = Field(ge=1, le=99, description="The counter (باجه) the operator serves at.")
    ticket: int | None = Field(default=None, ge=1, description="The ticket number at the counter, as a guard.")

    _counter = field_validator("counter", "ticket", mode="before")(_digits)


class TicketOut(Out):
    number: int = Field(ge=1, description="Unique within the office-day; number order is arrival order.")
    label: str = Field(examples=["W012"], description="Latin letter of the kind (W walk-in, A appointment) and number.")
    label_fa: str = Field(examples=["ح۰۱۲"], description="Persian letter (ح walk-in, ن appointment) and digits.")
    kind: TicketKind
    status: TicketStatus
    service: BookedServiceOut
    arrived_at: InstantOut = Field(description="The walk-in's ticket, or the appointment's check-in.")
    due: InstantOut | None = Field(description="An appointment's start.")
    booking_id: str | None
    national_id: str | None = Field(description="Masked, when given.", examples=["*******679"])
    counter: int | None
    counter_fa: str | None
    called_at: InstantOut | None
    ended_at: InstantOut | None
    call_seq: int | None = Field(description="The call's position among the office-day's calls.")
    waited_min: Number | None = Field(description="Call time − arrival; for a waiting ticket, minutes so far.")
    served_min: Number | None = Field(description="Minutes at the counter (call to end).")
    recalls: int
    place: Literal["due", "lane", "early"] | None = Field(
        description="A waiting ticket's place in the call order: a due appointment, the walk-in lane, an early "
                    "appointment.")
    position: int | None = Field(description="A waiting ticket's position in the call order now (1 = next).")
    receipt_id: str | None = Field(
        description="A served ticket's receipt number (the walk-in's fee, or its appointment's), to hand over.")


class CheckedInOut(BookingOut):
    ticket: TicketOut | None = Field(default=None, description="The desk ticket the check-in gave.")


class DeskCounterOut(Out):
    counter: int
    ticket: TicketOut | None


class DeskOut(LocalDateOut):
    office_id: str
    walk_in_cap: int = Field(description="At most this many appointments are called in a row while a walk-in waits.")
    streak: int = Field(description="Appointments called in a row while the walk-in lane waited.")
    calls: int
    waiting: int
    serving: int
    served: int
    not_present: int
    closed: int = Field(description="Appointment tickets closed by completing the booking from the day list.")
    open_counters: list[int]
    counters: list[DeskCounterOut]
    wait_estimate_min: Number | None = Field(description="A walk-in arriving now; null when no counter is open.")
    pace_min: Number = Field(description="The office's measured minutes per served visit (prior: catalogue).")
    items: list[TicketOut] = Field(description="Every ticket of the day, in number order.")


class CallOut(Out):
    counter: int
    ticket: TicketOut | None = Field(description="The citizen called; null when nobody waits.")
    reason: Literal["due_appointment", "walk_in", "walk_in_cap", "early_appointment"] | None
    waiting: int = Field(description="Tickets still waiting after this call.")


class BoardTicketOut(Out):
    number: int
    number_fa: str
    label: str
    label_fa: str
    called_at: InstantOut | None
    recalls: int


class BoardCounterOut(Out):
    counter: int
    counter_fa: str
    ticket: BoardTicketOut | None


class BoardRecentOut(BoardTicketOut):
    counter: int
    counter_fa: str


class BoardOut(LocalDateOut):
    office_id: str
    name_fa: str
    name_en: str
    at: InstantOut
    open_now: bool
    counters: list[BoardCounterOut]
    recent: list[BoardRecentOut] = Field(description="The last calls, newest first.")
    waiting: int
    waiting_fa: str
    wait_estimate_min: Number | None
    wait_estimate_fa: str | None
    opens_at: InstantOut | None = Field(description="When a closed office opens (instead of a wait).")
