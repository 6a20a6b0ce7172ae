"""Use cases of the association's accounts: the fee record a delivered service writes (with the
completion, in its transaction), the citizen's receipt, refunds and corrections, the monthly
statement per office from the records × the tier shares of the ranking in force, the province
summary, and the reconciliation of records, totals and statement. The rules are
chalicelib/domain/tariffs.py."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime, timedelta
from fractions import Fraction

from chalicelib.domain import calendar, ranking_live
from chalicelib.domain import desk as desk_rules
from chalicelib.domain import tariffs as rules
from chalicelib.domain.booking import Booking, access_code_matches
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.citizen import CitizenSession
from chalicelib.domain.desk import Ticket
from chalicelib.domain.outbox import OutboxMessage, sms
from chalicelib.domain.remote import RemoteRequest
from chalicelib.domain.tariffs import FeeRecord, MonthStatement, Receipt, TariffError
from chalicelib.domain.text import to_persian_digits
from chalicelib.errors import AccountsDisagree, Conflict, InvalidInput, NotFound, TxConditionFailed, TxConflict
from chalicelib.observability import logger, metrics
from chalicelib.services import tariffs
from chalicelib.services.stores import stores

RECEIPT_TEMPLATE = "fee_receipt"


# --- the fee of a delivered service ------------------------------------------------------------------

def _receipt_sms(record: FeeRecord, mobile: str, office: Office | None, service: Service, now: datetime
                 ) -> OutboxMessage:
    return sms(RECEIPT_TEMPLATE, mobile, now, params={
        "receipt_id": record.receipt_id, "service_fa": service.name_fa, "office_fa": office.name_fa if office else "",
        "amount_fa": tariffs.rials_fa(record.total_rials)})


def booking_fee(booking: Booking, office: Office | None, service: Service, now: datetime, actor: str
                ) -> tuple[FeeRecord, list[OutboxMessage]]:
    """The fee of a completed visit, at the version the booking was priced at, and its receipt SMS."""
    version, line = tariffs.line_for(service, booking.tariff_version, booking.day)
    channel = ("session_" if booking.session is not None else "") + (booking.channel or "web")
    record = rules.fee_record(f"booking:{booking.booking_id}", office_id=booking.office_id,
                              province=office.province if office else "", service_id=booking.service_id, tariff=None,
                              version=version, line=line, channel=channel, period=ranking_live.period_of(now),
                              at=now, subject=booking.booking_id, actor=actor)
    return record, [_receipt_sms(record, booking.mobile, office, service, now)]


def request_fee(request: RemoteRequest, office: Office | None, service: Service, now: datetime, actor: str
                ) -> tuple[FeeRecord, list[OutboxMessage]]:
    """The fee of a completed remote request, at the version it was priced at, and its receipt SMS."""
    version, line = tariffs.line_for(service, request.tariff_version, request.created_at.astimezone(
        calendar.TEHRAN).date())
    record = rules.fee_record(f"request:{request.tracking_code}", office_id=str(request.office_id),
                              province=office.province if office else "", service_id=request.service_id, tariff=None,
                              version=version, line=line,
                              channel="remote_partner" if request.source == "partner" else "remote",
                              period=ranking_live.period_of(now), at=now, subject=request.tracking_code, actor=actor)
    return record, [_receipt_sms(record, request.mobile, office, service, now)]


def walk_in_key(ticket: Ticket) -> str:
    """The record key of a walk-in's fee: one per office-day ticket, so a retried serve writes none."""
    return f"ticket:{ticket.office_id}:{ticket.day.isoformat()}:{ticket.number}"


def walk_in_fee(ticket: Ticket, office: Office | None, service: Service, now: datetime, actor: str) -> FeeRecord:
    """The fee of a walk-in served at the desk, at the tariff in force on its day. No SMS: a walk-in
    gives no mobile; the desk hands the receipt number over (the ticket shows it)."""
    version, line = tariffs.line_for(service, None, ticket.day)
    return rules.fee_record(walk_in_key(ticket), office_id=ticket.office_id,
                            province=office.province if office else "", service_id=ticket.service_id, tariff=None,
                            version=version, line=line, channel="walk_in", period=ranking_live.period_of(now),
                            at=now, subject=f"{ticket.office_id}:{ticket.day.isoformat()}:{ticket.number}",
                            actor=actor)


def receipt_of(ticket: Ticket) -> str | None:
    """The receipt number of a served ticket (its walk-in fee, or its appointment's)."""
    if ticket.status != desk_rules.SERVED:
        return None
    return rules.receipt_id(f"booking:{ticket.booking_id}" if ticket.booking_id else walk_in_key(ticket))


def counted(record: FeeRecord) -> None:
    metrics.add_metric(name="FeeRecorded", unit="Count", value=1)
    logger.info("fee recorded", extra={"receipt_id": record.receipt_id, "office_id": record.office_id,
                                       "period": record.period, "total_rials": record.total_rials})


# --- receipts ---------------------------------------------------------------------------------------

def _names(record: FeeRecord) -> tuple[Office | None, Service | None]:
    return (stores.catalogue.all_offices().get(record.office_id) or stores.catalogue.get_office(record.office_id),
            stores.catalogue.get_service(record.service_id))


def receipt_view(receipt: Receipt) -> dict:
    r = receipt.record
    office, service = _names(r)
    net = r.total_rials + receipt.adjusted_rials
    at = calendar.datetime_out(r.at)
    service_fa = service.name_fa if service else r.service_id
    office_fa = office.name_fa if office else r.office_id
    return {
        "receipt_id": r.receipt_id,
        "office": {"office_id": r.office_id, "name_fa": office.name_fa if office else None,
                   "name_en": office.name_en if office else None},
        "service": {"service_id": r.service_id, "name_fa": service.name_fa if service else None,
                    "name_en": service.name_en if service else None},
        "delivered_at": at, "delivered_at_fa": to_persian_digits(at["jalali"]),
        "channel": r.channel, "tariff_version": r.tariff_version,
        "government_rials": r.government_rials, "office_rials": r.office_rials, "total_rials": r.total_rials,
        "total_fa": tariffs.rials_fa(r.total_rials), "adjusted_rials": receipt.adjusted_rials, "net_rials": net,
        "net_fa": tariffs.rials_fa(net),
        "text_fa": (f"رسید {r.receipt_id}: «{service_fa}» در {office_fa}، {to_persian_digits(at['jalali'])}؛ "
                    f"مبلغ {tariffs.rials_fa(net)}"),
    }


def read_receipt(receipt_id: str, access_code: str | None, session: CitizenSession | None = None) -> dict:
    """A receipt, for whoever shows the access code of the booking or request it was for, or the
    session of its citizen; anything else looks like no receipt at all."""
    receipt = stores.accounts.get_receipt(receipt_id) if rules.is_receipt_id(receipt_id) else None
    if receipt is None or not (
            (receipt.access_code_hash and access_code_matches(receipt.record.subject, access_code,
                                                              receipt.access_code_hash))
            or (session is not None and session.citizen_key == receipt.citizen_key)):
        raise NotFound("No receipt with this number and access code", "رسیدی با این شماره و کد دسترسی یافت نشد")
    return receipt_view(receipt)


# --- refunds and corrections -------------------------------------------------------------------------

def _record_view(r: FeeRecord) -> dict:
    return {"record_key": r.record_key, "receipt_id": r.receipt_id, "kind": r.kind, "office_id": r.office_id,
            "service_id": r.service_id, "tariff_version": r.tariff_version, "government_rials": r.government_rials,
            "office_rials": r.office_rials, "share_base_rials": r.share_base_rials, "total_rials": r.total_rials,
            "channel": r.channel, **ranking_live.period_out(r.period), "at": calendar.datetime_out(r.at),
            "actor": r.actor, "refers_to": r.refers_to, "reason": r.reason}


def adjust(receipt_id: str, reference: str, kind: str, amounts: dict, reason: str, actor: str,
           now: datetime | None = None) -> tuple[dict, bool]:
    """A refund or correction of a fee, recorded in the current month as a new record; once per
    `reference` (a retry answers the record the first one wrote). (record view, created)."""
    now = now or calendar.now_tehran()
    receipt = stores.accounts.get_receipt(receipt_id) if rules.is_receipt_id(receipt_id) else None
    if receipt is None:
        raise NotFound(f"No receipt {receipt_id}", "رسید مورد نظر یافت نشد")
    period = ranking_live.period_of(now)
    key = rules.adjustment_key(reference)
    earlier = next((r for r in stores.accounts.office_records(receipt.record.office_id, period)
                    if r.record_key == key), None)
    for _ in range(3):
        try:
            record = rules.adjustment(receipt.record, reference, kind, amounts["government_rials"],
                                      amounts["office_rials"], amounts["share_base_rials"], period, now, actor,
                                      reason, receipt.adjusted_rials)
        except TariffError as exc:
            if earlier is not None:  # a retry of an adjustment already made (the limit counts it now)
                return _same_or_conflict(earlier, replace(earlier, government_rials=amounts["government_rials"],
                                                          office_rials=amounts["office_rials"],
                                                          share_base_rials=amounts["share_base_rials"], kind=kind)
                                         ), False
            raise InvalidInput(str(exc), "مبالغ اصلاحیه یا استرداد نامعتبر است") from exc
        if earlier is not None:
            return _same_or_conflict(earlier, record), False
        try:
            stores.accounts.record_adjustment(record, receipt)
        except (TxConditionFailed, TxConflict) as exc:
            if isinstance(exc, TxConditionFailed) and "duplicate" in exc.labels:
                earlier = _recorded(record)
                if earlier is not None:
                    return _same_or_conflict(earlier, record), False
            receipt = stores.accounts.get_receipt(receipt_id)  # adjusted meanwhile: check the limit again
            continue
        metrics.add_metric(name="FeeAdjusted", unit="Count", value=1)
        logger.info("fee adjusted", extra={"receipt_id": receipt_id, "kind": kind, "by": actor,
                                           "total_rials": record.total_rials})
        return _record_view(record), True
    raise Conflict("The receipt keeps changing; try again", "رسید در این فاصله تغییر کرد؛ دوباره تلاش کنید")


def _recorded(record: FeeRecord) -> FeeRecord | None:
    return next((r for r in stores.accounts.office_records(record.office_id, record.period)
                 if r.record_key == record.record_key), None)


def _same_or_conflict(earlier: FeeRecord, record: FeeRecord) -> dict:
    same = (earlier.kind, earlier.refers_to, earlier.government_rials, earlier.office_rials,
            earlier.share_base_rials) == (record.kind, record.refers_to, record.government_rials,
                                          record.office_rials, record.share_base_rials)
    if not same:
        raise Conflict("This reference was used for another adjustment",
                       "این شماره مرجع برای اصلاحیه دیگری به کار رفته است")
    return _record_view(earlier)


# --- statements ---------------------------------------------------------------------------------------

def shares_for(period: str) -> tuple[dict[str, int], dict[int, Fraction], int, dict]:
    """(tier per office, share per tier, default tier, where they come from) for a month: the
    ranking published for an earlier month, as the ranking's statements read it; without one,
    every office pays the base share."""
    heads = stores.ranking.snapshots(before=period, limit=1)
    if heads:
        head = heads[0]
        tiers = {o: r.tier for o, r in stores.ranking.rows(head, cached=True).items()}
        by_tier = {int(t): Fraction(v) for t, v in head.schedule["share_by_tier"].items()}
        default = int(head.policy.get("provisional_tier", 3)) if isinstance(head.policy, dict) else 3
        default = default if default in by_tier else min(by_tier)
        return tiers, by_tier, default, {"ranking_period": ranking_live.period_out(head.period),
                                         "policy_version": head.policy_version}
    from chalicelib.services import ranking  # the policy in force: its base share
    _, adopted = ranking.adopted_policy()
    base = Fraction(str(adopted.base_share))
    return {}, dict.fromkeys(range(1, 6), base), 3, {"ranking_period": None, "policy_version": None}


def month_statement(period: str) -> tuple[MonthStatement, dict]:
    tiers, by_tier, default, source = shares_for(period)
    return rules.month_statement(period, stores.accounts.month_totals(period), tiers, by_tier, default), source


def _parse_month(month: str) -> str:
    try:
        return ranking_live.parse_period(month)
    except ValueError as exc:
        raise InvalidInput(str(exc), "ماه نامعتبر است (نمونه: ۱۴۰۵-۰۹)") from exc


def _line_view(line: rules.StatementLine) -> dict:
    f = line.fees
    return {"office_id": line.office_id, "province": line.province, "tier": line.tier,
            "share": ranking_live.fraction_text(line.share), "share_percent": float(ranking_live.percent(line.share)),
            "services": f.count, "government_rials": f.government_rials, "office_rials": f.office_rials,
            "share_base_rials": f.share_base_rials, "levy_rials": line.levy_rials}


def statement(month: str, office_id: str | None = None, province: str | None = None) -> dict:
    """The association's statement of a month: per office, its recorded fees and the levy on its
    share base at its tier's share, in whole rials that add up to the total (largest remainder)."""
    period = _parse_month(month)
    st, source = month_statement(period)
    lines = [line for line in st.lines if (office_id is None or line.office_id == office_id)
             and (province is None or line.province == province)]
    whole = office_id is None and province is None
    return {**ranking_live.period_out(period), **source, "rounding": ROUNDING,
            "items": [_line_view(line) for line in lines],
            "total_share_base_rials": sum(line.fees.share_base_rials for line in lines),
            "total_levy_rials": st.total_levy_rials if whole else sum(line.levy_rials for line in lines)}


ROUNDING = ("levy = share base × tier share; total = Σ exact levies rounded half up to the rial; each office's "
            "line is its floor plus one rial for the largest fractional parts (ties: office id) until the lines "
            "add up to the total")
CSV_COLUMNS = ("office_id", "province", "tier", "share_percent", "services", "government_rials", "office_rials",
               "share_base_rials", "levy_rials")


def statement_csv(view: dict) -> str:
    """The statement as CSV (one line per office, then the total), for the finance office."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in view["items"]:
        writer.writerow([item[c] for c in CSV_COLUMNS])
    writer.writerow(["TOTAL", "", "", "", sum(i["services"] for i in view["items"]),
                     sum(i["government_rials"] for i in view["items"]), sum(i["office_rials"] for i in view["items"]),
                     view["total_share_base_rials"], view["total_levy_rials"]])
    return out.getvalue()


def province_summary(month: str, province: str | None = None) -> dict:
    """Per province: offices with fees, services delivered, amounts and levy (of the statement)."""
    period = _parse_month(month)
    st, source = month_statement(period)
    deprived = {o.office_id for o in stores.catalogue.all_offices().values() if o.deprived}
    rows: dict[str, dict] = {}
    for line in st.lines:
        if province is not None and line.province != province:
            continue
        row = rows.setdefault(line.province, {"province": line.province, "offices": 0, "deprived_offices": 0,
                                              "services": 0, "government_rials": 0, "office_rials": 0,
                                              "share_base_rials": 0, "levy_rials": 0})
        row["offices"] += 1
        row["deprived_offices"] += line.office_id in deprived
        row["services"] += line.fees.count
        row["government_rials"] += line.fees.government_rials
        row["office_rials"] += line.fees.office_rials
        row["share_base_rials"] += line.fees.share_base_rials
        row["levy_rials"] += line.levy_rials
    items = [rows[p] for p in sorted(rows)]
    return {**ranking_live.period_out(period), **source, "items": items,
            "total_levy_rials": sum(i["levy_rials"] for i in items)}


# --- reconciliation -------------------------------------------------------------------------------------

def months_to_check(now: datetime | None = None) -> list[str]:
    """The Jalali months the daily check reads: the current one, and in a month's first 5 days the
    one before too (late completions and corrections land there)."""
    today = (now or calendar.now_tehran()).astimezone(calendar.TEHRAN).date()
    return list(dict.fromkeys([ranking_live.period_of(today - timedelta(days=5)), ranking_live.period_of(today)]))


def reconcile(month: str) -> dict:
    """Check a month: each office's fee records (one keyed Query per office: every office of the
    catalogue and every office with totals) against the totals kept beside them, and the statement
    built on those totals. Disagreement is logged as an error, counted (AccountsReconciliationFailed,
    alarmed) and answered as a problem."""
    period = _parse_month(month)
    totals = stores.accounts.month_totals(period)
    offices = sorted(set(totals) | set(stores.catalogue.all_offices()))
    records = {o: found for o in offices if (found := stores.accounts.office_records(o, period))}
    st, _ = month_statement(period)
    mismatches = rules.reconcile(records, totals, st)
    result = {**ranking_live.period_out(period), "offices_checked": len(offices),
              "records": sum(len(r) for r in records.values()), "total_levy_rials": st.total_levy_rials,
              "mismatches": [{"office_id": m.office_id, "what": m.what, "recorded": str(m.recorded),
                              "kept": str(m.kept)} for m in mismatches]}
    if mismatches:
        metrics.add_metric(name="AccountsReconciliationFailed", unit="Count", value=1)
        logger.error("accounts do not reconcile", extra={"period": period, "mismatches": len(mismatches),
                                                         "first": result["mismatches"][:5]})
        err = AccountsDisagree(f"{len(mismatches)} disagreement(s) between fee records, totals and the statement "
                               f"of {period}",
                               f"{to_persian_digits(str(len(mismatches)))} مغایرت میان سوابق، جمع‌ها و صورت‌حساب ماه "
                               f"{to_persian_digits(period)}")
        err.extra = {"mismatches": result["mismatches"][:100], "month": period}
        raise err
    metrics.add_metric(name="AccountsReconciled", unit="Count", value=1)
    return {**result, "ok": True}
