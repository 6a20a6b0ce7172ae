"""Use cases of the operators registry: the association and an office's manager register the
office's operators (licence, training, insurance). Licences cap the counters open to bookings
(catalogue.bookable_counters); licence, training and insurance make the compliance indicator."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain import calendar
from chalicelib.domain import ranking_live as live
from chalicelib.errors import NotFound
from chalicelib.observability import logger
from chalicelib.schemas import OperatorIn
from chalicelib.services import catalogue, closures
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

# How far ahead the registry warns of lapsing licences: a renewal takes weeks.
CAPACITY_HORIZON_DAYS = 90


def operator_view(rec: live.OperatorRecord, now: datetime) -> dict:
    today = now.date()
    return {"operator_id": rec.operator_id, "office_id": rec.office_id, "licence_number": rec.licence_number,
            "licence_expiry": calendar.date_out(rec.licence_expiry), "training_hours": rec.training_hours,
            "insured": rec.insured, "licence_valid": rec.licensed_on(today),
            "compliant": rec.compliant_on(today, get_settings().operator_min_training_hours),
            "updated_at": rec.updated_at}


def register(office_id: str, operator_id: str, req: OperatorIn, actor: str, now: datetime | None = None) -> dict:
    """Create or replace an operator's record (PUT semantics: the body is the whole record)."""
    now = now or calendar.now_tehran()
    catalogue.get_office(office_id)
    rec = live.OperatorRecord(operator_id, office_id, req.licence_number, req.licence_expiry, req.training_hours,
                              req.insured, updated_at=now.isoformat(timespec="seconds"), updated_by=actor)
    stores.operators.save(rec)
    logger.info("operator registered", extra={"office_id": office_id, "operator_id": operator_id, "by": actor})
    _fit_bookings(office_id, now)
    return operator_view(rec, now)


def _fit_bookings(office_id: str, now: datetime) -> None:
    """A changed registry can leave fewer licensed counters than bookings held: fit them now (the
    sweep job does it too, and catches licences that simply expire)."""
    stores.operators.licence_expiries(office_id, fresh=True)
    closures.fit_office(office_id, now)


def office_registry(office_id: str, now: datetime | None = None) -> dict:
    """The office's operators, its compliance share and the counters open to bookings today."""
    now = now or calendar.now_tehran()
    office = catalogue.get_office(office_id)
    records = sorted(stores.operators.office_operators(office_id), key=lambda r: r.operator_id)
    total, compliant = live.compliance(records, now.date(), get_settings().operator_min_training_hours)
    # The manager sees today's licences, not this container's cached ones (read afresh, and kept).
    licences = stores.operators.licence_expiries(office_id, fresh=True)
    changes = live.capacity_changes(int(office.counters), records, now.date(), CAPACITY_HORIZON_DAYS)
    return {"office_id": office_id, "declared_counters": int(office.counters),
            "bookable_counters": live.bookable_counters(int(office.counters), licences, now.date()),
            "operators": total, "compliant": compliant,
            "compliance_share": round(compliant / total, 4) if total else None,
            "items": [operator_view(r, now) for r in records],
            "capacity_horizon_days": CAPACITY_HORIZON_DAYS,
            "capacity_changes": [{**calendar.date_out(c.day), "operator_ids": list(c.operator_ids),
                                  "counters_before": c.counters_before, "counters_after": c.counters_after}
                                 for c in changes]}


def remove(office_id: str, operator_id: str) -> None:
    catalogue.get_office(office_id)
    if not stores.operators.delete(office_id, operator_id):
        raise NotFound("No such operator at this office", "چنین کاربری در این دفتر ثبت نشده است")
    _fit_bookings(office_id, calendar.now_tehran())
