"""The live ranking's pure parts (no I/O): periods, what one stream change adds to an office's
aggregates, operator compliance, and the policy as a stored document. The maths of a ranking
is in `ranking.py`; this module only turns system events and records into its inputs.

Period: one Jalali month ("1405-09"), in Asia/Tehran. The aggregates are kept per office and
month; the ranking window is the last `window` months combined with `ranking.combine` (six
months = the rolling two quarters of the method). Monthly periods match the association's
monthly statements, and hysteresis confirms a move over two consecutive monthly snapshots.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import jdatetime

from chalicelib.domain import calendar, ranking
from chalicelib.domain.booking import CHECKED_IN, COMPLETED, EXCUSED, NO_SHOW
from chalicelib.domain.desk import SERVED
from chalicelib.domain.remote import ASSIGNED, IN_PROGRESS, RECEIVED, REJECTED
from chalicelib.domain.remote import COMPLETED as REMOTE_COMPLETED

# --- periods ----------------------------------------------------------------------------------


def period_of(moment: datetime | date) -> str:
    """The Jalali month of an instant (Tehran time) or a date: '1405-09'."""
    day = moment.astimezone(calendar.TEHRAN).date() if isinstance(moment, datetime) else moment
    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year:04d}-{j.month:02d}"


def parse_period(text: str) -> str:
    """'1405-09', '1405/09' or '۱۴۰۵/۰۹' -> '1405-09'; ValueError otherwise."""
    from chalicelib.domain.text import to_latin_digits
    raw = to_latin_digits(str(text)).strip().replace("/", "-")
    parts = raw.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError("month must look like 1405-09 (Jalali year and month)")
    year, month = int(parts[0]), int(parts[1])
    if not (1300 <= year <= 1600 and 1 <= month <= 12):
        raise ValueError("month must be a Jalali year 1300-1600 and a month 1-12")
    return f"{year:04d}-{month:02d}"


def shift_period(period: str, months: int) -> str:
    year, month = (int(p) for p in period.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def window_periods(period: str, window: int) -> list[str]:
    """The `window` months ending with `period`, oldest first."""
    return [shift_period(period, -k) for k in range(window - 1, -1, -1)]


def period_bounds(period: str) -> tuple[date, date]:
    """First and last Gregorian day of a Jalali month."""
    year, month = (int(p) for p in period.split("-"))
    first = jdatetime.date(year, month, 1).togregorian()
    nxt = shift_period(period, 1).split("-")
    last = jdatetime.date(int(nxt[0]), int(nxt[1]), 1).togregorian() - timedelta(days=1)
    return first, last


def period_out(period: str) -> dict[str, str]:
    """A period as the API returns it: the Jalali month and its Gregorian first and last day."""
    first, last = period_bounds(period)
    return {"month": period, "jalali": period.replace("-", "/"), "from": first.isoformat(), "to": last.isoformat()}


def closed_period(now: datetime, grace_days: int) -> str:
    """The latest month that ended at least `grace_days` ago: late stream records have landed."""
    return shift_period(period_of(now - timedelta(days=grace_days)), -1)


def periods_to_rank(last_published: str | None, target: str, catch_up: int) -> list[str]:
    """Months to rank now, oldest first: every closed month after the last published one up to
    `target` (at most `catch_up`, the latest ones), so a schedule that stopped for a while still
    gives hysteresis its consecutive periods; just `target` on the first run; none if done."""
    if last_published is None:
        return [target]
    todo = []
    period = target
    while period > last_published and len(todo) < catch_up:
        todo.append(period)
        period = shift_period(period, -1)
    return todo[::-1]


# --- what one change adds to the aggregates ------------------------------------------------------

# Counter names of the aggregate item: the flows of ranking.OfficePeriod, plus money and no-shows
# (not quality inputs). Category counters are named CATEGORY_PREFIX + category + "|" + field.
COUNTERS = (*ranking.FLOW_FIELDS, "fees_rials", "no_show")
CATEGORY_FIELDS = ("remote_total", "remote_within_sla", "filed_total", "filed_returned")
CATEGORY_PREFIX = "c|"


@dataclass(frozen=True)
class Delta:
    """Additions to one office's aggregate of one period, caused by one event."""
    office_id: str
    period: str
    counts: Mapping[str, int] = field(default_factory=dict)
    inspection: tuple[str, float] | None = None  # (ISO date, score): a state, the latest wins

    def added(self, **more: int) -> Delta:
        merged = dict(self.counts)
        for k, v in more.items():
            merged[k] = merged.get(k, 0) + v
        return replace(self, counts={k: v for k, v in merged.items() if v})


def category_counter(category: str, name: str) -> str:
    return f"{CATEGORY_PREFIX}{category}|{name}"


def _last_change_at(image: Mapping, to: str) -> datetime | None:
    """When the booking or request last moved to `to`, by the central system's audit clock."""
    for entry in reversed(list(image.get("history") or [])):
        if isinstance(entry, Mapping) and entry.get("to") == to and entry.get("at"):
            return calendar.parse_datetime(str(entry["at"]))
    return None


def booking_deltas(new: Mapping | None, old: Mapping | None, tariff_rials: int, on_time_minutes: int,
                   received: datetime | None = None) -> list[Delta]:
    """A booking's status change -> aggregate additions. Timeliness: a visit is served on time
    when the operator checks the citizen in (or completes the visit directly) no later than
    `on_time_minutes` after the appointment start. A completion is a transaction and earns the
    tariff. A no-show is counted but is not the office's fault, so it is not a timeliness miss.
    A remote session (kind "session") is a served visit like any other: its completion counts, on
    time against its scheduled end, and its no-show counts as a no-show.
    `received`: when the change arrived, used only if the image has no audit time. The caller
    passes bookings only (the data layer tells them from the table's other items)."""
    if not new:
        return []
    status, before = new.get("status"), (old or {}).get("status")
    if status == EXCUSED and before == NO_SHOW and new.get("office_id"):
        # An accepted appeal: the no-show leaves the record, in the period that counted it.
        at = _last_change_at(new, NO_SHOW) or _last_change_at(new, EXCUSED) or received
        return [Delta(str(new["office_id"]), period_of(at)).added(no_show=-1)] if at else []
    if status == before or status not in (CHECKED_IN, COMPLETED, NO_SHOW):
        return []
    at = _last_change_at(new, status) or _when(new.get("updated_at")) or received
    if at is None or not new.get("office_id"):
        return []
    delta = Delta(str(new["office_id"]), period_of(at))
    if status in (CHECKED_IN, COMPLETED) and before != CHECKED_IN and new.get("start"):  # first time served
        due = calendar.parse_datetime(str(new["start"]))
        # A remote session is completed when it ends, not when it starts: on time when completed
        # within `on_time_minutes` of its scheduled end.
        session = _json(new.get("session")) if new.get("kind") == "session" else None
        if session and session.get("ends"):
            due = calendar.parse_datetime(str(session["ends"]))
        delta = delta.added(in_person_total=1, in_person_on_time=int(at <= due + timedelta(minutes=on_time_minutes)))
    if status == COMPLETED:
        delta = delta.added(transactions=1, fees_rials=int(tariff_rials))
    if status == NO_SHOW:
        delta = delta.added(no_show=1)
    return [delta] if delta.counts else []


def walk_in_deltas(new: Mapping | None, old: Mapping | None, tariff_rials: int, on_time_minutes: int) -> list[Delta]:
    """A walk-in's ticket served at the front desk -> the same additions as a completed booking: an
    in-person visit (on time when the citizen waited at most `on_time_minutes` to be called), a
    transaction and its tariff. The caller passes walk-in tickets only (an appointment's ticket is
    counted through its booking)."""
    if not new or new.get("status") != SERVED or (old or {}).get("status") == SERVED:
        return []
    served, called, arrived = (_when(new.get(k)) for k in ("ended_at", "called_at", "arrived_at"))
    office_id = str(new.get("pk", "")).split("#")[1] if str(new.get("pk", "")).count("#") >= 2 else None
    if served is None or called is None or arrived is None or not office_id:
        return []
    on_time = int(called <= arrived + timedelta(minutes=on_time_minutes))
    return [Delta(office_id, period_of(served)).added(in_person_total=1, in_person_on_time=on_time, transactions=1,
                                                      fees_rials=int(tariff_rials))]


def request_deltas(new: Mapping | None, old: Mapping | None, category: str, tariff_rials: int) -> list[Delta]:
    """A remote request's change -> aggregate additions.
    - completed or rejected by the office: remote work done, within SLA or not (by the time of
      the decision against `sla_deadline`), and filed work (a rejection = filed work returned);
      a completion is a transaction and earns the tariff;
    - leaving ASSIGNED: routed work offered to the office; accepted unless the SLA sweep took it
      back (ASSIGNED -> RECEIVED: not accepted in time);
    - a rating appearing: one invited, verified rating (the request API only accepts ratings with
      the one-time invitation token of a sampled completion).
    The caller passes remote requests only (the data layer tells them from the table's other items)."""
    if not new:
        return []
    old = old or {}
    status, before = new.get("status"), old.get("status")
    out: list[Delta] = []
    if status != before and before == ASSIGNED and old.get("office_id"):
        at = _last_change_at(new, status) or calendar.parse_datetime(str(new["updated_at"]))
        accepted = int(status != RECEIVED)
        out.append(Delta(str(old["office_id"]), period_of(at)).added(routed_offered=1, routed_accepted=accepted))
    if status != before and status in (REMOTE_COMPLETED, REJECTED) and before in (ASSIGNED, IN_PROGRESS) \
            and new.get("office_id"):
        at = _last_change_at(new, status) or calendar.parse_datetime(str(new["updated_at"]))
        within = int(at <= calendar.parse_datetime(str(new["sla_deadline"])))
        returned = int(status == REJECTED)
        d = Delta(str(new["office_id"]), period_of(at)).added(
            remote_total=1, remote_within_sla=within, filed_total=1, filed_returned=returned,
            **{category_counter(category, "remote_total"): 1, category_counter(category, "remote_within_sla"): within,
               category_counter(category, "filed_total"): 1, category_counter(category, "filed_returned"): returned})
        if status == REMOTE_COMPLETED:
            d = d.added(transactions=1, fees_rials=int(tariff_rials))
        out.append(d)
    rating = _json(new.get("rating"))
    if rating and not _json(old.get("rating")) and new.get("office_id"):
        stars = int(rating.get("score", 0))
        if 1 <= stars <= 5:
            at = calendar.parse_datetime(str(rating["at"])) if rating.get("at") else \
                calendar.parse_datetime(str(new["updated_at"]))
            out.append(Delta(str(new["office_id"]), period_of(at)).added(
                ratings_count=1, ratings_sum=stars, ratings_sumsq=stars * stars))
    return out


def _when(value) -> datetime | None:
    return calendar.parse_datetime(str(value)) if value else None


def _json(value) -> dict | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def office_period(office_id: str, counts: Mapping[str, int], inspection: float | None = None,
                  operators: tuple[int, int] = (0, 0)) -> ranking.OfficePeriod:
    """An aggregate item's counters -> ranking.OfficePeriod (operators: (total, compliant))."""
    cats: dict[str, dict[str, int]] = {}
    for key, value in counts.items():
        if key.startswith(CATEGORY_PREFIX):
            _, cat, name = key.split("|", 2)
            cats.setdefault(cat, {})[name] = int(value)
    return ranking.OfficePeriod(
        office_id, **{f: int(counts.get(f, 0)) for f in ranking.FLOW_FIELDS}, inspection_score=inspection,
        operators_total=operators[0], operators_compliant=operators[1],
        by_category={c: ranking.CategoryCounts(**{f: v.get(f, 0) for f in CATEGORY_FIELDS}) for c, v in sorted(cats.items())})


def office_period_from_dict(data: Mapping) -> ranking.OfficePeriod:
    """The inverse of dataclasses.asdict(OfficePeriod) (a snapshot row stores its window aggregate)."""
    fields = dict(data)
    fields["by_category"] = {c: ranking.CategoryCounts(**v) for c, v in (fields.get("by_category") or {}).items()}
    return ranking.OfficePeriod(**fields)


# --- operators ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperatorRecord:
    operator_id: str
    office_id: str
    licence_number: str
    licence_expiry: date
    training_hours: int
    insured: bool
    updated_at: str | None = None  # ISO instant of the last registration
    updated_by: str | None = None  # who registered it (manager:… or association:…)

    def licensed_on(self, day: date) -> bool:
        return day <= self.licence_expiry

    def compliant_on(self, day: date, min_training_hours: int) -> bool:
        return self.licensed_on(day) and self.training_hours >= min_training_hours and self.insured


def compliance(operators: list[OperatorRecord], day: date, min_training_hours: int) -> tuple[int, int]:
    """(operators, compliant operators) of one office on `day`: the compliance indicator's n and x."""
    return len(operators), sum(o.compliant_on(day, min_training_hours) for o in operators)


def bookable_counters(declared: int, licence_expiries: tuple[date, ...] | None, day: date) -> int:
    """Counters open to bookings on `day`: a counter needs an operator with a valid licence, so
    min(declared, licensed operators). An office with no registered operator keeps its declared
    counters (the registry is being filled in; an empty registry is not evidence of no staff)."""
    if not licence_expiries:
        return declared
    return min(declared, sum(1 for expiry in licence_expiries if day <= expiry))


@dataclass(frozen=True)
class CapacityChange:
    """A day the office's bookable counters may fall: the first day without some licences."""
    day: date
    operator_ids: tuple[str, ...]
    counters_before: int
    counters_after: int


def capacity_changes(declared: int, operators: list[OperatorRecord], day: date, horizon_days: int
                     ) -> list[CapacityChange]:
    """The licences lapsing in the `horizon_days` after `day` (not renewed), each lapse day with the
    counters open to bookings the day before and on it: what the manager must renew, and by when."""
    expiries = tuple(o.licence_expiry for o in operators)
    lapsing: dict[date, list[str]] = {}
    for o in operators:
        lapse = o.licence_expiry + timedelta(days=1)
        if day < lapse <= day + timedelta(days=horizon_days):
            lapsing.setdefault(lapse, []).append(o.operator_id)
    return [CapacityChange(lapse, tuple(sorted(ids)), bookable_counters(declared, expiries, lapse - timedelta(days=1)),
                           bookable_counters(declared, expiries, lapse))
            for lapse, ids in sorted(lapsing.items())]


# --- what the ranking keeps --------------------------------------------------------------------

# Where a folded event comes from: each source's event ids are distinct namespaces.
BOOKING_EVENT, REQUEST_EVENT, COMPLAINT_RECORD, INSPECTION_RECORD = "booking", "request", "complaint", "inspection"
EVENT_SOURCES = (BOOKING_EVENT, REQUEST_EVENT, COMPLAINT_RECORD, INSPECTION_RECORD)


@dataclass(frozen=True)
class OncePerCitizen:
    """At most one event per citizen (by pseudonym), office and month counts: a rating."""
    office_id: str
    period: str
    citizen_key: str


@dataclass(frozen=True)
class MonthAggregate:
    """One office's counters of one month, folded from events (`COUNTERS`, category counters)."""
    office_id: str
    counts: Mapping[str, int] = field(default_factory=dict)
    inspection: float | None = None  # the month's latest inspection score


@dataclass(frozen=True)
class RankingSnapshot:
    """The one ranking published for a month: the policy it was ranked under, the fingerprint of
    its inputs, and the association-share schedule it sets. Its rows are `RankingRow`s."""
    period: str
    policy_version: str
    fingerprint: str
    offices: int
    schedule: Mapping[str, Any]  # the association-share schedule, as published
    policy: Mapping[str, Any]  # the adopted policy document, with its number
    created_at: datetime


@dataclass(frozen=True)
class RankingRow:
    """An office's row of a published ranking: its tier state, scorecard and window aggregate."""
    office_id: str
    province: str
    tier: int
    score: Decimal
    provisional: bool
    rank: int
    state: ranking.TierState
    previous: ranking.TierState | None
    card: Mapping[str, Any]  # the scorecard as published (JSON document)
    aggregate: Mapping[str, Any]  # the window aggregate it was scored on (asdict of OfficePeriod)
    fees_rials: int = 0


# --- the policy as a stored document ---------------------------------------------------------------


@dataclass(frozen=True)
class AdoptedPolicy:
    """A ranking policy and the base share the association sets with it."""
    policy: ranking.Policy
    base_share: Decimal
    adopted_by: str = "default"
    adopted_at: str | None = None


DEFAULT_BASE_SHARE = Decimal("0.10")
DEFAULT = AdoptedPolicy(ranking.DEFAULT_POLICY, DEFAULT_BASE_SHARE)


def policy_to_doc(adopted: AdoptedPolicy) -> dict:
    p = adopted.policy
    return {
        "version": p.version, "weights": dict(sorted(p.weights.items())), "cut_points": list(p.cut_points),
        "hysteresis_margin": p.hysteresis_margin, "hysteresis_z": p.hysteresis_z, "confirm_periods": p.confirm_periods,
        "min_n": dict(sorted(p.min_n.items())), "min_domains": p.min_domains, "min_transactions": p.min_transactions,
        "provisional_tier": p.provisional_tier, "integrity_gate_per_1000": p.integrity_gate_per_1000,
        "integrity_gate_inspection": p.integrity_gate_inspection, "integrity_cap_tier": p.integrity_cap_tier,
        "share_offsets": [str(d) for d in p.share_offsets], "z_clip": p.z_clip,
        "anchors": {k: {"centre": a.centre, "scale": a.scale} for k, a in sorted(p.anchors.items())},
        "case_mix": p.case_mix, "base_share": str(adopted.base_share), "adopted_by": adopted.adopted_by,
        "adopted_at": adopted.adopted_at,
    }


def policy_from_doc(doc: Mapping) -> AdoptedPolicy:
    """The stored document -> policy; ValueError if it does not make a valid policy."""
    base = ranking.DEFAULT_POLICY
    try:
        policy = ranking.Policy(
            version=str(doc["version"]), weights={k: float(v) for k, v in doc["weights"].items()},
            cut_points=tuple(float(c) for c in doc["cut_points"]),
            hysteresis_margin=float(doc.get("hysteresis_margin", base.hysteresis_margin)),
            # A document adopted before the margin scaled with uncertainty keeps its fixed margin.
            hysteresis_z=float(doc.get("hysteresis_z", 0.0)),
            confirm_periods=int(doc.get("confirm_periods", base.confirm_periods)),
            min_n={k: float(v) for k, v in doc.get("min_n", base.min_n).items()},
            min_domains=int(doc.get("min_domains", base.min_domains)),
            min_transactions=int(doc.get("min_transactions", base.min_transactions)),
            provisional_tier=int(doc.get("provisional_tier", base.provisional_tier)),
            integrity_gate_per_1000=float(doc.get("integrity_gate_per_1000", base.integrity_gate_per_1000)),
            integrity_gate_inspection=float(doc.get("integrity_gate_inspection", base.integrity_gate_inspection)),
            integrity_cap_tier=int(doc.get("integrity_cap_tier", base.integrity_cap_tier)),
            share_offsets=tuple(Decimal(str(d)) for d in doc.get("share_offsets", base.share_offsets)),
            z_clip=float(doc.get("z_clip", base.z_clip)),
            anchors={k: ranking.Anchor(float(a["centre"]), float(a["scale"])) for k, a in doc.get("anchors", {}).items()},
            case_mix=bool(doc.get("case_mix", base.case_mix)))
        share = Decimal(str(doc.get("base_share", DEFAULT_BASE_SHARE)))
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"not a valid ranking policy: {exc}") from exc
    if not Decimal(0) <= share <= Decimal(1):
        raise ValueError("base_share must be within 0-1")
    if unknown := set(policy.anchors) - set(ranking.BY_NAME):
        raise ValueError(f"anchors of unknown indicators: {sorted(unknown)}")
    if any(a.scale <= 0 for a in policy.anchors.values()):
        raise ValueError("anchor scales must be positive")
    # a schedule with this base share must keep every tier's share within 0-100 %
    ranking.association_shares({"x": 1, "y": 5}, {"x": 1, "y": 1}, share, policy)
    return AdoptedPolicy(policy, share, str(doc.get("adopted_by") or "default"), doc.get("adopted_at"))


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def percent(value: Fraction, places: int = 4) -> str:
    return str((Decimal(value.numerator) / Decimal(value.denominator) * 100).quantize(Decimal(1).scaleb(-places)))
