"""Use cases of the tariff book: the tariff in force for a service on a day (what the catalogue
shows and what a booking or remote request is priced at), the book's versions and their audit
trail, and the association's changes (one service, or a whole proposed book), each effective from
a later day's Tehran midnight. The rules are chalicelib/domain/tariffs.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain import calendar
from chalicelib.domain import tariffs as book
from chalicelib.domain.catalogue import Service
from chalicelib.domain.config import StaleVersion
from chalicelib.domain.tariffs import SEED_EFFECTIVE, SEED_VERSION, BookVersion, Tariff, TariffError, TariffLine
from chalicelib.domain.text import to_persian_digits
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.observability import logger, metrics
from chalicelib.services.stores import stores


@dataclass(frozen=True)
class Priced:
    """What a booking or remote request carries: the book version it was priced at and its fee."""
    version: int
    fee_rials: int


def versions() -> list[BookVersion]:
    return stores.accounts.book_versions()


def tariff_on(service: Service, day: date, known: list[BookVersion] | None = None) -> Tariff:
    """The service's tariff in force on `day` (the seed's when the book never touched it)."""
    found = book.in_force(versions() if known is None else known, service.service_id, day,
                          book.seed_line(service.tariff_rials))
    assert found is not None  # a seed line always answers
    return found


def price(service: Service, day: date) -> Priced:
    """What a booking for `day` (or a remote request filed on `day`) is priced at; a later change
    of the book does not reprice it."""
    t = tariff_on(service, day)
    return Priced(t.version, t.line.total_rials)


def line_for(service: Service, version: int | None, day: date) -> tuple[int, TariffLine]:
    """(version, line) a delivered item is charged: the version it carries, or, for an item
    priced before the book existed, the tariff in force on `day`."""
    if version is not None:
        line = book.line_of_version(versions(), service.service_id, int(version), book.seed_line(service.tariff_rials))
        if line is not None:
            return int(version), line
    t = tariff_on(service, day)
    return t.version, t.line


def rials_fa(amount: int) -> str:
    """An amount as a Persian reader writes it: Persian digits, Persian thousands separator."""
    return to_persian_digits(f"{amount:,}".replace(",", "٬")) + " ریال"


def line_view(line: TariffLine) -> dict:
    return {"government_rials": line.government_rials, "office_rials": line.office_rials,
            "share_base_rials": line.share_base_rials, "total_rials": line.total_rials,
            "total_fa": rials_fa(line.total_rials)}


def tariff_view(t: Tariff) -> dict:
    return {"version": t.version, "effective_from": calendar.date_out(t.effective_from), **line_view(t.line)}


def _service(service_id: str) -> Service:
    service = stores.catalogue.get_service(service_id)
    if service is None:
        raise NotFound(f"No service {service_id}", "خدمت مورد نظر یافت نشد")
    return service


def _version_view(v: BookVersion) -> dict:
    return {"version": v.number, "effective_from": calendar.date_out(v.effective_from), "services": len(v.lines),
            "adopted_by": v.adopted_by, "adopted_at": v.adopted_at, "reason": v.reason,
            "proposal_id": v.proposal_id}


def book_view(limit: int = 50) -> dict:
    """The book's versions, newest first, with who adopted each and why (the audit trail)."""
    known = stores.accounts.book_versions(cached=False)
    shown = [_version_view(v) for v in reversed(known)][:limit]
    if not known:
        shown = [{"version": SEED_VERSION, "effective_from": calendar.date_out(SEED_EFFECTIVE),
                  "services": len(stores.catalogue.all_services()), "adopted_by": "catalogue seed",
                  "adopted_at": None, "reason": "the catalogue's seed tariffs", "proposal_id": None}]
    return {"head": max(len(known), SEED_VERSION), "items": shown}


def service_tariffs(service_id: str, now: datetime | None = None) -> dict:
    """A service's tariff today and every version that set its line (the past and the scheduled)."""
    service = _service(service_id)
    today = (now or calendar.now_tehran()).date()
    known = stores.accounts.book_versions(cached=False)
    history = [{"version": SEED_VERSION, "effective_from": calendar.date_out(SEED_EFFECTIVE),
                **line_view(book.seed_line(service.tariff_rials))}] if not any(
        v.number == SEED_VERSION for v in known) else []
    history += [{"version": v.number, "effective_from": calendar.date_out(v.effective_from),
                 **line_view(v.lines[service_id])} for v in known if service_id in v.lines]
    return {"service_id": service_id, "head": max(len(known), SEED_VERSION),
            "in_force": tariff_view(tariff_on(service, today, known)), "versions": history}


def _seed_version(actor: str, now: datetime) -> BookVersion:
    """Version 1: the catalogue's tariffs as they stood before the book, frozen."""
    return BookVersion(SEED_VERSION, SEED_EFFECTIVE, {s.service_id: book.seed_line(s.tariff_rials)
                                                      for s in stores.catalogue.all_services().values()},
                       actor, now.isoformat(timespec="seconds"), "the catalogue's seed tariffs")


def migrate_seed(actor: str = "catalogue seed", now: datetime | None = None) -> int:
    """Write version 1 from the catalogue if the book is empty; the head after."""
    head = stores.accounts.book_head(cached=False)
    if head:
        return head
    try:
        return stores.accounts.adopt_versions([_seed_version(actor, now or calendar.now_tehran())], 0)
    except StaleVersion:
        return stores.accounts.book_head(cached=False)


def adopt(lines: dict[str, TariffLine], effective_from: date, expected_version: int, actor: str, reason: str,
          now: datetime | None = None, *, proposal_id: str | None = None) -> BookVersion:
    """A new version of the book from `effective_from` on, only over the version the caller read
    (`expected_version`; 1 while only the seed exists). Nothing is repriced before that day."""
    now = now or calendar.now_tehran()
    try:
        book.check_effective(effective_from, now.date())
    except TariffError as exc:
        raise InvalidInput(str(exc), "تغییر تعرفه زودتر از فردا اعمال نمی‌شود") from exc
    unknown = sorted(set(lines) - set(stores.catalogue.all_services()))
    if unknown:
        raise NotFound(f"No service {unknown[0]}", "خدمت مورد نظر یافت نشد")
    head = stores.accounts.book_head(cached=False)
    if max(head, SEED_VERSION) != expected_version:
        raise Conflict(f"Tariff book version {max(head, SEED_VERSION)} is in force, not {expected_version}: read it again",
                       "نسخه دیگری از دفتر تعرفه در این فاصله ثبت شده است؛ دوباره بخوانید")
    new = [_seed_version("catalogue seed", now)] if head == 0 else []
    number = max(head, SEED_VERSION) + 1
    version = BookVersion(number, effective_from, dict(lines), actor, now.isoformat(timespec="seconds"), reason,
                          proposal_id)
    try:
        stores.accounts.adopt_versions([*new, version], head, proposal_id=proposal_id)
    except StaleVersion as exc:
        raise Conflict("Another tariff version was adopted meanwhile: read it again",
                       "نسخه دیگری از دفتر تعرفه در این فاصله ثبت شده است؛ دوباره بخوانید") from exc
    logger.info("tariff version adopted", extra={"version": number, "services": len(lines), "by": actor,
                                                  "effective_from": effective_from.isoformat()})
    metrics.add_metric(name="TariffVersionAdopted", unit="Count", value=1)
    return version


def change_service(service_id: str, line: dict, effective_from: date, expected_version: int, actor: str,
                   reason: str, now: datetime | None = None) -> dict:
    """The association changes one service's tariff from a later day on (a one-line version)."""
    _service(service_id)
    try:
        parsed = TariffLine(line["government_rials"], line["office_rials"], line["share_base_rials"])
    except TariffError as exc:
        raise InvalidInput(str(exc), "مبالغ تعرفه نامعتبر است") from exc
    version = adopt({service_id: parsed}, effective_from, expected_version, actor, reason, now)
    return {**_version_view(version), "service_id": service_id, **line_view(parsed)}
