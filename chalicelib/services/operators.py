"""Use cases of the operators registry: the association and an office's manager register the
office's operators (licence, training, insurance). Licences cap the counters open to bookings
(catalogue.bookable_counters); licence, training and insurance make the compliance indicator."""
from __future__ import annotations

from datetime import datetime

from chalicelib.dal import catalogue_store, operator_store
from chalicelib.dal.models import OperatorItem
from chalicelib.domain import calendar
from chalicelib.domain import ranking_live as live
from chalicelib.errors import NotFound
from chalicelib.observability import logger
from chalicelib.schemas import OperatorIn
from chalicelib.services import catalogue
from chalicelib.settings import get_settings


def operator_view(item: OperatorItem, now: datetime) -> dict:
    rec, today = operator_store.record(item), now.date()
    return {"operator_id": rec.operator_id, "office_id": rec.office_id, "licence_number": rec.licence_number,
            "licence_expiry": calendar.date_out(rec.licence_expiry), "training_hours": rec.training_hours,
            "insured": rec.insured, "licence_valid": rec.licensed_on(today),
            "compliant": rec.compliant_on(today, get_settings().operator_min_training_hours),
            "updated_at": item.updated_at}


def register(office_id: str, operator_id: str, req: OperatorIn, actor: str, now: datetime | None = None) -> dict:
    """Create or replace an operator's record (PUT semantics: the body is the whole record)."""
    now = now or calendar.now_tehran()
    catalogue.get_office(office_id)
    item = OperatorItem(office_id, operator_id, licence_number=req.licence_number,
                        licence_expiry=req.licence_expiry.isoformat(), training_hours=req.training_hours,
                        insured=req.insured, updated_at=now.isoformat(timespec="seconds"), updated_by=actor)
    operator_store.save(item)
    logger.info("operator registered", extra={"office_id": office_id, "operator_id": operator_id, "by": actor})
    return operator_view(item, now)


def office_registry(office_id: str, now: datetime | None = None) -> dict:
    """The office's operators, its compliance share and the counters open to bookings today."""
    now = now or calendar.now_tehran()
    office = catalogue.get_office(office_id)
    items = sorted(operator_store.office_operators(office_id), key=lambda i: i.operator_id)
    total, compliant = live.compliance([operator_store.record(i) for i in items], now.date(),
                                       get_settings().operator_min_training_hours)
    catalogue_store.forget(f"licences:{office_id}")  # the manager sees today's truth, not this container's cache
    return {"office_id": office_id, "declared_counters": int(office.counters),
            "bookable_counters": catalogue.bookable_counters(office, now.date()),
            "operators": total, "compliant": compliant,
            "compliance_share": round(compliant / total, 4) if total else None,
            "items": [operator_view(i, now) for i in items]}


def remove(office_id: str, operator_id: str) -> None:
    catalogue.get_office(office_id)
    if not operator_store.delete(office_id, operator_id):
        raise NotFound("No such operator at this office", "چنین کاربری در این دفتر ثبت نشده است")
