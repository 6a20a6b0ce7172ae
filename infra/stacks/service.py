"""One stage of EJSO network on AWS.

The Chalice app (repository root) is packaged by `chalice.cdk.Chalice`; everything Chalice does
not model is added here: the tables (derived from the PynamoDB models), one IAM role per
function with least-privilege grants, the stream consumer's retry/bisect/failure destination,
X-Ray, API Gateway throttling, the operators' Cognito user pool and authorizer, Secrets Manager
secrets, CloudWatch alarms, the remote requests' documents bucket, and the citizen web app: a
private bucket behind CloudFront (origin access control), with `/v1/*` sent to API Gateway."""
from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import (
    Aws,
    CfnOutput,
    CfnParameter,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Tags,
)
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as sm
from aws_cdk import aws_smsvoice as smsvoice
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from chalicelib.api.auth import GROUPS as STAFF_GROUPS
from chalicelib.api.auth import OFFICE_ATTRIBUTE, PROVINCE_ATTRIBUTE, STAFF_AUTHORIZER, STAFF_POOL_ARN_VARIABLE
from chalicelib.api.http import EDGE_HEADER
from chalicelib.observability import SERVICE
from infra.local.s3_local import cors_rules
from infra.local.web_front import security_headers
from infra.stacks import app_source
from infra.stages import APP_NAME, LEGAL_RECORD_TABLES, ROOT, TABLE_CLASSES, Stage

API_HANDLER = "api_handler"  # every @route shares this one Lambda function
OPERATOR_AUTHORIZER = STAFF_AUTHORIZER  # the CognitoUserPoolAuthorizer of every staff route

# Least privilege, per function: the tables it reads and writes, the streams it consumes and the
# secrets it reads. Derived from the code paths of each handler (chalicelib/services). A handler
# the app registers without an entry here, or a table no function may use, fails the synth:
# whoever adds one decides its grants here, in the same change. tests/infrastructure runs every
# event handler over moto and fails when one touches a table it is not granted. The catalogue is
# loaded whole (services and offices) and kept current by its version in `network`: a handler that
# reads either reads all three.
FUNCTION_ACCESS: dict[str, dict[str, frozenset[str]]] = {
    API_HANDLER: {  # every route: booking, office day, remote requests, partner gateway, association admin
        "read": frozenset({"services", "offices", "network", "bookings", "outbox", "idempotency", "requests",
                           "partners", "ranking", "operators", "citizens", "limits", "accounts"}),
        "write": frozenset({"bookings", "outbox", "idempotency", "requests", "partners", "limits",
                            "accounts",  # the tariff book, fee records with each completion, receipts
                            "network",  # network: the association's calendar corrections
                            "ranking", "operators",  # complaints/inspections, the operators registry
                            "citizens"}),  # one-time codes, their limits, the mobile each citizen verified
        "secrets": frozenset({"pepper", "session", "edge"}),
        "sms": frozenset({"send"}),  # a one-time code goes at once, not a minute later through the outbox
    },
    "deliver_outbox": {  # due SMS; a reminder re-checks its booking
        "read": frozenset({"outbox", "bookings"}),
        "write": frozenset({"outbox"}),
        "sms": frozenset({"send"}),  # every SMS but the one-time codes
    },
    "snapshot_office_load": {  # offices x calendar corrections x today's counts and live load -> one network item
        "read": frozenset({"offices", "services", "network", "bookings", "requests"}),
        "write": frozenset({"network"}),
    },
    "sweep_remote_sla": {  # requests not started in time go back to the national queue (the partner's
        "read": frozenset({"requests", "services", "offices", "network"}),  # callback with them); breaches counted
        "write": frozenset({"requests", "outbox"}),
    },
    "deliver_partner_callbacks": {  # signed status callbacks from the outbox (partner secrets in `partners`,
        "read": frozenset({"outbox", "requests", "partners"}),  # the partner's reference in `requests`)
        "write": frozenset({"outbox"}),
    },
    "sweep_office_days": {  # closed days and office days short of licensed counters: cancel + SMS, move seats
        "read": frozenset({"offices", "network", "bookings", "operators", "services"}),
        "write": frozenset({"bookings", "outbox"}),
    },
    "reconcile_accounts": {  # daily: the month's fee records vs their totals and the statement (tier shares)
        "read": frozenset({"accounts", "offices", "services", "network", "ranking"}),
        "write": frozenset(),
    },
    "reconcile_office_counters": {  # the offices' busy counters vs the index of requests in hand
        "read": frozenset({"offices", "services", "network", "requests"}),
        "write": frozenset({"requests"}),
    },
    # The office ranking: streams -> monthly per-office aggregates (service tariff and
    # category from `services`), and the daily recompute -> one snapshot a month + office tiers.
    "fold_booking_ranking": {
        "read": frozenset({"services", "offices", "network"}),
        "write": frozenset({"ranking"}),
        "streams": frozenset({"bookings"}),
    },
    "fold_request_ranking": {
        "read": frozenset({"services", "offices", "network"}),
        "write": frozenset({"ranking"}),
        "streams": frozenset({"requests"}),
    },
    # The waitlist: a freed seat (bookings stream) is offered as a hold with an SMS; offers whose time
    # is up pass to the next in line. Offices, services, calendar corrections and the operators
    # registry decide whether the seat may still be booked.
    "offer_freed_seats": {
        "read": frozenset({"offices", "services", "network", "operators", "bookings"}),
        "write": frozenset({"bookings", "outbox"}),
        "streams": frozenset({"bookings"}),
    },
    "roll_waitlist_offers": {
        "read": frozenset({"offices", "services", "network", "operators", "bookings"}),
        "write": frozenset({"bookings", "outbox"}),
    },
    "rank_offices": {  # policy in `network`, registry in `operators`; tiers written to `offices`
        "read": frozenset({"ranking", "offices", "services", "operators", "network"}),
        "write": frozenset({"ranking", "offices", "network"}),  # network: the catalogue version naming new tiers
    },
}

# The citizen writes the WAF limits more tightly per address (POST under these paths of the stage).
WAF_WRITE_PATHS = ("/v1/otp", "/v1/holds", "/v1/bookings", "/v1/requests")

_ATTRIBUTE_TYPES = {"S": ddb.AttributeType.STRING, "N": ddb.AttributeType.NUMBER, "B": ddb.AttributeType.BINARY}
_PROJECTIONS = {"ALL": ddb.ProjectionType.ALL, "KEYS_ONLY": ddb.ProjectionType.KEYS_ONLY}
_STREAM_VIEWS = {v.value: v for v in ddb.StreamViewType}


def _check_coverage(specs: dict[str, dict], handlers: dict[str, str]) -> None:
    """Fail the synth, with the fix, when the app grew a handler or table this stack has not decided on."""
    problems = []
    if missing := sorted(set(handlers) - set(FUNCTION_ACCESS)):
        problems.append(f"handlers without grants in infra/stacks/service.py FUNCTION_ACCESS: {missing}")
    if unclassified := sorted(set(specs) - set(TABLE_CLASSES)):
        problems.append(f"tables without a class in infra/stages.py TABLE_CLASSES: {unclassified}")
    used = {t for access in FUNCTION_ACCESS.values() for key in ("read", "write") for t in access.get(key, ())}
    if unused := sorted(set(specs) - used):
        problems.append(f"tables no function may read or write (FUNCTION_ACCESS): {unused}")
    if unknown := sorted(used - set(specs)):
        problems.append(f"FUNCTION_ACCESS names tables the models do not define: {unknown}")
    if problems:
        raise ValueError("; ".join(problems))


def logical_id(handler: str) -> str:
    """The logical id `chalice package` gives a handler's function."""
    return "APIHandler" if handler == API_HANDLER else to_cfn_resource_name(handler)


class EjsoStack(Stack):
    def __init__(self, scope: Construct, stage: Stage, **kwargs) -> None:
        super().__init__(scope, stage.stack_name, description=f"EJSO network ({stage.name})", **kwargs)
        self.stage = stage
        for key, value in {"project": APP_NAME, "stage": stage.name, **stage.tags}.items():
            Tags.of(self).add(key, value)
        app_config = stage.app_config()
        base_env = {**app_config["environment_variables"], "STAGE": stage.name, "TABLE_PREFIX": stage.table_prefix}

        with app_source.stage_import(base_env, stage.region):
            specs = app_source.table_specs()
            handlers = {API_HANDLER: "http", **app_source.event_handlers()}
            _check_coverage(specs, handlers)

            self.tables = {name: self._table(name, spec) for name, spec in specs.items()}
            self.secrets = self._secrets()
            self.user_pool, self.user_pool_client = self._operators()
            self.stream_dlq = sqs.Queue(
                self, "StreamFailures", retention_period=Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)
            self.roles = {name: self._role(name) for name in handlers}
            sms_env = self._sms(base_env)
            self._grant(handlers)
            # Named, not referenced: the bucket's CORS names the distribution, which reaches the
            # API, whose function needs this name and the grant; a reference would close a cycle.
            self.documents_bucket_name = f"ejso-{stage.name}-documents-{Aws.ACCOUNT_ID}-{Aws.REGION}"
            self._grant_documents(self.roles[API_HANDLER])

            env = {
                **base_env,
                # <TABLE>_STREAM_ARN for every table with a stream (BOOKINGS_STREAM_ARN, ...): read at
                # import by @on_dynamodb_record, so the real ARN is in place when `chalice package` runs.
                **{f"{name.upper()}_STREAM_ARN": self.tables[name].table_stream_arn
                   for name, spec in specs.items() if spec["stream"]},
                # Secrets are referenced, never copied into the environment: the app reads them
                # with Powertools parameters (get_secret), cached for POWERTOOLS_PARAMETERS_MAX_AGE.
                "CITIZEN_PEPPER_SECRET_ARN": self.secrets["pepper"].secret_arn,
                "CITIZEN_SESSION_SECRET_ARN": self.secrets["session"].secret_arn,
                "EDGE_SECRET_ARN": self.secrets["edge"].secret_arn,
                "POWERTOOLS_PARAMETERS_MAX_AGE": "300",
                # The staff pool: its ARN puts the Cognito authorizer on every staff route while
                # the app is packaged; pool and client ids are what the app checks tokens against.
                STAFF_POOL_ARN_VARIABLE: self.user_pool.user_pool_arn,
                "COGNITO_USER_POOL_ID": self.user_pool.user_pool_id,
                "COGNITO_CLIENT_ID": self.user_pool_client.user_pool_client_id,
                **sms_env,
                "DOCUMENTS_BUCKET": self.documents_bucket_name,
            }
            app_source.forget_app_modules()  # the packager must import app.py with `env` in place
            self.chalice = Chalice(self, "ChaliceApp", source_dir=str(ROOT), stage_config={
                "api_gateway_stage": app_config["api_gateway_stage"],
                "autogen_policy": False,
                "manage_iam_role": False,
                "iam_role_arn": self.roles[API_HANDLER].role_arn,  # per-function roles set below
                "xray": True,
                # Dependencies in a managed layer keyed by requirements.txt only: an app change
                # rebuilds (and uploads) the small code package, not the 20 MB of wheels.
                "automatic_layer": True,
                "lambda_memory_size": stage.api.memory_mb,
                "lambda_timeout": stage.api.timeout_s,
                "environment_variables": env,
                "tags": {"project": APP_NAME, "stage": stage.name},
            })
        self.api_name = f"{APP_NAME}-{stage.name}"
        self.api_stage = app_config["api_gateway_stage"]
        self._functions(handlers)
        self._api()
        self.distribution, self.web_bucket = self._web()
        self.documents_bucket = self._documents()
        self._usage_plan()
        self._web_acl()
        self._alarms(handlers)
        self._outputs()

    # --- data ---------------------------------------------------------------------------

    def _table(self, name: str, spec: dict) -> ddb.Table:
        types = spec["attribute_types"]

        def key(attr: str | None) -> ddb.Attribute | None:
            return ddb.Attribute(name=attr, type=_ATTRIBUTE_TYPES[types[attr]]) if attr else None

        legal = name in LEGAL_RECORD_TABLES
        retain = legal or self.stage.retain_on_delete
        table = ddb.Table(
            self, f"{to_cfn_resource_name(name)}Table",
            table_name=spec["table_name"],
            partition_key=key(spec["hash_key"]),
            sort_key=key(spec["range_key"]),
            billing_mode=ddb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=ddb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            deletion_protection=legal and self.stage.deletion_protection,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            stream=_STREAM_VIEWS[spec["stream"]] if spec["stream"] else None,
            time_to_live_attribute=spec["ttl_attribute"],
        )
        for index in spec["indexes"]:
            if index["projection"] not in _PROJECTIONS:
                raise ValueError(f"{name}.{index['name']}: projection {index['projection']} is not supported here")
            table.add_global_secondary_index(
                index_name=index["name"], partition_key=key(index["hash_key"]), sort_key=key(index["range_key"]),
                projection_type=_PROJECTIONS[index["projection"]])
        return table

    # --- secrets and operators -----------------------------------------------------------

    def _secrets(self) -> dict[str, sm.Secret]:
        prefix = f"ejso/{self.stage.name}"

        def random_key(cid: str, name: str, description: str) -> sm.Secret:
            return sm.Secret(
                self, cid, secret_name=f"{prefix}/{name}", description=description,
                generate_secret_string=sm.SecretStringGenerator(password_length=64, exclude_punctuation=True),
                removal_policy=RemovalPolicy.RETAIN)

        return {
            # Citizen keys are HMACs with this pepper: rotating it orphans every booking's citizen key.
            "pepper": random_key("CitizenPepper", "citizen-pepper",
                                 "Pepper of the citizen key (HMAC of the national ID); never rotate in place"),
            # Citizen sessions are signed with it (HS256). To rotate, write JSON {"current": new,
            # "previous": old}: sessions signed before stay valid for their 30 minutes, no deploy.
            "session": random_key("CitizenSession", "citizen-session",
                                  "Key of the citizen sessions (HS256); rotate as JSON current/previous"),
            # CloudFront sends it to the API in X-Origin-Verify: a request that carries it came
            # through our edge, so its CloudFront-Viewer-Address is the citizen's (per-client limits).
            "edge": random_key("EdgeOrigin", "edge-origin",
                               "Header value CloudFront sends to the API; proves CloudFront-Viewer-Address"),
            # Partners' webhook secrets are not here: they live in the `partners` table (encrypted at
            # rest), created, rotated and retired by the association through the API, one per partner.
        }

    def _operators(self) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        """The staff pool: operators, office managers, the association's administrators and
        provincial representatives, each in one group; office and province are set by the
        association when it creates the account and can never be changed (a move is a new account)."""
        pool = cognito.UserPool(
            self, "Operators", user_pool_name=f"ejso-{self.stage.name}-operators",
            self_sign_up_enabled=False,  # staff accounts are created by the association
            sign_in_aliases=cognito.SignInAliases(email=True),
            custom_attributes={
                OFFICE_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=32, mutable=False),
                PROVINCE_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=64, mutable=False),
            },
            # prod: every staff member signs in with a TOTP app besides the password.
            mfa=cognito.Mfa.REQUIRED if self.stage.operator_mfa_required else cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(min_length=12, require_digits=True, require_lowercase=True,
                                                   require_uppercase=True, require_symbols=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=self.stage.deletion_protection,
            removal_policy=RemovalPolicy.RETAIN)
        for group in STAFF_GROUPS:
            cognito.CfnUserPoolGroup(self, f"Group{to_cfn_resource_name(group.replace('-', '_'))}",
                                     user_pool_id=pool.user_pool_id, group_name=group)
        client = pool.add_client(
            "OperatorsWeb", auth_flows=cognito.AuthFlow(user_srp=True), generate_secret=False,
            prevent_user_existence_errors=True, enable_token_revocation=True,
            # Short-lived tokens; the refresh token lasts one working shift, and sign-out revokes it.
            access_token_validity=Duration.minutes(60), id_token_validity=Duration.minutes(60),
            refresh_token_validity=Duration.hours(10),
            read_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, email_verified=True).with_custom_attributes(OFFICE_ATTRIBUTE, PROVINCE_ATTRIBUTE),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True))  # never office nor province
        return pool, client

    # --- SMS -----------------------------------------------------------------------------

    def _sms(self, app_env: dict[str, str]) -> dict[str, str]:
        """With SMS_MODE=aws, citizens' SMS go through AWS End User Messaging SMS: the stack makes
        the configuration set (delivery events), lets only the outbox delivery and the API (one-time
        codes) send, and takes the
        origination identity (a phone number, sender ID or pool registered with the carriers, which
        no template can create) as a deploy parameter, so a deploy without one fails instead of
        shipping a Lambda that cannot send."""
        self.sms_sender: dict[str, str] | None = None
        if app_env.get("SMS_MODE") != "aws":
            return {}
        identity = CfnParameter(
            self, "SmsOriginationIdentity", type="String", min_length=1,
            description="AWS End User Messaging SMS origination identity (phone number, sender ID or pool: id or "
                        "ARN) that sends the citizens' SMS; registered with the carriers beforehand")
        config_set = smsvoice.CfnConfigurationSet(self, "SmsConfigurationSet",
                                                  configuration_set_name=f"ejso-{self.stage.name}-sms")
        self.sms_sender = {"identity": identity.value_as_string, "configuration_set": config_set.ref}
        return {"SMS_ORIGINATION_IDENTITY": identity.value_as_string,
                "SMS_CONFIGURATION_SET": config_set.ref}

    def _grant_sms(self, role: iam.Role) -> None:
        sender = self.sms_sender
        account = f"arn:{Aws.PARTITION}:sms-voice:{Aws.REGION}:{Aws.ACCOUNT_ID}"
        role.add_to_policy(iam.PolicyStatement(
            actions=["sms-voice:SendTextMessage"],
            # The identity may be given by id or ARN; SendTextMessage is authorised on the identity
            # (phone number, sender ID or pool) and on the configuration set.
            resources=[f"{account}:phone-number/*", f"{account}:sender-id/*", f"{account}:pool/*",
                       f"{account}:configuration-set/{sender['configuration_set']}"]))

    # --- functions and grants ------------------------------------------------------------

    def _role(self, handler: str) -> iam.Role:
        fn = logical_id(handler)
        role = iam.Role(self, f"{fn}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"{APP_NAME} {self.stage.name}: {handler}")
        # Lambda names its function <stack>-<logical id>-<suffix>; Chalice creates the log group.
        log_group = f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:/aws/lambda/{self.stack_name}-{fn}-*"
        role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group, f"{log_group}:*"]))
        role.add_to_policy(iam.PolicyStatement(  # X-Ray accepts no narrower resource
            actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]))
        return role

    def _grant(self, handlers: dict[str, str]) -> None:
        for handler in handlers:
            access, role = FUNCTION_ACCESS[handler], self.roles[handler]
            read, write = access.get("read", frozenset()), access.get("write", frozenset())
            for name in sorted(read | write):
                table = self.tables[name]
                if name in read and name in write:
                    table.grant_read_write_data(role)
                elif name in read:
                    table.grant_read_data(role)
                else:
                    table.grant_write_data(role)
            for name in sorted(access.get("streams", frozenset())):
                self.tables[name].grant_stream_read(role)
                self.stream_dlq.grant_send_messages(role)  # the on-failure destination uses this role
            for name in sorted(access.get("secrets", frozenset())):
                self.secrets[name].grant_read(role)
            if access.get("sms") and self.sms_sender:
                self._grant_sms(role)

    def _functions(self, handlers: dict[str, str]) -> None:
        s = self.stage
        sizes = {"http": s.api, "schedule": s.jobs, "dynamodb": s.stream}
        for handler, kind in handlers.items():
            fn = self.chalice.get_resource(logical_id(handler))
            fn.add_property_override("Role", self.roles[handler].role_arn)
            # The role's policy must exist before the function (and its stream mapping, which
            # checks that the role can read the stream) is created.
            fn.node.add_dependency(self.roles[handler].node.find_child("DefaultPolicy"))
            # Chalice's own log_retention_in_days names the API handler's group wrongly in SAM output.
            logs.CfnLogGroup(self, f"{logical_id(handler)}Logs", log_group_name=f"/aws/lambda/{fn.ref}",
                             retention_in_days=s.log_retention_days).apply_removal_policy(
                RemovalPolicy.RETAIN if s.retain_on_delete else RemovalPolicy.DESTROY)
            size = sizes.get(kind, s.jobs)
            fn.add_property_override("MemorySize", size.memory_mb)
            fn.add_property_override("Timeout", size.timeout_s)
            if kind != "dynamodb":
                continue
            # Chalice models only batch size and starting position; the rest is set on the SAM event.
            for event, spec in self._sam_events(logical_id(handler)).items():
                if spec.get("Type") != "DynamoDB":
                    continue
                prefix = f"Events.{event}.Properties"
                fn.add_property_override(f"{prefix}.MaximumRetryAttempts", s.stream_max_retries)
                fn.add_property_override(f"{prefix}.MaximumRecordAgeInSeconds", s.stream_max_record_age_s)
                fn.add_property_override(f"{prefix}.BisectBatchOnFunctionError", True)
                fn.add_property_override(f"{prefix}.FunctionResponseTypes", ["ReportBatchItemFailures"])
                fn.add_property_override(f"{prefix}.MaximumBatchingWindowInSeconds", s.stream_batch_window_s)
                fn.add_property_override(f"{prefix}.DestinationConfig",
                                         {"OnFailure": {"Type": "SQS", "Destination": self.stream_dlq.queue_arn}})

    def _api(self) -> None:
        api = self.chalice.get_resource("RestAPI")
        api.add_property_override("TracingEnabled", True)
        api.add_property_override("MethodSettings", [{
            "ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True,
            "ThrottlingRateLimit": self.stage.api_rate_limit, "ThrottlingBurstLimit": self.stage.api_burst_limit,
        }])
        # A per-stage API name, so each stage's metrics (and 5XX alarm) stand apart in one account.
        api.add_property_override("DefinitionBody.info.title", self.api_name)
        # The operators' Cognito authorizer, defined in the API definition itself (an authorizer
        # resource outside it would be dropped whenever the definition is re-imported). Routes opt
        # in with CognitoUserPoolAuthorizer("operators", provider_arns=[OPERATOR_USER_POOL_ARN]),
        # which emits this same entry.
        api.add_property_override(f"DefinitionBody.securityDefinitions.{OPERATOR_AUTHORIZER}", {
            "in": "header", "type": "apiKey", "name": "Authorization",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                               "providerARNs": [self.user_pool.user_pool_arn]},
        })

    # --- documents and the web app ---------------------------------------------------------

    def _documents(self) -> s3.Bucket:
        """Remote requests' documents: never public, encrypted, TLS only, uploaded by browsers of
        the web app's origin with presigned POSTs, deleted a fixed time after upload."""
        # The same CORS rule as the local bucket's: POST from the web app's origin only.
        cors = [s3.CorsRule(allowed_methods=[s3.HttpMethods(m) for m in rule["AllowedMethods"]],
                            allowed_origins=rule["AllowedOrigins"], allowed_headers=rule["AllowedHeaders"],
                            max_age=rule["MaxAgeSeconds"])
                for rule in cors_rules([f"https://{self.distribution.distribution_domain_name}"])]
        bucket = s3.Bucket(
            self, "Documents", bucket_name=self.documents_bucket_name,
            encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, minimum_tls_version=1.2,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, removal_policy=RemovalPolicy.RETAIN,
            cors=cors,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-documents", prefix="documents/",
                                 expiration=Duration.days(self.stage.document_retention_days)),
                s3.LifecycleRule(id="abort-incomplete-uploads",
                                 abort_incomplete_multipart_upload_after=Duration.days(1)),
            ])
        return bucket

    def _grant_documents(self, role: iam.Role) -> None:
        """The API signs the uploads (PutObject), checks and signs the downloads (GetObject), and
        lists so that a missing key answers 404, not 403. Only under documents/."""
        bucket = f"arn:{Aws.PARTITION}:s3:::{self.documents_bucket_name}"
        role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject", "s3:GetObject"],
                                               resources=[f"{bucket}/documents/*"]))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket]))

    def _web(self) -> tuple[cloudfront.Distribution, s3.Bucket]:
        """The citizen web app on one origin: the built client (web/dist, uploaded by `make
        deploy-web`) from a private bucket through origin access control, `/v1/*` to API Gateway
        uncached with the viewer's headers, query and body, the page's security headers as the
        local front sends them, and client-side routes answered with index.html."""
        retain = RemovalPolicy.RETAIN if self.stage.retain_on_delete else RemovalPolicy.DESTROY
        bucket = s3.Bucket(self, "WebApp", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True,
                           block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                           object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, removal_policy=retain)
        upload_origin = f"https://{self.documents_bucket_name}.s3.{Aws.REGION}.{Aws.URL_SUFFIX}"
        # The staff consoles sign in straight to the pool's regional Cognito endpoint.
        headers = security_headers(upload_origin, f"https://cognito-idp.{Aws.REGION}.{Aws.URL_SUFFIX}")
        policy = cloudfront.ResponseHeadersPolicy(
            self, "WebHeaders", comment="EJSO web app: the local front's security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=headers["Content-Security-Policy"], override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True)))
        # A path without a file extension is one of the app's own routes (/services/S0001/where).
        spa = cloudfront.Function(self, "WebRoutes", runtime=cloudfront.FunctionRuntime.JS_2_0,
                                  comment="client-side routes -> index.html",
                                  code=cloudfront.FunctionCode.from_inline(
                                      "function handler(event) { var r = event.request; "
                                      "if (!/\\.[A-Za-z0-9]+$/.test(r.uri)) { r.uri = '/index.html'; } return r; }"))
        api_domain = f"{self.chalice.get_resource('RestAPI').ref}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"
        distribution = cloudfront.Distribution(
            self, "Web", comment=f"EJSO network {self.stage.name}: citizen web app and /v1 API",
            # On the distribution's own *.cloudfront.net name CloudFront fixes the TLS policy; a
            # custom domain (certificate in us-east-1) would set TLSv1.2_2021 here.
            default_root_object="index.html", http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED, compress=True,
                response_headers_policy=policy,
                function_associations=[cloudfront.FunctionAssociation(
                    function=spa, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)]),
            additional_behaviors={"/v1/*": cloudfront.BehaviorOptions(
                # The stage is the origin path: /v1/services reaches the stage's /v1/services route.
                origin=origins.HttpOrigin(api_domain, origin_path=f"/{self.api_stage}",
                                          protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                                          # A dynamic reference: the value never enters the template.
                                          custom_headers={EDGE_HEADER: self.secrets["edge"].secret_value.unsafe_unwrap()}),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                # Every viewer header, cookie and query string but Host (API Gateway needs its own).
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                compress=True)})
        return distribution, bucket

    # --- abuse limits in front of the app ------------------------------------------------

    def _usage_plan(self) -> None:
        """A usage plan on the stage: the rate, burst and daily quota of every client that calls
        with an API key of this plan (partners' integrations, when the association issues keys).
        Keyless callers are bounded by the stage's method throttling, the WAF's per-address rules
        and the app's own token buckets."""
        s = self.stage
        self.usage_plan = apigw.CfnUsagePlan(
            self, "ApiUsagePlan", usage_plan_name=f"{self.api_name}-partners",
            description="Throttle and daily quota of API-key clients",
            # `RestAPI.Stage`: the stage the SAM transform creates, so the plan waits for it.
            api_stages=[apigw.CfnUsagePlan.ApiStageProperty(api_id=Fn.ref("RestAPI"), stage=Fn.ref("RestAPI.Stage"))],
            throttle=apigw.CfnUsagePlan.ThrottleSettingsProperty(rate_limit=s.usage_plan_rate_limit,
                                                                  burst_limit=s.usage_plan_burst_limit),
            quota=apigw.CfnUsagePlan.QuotaSettingsProperty(limit=s.usage_plan_quota_per_day, period="DAY"))

    def _web_acl(self) -> None:
        """A regional WAF web ACL on the API stage: per-address rate rules on requests that bypass our
        CloudFront (all requests, and the citizen writes: OTP, holds, bookings, remote requests),
        AWS's IP-reputation and known-bad-input rule groups. A blocked request gets 429 with
        Retry-After and a problem+json body, like the app's."""
        s = self.stage
        metric = self.api_name.replace("-", "")

        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=f"{metric}{name}", sampled_requests_enabled=True)

        too_many = wafv2.CfnWebACL.RuleActionProperty(block=wafv2.CfnWebACL.BlockActionProperty(
            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                response_code=429, custom_response_body_key="rate-limited",
                response_headers=[wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value="60")])))
        def matches(part: dict, where: str, text: str) -> wafv2.CfnWebACL.StatementProperty:
            return wafv2.CfnWebACL.StatementProperty(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(**part), positional_constraint=where,
                search_string=text,
                text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")]))

        # The path WAF sees on a REST API stage starts with the stage name (v1/v1/holds here).
        writes = wafv2.CfnWebACL.StatementProperty(and_statement=wafv2.CfnWebACL.AndStatementProperty(statements=[
            matches({"method": {}}, "EXACTLY", "post"),
            wafv2.CfnWebACL.StatementProperty(or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=[
                matches({"uri_path": {}}, "STARTS_WITH", f"/{self.api_stage}{path}") for path in WAF_WRITE_PATHS]))]))

        # Requests through our CloudFront reach this stage from CloudFront's edges, so counting them
        # per address would throttle every citizen behind one edge together: the per-address rules
        # count only requests without the edge's secret (a client calling API Gateway directly); the
        # app's own buckets count the viewer address CloudFront vouches for (api/http.client_address).
        through_edge = wafv2.CfnWebACL.StatementProperty(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": EDGE_HEADER.lower()}),
            positional_constraint="EXACTLY", search_string=self.secrets["edge"].secret_value.unsafe_unwrap(),
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]))
        direct = wafv2.CfnWebACL.StatementProperty(not_statement=wafv2.CfnWebACL.NotStatementProperty(
            statement=through_edge))
        direct_writes = wafv2.CfnWebACL.StatementProperty(and_statement=wafv2.CfnWebACL.AndStatementProperty(
            statements=[direct, writes]))

        def rate_rule(name: str, priority: int, limit: int, scope=None) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name, priority=priority, action=too_many, visibility_config=visibility(name),
                statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=limit, evaluation_window_sec=300, scope_down_statement=scope)))

        def managed(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name, priority=priority, override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                visibility_config=visibility(name),
                statement=wafv2.CfnWebACL.StatementProperty(managed_rule_group_statement=(
                    wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(vendor_name="AWS", name=name))))

        problem = {"type": "https://ejso.ir/problems/rate-limited", "status": 429,
                   "title": "Too many requests; slow down",
                   "title_fa": "تعداد درخواست‌ها بیش از حد مجاز است؛ کمی بعد تلاش کنید",
                   "detail": "Too many requests from your address; try again in a minute",
                   "detail_fa": "تعداد درخواست‌ها از نشانی شما بیش از حد مجاز است؛ یک دقیقه دیگر دوباره تلاش کنید"}
        self.web_acl = wafv2.CfnWebACL(
            self, "ApiWebAcl", name=f"{self.api_name}-api", scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("Acl"),
            custom_response_bodies={"rate-limited": wafv2.CfnWebACL.CustomResponseBodyProperty(
                content_type="APPLICATION_JSON", content=json.dumps(problem, ensure_ascii=False))},
            rules=[rate_rule("PerAddressWrites", 0, s.waf_write_limit_per_5min, direct_writes),
                   rate_rule("PerAddress", 1, s.waf_limit_per_5min, direct),
                   managed("AWSManagedRulesAmazonIpReputationList", 2),
                   managed("AWSManagedRulesKnownBadInputsRuleSet", 3)])
        wafv2.CfnWebACLAssociation(
            self, "ApiWebAclAssociation", web_acl_arn=self.web_acl.attr_arn,
            resource_arn=Fn.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/"
                                "${RestAPI.Stage}"))

    # --- alarms --------------------------------------------------------------------------

    def _alarms(self, handlers: dict[str, str]) -> None:
        s = self.stage
        topic = sns.Topic(self, "Alarms", display_name=f"EJSO {s.name} alarms", enforce_ssl=True)
        if s.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(s.alarm_email))
        action = cw_actions.SnsAction(topic)
        period = Duration.minutes(5)

        def alarm(cid: str, metric: cw.IMetric, threshold: float, description: str) -> None:
            cw.Alarm(self, cid, metric=metric, threshold=threshold, evaluation_periods=1,
                     comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                     treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                     alarm_description=description).add_alarm_action(action)

        alarm("Api5xxAlarm", cw.Metric(namespace="AWS/ApiGateway", metric_name="5XXError", statistic="Sum",
                                       period=period, dimensions_map={"ApiName": self.api_name, "Stage": self.api_stage}),
              s.alarm_api_5xx, "API Gateway answered 5XX")
        for handler, kind in handlers.items():
            fn = logical_id(handler)
            name = self.chalice.get_resource(fn).ref

            def lambda_metric(metric: str, statistic: str = "Sum", function_name: str = name) -> cw.Metric:
                return cw.Metric(namespace="AWS/Lambda", metric_name=metric, statistic=statistic, period=period,
                                 dimensions_map={"FunctionName": function_name})

            alarm(f"{fn}ErrorsAlarm", lambda_metric("Errors"), s.alarm_lambda_errors, f"{handler} raised errors")
            alarm(f"{fn}ThrottlesAlarm", lambda_metric("Throttles"), s.alarm_lambda_throttles, f"{handler} throttled")
            if kind == "dynamodb":
                alarm(f"{fn}IteratorAgeAlarm", lambda_metric("IteratorAge", "Maximum"), s.alarm_iterator_age_ms,
                      f"{handler} is falling behind its stream")
        alarm("StreamFailuresAlarm",
              self.stream_dlq.metric_approximate_number_of_messages_visible(statistic="Maximum", period=period), 1,
              "Stream batches failed after retries and were sent to the failure queue")
        alarm("SmsUndeliverableAlarm", cw.Metric(namespace="EJSO", metric_name="SmsUndeliverable", statistic="Sum",
                                                 period=period, dimensions_map={"service": SERVICE}), 1,
              "SMS given up: refused by the gateway or out of attempts (citizens not told)")
        alarm("AccountsDisagreeAlarm", cw.Metric(namespace="EJSO", metric_name="AccountsReconciliationFailed",
                                                 statistic="Sum", period=period, dimensions_map={"service": SERVICE}),
              1, "Fee records, their totals and the statement disagree (the daily reconciliation or a manual one)")
        for name, table in self.tables.items():
            throttles = cw.MathExpression(
                expression="r + w", period=period, label=f"{name} throttled requests",
                using_metrics={"r": table.metric("ReadThrottleEvents", statistic="Sum", period=period),
                               "w": table.metric("WriteThrottleEvents", statistic="Sum", period=period)})
            alarm(f"{to_cfn_resource_name(name)}ThrottlesAlarm", throttles, s.alarm_table_throttles,
                  f"DynamoDB throttled requests on {name}")
        self.alarm_topic = topic

    def _outputs(self) -> None:
        CfnOutput(self, "OperatorUserPoolId", value=self.user_pool.user_pool_id)
        CfnOutput(self, "OperatorUserPoolClientId", value=self.user_pool_client.user_pool_client_id)
        CfnOutput(self, "StreamFailureQueueUrl", value=self.stream_dlq.queue_url)
        CfnOutput(self, "AlarmTopicArn", value=self.alarm_topic.topic_arn)
        CfnOutput(self, "WebUrl", value=f"https://{self.distribution.distribution_domain_name}")
        CfnOutput(self, "WebBucketName", value=self.web_bucket.bucket_name)
        CfnOutput(self, "WebDistributionId", value=self.distribution.distribution_id)
        CfnOutput(self, "DocumentsBucketName", value=self.documents_bucket.bucket_name)

    def _sam_events(self, function: str) -> dict:
        """The SAM events `chalice package` generated for a function (jsii cannot hand back the
        CfnFunction's `events` union, so they are read from the packaged template)."""
        sam = json.loads((Path(self.chalice._sam_package_dir) / "sam.json").read_text(encoding="utf-8"))
        return sam["Resources"][function]["Properties"].get("Events", {})
