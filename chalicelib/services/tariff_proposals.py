"""The tariff revision simulator: the association proposes a tariff book (new lines for some
services, rules such as "+15 % in deprived areas"), replays the last months' recorded volumes
under it beside today's book (office revenue: median and deciles, per province, deprived-area
offices, the association's income, offices below a viability line), and adopts it later, as a
new book version, in a separate step over the version it read."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime
from fractions import Fraction

from chalicelib.domain import calendar, ranking_live
from chalicelib.domain import tariffs as book
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.tariffs import OfficeInfo, Outcome, Proposal, Rule, TariffError, TariffLine, Volume
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.observability import logger
from chalicelib.services import accounts, tariffs
from chalicelib.services.stores import stores

DEFAULT_MONTHS = 3
DEFAULT_VIABILITY_RIALS = 100_000_000  # an office's own monthly fees after the levy, below which it struggles


def proposal_from_doc(doc: dict) -> Proposal:
    try:
        lines = {s: TariffLine(int(v["government_rials"]), int(v["office_rials"]), int(v["share_base_rials"]))
                 for s, v in (doc.get("lines") or {}).items()}
        rules = tuple(Rule(Fraction(str(r["percent"])), r.get("category"), bool(r.get("deprived_only")))
                      for r in doc.get("rules") or ())
    except TariffError as exc:
        raise InvalidInput(str(exc), "تعرفه پیشنهادی نامعتبر است") from exc
    if any(r.percent <= -100 for r in rules):
        raise InvalidInput("A rule cannot take a fee to zero or below", "قاعده پیشنهادی تعرفه را صفر یا منفی می‌کند")
    return Proposal(lines, rules)


def propose(doc: dict, actor: str, now: datetime | None = None) -> dict:
    """Keep a proposal (nothing changes in the book): its id for the simulation and the adoption."""
    now = now or calendar.now_tehran()
    proposal_from_doc(doc)
    unknown = sorted(set(doc.get("lines") or {}) - set(stores.catalogue.all_services()))
    if unknown:
        raise NotFound(f"No service {unknown[0]}", "خدمت مورد نظر یافت نشد")
    proposal_id = "TP" + secrets.token_hex(5).upper()
    stores.accounts.save_proposal(proposal_id, doc, actor, now)
    logger.info("tariff proposal kept", extra={"proposal_id": proposal_id, "by": actor})
    return {"proposal_id": proposal_id, "created_by": actor, "created_at": now.isoformat(timespec="seconds"),
            "adopted_version": None, **_doc_view(doc)}


def _doc_view(doc: dict) -> dict:
    return {"lines": doc.get("lines") or {}, "rules": doc.get("rules") or [],
            "effective_from": doc.get("effective_from"), "reason": doc.get("reason", "")}


def _proposal(proposal_id: str) -> dict:
    found = stores.accounts.get_proposal(proposal_id)
    if found is None:
        raise NotFound(f"No proposal {proposal_id}", "پیشنهاد تعرفه یافت نشد")
    return found


def read(proposal_id: str) -> dict:
    found = _proposal(proposal_id)
    return {"proposal_id": proposal_id, "created_by": found["created_by"], "created_at": found["created_at"],
            "adopted_version": found["adopted_version"], **_doc_view(found["document"])}


def office_infos(offices: Iterable[Office], tiers: dict[str, int], default_tier: int) -> dict[str, OfficeInfo]:
    return {o.office_id: OfficeInfo(o.office_id, o.province, o.deprived, tiers.get(o.office_id, default_tier))
            for o in offices}


def compare(volumes: list[Volume], offices: dict[str, OfficeInfo], services: dict[str, Service], months: int,
            today: dict[str, TariffLine], proposal: Proposal, share_by_tier: dict[int, Fraction],
            viability_rials: int) -> tuple[Outcome, Outcome]:
    """(today, proposed): the same volumes priced by today's lines and by the proposal."""
    def current(office: OfficeInfo, service_id: str) -> TariffLine:
        return today[service_id]

    def proposed(office: OfficeInfo, service_id: str) -> TariffLine:
        return proposal.line(service_id, services[service_id].category, office.deprived, today[service_id])

    known = [v for v in volumes if v.service_id in today and v.service_id in services]
    return (book.outcome(known, offices, months, current, share_by_tier, viability_rials),
            book.outcome(known, offices, months, proposed, share_by_tier, viability_rials))


def outcome_view(o: Outcome) -> dict:
    return {"median_rials": o.median, "deciles_rials": list(o.deciles),
            "by_province": [{"province": p, "mean_rials": v} for p, v in o.by_province.items()],
            "deprived_mean_rials": o.deprived_mean, "association_monthly_rials": o.association_monthly_rials,
            "below_viability_share": float(round(o.below_viability, 4))}


def recorded_months(now: datetime, months: int) -> list[str]:
    """The last `months` whole Jalali months before `now`'s."""
    return ranking_live.window_periods(ranking_live.shift_period(ranking_live.period_of(now), -1), months)


def simulate(proposal_id: str, months: int = DEFAULT_MONTHS, viability_rials: int = DEFAULT_VIABILITY_RIALS,
             now: datetime | None = None) -> dict:
    """Replay the last `months` months' recorded volumes (one Query per month) under today's book
    and under the proposal. Adopts nothing."""
    now = now or calendar.now_tehran()
    proposal = proposal_from_doc(_proposal(proposal_id)["document"])
    periods = recorded_months(now, months)
    volumes = [v for p in periods for v in stores.accounts.month_volumes(p)]
    services = stores.catalogue.all_services()
    known = tariffs.versions()
    today = {s.service_id: tariffs.tariff_on(s, now.date(), known).line for s in services.values()}
    tiers, by_tier, default, source = accounts.shares_for(ranking_live.period_of(now))
    offices = office_infos(stores.catalogue.all_offices().values(), tiers, default)
    current, proposed = compare(volumes, offices, services, months, today, proposal, by_tier, viability_rials)
    return {"proposal_id": proposal_id, "months": [ranking_live.period_out(p) for p in periods],
            "services_delivered": sum(v.count for v in volumes), "offices": len(offices),
            "viability_rials": viability_rials, **source, "today": outcome_view(current),
            "proposed": outcome_view(proposed), "adopted": False}


def adopt(proposal_id: str, expected_version: int, actor: str, now: datetime | None = None) -> dict:
    """The proposal becomes the next version of the book from its effective day (a later day),
    once: its lines, and its rules applied to today's lines of the services they cover. A rule
    for deprived-area offices only cannot be one line per service: simulate it, but adopt it as
    explicit lines (or not at all)."""
    now = now or calendar.now_tehran()
    found = _proposal(proposal_id)
    if found["adopted_version"] is not None:
        raise Conflict(f"Proposal {proposal_id} was adopted as version {found['adopted_version']}",
                       "این پیشنهاد پیش‌تر تصویب شده است")
    doc = found["document"]
    proposal = proposal_from_doc(doc)
    if proposal.office_dependent:
        raise InvalidInput("A rule for deprived-area offices only cannot be adopted as one tariff per service",
                           "قاعده ویژه مناطق محروم را نمی‌توان به صورت یک تعرفه برای هر خدمت تصویب کرد")
    if not doc.get("effective_from"):
        raise InvalidInput("The proposal has no effective date", "تاریخ اجرای پیشنهاد تعیین نشده است")
    effective = date.fromisoformat(doc["effective_from"])
    services = stores.catalogue.all_services()
    known = tariffs.versions()
    lines = {}
    for s in services.values():
        before = tariffs.tariff_on(s, effective, known).line
        after = proposal.line(s.service_id, s.category, False, before)
        if after != before or s.service_id in proposal.lines:
            lines[s.service_id] = after
    if not lines:
        raise InvalidInput("The proposal changes no tariff", "پیشنهاد هیچ تعرفه‌ای را تغییر نمی‌دهد")
    version = tariffs.adopt(lines, effective, expected_version, actor, doc.get("reason") or "tariff revision", now,
                            proposal_id=proposal_id)
    return {"proposal_id": proposal_id, "version": version.number,
            "effective_from": calendar.date_out(version.effective_from), "services": len(lines)}
