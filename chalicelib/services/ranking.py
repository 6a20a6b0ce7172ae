"""Use cases of the live ranking: fold outcome events into monthly aggregates, recompute the
ranking once per month (scheduled daily; idempotent), and the public and association outputs.
The maths is chalicelib/domain/ranking.py; the event and period rules are domain/ranking_live.py."""
from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from chalicelib.domain import calendar, ranking
from chalicelib.domain import ranking_live as live
from chalicelib.domain.config import StaleVersion
from chalicelib.domain.ranking_live import RankingRow, RankingSnapshot
from chalicelib.domain.text import normalise
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.observability import logger, metrics
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

POLICY_CONFIG = "ranking_policy"
PROVINCES_CSV = Path(__file__).resolve().parent.parent / "data" / "provinces.csv"


# --- folding events ----------------------------------------------------------------------------

def _service(service_id: str | None) -> tuple[str, int]:
    service = stores.catalogue.get_service(str(service_id)) if service_id else None
    return (service.category, int(service.tariff_rials)) if service else ("unknown", 0)


def fold_booking_change(event_id: str, new: dict | None, old: dict | None, now: datetime | None = None) -> bool:
    """Bookings stream: a check-in, completion or no-show, and a walk-in served at the front desk,
    counted once per stream event."""
    if stores.changes.is_walk_in_ticket(new):
        now = now or calendar.now_tehran()
        _, tariff = _service(new.get("service_id"))
        return _fold(live.BOOKING_EVENT, event_id,
                     live.walk_in_deltas(new, old, tariff, get_settings().ranking_on_time_minutes), now)
    if not stores.changes.is_booking(new) or new.get("status") == (old or {}).get("status"):
        return False
    now = now or calendar.now_tehran()
    _, tariff = _service(new.get("service_id"))
    deltas = live.booking_deltas(new, old, tariff, get_settings().ranking_on_time_minutes, received=now)
    return _fold(live.BOOKING_EVENT, event_id, deltas, now)


def fold_request_change(event_id: str, new: dict | None, old: dict | None, now: datetime | None = None) -> bool:
    """Requests stream: remote work finished, routed work accepted or not, a verified rating."""
    if not stores.changes.is_remote_request(new):
        return False
    category, tariff = _service(new.get("service_id"))
    deltas = live.request_deltas(new, old, category, tariff)
    return _fold(live.REQUEST_EVENT, event_id, deltas, now, once_per=_rating_cap(deltas, new.get("citizen_key")))


def _rating_cap(deltas: list[live.Delta], citizen_key: str | None) -> live.OncePerCitizen | None:
    """Ratings count once per citizen (by pseudonym), office and month: a few accomplices cannot
    rate an office up with many requests (ranking.verified_rating_totals' cap, applied live)."""
    if not citizen_key or len(deltas) != 1 or not set(deltas[0].counts) <= {"ratings_count", "ratings_sum",
                                                                            "ratings_sumsq"}:
        return None
    return live.OncePerCitizen(deltas[0].office_id, deltas[0].period, citizen_key)


def _fold(source: str, event_id: str, deltas: list[live.Delta], now: datetime | None,
          once_per: live.OncePerCitizen | None = None) -> bool:
    if not deltas:
        return False
    now = now or calendar.now_tehran()
    done = stores.ranking.fold(source, event_id, deltas, now, get_settings().ranking_event_marker_days,
                               once_per=once_per)
    metrics.add_metric(name="RankingEventsFolded" if done else "RankingEventsDuplicate", unit="Count", value=1)
    return done


def _known_office(office_id: str, province: str | None = None):
    """The office, when it exists and lies within `province` (None: anywhere). Outside it is
    answered like an unknown office, so a provincial representative learns nothing of others."""
    office = stores.catalogue.all_offices().get(office_id) or stores.catalogue.get_office(office_id)
    if office is None or province is not None and office.province != province:
        raise NotFound(f"No office {office_id}", "دفتر مورد نظر یافت نشد")
    return office


def record_complaints(office_id: str, month: str, upheld: int, reference: str, actor: str,
                      province: str | None = None) -> dict:
    """The association's complaints office: complaints upheld against an office in a month.
    Once per reference (a retry records nothing more). `province`: the caller's reach."""
    _known_office(office_id, province)
    period = live.parse_period(month)
    # Records are kept for good, so the marker outlives any retry (30 days is the longest setting).
    done = stores.ranking.fold(live.COMPLAINT_RECORD, reference,
                               [live.Delta(office_id, period, {"complaints_upheld": upheld})], calendar.now_tehran(), 3650)
    logger.info("complaints recorded", extra={"office_id": office_id, "period": period, "new": done, "by": actor})
    return {"office_id": office_id, "reference": reference, **live.period_out(period), "upheld": upheld,
            "recorded": done}


def record_inspection(office_id: str, day: date, score: float, reference: str, actor: str,
                      province: str | None = None) -> dict:
    """An inspector's score (0-100) of an office: the latest inspection of a month counts."""
    _known_office(office_id, province)
    period = live.period_of(day)
    done = stores.ranking.fold(live.INSPECTION_RECORD, reference,
                               [live.Delta(office_id, period, inspection=(day.isoformat(), score))],
                               calendar.now_tehran(), 3650)
    logger.info("inspection recorded", extra={"office_id": office_id, "period": period, "new": done, "by": actor})
    return {"office_id": office_id, "reference": reference, **calendar.date_out(day), "score": score,
            "recorded": done}


# --- the policy ----------------------------------------------------------------------------------

def adopted_policy() -> tuple[int, live.AdoptedPolicy]:
    """(number, policy) in force; number 0 is the shipped default, never adopted."""
    found = stores.config.current(POLICY_CONFIG)
    if found is None:
        return 0, live.DEFAULT
    return found.number, live.policy_from_doc(found.document)


def policy_view(number: int, adopted: live.AdoptedPolicy) -> dict:
    return {"number": number, **live.policy_to_doc(adopted)}


def current_policy() -> dict:
    return policy_view(*adopted_policy())


def _proposal(changes: dict, base: live.AdoptedPolicy) -> live.AdoptedPolicy:
    doc = {**live.policy_to_doc(base), **{k: v for k, v in changes.items() if v is not None}}
    try:
        return live.policy_from_doc(doc)
    except ValueError as exc:
        raise InvalidInput(str(exc), "سیاست رتبه‌بندی پیشنهادی معتبر نیست") from exc


def adopt_policy(changes: dict, expected_number: int, actor: str, now: datetime | None = None) -> dict:
    """Adopt a new policy version, only over the version the association looked at."""
    now = now or calendar.now_tehran()
    number, current = adopted_policy()
    if expected_number != number:
        raise Conflict(f"Policy {number} is in force, not {expected_number}: read it again",
                       "نسخه دیگری از سیاست رتبه‌بندی در این فاصله تصویب شده است؛ دوباره بخوانید")
    if changes["version"] == current.policy.version:
        raise InvalidInput("A new policy needs a new version name", "نسخه جدید باید نام تازه‌ای داشته باشد")
    proposal = _proposal(changes, current)
    doc = {**live.policy_to_doc(proposal), "adopted_by": actor, "adopted_at": now.isoformat(timespec="seconds")}
    try:
        adopted = stores.config.adopt(POLICY_CONFIG, doc, expected_number, actor, now)
    except StaleVersion as exc:
        raise Conflict("Another policy version was adopted meanwhile: read it again",
                       "نسخه دیگری از سیاست رتبه‌بندی در این فاصله تصویب شده است؛ دوباره بخوانید") from exc
    logger.info("ranking policy adopted", extra={"number": adopted, "version": proposal.policy.version, "by": actor})
    return policy_view(adopted, live.policy_from_doc(doc))


# --- the monthly recompute -----------------------------------------------------------------------

def _window_aggregates(period: str, office_ids: list[str], operators: dict[str, list[live.OperatorRecord]]
                       ) -> tuple[list[ranking.OfficePeriod], dict[str, int]]:
    """Each office's window aggregate (the last N months combined) and its fees in `period`.
    Reads each month of the window in a few paginated Queries (its aggregates' partition keys):
    O(offices), never per event."""
    s = get_settings()
    months = live.window_periods(period, s.ranking_window_months)
    by_month = {m: stores.ranking.period_aggregates(m) for m in months}
    _, last_day = live.period_bounds(period)
    aggregates, fees = [], {}
    for office_id in office_ids:
        staff = live.compliance(operators.get(office_id, []), last_day, s.operator_min_training_hours)
        parts = [live.office_period(office_id, by_month[m][office_id].counts, by_month[m][office_id].inspection)
                 for m in months if office_id in by_month[m]]
        window = ranking.combine(parts) if parts else ranking.OfficePeriod(office_id)
        # operators are a state, read from the registry as of the month's last day
        aggregates.append(replace(window, operators_total=staff[0], operators_compliant=staff[1]))
        month = by_month[period].get(office_id)
        fees[office_id] = int(month.counts.get("fees_rials", 0)) if month else 0
    return aggregates, fees


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def _schedule_doc(schedule: ranking.ShareSchedule) -> dict:
    return {"policy_version": schedule.policy_version, "base_share": live.fraction_text(schedule.base_share),
            "mean_share": live.fraction_text(schedule.mean_share),
            "share_by_tier": {str(t): live.fraction_text(s) for t, s in schedule.share_by_tier.items()},
            "target_rials": schedule.target_rials}


def _previous_states(period: str) -> dict[str, ranking.TierState]:
    heads = stores.ranking.snapshots(before=period, limit=1)
    if not heads:
        return {}
    return {o: row.state for o, row in stores.ranking.rows(heads[0]).items()}


CATCH_UP_MONTHS = 6  # months a stopped schedule ranks when it resumes


def rank_offices(now: datetime | None = None) -> dict:
    """Rank each closed month once (the latest, plus any a stopped schedule missed). The rows go
    in first, under a key holding the inputs' fingerprint; the snapshot head is then written with
    attribute_not_exists, so whatever fires (twice, or two runs at once) a month gets exactly one
    snapshot. Office tiers are then brought in line with the latest snapshot (a no-op when they
    already are, so a run that crashed before this step is repaired by the next)."""
    now = now or calendar.now_tehran()
    target = live.closed_period(now, get_settings().ranking_grace_days)
    stores.catalogue.clear_cache()  # this run's offices, tiers and policy are read fresh
    latest = stores.ranking.snapshots(limit=1)
    todo = live.periods_to_rank(latest[0].period if latest else None, target, CATCH_UP_MONTHS)
    head = latest[0] if latest else None
    for period in todo:
        head = _compute_and_publish(period, now)
    changed = _apply_tiers(head)
    return {"period": head.period, "ranked": todo, "fingerprint": head.fingerprint, "offices": head.offices,
            "tiers_changed": changed}


def _compute_and_publish(period: str, now: datetime) -> RankingSnapshot:
    number, adopted = adopted_policy()
    policy = adopted.policy
    offices = stores.catalogue.all_offices()
    ids = sorted(offices)
    aggregates, fees = _window_aggregates(period, ids, stores.operators.all_operators())
    previous = _previous_states(period)
    snap = ranking.rank_period(period, aggregates, previous, policy)
    schedule = ranking.association_shares(snap.tiers, fees, adopted.base_share, policy)
    rank = {o: i + 1 for i, o in enumerate(ranking.ranking_order(snap.scorecards))}
    by_id = {a.office_id: a for a in aggregates}
    rows = [RankingRow(o, province=offices[o].province, tier=snap.tiers[o].tier, score=snap.scorecards[o].score,
                       provisional=snap.tiers[o].provisional, rank=rank[o], state=snap.tiers[o],
                       previous=previous.get(o), card=_jsonable(asdict(snap.scorecards[o])),
                       aggregate=_jsonable(asdict(by_id[o])), fees_rials=fees[o]) for o in ids]
    head = RankingSnapshot(period, policy_version=policy.version, fingerprint=snap.inputs_fingerprint,
                           offices=len(ids), schedule=_schedule_doc(schedule),
                           policy={"number": number, **live.policy_to_doc(adopted)}, created_at=now)
    head, published = stores.ranking.publish(head, rows)
    if published:
        logger.info("ranking published", extra={"period": period, "offices": len(ids), "policy": policy.version})
        metrics.add_metric(name="RankingPublished", unit="Count", value=1)
    return head  # when another run published first, its snapshot


def _apply_tiers(head: RankingSnapshot) -> int:
    """Set each office's tier from the snapshot where it differs (routing and the office list read it)."""
    tiers = {o: r.tier for o, r in stores.ranking.rows(head).items()}
    changed = []
    for office_id, office in sorted(stores.catalogue.all_offices().items()):
        tier = tiers.get(office_id)
        if tier is not None and (office.tier is None or int(office.tier) != tier):
            stores.ranking.set_tier(office.office_id, tier)
            changed.append(office_id)
    if changed:  # a catalogue version naming them: every container reads these offices back
        stores.catalogue.note_changed(changed, "tiers", "ranking", calendar.now_tehran().isoformat(timespec="seconds"))
        stores.catalogue.clear_cache()
    return len(changed)


# --- public outputs ------------------------------------------------------------------------------

def _head(month: str | None) -> RankingSnapshot:
    if month:
        head = stores.ranking.snapshot(live.parse_period(month))
    else:
        heads = stores.ranking.snapshots(limit=1)
        head = heads[0] if heads else None
    if head is None:
        raise NotFound("No ranking has been published for that month yet",
                       "هنوز رتبه‌بندی‌ای برای این ماه منتشر نشده است")
    return head


def _rows(head: RankingSnapshot) -> dict[str, RankingRow]:
    return stores.ranking.rows(head, cached=True)


def _snapshot_out(head: RankingSnapshot) -> dict:
    return {"period": live.period_out(head.period), "policy_version": head.policy_version,
            "published_at": calendar.datetime_out(head.created_at)}


def _published_policy(head: RankingSnapshot) -> dict:
    """The weights and cut-points the snapshot was ranked under (published with the ranking)."""
    p = head.policy
    return {k: p[k] for k in ("version", "weights", "cut_points", "hysteresis_margin", "hysteresis_z",
                              "confirm_periods", "integrity_cap_tier") if k in p}


def ranking_table(province: str | None, month: str | None) -> dict:
    head = _head(month)
    offices = stores.catalogue.all_offices()
    wanted = normalise(province) if province else None
    items = []
    for office_id, row in sorted(_rows(head).items(), key=lambda kv: kv[1].rank):
        office = offices.get(office_id)
        if office is None or wanted and wanted not in (normalise(office.province), normalise(office.province_fa)):
            continue
        items.append({"office_id": office_id, "name_fa": office.name_fa, "name_en": office.name_en,
                      "province": office.province, "province_fa": office.province_fa, "city": office.city,
                      "city_fa": office.city_fa, "deprived": bool(office.deprived), "tier": row.tier,
                      "score": float(row.score), "provisional": row.provisional, "rank": row.rank})
    return {**_snapshot_out(head), "policy": _published_policy(head), "total": len(items), "items": items}


def _line_out(line: dict) -> dict:
    ind = ranking.BY_NAME[line["indicator"]]
    return {"indicator": ind.name, "domain": ind.domain, "unit": ind.unit, "higher_is_better": ind.higher_is_better,
            "raw": line["raw"], "shrunk": line["shrunk"], "prior": line["prior"], "n": line["n"],
            "available": line["available"], "weight": round(line["weight"], 6), "z": round(line["z"], 4),
            "points": float(Decimal(line["contribution"]))}


def scorecard(office_id: str) -> dict:
    """How an office's published score is made: each indicator raw and shrunk, its weight and
    points (the points add up to the score exactly), the integrity gate, the tier history and
    what would move it up."""
    office = _known_office(office_id)
    heads = stores.ranking.snapshots(limit=12)
    history = stores.ranking.office_rows(heads, office_id) if heads else {}
    if not heads or heads[0].period not in history:
        raise NotFound("This office has no published ranking yet", "برای این دفتر هنوز رتبه‌بندی منتشر نشده است")
    head, row = heads[0], history[heads[0].period]
    card = row.card
    score_se = float(card.get("score_se", 0.0))
    margin = max(float(head.policy.get("hysteresis_margin", 0.0)), float(head.policy.get("hysteresis_z", 0.0)) * score_se)
    return {
        "office_id": office_id, "name_fa": office.name_fa, "name_en": office.name_en, "province": office.province,
        **_snapshot_out(head), "score": float(Decimal(card["score"])), "tier": row.tier,
        "provisional": row.provisional, "rank": row.rank,
        # How sure the score is, and the lead over a cut-point a tier move needs (hysteresis).
        "score_se": round(score_se, 2), "tier_margin": round(margin, 2),
        "tier_reason": row.state.reason, "domains_available": card["domains_available"],
        "integrity_gate": {"breached": card["gated"], "reasons": list(card["gate_reasons"]),
                           "cap_tier": head.policy.get("integrity_cap_tier")},
        "lines": [_line_out(line) for line in card["lines"]],
        "to_next_tier": [{"indicator": i["indicator"], "current": i["current"], "target": i["target"],
                          "z_needed": round(i["z_needed"], 4)} for i in card["to_next_tier"]],
        "tier_history": [{**live.period_out(h.period), "tier": history[h.period].tier,
                          "score": float(history[h.period].score), "provisional": history[h.period].provisional,
                          "reason": history[h.period].state.reason} for h in heads if h.period in history],
    }


def _provinces() -> list[dict]:
    with PROVINCES_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def equity_report(province: str | None = None) -> dict:
    """Per province: offices per 100,000 people (2016 census) and the deprived-area offices with
    what they served over the latest ranking window (the report the association publishes)."""
    wanted = normalise(province) if province else None
    provinces = [p for p in _provinces() if wanted is None or wanted in (normalise(p["province"]),
                                                                        normalise(p["province_fa"]))]
    if not provinces:
        raise NotFound("No such province", "استان مورد نظر یافت نشد")
    offices = stores.catalogue.all_offices()
    heads = stores.ranking.snapshots(limit=1)
    served = {o: int(r.aggregate.get("transactions", 0)) for o, r in _rows(heads[0]).items()} if heads else None
    items = []
    for p in provinces:
        here = [o for o in offices.values() if o.province == p["province"]]
        deprived = sorted((o for o in here if o.deprived), key=lambda o: o.office_id)
        population = int(p["population_2016"])
        items.append({
            "province": p["province"], "province_fa": p["province_fa"], "population": population,
            "capital": p["capital"], "capital_fa": p["capital_fa"], "capital_lat": float(p["capital_lat"]),
            "capital_lon": float(p["capital_lon"]),
            "offices": len(here), "offices_per_100k": round(len(here) / population * 100_000, 3),
            "deprived_offices": len(deprived),
            "deprived_served": None if served is None else sum(served.get(o.office_id, 0) for o in deprived),
            "deprived": [{"office_id": o.office_id, "name_fa": o.name_fa, "city": o.city, "city_fa": o.city_fa,
                          "served": None if served is None else served.get(o.office_id, 0)} for o in deprived]})
    return {"window": ({**live.period_out(heads[0].period), "months": get_settings().ranking_window_months}
                       if heads else None), "items": items}


# --- association: statements and the simulator ------------------------------------------------------

def _schedule(head: RankingSnapshot, tiers: dict[str, int]) -> ranking.ShareSchedule:
    s = head.schedule
    return ranking.ShareSchedule(s["policy_version"], Fraction(s["base_share"]), Fraction(s["mean_share"]),
                                 {int(t): Fraction(v) for t, v in s["share_by_tier"].items()}, tiers, {},
                                 int(s["target_rials"]))


def statements(month: str, office_id: str | None, province: str | None = None) -> dict:
    """What each office owes the association for a month: its fees collected in that month (the
    tariffs of its completed bookings and remote requests) × the share of the tier in force,
    i.e. of the latest ranking published for an earlier month. `province`: only its offices."""
    period = live.parse_period(month)
    if office_id is not None:
        _known_office(office_id, province)
    heads = stores.ranking.snapshots(before=period, limit=1)
    if not heads:
        raise NotFound("No ranking was in force in that month", "در این ماه رتبه‌بندی‌ای در جریان نبود")
    head = heads[0]
    tiers = {o: r.tier for o, r in _rows(head).items()}
    if office_id is not None and office_id not in tiers:
        raise NotFound(f"No office {office_id} in the ranking in force", "این دفتر در رتبه‌بندی جاری نیست")
    schedule = _schedule(head, tiers)
    fees = stores.ranking.period_aggregates(period)
    items = []
    if office_id is not None:
        listed = [office_id]
    elif province is not None:
        offices = stores.catalogue.all_offices()
        listed = sorted(o for o in tiers if o in offices and offices[o].province == province)
    else:
        listed = sorted(tiers)
    for o in listed:
        st = ranking.statement(o, period, int(fees[o].counts.get("fees_rials", 0)) if o in fees else 0, schedule)
        items.append({"office_id": o, "tier": st.tier, "share": live.fraction_text(st.share),
                      "share_percent": float(st.share_percent),
                      "fees_collected_rials": st.fees_collected, "levy_rials": st.levy})
    return {**live.period_out(period), "ranking_period": live.period_out(head.period),
            "policy_version": head.policy_version, "base_share_percent": float(live.percent(schedule.base_share)),
            "share_by_tier_percent": {str(t): float(live.percent(v)) for t, v in schedule.share_by_tier.items()},
            "items": items, "total_fees_rials": sum(i["fees_collected_rials"] for i in items),
            "total_levy_rials": sum(i["levy_rials"] for i in items)}


def simulate(changes: dict, month: str | None) -> dict:
    """Replay a published period under a proposed policy (weights, cut-points, base share...)
    against the policy in force: tier moves, shares, revenue and levy changes. Adopts nothing."""
    head = _head(month)
    _, current = adopted_policy()
    proposal = _proposal({**changes, "version": changes.get("version") or "proposal"}, current)
    rows = stores.ranking.rows(head)
    history = ranking.PeriodHistory(
        period=head.period, aggregates=[live.office_period_from_dict(r.aggregate) for r in rows.values()],
        previous={o: r.previous for o, r in rows.items() if r.previous},
        previous_fees={o: r.fees_rials for o, r in rows.items()}, base_share=proposal.base_share)
    try:
        sim = ranking.simulate_policy(history, proposal.policy, baseline=current.policy)
    except ValueError as exc:
        raise InvalidInput(str(exc), "سیاست پیشنهادی با این داده‌ها قابل اجرا نیست") from exc
    raised = sum(1 for v in sim.levy_change.values() if v > 0)
    return {
        **_snapshot_out(head), "proposal_version": proposal.policy.version, "baseline_version": current.policy.version,
        "moves": [{"from": a, "to": b, "offices": n} for (a, b), n in sim.moves.items()],
        "moved": [{"office_id": o, "from": a, "to": b} for o, (a, b) in sorted(sim.moved.items())],
        "mean_share_percent": float(live.percent(sim.schedule.mean_share)),
        "share_by_tier_percent": {str(t): float(live.percent(v)) for t, v in sim.schedule.share_by_tier.items()},
        "revenue_on_previous_fees_rials": sim.revenue_on_previous_fees,
        "levy_change": {"offices_paying_more": raised, "offices_paying_less": len(sim.levy_change) - raised,
                        "net_rials": sum(sim.levy_change.values())},
        **_side_by_side(sim.baseline, sim.snapshot, sim.levy_change),
        "adopted": False,
    }


def _side_by_side(current: ranking.RankingSnapshot, proposed: ranking.RankingSnapshot,
                  levy_change: Mapping[str, int]) -> dict:
    """Each office's tier and score under the policy in force and under the proposal, the same
    month, and how many offices each tier holds under each."""
    offices = stores.catalogue.all_offices()
    rows = []
    for o, tier in sorted(proposed.tiers.items()):
        office = offices.get(o)
        rows.append({"office_id": o, "name_fa": office.name_fa if office else "",
                     "name_en": office.name_en if office else "", "province": office.province if office else "",
                     "current_tier": current.tiers[o].tier, "proposed_tier": tier.tier,
                     "current_score": float(current.scorecards[o].score),
                     "proposed_score": float(proposed.scorecards[o].score),
                     "levy_change_rials": levy_change.get(o, 0)})
    counts = {side: Counter(str(r[f"{side}_tier"]) for r in rows) for side in ("current", "proposed")}
    return {"offices": rows,
            "tier_counts": {side: {str(t): counts[side][str(t)] for t in range(1, 6)} for side in counts}}
