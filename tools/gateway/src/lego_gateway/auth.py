"""The JWT authorizer, as API Gateway's HTTP API runs it for a Cognito user pool.

API Gateway checks (docs "Controlling access to HTTP APIs with JWT authorizers"): the token
comes from the identity source; its signature against the issuer's JWKS (`kid` picks the key);
`iss` equals the configured issuer; `aud`, or `client_id` when there is no `aud`, is one of the
configured audiences; `exp` is in the future, `nbf`/`iat` are not. Cognito tokens also carry
`token_use` (access or id). Any failure is 401 {"message":"Unauthorized"} and the function is
never called. Verification itself is PyJWT's; the JWKS client caches the keys.

A token whose signature and claims passed is remembered (up to VERIFIED_TOKENS, least recently
used first out) and, seen again, only its `exp` is checked: every other check gives the same
answer for the same token later (`nbf` and `iat` only grow truer). The RS256 check and the JWK's
parsing were ~0.6 ms of the gateway's ~1.3 ms CPU per request under load (docs/capacity.md); a
client sends the same token for its whole hour. A key dropped from the JWKS keeps its tokens
valid until they expire, as API Gateway's own JWKS cache does.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jwt
from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

ALLOWED_TOKEN_USES = frozenset({"access", "id"})
VERIFIED_TOKENS = 4096


class TokenRejectedError(Exception):
    """The request carries no token or one the authorizer refuses (the reason is for logs)."""


@dataclass
class JwtAuthorizer:
    """Verifies Cognito JWTs: issuer, audiences (app client ids) and the JWKS to fetch keys from.

    Deployed, the JWKS lives at `{issuer}/.well-known/jwks.json`; locally moto serves it at
    `{moto}/{pool_id}/.well-known/jwks.json` while the tokens still name the AWS issuer URL.
    """

    issuer: str
    audiences: frozenset[str]
    jwks_url: str
    leeway_s: int = 0
    clock: Callable[[], float] = time.time
    _jwks: jwt.PyJWKClient | None = field(default=None, init=False, repr=False)
    _verified: OrderedDict[str, dict[str, Any]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _keys(self) -> jwt.PyJWKClient:
        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(self.jwks_url, cache_keys=True, lifespan=300, timeout=5)
        return self._jwks

    def verify_known(self, token: str) -> dict[str, Any] | None:
        """verify() for a token verified before (no I/O, so callable on the event loop): its
        claims, TokenRejectedError when it has expired since, None when it is new."""
        with self._lock:
            known = self._verified.get(token)
            if known is not None:
                self._verified.move_to_end(token)
        if known is None:
            return None
        if float(known["exp"]) <= self.clock() - self.leeway_s:  # PyJWT's rule
            raise TokenRejectedError("ExpiredSignatureError: Signature has expired")
        return dict(known)

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or TokenRejectedError saying why it was refused (a new token
        may fetch the JWKS: blocking)."""
        known = self.verify_known(token)
        if known is not None:
            return known
        claims = self._verify_in_full(token)
        with self._lock:
            self._verified[token] = claims
            if len(self._verified) > VERIFIED_TOKENS:
                self._verified.popitem(last=False)
        return dict(claims)

    async def verify_async(self, token: str) -> dict[str, Any]:
        """verify() from the event loop: a known token answers there, a new one goes to a
        worker thread (its JWKS fetch blocks)."""
        known = self.verify_known(token)
        if known is not None:
            return known
        return await run_in_threadpool(self.verify, token)

    def _verify_in_full(self, token: str) -> dict[str, Any]:
        """Signature (JWKS key by `kid`), issuer, time claims, token_use and audience."""
        try:
            key = self._keys().get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            )
        except jwt.PyJWKClientConnectionError as exc:
            raise TokenRejectedError(f"JWKS unreachable: {exc}") from None
        except jwt.PyJWTError as exc:
            raise TokenRejectedError(f"{type(exc).__name__}: {exc}") from None
        token_use = claims.get("token_use")
        if token_use not in ALLOWED_TOKEN_USES:
            raise TokenRejectedError(f"token_use {token_use!r} is not access or id")
        # API Gateway checks aud when present, else client_id (Cognito access tokens have no aud).
        audience = claims.get("aud", claims.get("client_id"))
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(a, str) and a in self.audiences for a in audiences):
            raise TokenRejectedError("aud/client_id is not an allowed audience")
        return claims


def token_from(headers: Mapping[str, str]) -> str:
    """The bearer token from `Authorization: Bearer <jwt>`, the authorizer's identity source.

    No cookie fallback: the deployed authorizer reads `$request.header.Authorization` only, so
    a `token` cookie that worked locally would fail in AWS (issue 13 item 11).
    """
    authorization = headers.get("authorization", "").strip()
    if not authorization:
        raise TokenRejectedError("no token in the Authorization header")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if not value:  # API Gateway also accepts the bare token as the header value
        return scheme
    raise TokenRejectedError("Authorization header is not `Bearer <token>`")


def claims_as_strings(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as payload 2.0 carries them: every value a string, arrays as "[a b]"."""
    out: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            out[name] = "[" + " ".join(str(v) for v in value) + "]"
        else:
            out[name] = str(value)
    return out
