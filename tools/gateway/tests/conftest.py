"""Fixtures of the gateway's own tests: an RSA key standing in for the pool's JWKS."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lego_gateway.auth import JwtAuthorizer

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
CLIENT_ID = "client-1"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Keys:
    """PyJWKClient's one method the authorizer calls, answering with our public key."""

    def get_signing_key_from_jwt(self, token: str) -> Any:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key(), as_dict=True)
        return jwt.PyJWK.from_dict({**jwk, "kid": "k1"})


@pytest.fixture
def authorizer() -> JwtAuthorizer:
    verifier = JwtAuthorizer(ISSUER, frozenset({CLIENT_ID}), "http://127.0.0.1:9/jwks.json")
    verifier._jwks = _Keys()  # type: ignore[assignment]
    return verifier


@pytest.fixture
def make_token() -> Callable[..., str]:
    """make_token(sub=..., **claim overrides) -> an RS256 access token our authorizer accepts."""

    def _make(sub: str = "user-1", **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": sub,
            "client_id": CLIENT_ID,
            "token_use": "access",
            "iat": now,
            "exp": now + 300,
            **overrides,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, _KEY, algorithm="RS256", headers={"kid": "k1"})

    return _make
