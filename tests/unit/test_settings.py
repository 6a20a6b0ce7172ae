import pytest

from chalicelib.settings import LOCAL_JWT_KEY, load_settings


def test_defaults_and_validation():
    s = load_settings({"STAGE": "local", "HOLD_MINUTES": "7"})
    assert s.hold_minutes == 7 and s.jwt_signing_key == LOCAL_JWT_KEY
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
                       "JWT_SIGNING_KEY_SECRET_ARN": "arn:aws:secretsmanager:x:1:secret:jwt123",
                       "CITIZEN_PEPPER_SECRET_ARN": "arn:aws:secretsmanager:x:1:secret:pep456"}, read_secret=fake_read)
    assert s.jwt_signing_key == "secret-from-jwt123-0123456789" and s.citizen_pepper.startswith("secret-from-pep456")
    assert len(read) == 2
    # Packaging outside Lambda (cdk synth) never reads them.
    read.clear()
    load_settings({"STAGE": "prod", "JWT_SIGNING_KEY_SECRET_ARN": "arn:x"}, read_secret=fake_read)
    assert read == {}


def test_a_deployed_lambda_refuses_the_public_local_keys():
    with pytest.raises(RuntimeError, match="SECRET_ARN"):
        load_settings({"STAGE": "prod", "AWS_LAMBDA_FUNCTION_NAME": "ejso-prod-api"})
    # Local stages keep their defaults, in or out of a Lambda.
    assert load_settings({"STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "x"}).stage == "local"
