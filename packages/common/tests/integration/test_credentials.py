"""Database password sources: Secrets Manager (moto) and RDS IAM auth tokens."""

from __future__ import annotations

import json

import pytest

from lego_common import aws, db
from lego_common.config import load_settings
from lego_devstack import reset_clients


def test_password_from_secrets_manager_connects(
    services: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = load_settings().db_password
    arn = aws.client("secretsmanager").create_secret(
        Name=f"lego-api-db-{id(monkeypatch)}",
        SecretString=json.dumps({"username": "lego", "password": password}),
    )["ARN"]
    monkeypatch.delenv("DB_PASSWORD")
    monkeypatch.setenv("DB_SECRET_ARN", arn)
    reset_clients()
    db.ping()
    assert db.password(load_settings()) == password


def test_iam_auth_uses_a_signed_token_not_a_stored_password(
    services: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DB_IAM_AUTH", "true")
    monkeypatch.setenv("DB_HOST", "proxy.example.internal")
    monkeypatch.setenv("DB_PORT", "5432")
    reset_clients()
    token = db.password(load_settings())
    assert token is not None
    assert token.startswith("proxy.example.internal:5432/?Action=connect")
    assert "X-Amz-Signature=" in token
    assert "DBUser=lego" in token
