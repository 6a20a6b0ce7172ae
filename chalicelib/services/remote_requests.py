"""Use cases of remote requests: intake from citizens and partners, the citizen's and the
partner's status read, and the office's pull of the national queue and its transitions."""
from __future__ import annotations

import hmac
import random
import time
from datetime import datetime, timedelta

from chalicelib.domain import calendar, outbox, remote, validators
from chalicelib.domain.booking import access_code_matches, citizen_key
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.citizen import CitizenSession
from chalicelib.domain.partner import Partner, WebhookDelivery
from chalicelib.domain.remote import OfficeCounters, RemoteRequest, WorkScope
from chalicelib.errors import (
    AlreadyRated,
    InvalidInput,
    NoFreeCounter,
    NotFound,
    RequestStateConflict,
    ServiceUnavailable,
    TxConditionFailed,
    TxConflict,
)
from chalicelib.observability import logger, metrics
from chalicelib.schemas import PartnerRequestIn, RemoteRequestIn
from chalicelib.services import accounts, catalogue, citizens, documents, once, remote_jobs, router, tariffs
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

_rng = random.SystemRandom()
PER_PARTITION = 5  # queue entries read from the head of each partition per round
MAX_ROUNDS = 60  # re-reads of the queue heads before a pull gives up (503, retry)


# --- intake ---------------------------------------------------------------------------------

def submit(req: RemoteRequestIn, idempotency_key: str, lambda_context=None, *,
           session: CitizenSession | None = None) -> dict:
    """A citizen's request, once per Idempotency-Key (a retry returns the first result). With the
    Lambda context, a record left in flight by a timed-out invocation expires with it. With the
    citizen's session, the body's national ID and mobile must be the session's."""
    if session is not None:
        citizens.check_owner(session, req.national_id, req.mobile)
    stores.idempotency.register_context(lambda_context)
    return once.run("remote_request", idempotency_key, req.idempotency_view(), _submit_from_body)


def _submit_from_body(body: dict) -> dict:
    return once.without_secret(_submit(RemoteRequestIn.model_validate(body), None))


def _remote_service(service_id: str) -> Service:
    service = catalogue.get_service(service_id)
    if service.mode not in remote.REMOTE_MODES:
        raise InvalidInput("This service is only offered in person; book an appointment instead",
                           "این خدمت فقط حضوری ارائه می‌شود؛ لطفاً نوبت حضوری بگیرید")
    return service


def _preferred(office_id: str | None, service: Service) -> Office | None:
    """The citizen's preferred office when it exists and serves this service remotely; otherwise
    the request goes to the national queue."""
    if not office_id:
        return None
    office = stores.catalogue.all_offices().get(office_id) or stores.catalogue.get_office(office_id)
    if office is None or not catalogue.offers(office, service) or catalogue.needs_in_person(office, service):
        return None
    return office


def _deadline(now: datetime) -> datetime:
    corrections = catalogue.corrections()
    return remote.sla_deadline(now, get_settings().remote_sla_work_hours,
                               is_closed=lambda d: calendar.is_network_closed(d, corrections),
                               thursday_open=get_settings().thursday_open)


def _draft(req: RemoteRequestIn, service: Service, now: datetime, *, source: str,
           partner_id: str | None = None, partner_ref: str | None = None) -> tuple[RemoteRequest, str | None]:
    s = get_settings()
    for doc in req.documents:
        if doc.content_base64 is not None and doc.size > s.remote_max_document_bytes:
            raise InvalidInput(f"Inline documents are limited to {s.remote_max_document_bytes} bytes; "
                               "send larger ones by upload_ref",
                               "حجم سند درون‌خطی بیش از حد مجاز است؛ اسناد بزرگ‌تر را با شناسه بارگذاری بفرستید")
    documents.check_cited(req.documents)
    tracking = remote.new_tracking_code()
    office = _preferred(req.preferred_office_id, service)
    now = now.replace(microsecond=0)  # stored to the second
    access_code = remote.new_access_code() if source == "citizen" else None
    priced = tariffs.price(service, now.date())
    request = RemoteRequest(
        tracking, service.service_id, remote.RECEIVED, source,
        citizen_key=citizen_key(req.national_id, s.citizen_pepper),
        national_id_masked=validators.mask_national_id(req.national_id), mobile=req.mobile, country=req.country,
        time_zone=req.time_zone, sla_deadline=_deadline(now).replace(microsecond=0), created_at=now, updated_at=now,
        partner_id=partner_id, partner_ref=partner_ref, description=req.description,
        documents=[d.model_dump(mode="json", exclude_none=True) for d in req.documents],
        preferred_office_id=req.preferred_office_id, queue_office_id=office.office_id if office else None,
        access_code_hash=remote.hash_code(tracking, access_code) if access_code else None,
        history=[{"at": _stamp(now), "actor": source if not partner_id else f"partner:{partner_id}", "from": None,
                  "to": remote.RECEIVED}], tariff_version=priced.version, fee_rials=priced.fee_rials)
    return request, access_code


def _submit(req: RemoteRequestIn, now: datetime | None) -> dict:
    now = now or calendar.now_tehran()
    service = _remote_service(req.service_id)
    request, access_code = _draft(req, service, now, source="citizen")
    sms = outbox.sms("remote_received", req.mobile, now, booking_id=None,
                     params={"tracking_code": request.tracking_code, "service_fa": service.name_fa})
    stores.requests.create(request, service.category, now, messages=[sms])
    metrics.add_metric(name="RemoteRequestReceived", unit="Count", value=1)
    logger.info("remote request received", extra={"request_id": request.tracking_code,
                                                   "queue": "office" if request.queue_office_id else "national"})
    return {**request_view(_routed(request, service, now), service), "access_code": access_code}


def _routed(request: RemoteRequest, service: Service, now: datetime) -> RemoteRequest:
    """Offer the new request to the best idle office; the request as it stands afterwards."""
    if router.assign_on_arrival(request, service, now) is None:
        return request
    return stores.requests.get(request.tracking_code) or request


def submit_from_partner(partner: Partner, webhook_id: str, req: PartnerRequestIn,
                        now: datetime | None = None) -> tuple[dict, bool]:
    """A verified partner delivery. Returns (view, created): a replayed `webhook-id` returns the
    request the first delivery created, and creates nothing."""
    now = now or calendar.now_tehran()
    earlier = stores.partners.seen_request(partner.partner_id, webhook_id, now)
    if earlier is not None:
        return partner_view(_must(earlier)), False
    service = _remote_service(req.service_id)
    request, _ = _draft(req, service, now, source="partner", partner_id=partner.partner_id, partner_ref=req.partner_ref)
    delivery = WebhookDelivery.received(partner.partner_id, webhook_id, now, get_settings().webhook_dedupe_hours)
    for attempt in range(4):
        try:
            stores.requests.create(request, service.category, now, delivery=delivery)
            break
        except TxConditionFailed as exc:
            if "webhook" not in exc.labels:
                raise
            earlier = stores.partners.seen_request(partner.partner_id, webhook_id, now)
            if earlier is not None:
                return partner_view(_must(earlier)), False
        except TxConflict:
            time.sleep(_rng.uniform(0.01, 0.05) * (attempt + 1))
    else:
        raise ServiceUnavailable()
    metrics.add_metric(name="RemoteRequestReceived", unit="Count", value=1)
    logger.info("partner request received", extra={"request_id": request.tracking_code,
                                                    "partner_id": partner.partner_id})
    return partner_view(_routed(request, service, now), service), True


def _must(tracking: str) -> RemoteRequest:
    request = stores.requests.get(tracking)
    if request is None:
        raise ServiceUnavailable()
    return request


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --- views ------------------------------------------------------------------------------------

def _instant(value: datetime | None) -> dict | None:
    return calendar.datetime_out(value) if value else None


def request_view(item: RemoteRequest, service: Service | None = None) -> dict:
    """What the citizen (and the partner) sees: no national ID, no mobile, no document content."""
    service = service or stores.catalogue.get_service(item.service_id)
    office = stores.catalogue.all_offices().get(item.office_id) if item.office_id else None
    return {
        "tracking_code": item.tracking_code, "status": item.status,
        "service": {"service_id": item.service_id, "name_fa": service.name_fa if service else None,
                    "name_en": service.name_en if service else None},
        "office": None if not item.office_id else {
            "office_id": item.office_id, "name_fa": office.name_fa if office else None,
            "name_en": office.name_en if office else None},
        "queue": "office" if item.queue_office_id else "national",
        "preferred_office_id": item.preferred_office_id,
        "country": item.country, "time_zone": item.time_zone,
        "documents": [{k: d[k] for k in ("name", "media_type", "size", "upload_ref") if k in d}
                      for d in (item.documents or [])],
        "sla_deadline": _instant(item.sla_deadline),
        "reason": item.reason,
        "in_person_offer": item.in_person_offer,
        "rating": {"score": item.rating["score"], "at": item.rating["at"]} if item.rating else None,
        "timeline": [{"status": h["to"], "at": h["at"]} for h in (item.history or [])],
        "created_at": _stamp(item.created_at), "updated_at": _stamp(item.updated_at),
    }


RECENTLY_CLOSED_DAYS = 30


def of_citizen(citizen_key: str, now: datetime | None = None) -> dict:
    """The citizen's remote requests still open, and those closed in the last 30 days, newest first."""
    now = now or calendar.now_tehran()
    since = now - timedelta(days=RECENTLY_CLOSED_DAYS)
    found = stores.requests.of_citizen(citizen_key, since)
    return {"items": [request_view(r) for r in found if r.status not in remote.FINAL or r.updated_at >= since]}


def partner_view(item: RemoteRequest, service: Service | None = None) -> dict:
    return {**request_view(item, service), "partner_ref": item.partner_ref}


def office_view(item: RemoteRequest) -> dict:
    """What the office working the request sees: the request, its documents (inline content, or a
    short-lived download link for an uploaded one), and the citizen's masked identifiers (the
    operator re-enters the ID to verify)."""
    return {**request_view(item), "description": item.description,
            "documents": documents.with_links(item.documents or []),
            "national_id": item.national_id_masked, "mobile": validators.mask_mobile(item.mobile)
            if item.mobile.startswith("+98") else item.mobile[:4] + "*****" + item.mobile[-2:],
            "source": item.source, "accept_by": _instant(item.accept_by)}


def citizen_view(item: RemoteRequest) -> dict:
    """The citizen's own view: with the one-time rating invitation while it is open."""
    view = request_view(item)
    view["rating_invitation"] = {"token": item.rating_token, "url": f"/v1/requests/{item.tracking_code}/rating"} \
        if item.rating_token and not item.rating else None
    return view


def read(tracking: str, access_code: str | None) -> dict:
    item = stores.requests.get(tracking) if remote.is_tracking_code(tracking) else None
    # A wrong code and a missing request look the same, so codes cannot be probed.
    if item is None or not item.access_code_hash or not access_code_matches(tracking, access_code,
                                                                            item.access_code_hash):
        raise NotFound("No request with this tracking code and access code",
                       "درخواستی با این کد رهگیری و کد دسترسی یافت نشد")
    return citizen_view(item)


def read_for_partner(partner_id: str, tracking: str) -> dict:
    item = stores.requests.get(tracking) if remote.is_tracking_code(tracking) else None
    if item is None or item.partner_id != partner_id:
        raise NotFound("No request of yours with this tracking code", "درخواستی از شما با این کد رهگیری یافت نشد")
    return partner_view(item)


# --- the office pulls ----------------------------------------------------------------------------

def _scope(office: Office) -> WorkScope:
    """What the office may pull: the services it offers and has not declared in person only (its
    declarations as of the catalogue version in force: a declaration applies from the next pull)."""
    def category_of(service_id: str) -> str | None:
        service = stores.catalogue.get_service(service_id)
        return service.category if service else None
    return WorkScope.of(office, category_of)


def next_request(office_id: str, operator_id: str, now: datetime | None = None) -> dict | None:
    """Claim the earliest-deadline request the office can serve (its own queue and the national
    queue's partitions of its categories), or None when there is none. Never more requests than
    open counters."""
    now = now or calendar.now_tehran()
    office = catalogue.get_office(office_id)
    counters = stores.load.ensure_counter(office_id, catalogue.bookable_counters(office, now.date()), now)
    if counters.busy >= counters.open:
        raise NoFreeCounter()
    accept_by = now + timedelta(minutes=get_settings().remote_accept_minutes)
    scope = _scope(office)
    for _ in range(MAX_ROUNDS):
        heads = stores.requests.eligible_heads(scope, PER_PARTITION)
        if not heads:
            return None
        for entry in heads:
            callbacks = remote_jobs.callbacks(entry.partner_id, entry.tracking_code, remote.ASSIGNED, now)
            try:
                stores.requests.claim(entry, office_id, f"operator:{operator_id}", now, accept_by, callbacks)
            except TxConditionFailed as exc:
                if "counter" in exc.labels:
                    raise NoFreeCounter() from exc
                continue  # another office took it first: the next one
            except TxConflict:
                continue  # being taken right now: the next one
            metrics.add_metric(name="RemoteRequestAssigned", unit="Count", value=1)
            logger.info("remote request assigned", extra={"request_id": entry.tracking_code, "office_id": office_id})
            return office_view(_must(entry.tracking_code))
        time.sleep(_rng.uniform(0.005, 0.03))
    raise ServiceUnavailable("The queue is very busy; retry", "صف بسیار شلوغ است؛ دوباره تلاش کنید", retry_after=1)


def work_list(office_id: str) -> dict:
    """The office's requests in hand (assigned to it, by its own pull or by the router on arrival,
    and in progress), the ones to start first (earliest acceptance deadline) on top."""
    items = [i for i in stores.requests.in_hand(office_id) if i.office_id == office_id]
    items.sort(key=lambda i: (i.status != remote.ASSIGNED, i.accept_by.timestamp() if i.accept_by else float("-inf"),
                              i.sla_deadline, i.tracking_code))
    return {"office_id": office_id, "items": [
        {**request_view(i), "source": i.source, "accept_by": _instant(i.accept_by)} for i in items]}


def _own(office_id: str, tracking: str) -> RemoteRequest:
    item = stores.requests.get(tracking) if remote.is_tracking_code(tracking) else None
    if item is None or item.office_id != office_id:
        raise NotFound("No such request at your office", "چنین درخواستی در دفتر شما وجود ندارد")
    return item


def office_read(office_id: str, tracking: str) -> dict:
    return office_view(_own(office_id, tracking))


def act(office_id: str, operator_id: str, tracking: str, action: str, reason: str | None = None,
        now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    item = _own(office_id, tracking)
    if not remote.allowed(action, item.status):
        raise RequestStateConflict()
    to = remote.target(action)
    offer = _in_person_offer(item) if to == remote.NEEDS_IN_PERSON else None
    token, messages = None, []
    if to == remote.COMPLETED and item.source == "citizen" and remote.invited_to_rate(
            _rng.random(), get_settings().rating_sample_rate):
        token = remote.new_access_code()
        messages.append(outbox.sms("remote_rating_invite", item.mobile, now, booking_id=None,
                                   params={"tracking_code": tracking, "rating_token": token}))
    fee = None
    if to == remote.COMPLETED:  # a delivered service: its fee and the citizen's receipt, with the completion
        office = stores.catalogue.all_offices().get(office_id) or stores.catalogue.get_office(office_id)
        fee, receipt_sms = accounts.request_fee(item, office, catalogue.get_service(item.service_id), now,
                                                f"operator:{operator_id}")
        messages.extend(receipt_sms)
    try:
        stores.requests.transition(item, to, f"operator:{operator_id}", now,
                                 release_counter=remote.releases_counter(action, item.status), reason=reason,
                                 offer=offer, rating_token=token,
                                 messages=[*messages, *remote_jobs.callbacks(item.partner_id, tracking, to, now, reason)],
                                 fee=fee)
    except (TxConditionFailed, TxConflict) as exc:
        raise RequestStateConflict("The request changed meanwhile; read it again",
                                   "درخواست در این فاصله تغییر کرده است؛ دوباره بخوانید") from exc
    if fee is not None:
        accounts.counted(fee)
    metrics.add_metric(name=f"RemoteRequest{to.title().replace('_', '')}", unit="Count", value=1)
    return office_view(_own(office_id, tracking))


def _in_person_offer(item: RemoteRequest) -> list[dict]:
    """Nearby offices (from the office that worked the request) that serve the service in person,
    each with the slots to book there: the request turns into a booking offer."""
    service = catalogue.known_service(item.service_id)  # the request stands if the service was retired since
    if service.mode == "remote_only":
        raise InvalidInput("This service is remote only; it cannot be sent to an office in person",
                           "این خدمت فقط غیرحضوری ارائه می‌شود")
    offices = stores.catalogue.all_offices()
    here = offices.get(item.office_id) or catalogue.get_office(item.office_id)
    candidates = [(o.office_id, float(o.lat), float(o.lon)) for o in offices.values()
                  if service.active and catalogue.offers(o, service)]  # a retired service takes no new bookings
    return [{"office_id": office_id, "name_fa": offices[office_id].name_fa, "name_en": offices[office_id].name_en,
             "distance_km": km, "slots": f"/v1/offices/{office_id}/slots?service={service.service_id}"}
            for office_id, km in remote.in_person_offer((float(here.lat), float(here.lon)), candidates)]


def rate(tracking: str, access_code: str | None, rating_token: str | None, score: int, comment: str | None,
         now: datetime | None = None) -> dict:
    """The citizen's one rating of a completed request, only with the invitation sent to a random
    sample of completions (and the request's access code): verified, one per request."""
    now = now or calendar.now_tehran()
    item = stores.requests.get(tracking) if remote.is_tracking_code(tracking) else None
    if item is None or not item.access_code_hash or not access_code_matches(tracking, access_code,
                                                                            item.access_code_hash):
        raise NotFound("No request with this tracking code and access code",
                       "درخواستی با این کد رهگیری و کد دسترسی یافت نشد")
    if item.rating:
        raise AlreadyRated()
    if not item.rating_token or not rating_token or not hmac.compare_digest(
            item.rating_token.encode(), rating_token.strip().upper().encode()):
        raise NotFound("No rating invitation matches", "دعوت‌نامه امتیازدهی معتبری یافت نشد")
    rating = {"score": score, "comment": comment, "at": now.isoformat(timespec="seconds"), "office_id": item.office_id}
    if not stores.requests.rate(tracking, item.rating_token, rating):
        raise AlreadyRated()
    metrics.add_metric(name="RemoteRequestRated", unit="Count", value=1)
    return citizen_view(_must(tracking))


def counters_view(counters: OfficeCounters) -> dict:
    return {"office_id": counters.office_id, "open": counters.open, "busy": counters.busy}


def office_counters(office_id: str, open_counters: int | None, now: datetime | None = None) -> dict:
    """Read, or set, the office's open counters for remote work (at most its counters)."""
    now = now or calendar.now_tehran()
    staffed = catalogue.bookable_counters(catalogue.get_office(office_id), now.date())
    if open_counters is None:
        return counters_view(stores.load.ensure_counter(office_id, staffed, now))
    if open_counters > staffed:
        raise InvalidInput(f"The office has {staffed} counters with a licensed operator today",
                           "تعداد باجه‌ها بیش از باجه‌های دارای متصدی مجاز دفتر است")
    return counters_view(stores.load.set_open(office_id, open_counters, now))
