"""Every deployed stage and its settings, in one place.

Infrastructure knobs (retention, throttling, alarm thresholds, sizes, protection) live here.
The application's own per-stage variables (STAGE, TABLE_PREFIX, SMS_MODE, log level) stay in
`.chalice/config.json`, which `chalice local` and the tests also read; `app_config()` reads them
from there so nothing is written twice."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "ejso-network"
REGION = "me-central-1"  # the settings' default region; the stack's region is stated, not guessed

# Every table of the models, classified; the synth refuses a table that is not. "record" tables
# hold legal and audit records or registries that cannot be rebuilt: appointments with their
# status history and the outcome stats folded from them (bookings), remote requests with their
# history (requests), the offices' own declarations and ranking tier (offices), and the partner
# registry (partners). They get deletion protection and are retained whatever the stage.
# "reference" data is re-importable (the national service catalogue), "derived" is recomputed
# (the load snapshot), "transient" expires by itself (outbox messages, idempotency records).
TABLE_CLASSES = {
    "bookings": "record",
    "requests": "record",
    "offices": "record",
    "partners": "record",
    "ranking": "record",  # published rankings decide fees; aggregates cannot be refolded once streams trim
    "operators": "record",  # the association's operators registry
    "citizens": "record",  # the mobile each citizen verified first (and short-lived one-time codes)
    "accounts": "record",  # fee records, receipts and the tariff book: the association's books
    "services": "reference",
    "network": "derived",
    "outbox": "transient",
    "idempotency": "transient",
    "limits": "transient",  # token buckets; an idle one expires full
}
LEGAL_RECORD_TABLES = frozenset(name for name, kind in TABLE_CLASSES.items() if kind == "record")


@dataclass(frozen=True)
class FunctionSize:
    memory_mb: int
    timeout_s: int


@dataclass(frozen=True)
class Stage:
    name: str  # "dev" | "prod": also the chalice config stage whose variables the app gets
    region: str = REGION
    log_retention_days: int = 30
    # API Gateway stage-wide throttling (every method): steady rate and burst.
    api_rate_limit: float = 50.0
    api_burst_limit: int = 100
    # The usage plan: rate, burst and daily quota of each API-key client (partners' integrations).
    usage_plan_rate_limit: float = 20.0
    usage_plan_burst_limit: int = 40
    usage_plan_quota_per_day: int = 100_000
    # WAF rate-based rules, requests per client address in any 5 minutes: everything, and the
    # citizen writes (OTP, holds, bookings, remote requests). Generous: a carrier's NAT puts many
    # citizens behind one address; the app's token buckets are the finer limit.
    waf_limit_per_5min: int = 3000
    waf_write_limit_per_5min: int = 500
    api: FunctionSize = FunctionSize(memory_mb=512, timeout_s=20)  # under API Gateway's 29 s cap
    jobs: FunctionSize = FunctionSize(memory_mb=512, timeout_s=60)
    stream: FunctionSize = FunctionSize(memory_mb=512, timeout_s=60)
    # Stream consumer: give up on a record after this many retries or this age, bisecting
    # the batch on error so one poison record does not hold back its neighbours.
    stream_max_retries: int = 5
    stream_max_record_age_s: int = 6 * 3600
    stream_batch_window_s: int = 1
    # Alarms (each over 5 minutes unless said otherwise).
    alarm_api_5xx: int = 5
    alarm_lambda_errors: int = 1
    alarm_lambda_throttles: int = 1
    alarm_table_throttles: int = 10
    alarm_iterator_age_ms: int = 5 * 60 * 1000
    alarm_email: str | None = None  # subscribed to the alarm topic when set
    deletion_protection: bool = True  # on LEGAL_RECORD_TABLES (always retained, whatever this says)
    retain_on_delete: bool = True  # False: deleting the stack also deletes non-legal tables and logs
    operator_mfa_required: bool = True
    # Remote requests' documents are working copies for the office (the request and its history
    # are the record, in DynamoDB): each is deleted this many days after its upload, a fixed
    # retention that outlasts any request's SLA, rejection or complaint window.
    document_retention_days: int = 90
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def stack_name(self) -> str:
        return f"ejso-{self.name}"

    @property
    def table_prefix(self) -> str:
        return f"ejso-{self.name}"

    def app_config(self) -> dict:
        """The chalice stage of the same name: its environment variables and API stage name."""
        config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
        stage = config["stages"][self.name]
        env = dict(stage.get("environment_variables", {}))
        if env.get("STAGE") != self.name or env.get("TABLE_PREFIX") != self.table_prefix:
            raise ValueError(f".chalice/config.json stage {self.name!r} must set STAGE={self.name} "
                             f"and TABLE_PREFIX={self.table_prefix}, got {env}")
        return {"environment_variables": env, "api_gateway_stage": stage.get("api_gateway_stage", "api")}


STAGES: dict[str, Stage] = {
    "dev": Stage(
        name="dev",
        log_retention_days=14,
        api_rate_limit=20.0,
        api_burst_limit=40,
        alarm_api_5xx=10,
        retain_on_delete=False,
        operator_mfa_required=False,
        tags={"environment": "dev"},
    ),
    "prod": Stage(
        name="prod",
        log_retention_days=365,
        # ~4,700 offices; a morning rush is a few hundred requests a second at most.
        api_rate_limit=300.0,
        api_burst_limit=600,
        api=FunctionSize(memory_mb=1024, timeout_s=20),
        alarm_api_5xx=5,
        tags={"environment": "prod"},
    ),
}
