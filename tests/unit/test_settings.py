import pytest

from chalicelib.settings import LOCAL_PEPPER, load_settings


def test_defaults_and_validation():
    s = load_settings({"STAGE": "local", "HOLD_MINUTES": "7"})
    assert s.hold_minutes == 7 and s.citizen_pepper == LOCAL_PEPPER
    with pytest.raises(RuntimeError, match="hold_minutes"):
        load_settings({"HOLD_MINUTES": "0"})
    with pytest.raises(RuntimeError, match="stage"):
        load_settings({"STAGE": "staging"})


def test_secrets_come_from_secrets_manager_arns():
    read = {}

    def fake_read(arn):
        read[arn] = True
        return f"secret-from-{arn[-6:]}-0123456789"

    s = load_settings({"STAGE": "prod", "AWS_LAMBDA_FUNCTION_NAME": "ejso-prod-api",
                       "COGNITO_USER_POOL_ID": "me-central-1_AbC123", "COGNITO_CLIENT_ID": "client123",
                       "CITIZEN_PEPPER_SECRET_ARN": "arn:aws:secretsmanager:x:1:secret:pep456",
                       "CITIZEN_SESSION_SECRET_ARN": "arn:aws:secretsmanager:x:1:secret:ses789"}, read_secret=fake_read)
    assert s.citizen_pepper.startswith("secret-from-pep456")
    assert len(read) == 1
    # Packaging outside Lambda (cdk synth) never reads them.
    read.clear()
    load_settings({"STAGE": "prod", "CITIZEN_PEPPER_SECRET_ARN": "arn:x"}, read_secret=fake_read)
    assert read == {}


def test_a_deployed_lambda_refuses_the_public_local_keys():
    with pytest.raises(RuntimeError, match="SECRET_ARN"):
        load_settings({"STAGE": "prod", "AWS_LAMBDA_FUNCTION_NAME": "ejso-prod-api"})
    # Local stages keep their defaults, in or out of a Lambda.
    assert load_settings({"STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "x"}).stage == "local"


def test_the_documents_bucket_and_the_local_s3():
    local = load_settings({"STAGE": "test", "S3_ENDPOINT": "http://127.0.0.1:8200", "DOCUMENTS_BUCKET": "ejso-test-docs"})
    assert (local.s3_endpoint, local.documents_bucket) == ("http://127.0.0.1:8200", "ejso-test-docs")
    with pytest.raises(RuntimeError, match="s3_endpoint"):
        load_settings({"STAGE": "prod", "S3_ENDPOINT": "http://127.0.0.1:8200"})
    with pytest.raises(RuntimeError, match="s3_endpoint"):
        load_settings({"STAGE": "test", "S3_ENDPOINT": "http://s3.example.com"})
    # Packaging sees a CloudFormation token; the running Lambda checks the real name.
    assert load_settings({"STAGE": "dev", "DOCUMENTS_BUCKET": "ejso-dev-documents-${Token[AWS.AccountId.7]}"})
    lambda_env = {"STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "x"}
    with pytest.raises(RuntimeError, match="DOCUMENTS_BUCKET"):
        load_settings({**lambda_env, "DOCUMENTS_BUCKET": "Not_A_Bucket"})
    assert load_settings({**lambda_env, "DOCUMENTS_BUCKET": "ejso-dev-documents-123456789012-me-central-1"})


@pytest.mark.parametrize("stage", ["local", "test", "dev", "prod"])
def test_every_stage_answers_a_hung_database_within_three_seconds(stage):
    from chalicelib.settings import DB_ANSWER_WITHIN_S
    s = load_settings({"STAGE": stage})
    assert s.db_connect_timeout_s and s.db_read_timeout_s and s.db_max_attempts
    # The budget's worst case leaves room for the rest of the request.
    assert s.db_budget.worst_case_s <= DB_ANSWER_WITHIN_S - 0.3, s.db_budget


def test_a_deployed_stage_refuses_a_database_budget_past_three_seconds():
    assert load_settings({"STAGE": "prod", "DB_READ_TIMEOUT_S": "2"}).db_read_timeout_s == 2
    with pytest.raises(RuntimeError, match="DB_READ_TIMEOUT_S"):
        load_settings({"STAGE": "prod", "DB_READ_TIMEOUT_S": "3"})
    with pytest.raises(RuntimeError, match="DB_MAX_ATTEMPTS"):
        load_settings({"STAGE": "dev", "DB_MAX_ATTEMPTS": "3"})  # 1 s + 2 s of throttling backoff
    # A local stack may wait longer for a busy DynamoDB Local (the seed, the concurrency tests).
    assert load_settings({"STAGE": "test", "DB_READ_TIMEOUT_S": "20"}).db_read_timeout_s == 20
