"""What lego_common.db asks of psycopg (issue 13 item 16) and how it reuses IAM tokens
(item 2): built from the environment Terraform sets, no database needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from lego_common import aws, db
from lego_common.config import load_settings

# terraform/modules/stack/main.tf `environment`: what every function gets in AWS.
AWS_ENV = {
    "DB_HOST": "lego-api-dev.proxy-abc.us-east-1.rds.amazonaws.com",
    "DB_PORT": "5432",
    "DB_USER": "lego_app",
    "DB_IAM_AUTH": "true",
    "DB_SSLMODE": "verify-full",
    "DB_SSLROOTCERT": "lego_common/certs/amazon-root-ca.pem",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DB_PASSWORD", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    aws.reset()
    db.close()
    yield
    aws.reset()
    db.close()


@pytest.mark.usefixtures("aws_env")
def test_aws_settings_verify_the_proxy_certificate_against_the_shipped_bundle() -> None:
    kwargs = db.connect_kwargs(load_settings())
    assert kwargs["sslmode"] == "verify-full"
    bundle = Path(kwargs["sslrootcert"])
    assert bundle.is_absolute()
    assert bundle.is_file()
    assert bundle == Path(db.__file__).parent / "certs" / "amazon-root-ca.pem"
    text = bundle.read_text()
    assert text.count("-----BEGIN CERTIFICATE-----") == 4  # Amazon Root CA 1-4
    assert kwargs["user"] == "lego_app"


def test_local_settings_ask_for_no_root_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv("DB_SSLMODE", "disable")
    monkeypatch.delenv("DB_SSLROOTCERT", raising=False)
    kwargs = db.connect_kwargs(load_settings())
    assert kwargs["sslmode"] == "disable"
    assert "sslrootcert" not in kwargs


def test_an_absolute_root_certificate_path_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv("DB_SSLROOTCERT", "/opt/certs/global-bundle.pem")
    assert db.connect_kwargs(load_settings())["sslrootcert"] == "/opt/certs/global-bundle.pem"


@pytest.mark.usefixtures("aws_env")
def test_migrator_uri_carries_verify_full_and_the_bundle() -> None:
    from yoyo.connections import parse_uri

    from lego_schema.migrate import database_uri

    uri = parse_uri(database_uri(load_settings()))
    assert uri.args["sslmode"] == "verify-full"
    assert uri.args["sslrootcert"] == db.connect_kwargs(load_settings())["sslrootcert"]


@pytest.mark.usefixtures("aws_env")
def test_iam_token_is_reused_until_near_expiry_then_signed_again() -> None:
    settings = load_settings()
    first = db._iam_token(settings, now=1000.0)
    assert first.startswith(f"{AWS_ENV['DB_HOST']}:5432/?Action=connect")
    assert "DBUser=lego_app" in first
    assert db._iam_token(settings, now=1000.0 + db.TOKEN_REUSE_S - 1) == first
    # signed again: a new token (its X-Amz-Date may equal the first's within one second, so
    # compare the cache's timestamp rather than the text)
    db._iam_token(settings, now=1000.0 + db.TOKEN_REUSE_S)
    assert db._token is not None
    assert db._token[2] == 1000.0 + db.TOKEN_REUSE_S
    assert db.TOKEN_REUSE_S < 15 * 60  # tokens live 15 minutes


@pytest.mark.usefixtures("aws_env")
def test_iam_token_of_another_login_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    app_token = db._iam_token(load_settings(), now=1.0)
    monkeypatch.setenv("DB_USER", "lego_admin")
    admin_token = db._iam_token(load_settings(), now=2.0)
    assert "DBUser=lego_admin" in admin_token
    assert admin_token != app_token


def test_no_token_is_made_without_iam_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    db.close()
    monkeypatch.setenv("DB_IAM_AUTH", "false")
    monkeypatch.setenv("DB_PASSWORD", "plain")
    monkeypatch.delenv("DB_SECRET_ARN", raising=False)
    assert db.password(load_settings()) == "plain"
    assert db._token is None
