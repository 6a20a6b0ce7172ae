"""The deployable template: synthesized once, offline, with the pinned CDK CLI, linted with
cfn-lint, and checked against the application itself (the PynamoDB models' tables and the
Chalice app's handlers). Assertions that depend on the SAM transform (schedule rules, stream
event source mappings, API stage settings) run on the template transformed locally by the
same aws-sam-translator CloudFormation uses."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import boto3
import pytest
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
CDK = INFRA / "node_modules" / ".bin" / "cdk"
sys.path.insert(0, str(ROOT))

from infra.stacks.service import API_HANDLER, FUNCTION_ACCESS, OPERATOR_AUTHORIZER, logical_id  # noqa: E402
from infra.stages import LEGAL_RECORD_TABLES, STAGES, TABLE_CLASSES  # noqa: E402

STAGE_NAMES = sorted(STAGES)
_OFFLINE_DROP = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "DDB_ENDPOINT")


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _OFFLINE_DROP}
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",  # the venv's python3
        "CDK_DISABLE_VERSION_CHECK": "1",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "AWS_EC2_METADATA_DISABLED": "true",  # no credential probing: the synth is offline
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_CONFIG_FILE": os.devnull,
    })
    return env


# --- session fixtures ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def assembly(tmp_path_factory) -> Path:
    if not CDK.exists():
        pytest.fail("the pinned CDK CLI is missing: run `make infra-test` (it installs infra/package.json)")
    out = tmp_path_factory.mktemp("cdk.out")
    started = time.monotonic()
    done = subprocess.run([str(CDK), "synth", "--quiet", "--no-notices", "--output", str(out)], cwd=INFRA,
                          env=_offline_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"cdk synth failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
    print(f"\ncdk synth (both stages): {time.monotonic() - started:.1f} s")
    return out


@pytest.fixture(scope="session")
def templates(assembly) -> dict[str, dict]:
    return {s: json.loads((assembly / f"{STAGES[s].stack_name}.template.json").read_text()) for s in STAGE_NAMES}


@pytest.fixture(scope="session")
def transformed(templates) -> dict[str, dict]:
    """Each template after the SAM transform, as CloudFormation will expand it at deploy time."""
    session = boto3.session.Session(region_name=STAGES["dev"].region)
    return {s: Translator(None, Parser(), boto_session=session).translate(
        json.loads(json.dumps(t)), parameter_values={}, get_managed_policy_map=lambda: {})
        for s, t in templates.items()}


_APP_FACTS = """
import json
from app import app
from chalicelib.dal.models import TABLES, table_specs
from pynamodb.attributes import TTLAttribute
print(json.dumps({
    "tables": table_specs(),
    "ttl_on_main_item": {name: sorted(n for n, a in model.get_attributes().items() if isinstance(a, TTLAttribute))
                         for name, model in TABLES.items()},
    "events": {s.name: {"kind": type(s).__name__, "stream_arn": getattr(s, "stream_arn", None),
                        "schedule": getattr(getattr(s, "schedule_expression", None), "to_string", lambda: None)()}
               for s in app.event_sources},
    "routes": {path: sorted(methods) for path, methods in app.routes.items()},
}))
"""


@pytest.fixture(scope="session")
def app_facts() -> dict[str, dict]:
    """The models' tables and the app's handlers as each stage imports them (a fresh process per
    stage: PynamoDB fixes table names at import)."""
    facts = {}
    for s in STAGE_NAMES:
        env = {k: v for k, v in os.environ.items() if k not in _OFFLINE_DROP}
        env.update({"STAGE": s, "TABLE_PREFIX": STAGES[s].table_prefix, "AWS_DEFAULT_REGION": STAGES[s].region})
        done = subprocess.run([sys.executable, "-c", _APP_FACTS], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        facts[s] = json.loads(done.stdout.strip().splitlines()[-1])
    return facts


# --- helpers ------------------------------------------------------------------------------

def of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def ref_target(value) -> str | None:
    """The logical id a Ref / Fn::GetAtt points at (None for anything else)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            return att[0] if isinstance(att, list) else att.split(".")[0]
    return None


def table_ids(template: dict) -> dict[str, str]:
    """Table logical id -> table name."""
    return {k: v["Properties"]["TableName"] for k, v in of_type(template, "AWS::DynamoDB::Table").items()}


def statements(template: dict):
    """(policy logical id, roles, statement) for every IAM statement in the template."""
    for pid, policy in of_type(template, "AWS::IAM::Policy").items():
        roles = [ref_target(r) for r in policy["Properties"].get("Roles", [])]
        for st in policy["Properties"]["PolicyDocument"]["Statement"]:
            yield pid, roles, st
    for rid, role in of_type(template, "AWS::IAM::Role").items():
        for inline in role["Properties"].get("Policies", []):
            for st in inline["PolicyDocument"]["Statement"]:
                yield rid, [rid], st


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def function_role(template: dict, handler: str) -> str:
    return ref_target(template["Resources"][logical_id(handler)]["Properties"]["Role"])


# --- versions and lint --------------------------------------------------------------------

def test_cli_and_library_versions_are_pinned_and_agree():
    cli_pin = json.loads((INFRA / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert re.fullmatch(r"2\.\d+\.\d+", cli_pin), "pin the CDK CLI to an exact 2.x version (3.x rejects lib 2.x output)"
    lock = json.loads((INFRA / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == cli_pin
    installed = json.loads((INFRA / "node_modules" / "aws-cdk" / "package.json").read_text())["version"]
    assert installed == cli_pin, "infra/node_modules is stale: run `make infra-test`"
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", (ROOT / "requirements-infra.txt").read_text(), re.M))
    from importlib.metadata import version
    for package in ("aws-cdk-lib", "constructs", "cfn-lint", "aws-sam-translator"):
        assert version(package) == pins[package], f"{package} installed {version(package)}, pinned {pins[package]}"
    assert version("chalice") == pins["chalice[cdkv2]"]


def test_cfn_lint_reports_nothing(assembly):
    files = [str(assembly / f"{STAGES[s].stack_name}.template.json") for s in STAGE_NAMES]
    lint = Path(sys.executable).parent / "cfn-lint"
    done = subprocess.run([str(lint), "--regions", STAGES["dev"].region, "--", *files],
                          capture_output=True, text=True, timeout=300)
    # Exit code bits: 2 errors, 4 warnings, 8 informational. Errors and warnings both fail.
    assert done.returncode & 0b110 == 0, done.stdout + done.stderr


def test_lambda_packages_hold_the_app_and_runtime_deps_only(assembly, templates):
    cfn = templates["dev"]
    code = {f["Properties"]["CodeUri"]["Key"] for f in of_type(cfn, "AWS::Serverless::Function").values()}
    assert len(code) == 1, "every function ships the same Chalice package"
    (layer,) = of_type(cfn, "AWS::Serverless::LayerVersion").values()
    for f in of_type(cfn, "AWS::Serverless::Function").values():
        assert [ref_target(x) for x in f["Properties"]["Layers"]] == ["ManagedLayer"]

    def tops(key: str, prefix: str = "") -> set[str]:
        with zipfile.ZipFile(assembly / f"asset.{key}") as package:
            names = [n.removeprefix(prefix) for n in package.namelist() if n.startswith(prefix)]
        # Chalice ships only its runtime (chalice/app.py), never the CLI or the CDK construct.
        assert not [n for n in names if n.startswith(("chalice/cli/", "chalice/cdk/", "chalice/deploy/"))]
        return {n.split("/")[0] for n in names}

    dev_only = {"infra", "tests", "bench", "tools", "aws_cdk", "cfnlint", "samtranslator", "moto", "pytest", "jsii",
                "flask"}
    app = tops(code.pop())
    assert {"app.py", "chalicelib"} <= app and not app & dev_only, app
    site = f"python/lib/{cfn['Resources']['APIHandler']['Properties']['Runtime']}/site-packages/"
    deps = tops(layer["Properties"]["ContentUri"]["Key"], site)
    assert {"pynamodb", "aws_lambda_powertools", "pydantic", "jwt", "cryptography", "phonenumbers"} <= deps
    assert not deps & dev_only, f"dev/infra packages in the Lambda layer: {deps & dev_only}"


# --- tables: one source ---------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_every_table_matches_the_models(stage, templates, app_facts):
    specs = app_facts[stage]["tables"]
    found = {v["Properties"]["TableName"]: v for v in of_type(templates[stage], "AWS::DynamoDB::Table").values()}
    assert set(found) == {spec["table_name"] for spec in specs.values()}, "tables differ from the models"
    for name, spec in specs.items():
        assert spec["table_name"] == f"{STAGES[stage].table_prefix}-{name}"
        resource = found[spec["table_name"]]
        props = resource["Properties"]
        keys = {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]}
        assert keys == {"HASH": spec["hash_key"], **({"RANGE": spec["range_key"]} if spec["range_key"] else {})}, name
        assert {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]} == spec["attribute_types"]
        indexes = {i["IndexName"]: ({k["KeyType"]: k["AttributeName"] for k in i["KeySchema"]},
                                    i["Projection"]["ProjectionType"]) for i in props.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i["name"]: ({"HASH": i["hash_key"], **({"RANGE": i["range_key"]} if i["range_key"] else {})},
                                       i["projection"]) for i in spec["indexes"]}, name
        assert not props.get("LocalSecondaryIndexes")
        assert props.get("StreamSpecification", {}).get("StreamViewType") == spec["stream"], name
        ttl = props.get("TimeToLiveSpecification")
        assert (ttl["AttributeName"] if ttl and ttl.get("Enabled") else None) == spec["ttl_attribute"], name
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        legal = name in LEGAL_RECORD_TABLES
        assert props.get("DeletionProtectionEnabled", False) is (legal and STAGES[stage].deletion_protection), name
        if legal:
            assert resource.get("DeletionPolicy") == "Retain" and resource.get("UpdateReplacePolicy") == "Retain"


def test_records_never_expire(app_facts):
    """TTL is for transient items only: on a record table the record item itself (the model
    registered for the table: the booking, the remote request) has no TTL attribute; only its
    transient neighbours (held seats, holds, seen-webhook markers) do."""
    facts = app_facts["dev"]
    for name in LEGAL_RECORD_TABLES & set(facts["tables"]):
        assert facts["ttl_on_main_item"][name] == [], f"{name}: the record item carries a TTL attribute"


def test_every_table_is_classified_and_used(app_facts):
    tables = set(app_facts["dev"]["tables"])
    assert tables <= set(TABLE_CLASSES), "classify the new table in infra/stages.py TABLE_CLASSES"
    used = {t for access in FUNCTION_ACCESS.values() for key in ("read", "write") for t in access.get(key, ())}
    assert used == tables, "grant the new table to the functions that use it in FUNCTION_ACCESS"


# --- handlers and their triggers ------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_every_handler_has_its_function_role_and_trigger(stage, templates, transformed, app_facts):
    facts, cfn = app_facts[stage], transformed[stage]
    functions = of_type(cfn, "AWS::Lambda::Function")
    handlers = {API_HANDLER: "http", **{n: e["kind"] for n, e in facts["events"].items()}}
    assert set(functions) == {logical_id(h) for h in handlers}
    assert set(handlers) <= set(FUNCTION_ACCESS)
    assert len({function_role(templates[stage], h) for h in handlers}) == len(handlers), "one role per function"

    rules = of_type(cfn, "AWS::Events::Rule").values()
    mappings = of_type(cfn, "AWS::Lambda::EventSourceMapping").values()
    queues = of_type(cfn, "AWS::SQS::Queue")
    stage_settings = STAGES[stage]
    for name, event in facts["events"].items():
        fn = logical_id(name)
        if event["kind"] == "ScheduledEventConfig":
            hits = [r for r in rules if any(ref_target(t["Arn"]) == fn for t in r["Properties"]["Targets"])]
            assert [r["Properties"]["ScheduleExpression"] for r in hits] == [event["schedule"]], name
            assert hits[0]["Properties"].get("State", "ENABLED") == "ENABLED", name
        elif event["kind"] == "DynamoDBEventConfig":
            hits = [m["Properties"] for m in mappings if ref_target(m["Properties"]["FunctionName"]) == fn]
            assert len(hits) == 1, name
            esm = hits[0]
            # Imported for the facts without the stack's environment, the handler names its table
            # in the placeholder ARN; in the template the mapping must use that table's real stream.
            table_name = re.search(r":table/([^/]+)/stream", event["stream_arn"]).group(1)
            table = next(k for k, n in table_ids(cfn).items() if n == table_name)
            assert esm["EventSourceArn"] == {"Fn::GetAtt": [table, "StreamArn"]}, "stream ARN must be the table's"
            assert esm["MaximumRetryAttempts"] == stage_settings.stream_max_retries
            assert esm["MaximumRecordAgeInSeconds"] == stage_settings.stream_max_record_age_s
            assert esm["BisectBatchOnFunctionError"] is True
            assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
            assert ref_target(esm["DestinationConfig"]["OnFailure"]["Destination"]) in queues
        else:
            pytest.fail(f"{name}: no assertion for event kind {event['kind']}; add one with its infrastructure")

    # The API handler: every route is in the API definition and integrates with APIHandler.
    api = next(iter(of_type(cfn, "AWS::ApiGateway::RestApi").values()))["Properties"]["Body"]
    assert set(api["paths"]) == set(facts["routes"])
    for path, methods in facts["routes"].items():
        for method in methods:
            uri = api["paths"][path][method.lower()]["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            assert "${APIHandler.Arn}" in uri, (path, method)
    permissions = of_type(cfn, "AWS::Lambda::Permission").values()
    assert any(ref_target(p["Properties"]["FunctionName"]) == "APIHandler"
               and p["Properties"]["Principal"] == "apigateway.amazonaws.com" for p in permissions)


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_functions_are_traced_and_configured_for_aws(stage, transformed, templates):
    cfn = transformed[stage]
    for fid, fn in of_type(cfn, "AWS::Lambda::Function").items():
        props = fn["Properties"]
        assert props["TracingConfig"] == {"Mode": "Active"}, fid
        env = props["Environment"]["Variables"]
        assert env["STAGE"] == stage and env["TABLE_PREFIX"] == STAGES[stage].table_prefix, fid
        assert not {"DDB_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "JWT_SIGNING_KEY",
                    "CITIZEN_PEPPER", "POWERTOOLS_TRACE_DISABLED"} & set(env), fid
        for tid, table in of_type(cfn, "AWS::DynamoDB::Table").items():
            if "StreamSpecification" in table["Properties"]:
                var = table["Properties"]["TableName"].removeprefix(STAGES[stage].table_prefix + "-").upper()
                assert env[f"{var}_STREAM_ARN"] == {"Fn::GetAtt": [tid, "StreamArn"]}, (fid, var)
        secrets = of_type(cfn, "AWS::SecretsManager::Secret")
        assert ref_target(env["CITIZEN_PEPPER_SECRET_ARN"]) in secrets, fid
        assert ref_target(env["CITIZEN_SESSION_SECRET_ARN"]) in secrets, fid
        assert not {"JWT_SIGNING_KEY_SECRET_ARN", "COGNITO_ENDPOINT"} & set(env), fid  # no shared key, no emulator
        pools, clients = of_type(cfn, "AWS::Cognito::UserPool"), of_type(cfn, "AWS::Cognito::UserPoolClient")
        assert ref_target(env["OPERATOR_USER_POOL_ARN"]) in pools and ref_target(env["COGNITO_USER_POOL_ID"]) in pools
        assert ref_target(env["COGNITO_CLIENT_ID"]) in clients
    groups = [g["Properties"] for g in of_type(cfn, "AWS::Logs::LogGroup").values()]
    for fid in of_type(cfn, "AWS::Lambda::Function"):
        mine = [g for g in groups if json.dumps({"Ref": fid}) in json.dumps(g["LogGroupName"])]
        assert [g["RetentionInDays"] for g in mine] == [STAGES[stage].log_retention_days], f"{fid}: log retention"


# --- least privilege ----------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_no_wildcard_actions_anywhere(stage, transformed):
    for pid, _, st in statements(transformed[stage]):
        for action in as_list(st.get("Action", [])):
            assert "*" not in action, f"{pid} allows {action}"
        assert "NotAction" not in st, pid
    for rid, role in of_type(transformed[stage], "AWS::IAM::Role").items():
        assert not role["Properties"].get("ManagedPolicyArns"), f"{rid}: managed policies hide what is granted"


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_table_grants_are_per_function_and_scoped(stage, templates):
    cfn = templates[stage]
    tables = {k: n.removeprefix(STAGES[stage].table_prefix + "-") for k, n in table_ids(cfn).items()}
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    reads = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"}
    for handler, access in FUNCTION_ACCESS.items():
        role = function_role(cfn, handler)
        can_read, can_write = set(), set()
        for pid, roles, st in statements(cfn):
            actions = set(as_list(st["Action"]))
            if role not in roles or not any(a.startswith("dynamodb:") for a in actions):
                continue
            targets = {ref_target(r) if ref_target(r) else ref_target(r.get("Fn::Join", ["", [None]])[1][0])
                       for r in as_list(st["Resource"]) if isinstance(r, dict)}
            if {a for a in actions if a.startswith("dynamodb:")} <= {"dynamodb:ListStreams"}:
                continue  # stream discovery: the consumer's only unscoped dynamodb action
            assert "*" not in as_list(st["Resource"]), f"{pid}: dynamodb actions on every resource"
            named = {tables[t] for t in targets if t in tables}
            if actions & reads:
                can_read |= named
            if actions & writes:
                can_write |= named
        assert can_read == set(access.get("read", ())), (handler, can_read)
        assert can_write == set(access.get("write", ())), (handler, can_write)


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_secrets_are_referenced_and_read_only_by_who_needs_them(stage, templates):
    cfn = templates[stage]
    secrets = of_type(cfn, "AWS::SecretsManager::Secret")
    # Staff tokens are the pool's: the one signing key of our own is the citizens' session key.
    assert len(secrets) == 3
    names = {v["Properties"]["Name"]: k for k, v in secrets.items()}
    assert set(names) == {f"ejso/{stage}/citizen-pepper", f"ejso/{stage}/citizen-session", f"ejso/{stage}/edge-origin"}
    for k, v in secrets.items():
        assert v["DeletionPolicy"] == "Retain", k
    by_key = {"pepper": names[f"ejso/{stage}/citizen-pepper"], "session": names[f"ejso/{stage}/citizen-session"],
              "edge": names[f"ejso/{stage}/edge-origin"]}
    for handler, access in FUNCTION_ACCESS.items():
        role = function_role(cfn, handler)
        readable = {ref_target(r) for _, roles, st in statements(cfn) if role in roles
                    and "secretsmanager:GetSecretValue" in as_list(st["Action"]) for r in as_list(st["Resource"])}
        assert readable == {by_key[s] for s in access.get("secrets", ())}, handler


def test_grants_cover_what_each_event_handler_touches():
    """Each event handler runs once over moto (tests/infrastructure/trace_access.py); every table
    it read or wrote must be granted to its role, or it would fail with AccessDenied in AWS."""
    env = {k: v for k, v in os.environ.items() if k not in _OFFLINE_DROP}
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("trace_access.py"))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    observed = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(observed) == set(FUNCTION_ACCESS) - {API_HANDLER}, "every event handler is traced"
    for handler, seen in observed.items():
        access = FUNCTION_ACCESS[handler]
        assert set(seen["read"]) <= set(access.get("read", ())), (handler, "reads", seen["read"])
        assert set(seen["write"]) <= set(access.get("write", ())), (handler, "writes", seen["write"])
        assert seen["read"] or seen["write"], f"{handler} touched no table: the trace did not exercise it"


# --- API, operators, alarms ---------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_api_is_throttled_traced_and_has_the_operator_authorizer(stage, transformed):
    cfn, settings = transformed[stage], STAGES[stage]
    (api_stage,) = of_type(cfn, "AWS::ApiGateway::Stage").values()
    assert api_stage["Properties"]["TracingEnabled"] is True
    (methods,) = api_stage["Properties"]["MethodSettings"]
    assert (methods["ResourcePath"], methods["HttpMethod"]) == ("/*", "*")
    assert methods["ThrottlingRateLimit"] == settings.api_rate_limit
    assert methods["ThrottlingBurstLimit"] == settings.api_burst_limit
    body = next(iter(of_type(cfn, "AWS::ApiGateway::RestApi").values()))["Properties"]["Body"]
    assert body["info"]["title"] == f"ejso-network-{stage}"
    authorizer = body["securityDefinitions"][OPERATOR_AUTHORIZER]
    assert authorizer["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    (pool_id, pool), = of_type(cfn, "AWS::Cognito::UserPool").items()
    assert [ref_target(a) for a in authorizer["x-amazon-apigateway-authorizer"]["providerARNs"]] == [pool_id]
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    (client,) = of_type(cfn, "AWS::Cognito::UserPoolClient").values()
    assert client["Properties"]["GenerateSecret"] is False


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_the_api_stage_has_a_usage_plan_and_a_waf_with_per_address_rate_rules(stage, transformed):
    cfn, settings = transformed[stage], STAGES[stage]
    (stage_id,) = of_type(cfn, "AWS::ApiGateway::Stage")
    (api_id,) = of_type(cfn, "AWS::ApiGateway::RestApi")
    (plan,) = of_type(cfn, "AWS::ApiGateway::UsagePlan").values()
    props = plan["Properties"]
    assert props["Throttle"] == {"RateLimit": settings.usage_plan_rate_limit,
                                 "BurstLimit": settings.usage_plan_burst_limit}
    assert props["Quota"] == {"Limit": settings.usage_plan_quota_per_day, "Period": "DAY"}
    (api_stage,) = props["ApiStages"]
    assert ref_target(api_stage["ApiId"]) == api_id and ref_target(api_stage["Stage"]) == stage_id

    (acl_id, acl), = of_type(cfn, "AWS::WAFv2::WebACL").items()
    acl = acl["Properties"]
    assert acl["Scope"] == "REGIONAL" and "Allow" in acl["DefaultAction"]
    rates = {r["Name"]: r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]}
    every, writes = rates["PerAddress"]["Statement"]["RateBasedStatement"], rates["PerAddressWrites"]["Statement"][
        "RateBasedStatement"]
    assert (every["AggregateKeyType"], every["Limit"]) == ("IP", settings.waf_limit_per_5min)
    assert (writes["AggregateKeyType"], writes["Limit"]) == ("IP", settings.waf_write_limit_per_5min)
    assert "\"/v1/v1/holds\"" in json.dumps(writes["ScopeDownStatement"])  # the stage (v1), then the route
    # Only requests without the edge's secret count per address (through CloudFront, the address is an edge).
    edge_secret = next(k for k, v in of_type(cfn, "AWS::SecretsManager::Secret").items()
                       if v["Properties"]["Name"] == f"ejso/{stage}/edge-origin")
    direct = every["ScopeDownStatement"]
    assert direct in writes["ScopeDownStatement"]["AndStatement"]["Statements"]
    through_edge = direct["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert through_edge["FieldToMatch"] == {"SingleHeader": {"Name": "x-origin-verify"}}
    assert through_edge["PositionalConstraint"] == "EXACTLY"
    assert flat(through_edge["SearchString"]) == f"{{{{resolve:secretsmanager:{{{edge_secret}}}:SecretString:::}}}}"
    for rule in rates.values():
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429 and response["ResponseHeaders"][0]["Name"] == "Retry-After"
        body = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
        assert body["status"] == 429 and body["title_fa"] and body["detail_fa"]
    managed = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Rules"]
               if "ManagedRuleGroupStatement" in r["Statement"]}
    assert {"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed

    (association,) = of_type(cfn, "AWS::WAFv2::WebACLAssociation").values()
    assert ref_target(association["Properties"]["WebACLArn"]) == acl_id
    arn = json.dumps(association["Properties"]["ResourceArn"])
    assert f"/restapis/${{{api_id}}}/stages/${{{stage_id}}}" in arn, arn


STAFF_PREFIXES = ("/v1/office/", "/v1/admin/")


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_no_staff_route_is_reachable_without_the_cognito_authorizer(stage, transformed, app_facts):
    body = next(iter(of_type(transformed[stage], "AWS::ApiGateway::RestApi").values()))["Properties"]["Body"]
    staff = [(path, method) for path, methods in body["paths"].items() if path.startswith(STAFF_PREFIXES)
             for method in methods if method != "options"]
    assert len(staff) >= 30 and {p for p, _ in staff} == {p for p in app_facts[stage]["routes"] if p.startswith(STAFF_PREFIXES)}
    missing = [f"{method.upper()} {path}" for path, method in staff
               if body["paths"][path][method].get("security") != [{OPERATOR_AUTHORIZER: []}]]
    assert not missing, "staff routes without the Cognito authorizer:\n" + "\n".join(missing)
    # Public routes stay public (no authorizer on the citizens' and partners' paths).
    assert not [p for p, ms in body["paths"].items() if not p.startswith(STAFF_PREFIXES)
                for m, op in ms.items() if isinstance(op, dict) and op.get("security")]


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_staff_pool_attributes_tokens_and_mfa(stage, transformed):
    cfn = transformed[stage]
    (pool,) = of_type(cfn, "AWS::Cognito::UserPool").values()
    props = pool["Properties"]
    custom = {a["Name"]: a for a in props["Schema"] if a["Name"] in ("office_id", "province")}
    assert set(custom) == {"office_id", "province"} and not any(a["Mutable"] for a in custom.values())
    assert props["UsernameAttributes"] == ["email"]
    # The association's administrators (and every other staff member) need a TOTP second factor in prod.
    expected_mfa = "ON" if STAGES[stage].operator_mfa_required else "OPTIONAL"
    assert props["MfaConfiguration"] == expected_mfa and props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    if stage == "prod":
        assert props["MfaConfiguration"] == "ON"
    groups = {g["Properties"]["GroupName"] for g in of_type(cfn, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"operator", "office-manager", "association-admin", "provincial-representative"}
    (client,) = of_type(cfn, "AWS::Cognito::UserPoolClient").values()
    c = client["Properties"]
    assert c["EnableTokenRevocation"] is True and c["PreventUserExistenceErrors"] == "ENABLED"
    assert "ALLOW_USER_SRP_AUTH" in c["ExplicitAuthFlows"] and "ALLOW_USER_PASSWORD_AUTH" not in c["ExplicitAuthFlows"]
    units = c["TokenValidityUnits"]
    minutes = {"minutes": 1, "hours": 60, "days": 1440}
    assert 30 <= c["IdTokenValidity"] * minutes[units["IdToken"]] <= 60
    assert 30 <= c["AccessTokenValidity"] * minutes[units["AccessToken"]] <= 60
    assert c["RefreshTokenValidity"] * minutes[units["RefreshToken"]] <= 12 * 60
    assert not {"custom:office_id", "custom:province"} & set(c["WriteAttributes"])
    assert {"custom:office_id", "custom:province"} <= set(c["ReadAttributes"])


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_alarms_cover_5xx_throttles_errors_and_failed_stream_batches(stage, templates):
    cfn = templates[stage]
    alarms = list(of_type(cfn, "AWS::CloudWatch::Alarm").values())
    topics = of_type(cfn, "AWS::SNS::Topic")
    assert all(ref_target(a["Properties"]["AlarmActions"][0]) in topics for a in alarms)

    def watching(namespace: str, metric: str, dimension: str | None = None, value=None) -> list[dict]:
        found = []
        for a in alarms:
            p = a["Properties"]
            for m in [p] + [q["MetricStat"]["Metric"] for q in p.get("Metrics", []) if "MetricStat" in q]:
                dims = {d["Name"]: d["Value"] for d in m.get("Dimensions", [])}
                if m.get("Namespace") == namespace and m.get("MetricName") == metric and (
                        dimension is None or dims.get(dimension) == value):
                    found.append(a)
        return found

    assert watching("AWS/ApiGateway", "5XXError", "ApiName", f"ejso-network-{stage}")
    for handler in FUNCTION_ACCESS:
        fn = {"Ref": logical_id(handler)}
        assert watching("AWS/Lambda", "Errors", "FunctionName", fn), handler
        assert watching("AWS/Lambda", "Throttles", "FunctionName", fn), handler
    for stream_handler in ("fold_booking_ranking", "fold_request_ranking", "offer_freed_seats"):
        assert watching("AWS/Lambda", "IteratorAge", "FunctionName", {"Ref": logical_id(stream_handler)}), stream_handler
    dlq = watching("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert dlq and dlq[0]["Properties"]["Threshold"] == 1
    for table_id in table_ids(cfn):
        assert watching("AWS/DynamoDB", "WriteThrottleEvents", "TableName", {"Ref": table_id}), table_id


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_sms_is_sent_only_by_the_outbox_through_the_stage_gateway(stage, templates):
    """With SMS_MODE=aws the stage sends through AWS End User Messaging SMS: the origination
    identity is a deploy parameter (no default: a deploy without one fails), the stack makes the
    configuration set, only the outbox delivery and the API (one-time codes, sent at once) may
    send, and given-up SMS raise an alarm."""
    cfn = templates[stage]
    sends = {role for _, roles, st in statements(cfn) if "sms-voice:SendTextMessage" in as_list(st["Action"])
             for role in roles}
    sms_mode = STAGES[stage].app_config()["environment_variables"]["SMS_MODE"]
    if sms_mode != "aws":
        assert not sends and "SmsOriginationIdentity" not in cfn.get("Parameters", {})
        return
    param = cfn["Parameters"]["SmsOriginationIdentity"]
    assert param["Type"] == "String" and "Default" not in param
    (set_id,) = of_type(cfn, "AWS::SMSVOICE::ConfigurationSet")
    assert sends == {function_role(cfn, "deliver_outbox"), function_role(cfn, "api_handler")}
    for fn in of_type(cfn, "AWS::Serverless::Function").values():
        env = fn["Properties"]["Environment"]["Variables"]
        assert env["SMS_ORIGINATION_IDENTITY"] == {"Ref": "SmsOriginationIdentity"}
        assert env["SMS_CONFIGURATION_SET"] == {"Ref": set_id}
    alarms = [a["Properties"] for a in of_type(cfn, "AWS::CloudWatch::Alarm").values()]
    assert any(a.get("Namespace") == "EJSO" and a.get("MetricName") == "SmsUndeliverable" for a in alarms)


# --- documents bucket and the web app -------------------------------------------------------

def flat(value) -> str:
    """A CloudFormation string with its references spelled out: Ref X -> {X}, GetAtt X.a -> {X.a}."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(flat(p) for p in parts)
    if isinstance(value, dict) and "Ref" in value:
        return "{" + value["Ref"] + "}"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        return "{" + (".".join(att) if isinstance(att, list) else att) + "}"
    return json.dumps(value)


def _bucket(cfn: dict, name_part: str) -> tuple[str, dict]:
    (found,) = [(k, v) for k, v in of_type(cfn, "AWS::S3::Bucket").items() if name_part in k]
    return found


def _private_encrypted_tls_only(cfn: dict, bucket_id: str, bucket: dict) -> None:
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    (sse,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (policy,) = [p for p in of_type(cfn, "AWS::S3::BucketPolicy").values()
                 if ref_target(p["Properties"]["Bucket"]) == bucket_id]
    denies = [st for st in policy["Properties"]["PolicyDocument"]["Statement"] if st["Effect"] == "Deny"]
    assert any(st["Condition"].get("Bool", {}).get("aws:SecureTransport") == "false" for st in denies), denies
    allows = [st for st in policy["Properties"]["PolicyDocument"]["Statement"] if st["Effect"] == "Allow"]
    assert all(st["Principal"] != "*" and st["Principal"] != {"AWS": "*"} for st in allows), allows


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_documents_bucket_is_private_encrypted_expiring_and_open_only_to_the_web_origin(stage, templates):
    cfn = templates[stage]
    bucket_id, bucket = _bucket(cfn, "Documents")
    _private_encrypted_tls_only(cfn, bucket_id, bucket)
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain"
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-documents"]["Status"] == "Enabled"
    assert rules["expire-documents"]["Prefix"] == "documents/"
    assert rules["expire-documents"]["ExpirationInDays"] == STAGES[stage].document_retention_days
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    (cors,) = props["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["POST"]
    (distribution_id,) = of_type(cfn, "AWS::CloudFront::Distribution")
    assert [flat(o) for o in cors["AllowedOrigins"]] == [f"https://{{{distribution_id}.DomainName}}"]
    # The app is told the bucket's name, the same the bucket has.
    env = cfn["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert flat(env["DOCUMENTS_BUCKET"]) == flat(props["BucketName"]) == \
        f"ejso-{stage}-documents-{{AWS::AccountId}}-{{AWS::Region}}"


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_only_the_api_reaches_documents_and_only_under_their_prefix(stage, templates):
    cfn = templates[stage]
    bucket_arn = f"arn:{{AWS::Partition}}:s3:::ejso-{stage}-documents-{{AWS::AccountId}}-{{AWS::Region}}"
    granted: dict[str, set[tuple[str, str]]] = {}
    for handler in FUNCTION_ACCESS:
        role = function_role(cfn, handler)
        for _, roles, st in statements(cfn):
            if role in roles:
                for action in as_list(st["Action"]):
                    if action.startswith("s3:"):
                        for resource in as_list(st["Resource"]):
                            granted.setdefault(handler, set()).add((action, flat(resource)))
    assert granted == {API_HANDLER: {("s3:PutObject", f"{bucket_arn}/documents/*"),
                                     ("s3:GetObject", f"{bucket_arn}/documents/*"),
                                     ("s3:ListBucket", bucket_arn)}}


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_web_app_is_served_by_cloudfront_from_a_private_bucket_and_v1_goes_to_the_api(stage, templates):
    cfn = templates[stage]
    web_id, web = _bucket(cfn, "WebApp")
    _private_encrypted_tls_only(cfn, web_id, web)
    (dist_id, dist), = of_type(cfn, "AWS::CloudFront::Distribution").items()
    config = dist["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html" and config["Enabled"] is True
    by_id = {o["Id"]: o for o in config["Origins"]}

    # The client: the private bucket, read by CloudFront alone through origin access control.
    default = config["DefaultCacheBehavior"]
    s3_origin = by_id[default["TargetOriginId"]]
    assert ref_target(s3_origin["DomainName"]) == web_id and s3_origin["OriginAccessControlId"]
    assert s3_origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    (oac,) = of_type(cfn, "AWS::CloudFront::OriginAccessControl").values()
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    (policy,) = [p for p in of_type(cfn, "AWS::S3::BucketPolicy").values() if ref_target(p["Properties"]["Bucket"]) == web_id]
    (reader,) = [st for st in policy["Properties"]["PolicyDocument"]["Statement"] if st["Effect"] == "Allow"]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"} and reader["Action"] == "s3:GetObject"
    assert flat(reader["Condition"]["StringEquals"]["AWS:SourceArn"]).endswith(f":distribution/{{{dist_id}}}")
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    (route,) = default["FunctionAssociations"]
    assert route["EventType"] == "viewer-request"
    code = next(iter(of_type(cfn, "AWS::CloudFront::Function").values()))["Properties"]["FunctionCode"]
    assert "/index.html" in code

    # /v1/*: API Gateway's stage, never cached, every method, the viewer's headers and query but Host.
    (api,) = config["CacheBehaviors"]
    assert api["PathPattern"] == "/v1/*"
    api_origin = by_id[api["TargetOriginId"]]
    (rest_api,) = of_type(cfn, "AWS::Serverless::Api") or of_type(cfn, "AWS::ApiGateway::RestApi")
    assert flat(api_origin["DomainName"]) == f"{{{rest_api}}}.execute-api.{{AWS::Region}}.{{AWS::URLSuffix}}"
    assert api_origin["OriginPath"] == "/v1"
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    # CloudFront proves itself to the API with the edge secret (a dynamic reference, never its value),
    # so the app trusts CloudFront-Viewer-Address as the client's address for per-client limits.
    (edge_header,) = api_origin["OriginCustomHeaders"]
    edge_secret = next(k for k, v in of_type(cfn, "AWS::SecretsManager::Secret").items()
                       if v["Properties"]["Name"] == f"ejso/{stage}/edge-origin")
    assert edge_header["HeaderName"] == "X-Origin-Verify"
    assert flat(edge_header["HeaderValue"]) == f"{{{{resolve:secretsmanager:{{{edge_secret}}}:SecretString:::}}}}"
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert api["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["ViewerProtocolPolicy"] == "https-only"

    # The page's security headers are the local front's, and let the page reach only the documents
    # bucket and the staff pool's Cognito endpoint (the consoles' sign-in).
    from infra.local.web_front import security_headers
    (headers,) = of_type(cfn, "AWS::CloudFront::ResponseHeadersPolicy").values()
    assert ref_target(default["ResponseHeadersPolicyId"]) in of_type(cfn, "AWS::CloudFront::ResponseHeadersPolicy")
    security = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    bucket_origin = f"https://ejso-{stage}-documents-{{AWS::AccountId}}-{{AWS::Region}}.s3.{{AWS::Region}}.{{AWS::URLSuffix}}"
    cognito_origin = "https://cognito-idp.{AWS::Region}.{AWS::URLSuffix}"
    assert flat(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]) == \
        security_headers(bucket_origin, cognito_origin)["Content-Security-Policy"]
    assert f"connect-src 'self' {bucket_origin} {cognito_origin};" in \
        flat(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert security["FrameOptions"]["FrameOption"] == "DENY" and security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
