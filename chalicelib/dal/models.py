"""PynamoDB models: the one source of every table definition. The local bootstrap creates
tables from these classes and the CDK stack derives its tables from `table_specs()`.

Settings are read when this module is imported (PynamoDB copies `Meta` at class definition),
so the environment must be in place before the first import."""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    NumberSetAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.dal.db import shared_client
from chalicelib.settings import get_settings

_S = get_settings()


def _meta(table: str, **extra):
    attrs = {
        "table_name": _S.table_name(table),
        "region": _S.region,
        "host": _S.dynamodb_endpoint,
        "billing_mode": "PAY_PER_REQUEST",
        "connect_timeout_seconds": _S.db_connect_timeout_s,
        "read_timeout_seconds": _S.db_read_timeout_s,
        # botocore "standard" retries with a bounded budget: an unreachable DB fails in ~1-2 s.
        "retry_configuration": {"mode": "standard", "total_max_attempts": _S.db_max_attempts},
        "max_pool_connections": 50,
        **extra,
    }
    return type("Meta", (), attrs)


class _Model(Model):
    """Every model talks through the one shared client (see `shared_client`)."""

    @classmethod
    def _get_connection(cls):
        table_connection = super()._get_connection()
        client = shared_client()
        if table_connection.connection._client is not client:
            table_connection.connection._client = client
        return table_connection


# --- catalogue -------------------------------------------------------------------------

class ServiceItem(_Model):
    """One service of the national catalogue (خدمت)."""
    Meta = _meta("services")
    service_id = UnicodeAttribute(hash_key=True)
    category = UnicodeAttribute()
    name_en = UnicodeAttribute()
    name_fa = UnicodeAttribute()
    mode = UnicodeAttribute()  # in_person | remote_allowed | remote_only
    duration_min = NumberAttribute()
    tariff_rials = NumberAttribute()
    active = BooleanAttribute(default=True)  # False: retired
    session_modes = UnicodeSetAttribute(null=True)  # video | phone; none: not held as a remote session
    min_duration_min = NumberAttribute(null=True)  # bounds of an office's own duration (None: the defaults)
    max_duration_min = NumberAttribute(null=True)
    version = VersionAttribute()


class OfficeItem(_Model):
    """An office (دفتر) and its own declarations: hours, counters, services, in-person needs."""
    Meta = _meta("offices")
    office_id = UnicodeAttribute(hash_key=True)
    name_en = UnicodeAttribute()
    name_fa = UnicodeAttribute()
    province = UnicodeAttribute()
    province_fa = UnicodeAttribute()
    city = UnicodeAttribute()
    city_fa = UnicodeAttribute()
    lat = NumberAttribute()
    lon = NumberAttribute()
    counters = NumberAttribute()
    hours = JSONAttribute()
    offered_categories = UnicodeSetAttribute(default=set)
    not_offered = UnicodeSetAttribute(default=set)
    in_person_required = UnicodeSetAttribute(default=set)
    closures = UnicodeSetAttribute(default=set)
    closure_names = JSONAttribute(null=True)  # ISO date -> {"name_en", "name_fa"} of a declared closure
    deprived = BooleanAttribute(default=False)
    tier = NumberAttribute(null=True)  # set by the ranking; None until the first ranking run
    offered_services = UnicodeSetAttribute(default=set)  # service ids offered beyond offered_categories
    durations = JSONAttribute(null=True)  # service id -> the office's own duration in minutes
    version = VersionAttribute()


# --- booking engine (one table, several item types) -----------------------------------

class _BookingTable(_Model):
    Meta = _meta("bookings", stream_view_type="NEW_AND_OLD_IMAGES")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class OfficeDayIndex(GlobalSecondaryIndex):
    """Bookings of one office on one day, in time order (operator's day list)."""
    class Meta:
        index_name = "office-day"
        projection = AllProjection()
    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class CitizenIndex(GlobalSecondaryIndex):
    """Bookings of one citizen (by citizen key, never the national ID) in time order."""
    class Meta:
        index_name = "citizen"
        projection = AllProjection()
    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class SeatItem(_BookingTable):
    """One counter in one grid cell of an office day: pk OD#office#date, sk SEAT#HH:MM#k.
    Exists only while HELD (until expires_at) or BOOKED; a free seat has no item."""
    status = UnicodeAttribute()  # HELD | BOOKED
    booking_id = UnicodeAttribute(null=True)
    hold_id = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # epoch seconds; enforced in conditions
    ttl = TTLAttribute(null=True)  # cleanup only: TTL deletes lazily


class ShareItem(_BookingTable):
    """Seats a channel's live bookings hold on an office day (pk OD#office#date, sk SHARE#key:
    a partner channel, or one part of the web's count); written under the channel's cap."""
    used = NumberAttribute(default=0)


class HoldItem(_BookingTable):
    """A short hold on a slot while the citizen completes the form (pk HD#hold_id, sk HOLD)."""
    office_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    day = UnicodeAttribute()
    start = UnicodeAttribute()
    cells = ListAttribute(of=UnicodeAttribute)
    counter = NumberAttribute()
    expires_at = NumberAttribute()
    citizen_key = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)


class BookingItem(_BookingTable):
    """The citizen's appointment (pk BK#booking_id, sk BOOKING). No national ID in clear:
    the citizen key is an HMAC of it, and the operator re-enters the ID to verify at check-in."""
    office_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    day = UnicodeAttribute()
    start = UnicodeAttribute()
    cells = ListAttribute(of=UnicodeAttribute)
    counter = NumberAttribute()
    status = UnicodeAttribute()  # BOOKED | CHECKED_IN | COMPLETED | NO_SHOW | CANCELLED
    citizen_key = UnicodeAttribute()
    national_id_masked = UnicodeAttribute()
    mobile = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    access_code_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    history = ListAttribute(default=list)  # audit: [{at, actor, from, to}]
    kind = UnicodeAttribute(null=True)  # "session" for a remote session; absent for a visit
    session = JSONAttribute(null=True)  # a session's contact mode, zone, end, join details, outcome note
    channel = UnicodeAttribute(null=True)  # absent: web
    share = ListAttribute(of=UnicodeAttribute, null=True)  # "key=seats" taken from the day's channel counts
    partner_id = UnicodeAttribute(null=True)
    partner_ref = UnicodeAttribute(null=True)
    fingerprint = UnicodeAttribute(null=True)
    tariff_version = NumberAttribute(null=True)  # the tariff-book version it was priced at
    fee_rials = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    office_day_index = OfficeDayIndex()
    citizen_index = CitizenIndex()
    version = VersionAttribute()

    @property
    def booking_id_value(self) -> str:
        return self.pk.removeprefix("BK#")


class CitizenDayItem(_BookingTable):
    """Live bookings of one citizen on one day across all offices (pk CZ#key, sk DAY#date), and
    until when the citizen's hold on that day lives (`held_until`): a live hold counts against the cap."""
    active = NumberAttribute(default=0)
    held_until = NumberAttribute(null=True)  # epoch seconds


class CitizenHoldItem(_BookingTable):
    """The citizen's one live hold (pk CZ#key, sk HOLD): a new hold waits until it expires or is booked."""
    hold_id = UnicodeAttribute()
    expires_at = NumberAttribute()
    ttl = TTLAttribute(null=True)


class CitizenHoldCountItem(_BookingTable):
    """Holds a citizen made on one (Tehran) day (pk CZ#key, sk HOLDS#date), capped."""
    made = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)


class CitizenGuardItem(_BookingTable):
    """At most one live booking per citizen, day and service (pk CZ#key, sk DAY#date#SVC#service)."""
    booking_id = UnicodeAttribute()


class CitizenBlockItem(_BookingTable):
    """After a no-show, new bookings wait until `blocked_until` (pk CZ#key, sk BLOCK); `booking_id`
    is the no-show that set it (an accepted appeal of that booking lifts it)."""
    blocked_until = NumberAttribute()
    booking_id = UnicodeAttribute(null=True)


class AppealItem(_BookingTable):
    """A citizen's appeal of a no-show (pk AP#{appeal_id}, sk APPEAL): reason, decision and its
    audit trail (`history`: who, when, to what, why)."""
    booking_id = UnicodeAttribute()
    office_id = UnicodeAttribute()
    citizen_key = UnicodeAttribute()
    mobile = UnicodeAttribute()
    reason = UnicodeAttribute()
    status = UnicodeAttribute()  # PENDING | ACCEPTED | REJECTED
    filed_at = UnicodeAttribute()
    no_show_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)
    history = ListAttribute(default=list)


class PendingAppealItem(_BookingTable):
    """A pending appeal in the list the offices and the association read (pk APQ, sk
    {office}#{filed_at}#{appeal_id}); deleted with the decision. Appeals are few: one partition."""


class WaitEntryItem(_BookingTable):
    """A citizen's waitlist entry (pk CZ#key, sk WAIT#{office}#{service}): one per office and
    service; its days are its places in the lines (WaiterItem)."""
    entry_id = UnicodeAttribute()
    office_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    days = ListAttribute(of=UnicodeAttribute)
    mobile = UnicodeAttribute()
    joined_at = UnicodeAttribute()
    ttl = TTLAttribute(null=True)


class WaitRevisionItem(_BookingTable):
    """Bumped by every join and leave of a citizen (pk CZ#key, sk WAITS): a join is conditional on
    the revision it counted the citizen's live entries at, so the cap holds under races."""
    rev = NumberAttribute(default=0)


class WaiterItem(_BookingTable):
    """One place in one day's line (pk WL#{office}#{service}#{day}, sk {joined epoch ms:015d}#{entry}):
    the line reads in join order. WAITING, or OFFERED with the hold made for it."""
    entry_id = UnicodeAttribute()
    citizen_key = UnicodeAttribute()
    mobile = UnicodeAttribute()
    status = UnicodeAttribute()  # WAITING | OFFERED
    hold_id = UnicodeAttribute(null=True)
    offer_expires = NumberAttribute(null=True)  # epoch seconds
    offer_start = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)


class OfferItem(_BookingTable):
    """An outstanding waitlist offer (pk WO, sk {expires epoch s:012d}#{hold_id}): the sweep reads
    those due and passes each one not taken to the next in line. Written with the offer."""
    office_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    day = UnicodeAttribute()
    start = UnicodeAttribute()
    cells = ListAttribute(of=UnicodeAttribute)
    counter = NumberAttribute()
    citizen_key = UnicodeAttribute()
    mobile = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    line_sk = UnicodeAttribute()
    ttl = TTLAttribute(null=True)


class DeskItem(_BookingTable):
    """The front desk of an office day, in its office-day partition (pk OD#office#day), every item
    under sk DS#… so one query reads the whole desk (dal/desk_store.py):
      DS#LINE        streak of the walk-in cap, `calls` (every call is conditional on it),
                     `open_counters` (counters that called today)
      DS#SEQ         the day's last ticket number (atomic counter)
      DS#CTR#{k:02d} counter k: `ticket` = the number being served there (absent: free)
      DS#TK#{n:05d}  ticket n: a walk-in or a checked-in appointment (no national ID in clear)
    and, per office (pk DS#office, sk PACE), the office's measured service pace."""
    # line
    streak = NumberAttribute(null=True)
    calls = NumberAttribute(null=True)
    open_counters = NumberSetAttribute(null=True)
    # sequence
    issued = NumberAttribute(null=True)
    # counter
    ticket = NumberAttribute(null=True)
    # ticket
    kind = UnicodeAttribute(null=True)
    service_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    arrived_at = UnicodeAttribute(null=True)
    due = UnicodeAttribute(null=True)
    booking_id = UnicodeAttribute(null=True)
    citizen_key = UnicodeAttribute(null=True)
    national_id_masked = UnicodeAttribute(null=True)
    counter = NumberAttribute(null=True)
    called_at = UnicodeAttribute(null=True)
    called_by = UnicodeAttribute(null=True)
    ended_at = UnicodeAttribute(null=True)
    recalls = NumberAttribute(null=True)
    issued_by = UnicodeAttribute(null=True)
    call_seq = NumberAttribute(null=True)
    # pace
    minutes = NumberAttribute(null=True)
    measured = NumberAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


# --- the outbox: SMS to citizens and status callbacks to partners ---------------------

class OutboxItem(_Model):
    """A message to deliver (pk OB#{kind}#{shard}, sk {due epoch ms:015d}#{message id}), so a run
    reads what is due of the kinds it sends. `leased_until`/`lease_id` are set while a delivery
    run has claimed it (dal/outbox_store.py)."""
    Meta = _meta("outbox")
    shard = UnicodeAttribute(hash_key=True)
    due = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()  # sms | callback
    attempts = NumberAttribute(default=0)
    leased_until = NumberAttribute(null=True)  # epoch ms; the claim of a delivery run ends then
    lease_id = UnicodeAttribute(null=True)  # the claiming run's token: only it may finish the message
    # sms
    template = UnicodeAttribute(null=True)  # booking_confirmed | booking_reminder | booking_cancelled ...
    booking_id = UnicodeAttribute(null=True)
    recipient = UnicodeAttribute(null=True)
    params = JSONAttribute(null=True)
    # callback: `webhook_id` stays the same across retries
    partner_id = UnicodeAttribute(null=True)
    request_id = UnicodeAttribute(null=True)
    webhook_id = UnicodeAttribute(null=True)
    payload = JSONAttribute(null=True)
    # dead letters (pk DL#{kind}): why the outbox gave up, and when they are forgotten
    reason = UnicodeAttribute(null=True)
    code = UnicodeAttribute(null=True)
    dead_at = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)


# --- network-wide state: load snapshot, calendar corrections --------------------------

class NetworkItem(_Model):
    Meta = _meta("network")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    data = JSONAttribute(default=dict)
    number = NumberAttribute(null=True)  # versioned configuration: the version a CURRENT pointer names
    updated_at = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)  # compact JSON kept as written (a load snapshot shard's lines)
    # CATALOGUE/CURRENT only: one counter per kind of cached read-mostly data, moved by every write
    # of that kind (see catalogue_store.cached). Top-level numbers, so an ADD needs no map to exist.
    calendar_stamp = NumberAttribute(null=True)
    licences_stamp = NumberAttribute(null=True)
    config_stamp = NumberAttribute(null=True)
    tariffs_stamp = NumberAttribute(null=True)


# --- remote requests (one table, several item types; see dal/request_store.py) ---------

class _RequestTable(_Model):
    Meta = _meta("requests", stream_view_type="NEW_AND_OLD_IMAGES")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class CitizenRequestIndex(GlobalSecondaryIndex):
    """Requests of one citizen (by citizen key, never the national ID), newest last. Sparse: only
    the request items carry both keys."""
    class Meta:
        index_name = "citizen-requests"
        projection = AllProjection()
    citizen_key = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class HeldRequestIndex(GlobalSecondaryIndex):
    """Requests that hold an office counter, by office. Sparse: `held_by` exists only while the
    request is ASSIGNED or IN_PROGRESS, so the index holds live work only, however many requests
    have finished."""
    class Meta:
        index_name = "held-requests"
        projection = KeysOnlyProjection()
    held_by = UnicodeAttribute(hash_key=True)


class RemoteRequestItem(_RequestTable):
    """A remote request (pk RQ#tracking_code, sk REQUEST). No national ID in clear: the citizen
    key is an HMAC of it. Every change is conditional on `status` and appends to `history`."""
    service_id = UnicodeAttribute()
    status = UnicodeAttribute()  # RECEIVED | ASSIGNED | IN_PROGRESS | COMPLETED | REJECTED | NEEDS_IN_PERSON
    source = UnicodeAttribute()  # citizen | partner
    partner_id = UnicodeAttribute(null=True)
    partner_ref = UnicodeAttribute(null=True)
    citizen_key = UnicodeAttribute()
    national_id_masked = UnicodeAttribute()
    mobile = UnicodeAttribute()
    country = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    documents = JSONAttribute(default=list)
    preferred_office_id = UnicodeAttribute(null=True)
    queue = UnicodeAttribute()  # the queue partition it waits (or waited) in: QC#category or QO#office
    queue_sk = UnicodeAttribute()  # {sla_deadline epoch}#{tracking_code}
    office_id = UnicodeAttribute(null=True)
    held_by = UnicodeAttribute(null=True)  # office_id while the request holds its counter (HeldRequestIndex)
    access_code_hash = UnicodeAttribute(null=True)  # citizens only; partners read with a signature
    sla_deadline = UnicodeAttribute()
    accept_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    in_person_offer = JSONAttribute(null=True)  # NEEDS_IN_PERSON: nearby offices to book at
    rating_token = UnicodeAttribute(null=True)  # a sampled completion's one-time rating invitation
    rating = JSONAttribute(null=True)  # {score 1-5, comment, at}: at most one per request
    tariff_version = NumberAttribute(null=True)  # the tariff-book version it was priced at
    fee_rials = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    history = ListAttribute(default=list)  # audit: [{at, actor, from, to, office}]
    citizen_index = CitizenRequestIndex()
    held_index = HeldRequestIndex()


class QueueItem(_RequestTable):
    """A request waiting to be pulled: pk QC#{category} (national, a partition per category) or QO#{office} (the
    citizen's preferred office), sk {sla_deadline epoch:012d}#{tracking_code}: EDF order."""
    request_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    category = UnicodeAttribute()
    partner_id = UnicodeAttribute(null=True)  # so a claim can announce itself to the partner


class AcceptLeaseItem(_RequestTable):
    """An assigned request that must be started before its deadline (pk AS#{shard}, sk
    {accept_by epoch:012d}#{tracking_code}); the SLA sweep reads what is overdue. Written with the
    claim, deleted with the start (or any other way out of ASSIGNED)."""
    request_id = UnicodeAttribute()
    office_id = UnicodeAttribute()


class SlaBreachItem(_RequestTable):
    """Requests an office did not accept in time, per day (pk SB#{office}, sk DAY#{date})."""
    breaches = NumberAttribute(default=0)


class OfficeCounterItem(_RequestTable):
    """Remote-work counters of an office (pk OC#{office}, sk COUNTERS): `open` counters, of which
    `busy` hold a request. Claims are conditional on busy < open, releases on busy > 0."""
    open = NumberAttribute()
    busy = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)


class InHandItem(_RequestTable):
    """A request an office holds a counter for (pk OH#{office}, sk tracking code): its work list.
    Written with the claim, deleted in the transaction that frees the counter."""
    assigned_at = UnicodeAttribute()


class OfficeDayLoadItem(_RequestTable):
    """An office's live in-person and remote load of one day (pk OC#{office}, sk DAY#{date}):
    `waiting` visitors checked in and not yet done, `remote_claimed` remote requests it took. Written
    in the same transactions as the check-ins and claims they count; a new day starts from zero."""
    waiting = NumberAttribute(default=0)
    remote_claimed = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)


class WebhookSeenItem(_RequestTable):
    """A partner delivery already processed (pk WH#{partner}#{webhook-id}, sk SEEN), written in
    the same transaction as the request it created; kept past the partner's retry horizon."""
    request_id = UnicodeAttribute()
    ttl = TTLAttribute(null=True)


class PartnerItem(_Model):
    """A registered partner (the 1470 network, a consulate, a court system) and its signing
    secrets (several while rotating). Secrets never leave this item except once, at creation."""
    Meta = _meta("partners")
    partner_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    kind = UnicodeAttribute()
    callback_url = UnicodeAttribute(null=True)
    quota_per_minute = NumberAttribute()
    secrets = JSONAttribute(default=list)  # [{id, secret, created_at}]
    active = BooleanAttribute(default=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


# --- idempotency records ------------------------------------------------------------------

class IdempotencyItem(_Model):
    """Powertools' records (other use cases), and a booking's first answer under its key (id
    `booking#` + a hash of the key), written in the booking's own transaction by the booking store."""
    Meta = _meta("idempotency")
    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)
    fingerprint = UnicodeAttribute(null=True)  # a keyed hash of the request body
    answer = JSONAttribute(null=True)  # the answer, without the access code


# --- abuse limits: token buckets (dal/limit_store.py) ---------------------------------------

class LimitBucketItem(_Model):
    """One token bucket (pk: policy and a keyed hash of its subject, never a mobile, a national ID
    or an IP). `tat` is when it is full again (epoch ms, domain/limits.py); `granted` counts the
    takes it allowed. Idle buckets expire: a forgotten bucket is a full one."""
    Meta = _meta("limits")
    bucket = UnicodeAttribute(hash_key=True)
    tat = NumberAttribute()
    granted = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)


# --- office ranking: aggregates, snapshots; the operators registry ---------------------------

class _RankingTable(_Model):
    Meta = _meta("ranking")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class AggregateItem(_RankingTable):
    """A part of one office's outcome counters of one Jalali month (pk AG#{period}#{k}, k a hash
    of the office id; sk {office_id}#{part}, or {office_id}#I for the month's latest inspection),
    folded from the bookings and requests streams and the association's complaint/inspection
    records. The counters are top-level numbers named after ranking.OfficePeriod's flows (plus
    fees_rials, no_show and per-category `c|{category}|{field}`), so each event is one atomic ADD
    on one part; the month's counters are the sum of the parts. dal/ranking_store.py reads and
    writes them: the recompute reads a period with one paginated Query per partition key of the
    month, whatever the number of events."""
    office_id = UnicodeAttribute()
    period = UnicodeAttribute()
    inspection_score = NumberAttribute(null=True)  # a state: the latest inspection of the period
    inspection_on = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class EventSeenItem(_RankingTable):
    """A stream event (or association record) already folded (pk EV#{event id}, sk SEEN), written
    in the same transaction as its counters; expires after the stream's retention."""
    ttl = TTLAttribute(null=True)


class SnapshotItem(_RankingTable):
    """The one ranking of a period (pk SNAPSHOTS, sk {period}): policy, inputs fingerprint, the
    association-share schedule it sets, and where its per-office rows live. Written once, with
    attribute_not_exists, after all its rows: it exists only when the snapshot is complete."""
    policy_version = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    rows_pk = UnicodeAttribute()
    offices = NumberAttribute()
    schedule = JSONAttribute()
    policy = JSONAttribute()
    created_at = UnicodeAttribute()


class SnapshotRowItem(_RankingTable):
    """One office's row of a snapshot (pk SN#{period}#{fingerprint[:16]}, sk {office_id}): tier
    state, scorecard, the window aggregate it was scored on, and its fees (for statements and
    replays). Separate items keep every item far below DynamoDB's 400 KB."""
    province = UnicodeAttribute()
    tier = NumberAttribute()
    score = UnicodeAttribute()  # Decimal as text: the published score, two decimals
    provisional = BooleanAttribute()
    rank = NumberAttribute()
    state = JSONAttribute()
    previous = JSONAttribute(null=True)
    card = JSONAttribute()
    aggregate = JSONAttribute()
    fees_rials = NumberAttribute(default=0)


class OperatorItem(_Model):
    """An office's operator (کاربر دفتر) in the association's registry: licence, training,
    insurance. No national ID or mobile: the operator id is the association's own."""
    Meta = _meta("operators")
    office_id = UnicodeAttribute(hash_key=True)
    operator_id = UnicodeAttribute(range_key=True)
    licence_number = UnicodeAttribute()
    licence_expiry = UnicodeAttribute()  # ISO date
    training_hours = NumberAttribute()
    insured = BooleanAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()


# --- citizens: one-time codes, their send gates and counters, the mobile each citizen verified --

class _CitizenTable(_Model):
    Meta = _meta("citizens")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class OtpChallengeItem(_CitizenTable):
    """A one-time code sent (pk OT#{challenge_id}, sk CHALLENGE): only its keyed hash, the
    citizen's and the mobile's keys, its expiry and the tries left. Deleted when verified."""
    citizen_key = UnicodeAttribute()
    mobile_key = UnicodeAttribute()
    code_hash = UnicodeAttribute()
    expires_at = NumberAttribute()  # epoch seconds; enforced in conditions
    tries_left = NumberAttribute()
    national_id_masked = UnicodeAttribute()
    mobile_masked = UnicodeAttribute()
    ttl = TTLAttribute(null=True)


class OtpGateItem(_CitizenTable):
    """No new code to this mobile before `resend_at` (pk MO#{mobile_key}, sk RESEND)."""
    resend_at = NumberAttribute()
    ttl = TTLAttribute(null=True)


class OtpHourItem(_CitizenTable):
    """Codes sent in one hour to a mobile (pk MO#{mobile_key}) or from a client address
    (pk CL#{client_key}), sk HOUR#{yyyymmddhh}: conditional on staying under the cap."""
    sent = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)


class MobilePairingItem(_CitizenTable):
    """The mobile a citizen verified first (pk CZ#{citizen_key}, sk MOBILE), as its keyed hash."""
    mobile_key = UnicodeAttribute()
    paired_at = UnicodeAttribute()


# --- the association's accounts: the tariff book, fee records, receipts (dal/accounts_store.py) ---

class _AccountsTable(_Model):
    Meta = _meta("accounts")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class TariffHeadItem(_AccountsTable):
    """The tariff book's latest version number (pk TARIFFS, sk HEAD): adopting moves it by one,
    conditional on the number the adopter read."""
    number = NumberAttribute()
    book_id = UnicodeAttribute()  # set when version 1 is written: cached versions belong to this book
    updated_at = UnicodeAttribute()


class TariffVersionItem(_AccountsTable):
    """One adopted version of the tariff book (pk TARIFFS, sk V#{n:06d}), never changed: its
    lines {service_id: [government, office, share base]} apply from `effective_from` (ISO day,
    Tehran midnight). Who adopted it and why is the audit trail."""
    effective_from = UnicodeAttribute()
    lines = JSONAttribute()
    adopted_by = UnicodeAttribute()
    adopted_at = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    proposal_id = UnicodeAttribute(null=True)


class FeeRecordItem(_AccountsTable):
    """A fee record (pk FE#{office}#{Jalali month}, sk the delivered item's key booking:{id},
    request:{code}, ticket:{office}:{day}:{number} or adjustment:{reference}): written once, with
    attribute_not_exists, never updated."""
    receipt_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # fee | refund | correction
    office_id = UnicodeAttribute()
    province = UnicodeAttribute()
    service_id = UnicodeAttribute()
    tariff_version = NumberAttribute()
    government_rials = NumberAttribute()
    office_rials = NumberAttribute()
    share_base_rials = NumberAttribute()
    channel = UnicodeAttribute()
    period = UnicodeAttribute()
    at = UnicodeAttribute()
    subject = UnicodeAttribute()
    actor = UnicodeAttribute()
    refers_to = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)


class FeeTotalItem(_AccountsTable):
    """An office's fee records of a month, summed (pk FT#{month}, sk office_id), in the same
    transactions as the records: a month's statement is one Query."""
    province = UnicodeAttribute(null=True)
    count = NumberAttribute(default=0)
    government_rials = NumberAttribute(default=0)
    office_rials = NumberAttribute(default=0)
    share_base_rials = NumberAttribute(default=0)


class FeeVolumeItem(_AccountsTable):
    """Services an office delivered in a month, per service (pk FV#{month}, sk {office}#{service}):
    the volumes the tariff simulator replays."""
    office_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    count = NumberAttribute(default=0)


class ReceiptItem(_AccountsTable):
    """The citizen's receipt (pk RC#{receipt_id}, sk RECEIPT): the fee record, the hash of the
    access code of the booking or request it was for, the citizen's key, and what refunds and
    corrections changed since (`adjusted_rials`, conditional on the value read)."""
    record = JSONAttribute()
    access_code_hash = UnicodeAttribute(null=True)
    citizen_key = UnicodeAttribute(null=True)  # none for a walk-in served without a national ID
    adjusted_rials = NumberAttribute(default=0)


class ProposalItem(_AccountsTable):
    """A proposed tariff book the association simulates before adopting (pk TP#{id}, sk PROPOSAL);
    `adopted_version` is set once, by the adoption."""
    document = JSONAttribute()
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    adopted_version = NumberAttribute(null=True)


TABLE_MODELS: tuple[type[Model], ...] = (ServiceItem, OfficeItem, BookingItem, OutboxItem, NetworkItem, IdempotencyItem,
                                          RemoteRequestItem, PartnerItem,
                                          AggregateItem, OperatorItem,  # ranking, operators
                                          MobilePairingItem,  # citizens (its record item; codes are transient)
                                          LimitBucketItem,
                                          TariffHeadItem)  # accounts: the tariff book, fees, receipts
# Logical name -> model, for infra and the local runner.
TABLES = {m.Meta.table_name.removeprefix(_S.table_prefix + "-"): m for m in TABLE_MODELS}
TTL_ATTRIBUTES = {"outbox": "ttl",
                  "bookings": "ttl", "idempotency": "expiration", "requests": "ttl", "ranking": "ttl", "citizens": "ttl",
                  "limits": "ttl"}
STREAM_TABLES = {"bookings": "NEW_AND_OLD_IMAGES", "requests": "NEW_AND_OLD_IMAGES"}


def table_specs() -> dict[str, dict]:
    """Key schema, indexes, stream and TTL of each table, for CDK and the consistency test."""
    specs = {}
    for name, model in TABLES.items():
        keys = {a.attr_name: a.attr_type for a in model.get_attributes().values() if a.is_hash_key or a.is_range_key}
        hash_key = next(a.attr_name for a in model.get_attributes().values() if a.is_hash_key)
        range_key = next((a.attr_name for a in model.get_attributes().values() if a.is_range_key), None)
        indexes = []
        for index in model._indexes.values():
            idx_keys = {a.attr_name: a for a in index.Meta.attributes.values()}
            indexes.append({
                "name": index.Meta.index_name,
                "hash_key": next(n for n, a in idx_keys.items() if a.is_hash_key),
                "range_key": next((n for n, a in idx_keys.items() if a.is_range_key), None),
                "projection": index.Meta.projection.projection_type,
            })
            keys.update({n: a.attr_type for n, a in idx_keys.items()})
        specs[name] = {
            "table_name": model.Meta.table_name,
            "hash_key": hash_key,
            "range_key": range_key,
            "attribute_types": keys,
            "indexes": indexes,
            "stream": STREAM_TABLES.get(name),
            "ttl_attribute": TTL_ATTRIBUTES.get(name),
        }
    return specs
