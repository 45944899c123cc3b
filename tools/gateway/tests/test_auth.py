"""The JWT authorizer's checks, with our own RSA key standing in for the pool's JWKS."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lego_gateway.auth import JwtAuthorizer, TokenRejectedError, claims_as_strings, token_from

OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_verify_access_token_returns_claims(
    authorizer: JwtAuthorizer, make_token: Callable[..., str]
) -> None:
    assert authorizer.verify(make_token())["sub"] == "user-1"


def test_verify_id_token_checks_aud_instead_of_client_id(
    authorizer: JwtAuthorizer, make_token: Callable[..., str]
) -> None:
    token = make_token(token_use="id", client_id=None, aud=next(iter(authorizer.audiences)))

    assert authorizer.verify(token)["token_use"] == "id"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int(time.time()) - 10}, "ExpiredSignature"),
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/other"}, "InvalidIssuer"),
        ({"client_id": "someone-else"}, "audience"),
        ({"token_use": None, "client_id": None, "aud": "someone-else"}, "token_use"),
        ({"token_use": "id", "client_id": None, "aud": "someone-else"}, "audience"),
        ({"token_use": "refresh"}, "token_use"),
        ({"exp": None}, "exp"),
        ({"nbf": int(time.time()) + 600}, "ImmatureSignature"),
    ],
)
def test_verify_bad_claims_is_rejected(
    authorizer: JwtAuthorizer,
    make_token: Callable[..., str],
    overrides: dict[str, Any],
    reason: str,
) -> None:
    with pytest.raises(TokenRejectedError, match=reason):
        authorizer.verify(make_token(**overrides))


def test_verify_token_signed_by_another_key_is_rejected(
    authorizer: JwtAuthorizer, make_token: Callable[..., str]
) -> None:
    claims = jwt.decode(make_token(), options={"verify_signature": False})
    forged = jwt.encode(claims, OTHER_KEY, algorithm="RS256", headers={"kid": "k1"})

    with pytest.raises(TokenRejectedError, match="InvalidSignature"):
        authorizer.verify(forged)


def test_verify_hs256_token_is_rejected(authorizer: JwtAuthorizer) -> None:
    token = jwt.encode({"iss": authorizer.issuer, "sub": "x"}, "secret" * 6, algorithm="HS256")

    with pytest.raises(TokenRejectedError):
        authorizer.verify(token)


def test_token_from_reads_the_authorization_header() -> None:
    assert token_from({"authorization": "Bearer abc"}) == "abc"
    assert token_from({"authorization": "bearer  abc "}) == "abc"
    assert token_from({"authorization": "abc"}) == "abc"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Basic dXNlcjpwdw=="},
        {"authorization": "  "},
        # the seed's `token` cookie: the deployed authorizer never reads it (issue 13 item 11)
        {"cookie": "token=abc"},
    ],
)
def test_token_from_nothing_usable_is_rejected(headers: dict[str, str]) -> None:
    with pytest.raises(TokenRejectedError):
        token_from(headers)


def test_claims_as_strings_matches_payload_2_0() -> None:
    claims = {"sub": "u", "exp": 17, "groups": ["a", "b"], "email_verified": True}

    assert claims_as_strings(claims) == {
        "sub": "u",
        "exp": "17",
        "groups": "[a b]",
        "email_verified": "true",
    }


class _UnreachableKeys:
    """A JWKS that cannot be fetched: only a token verified before can still pass."""

    def get_signing_key_from_jwt(self, token: str) -> Any:
        raise jwt.PyJWKClientConnectionError("JWKS down")


def test_a_verified_token_is_not_verified_again(
    authorizer: JwtAuthorizer, make_token: Callable[..., str]
) -> None:
    token, unseen = make_token("user-1"), make_token("user-2")
    first = authorizer.verify(token)
    first["sub"] = "tampered"  # the caller's copy, not the remembered claims
    authorizer._jwks = _UnreachableKeys()  # type: ignore[assignment]

    assert authorizer.verify(token)["sub"] == "user-1"
    with pytest.raises(TokenRejectedError, match="JWKS unreachable"):
        authorizer.verify(unseen)


def test_a_remembered_token_still_expires(
    authorizer: JwtAuthorizer, make_token: Callable[..., str]
) -> None:
    now = time.time()
    token = make_token(exp=int(now) + 60)
    authorizer.clock = lambda: now
    authorizer.verify(token)

    authorizer.clock = lambda: now + 61
    with pytest.raises(TokenRejectedError, match="ExpiredSignature"):
        authorizer.verify(token)


def test_a_forged_twin_of_a_remembered_token_is_rejected(
    authorizer: JwtAuthorizer, make_token: Callable[..., str]
) -> None:
    """The memory is keyed by the whole token, signature included, not by its claims."""
    genuine = make_token()
    authorizer.verify(genuine)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    forged = jwt.encode(claims, OTHER_KEY, algorithm="RS256", headers={"kid": "k1"})
    for _ in range(2):
        with pytest.raises(TokenRejectedError, match="Signature"):
            authorizer.verify(forged)


def test_the_least_recently_used_token_is_forgotten_first(
    authorizer: JwtAuthorizer, make_token: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("lego_gateway.auth.VERIFIED_TOKENS", 2)
    old, kept, new = make_token("a"), make_token("b"), make_token("c")
    for token in (old, kept, kept, new):
        authorizer.verify(token)
    authorizer._jwks = _UnreachableKeys()  # type: ignore[assignment]

    assert [authorizer.verify(t)["sub"] for t in (kept, new)] == ["b", "c"]
    with pytest.raises(TokenRejectedError, match="JWKS unreachable"):
        authorizer.verify(old)
