"""Profile use cases (seed 001 "User Profile Lambda"): the caller's own profile only, read from
Cognito plus one counts query, cached whole under `profile:user:{userId}` (which every count
change invalidates) with the Cognito attributes also cached on their own (which only profile
writes invalidate); the display name; the avatar object and the `picture` attribute that points
at it, which always agree.

Avatar writes: the object first, then `picture`; Cognito failing past its retries puts the
previous object back (or removes the new one) and answers 503. Deletes run the other way round:
`picture` first, then the object; S3 failing puts `picture` back and answers 503.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import structlog

from lego_common import cache, db, images, keys, storage
from lego_common.errors import NotFoundError, ServiceUnavailableError
from lego_profile import cognito, repository
from lego_profile.models import Profile, ProfileStats

if TYPE_CHECKING:
    from collections.abc import Callable

    from lego_common.serialization import RawJson
    from lego_profile.models import ProfilePatch

log = structlog.get_logger()
T = TypeVar("T")

AVATAR_CACHE_CONTROL = "public, max-age=31536000, immutable"  # the URL changes on every upload


@dataclass(frozen=True, slots=True)
class Caller:
    """Who the verified token says is calling: its `sub` and its Cognito username."""

    sub: str
    username: str


# --- reads ------------------------------------------------------------------------------------


def get_profile(caller: Caller, profile_id: uuid.UUID) -> RawJson:
    """The caller's profile, cache-aside for cache.TTL_PROFILE_S. Redis down: from Cognito and
    PostgreSQL (warning logged by cache). Cognito or PostgreSQL down: the cached profile if any,
    else 503."""
    _check_own(caller, profile_id)
    return cache.cached(
        caller.sub, keys.profile(caller.sub), cache.TTL_PROFILE_S, lambda: _load_profile(caller)
    )


def _load_profile(caller: Caller) -> Profile:
    attributes = _cached_attributes(caller)
    with db.connection() as conn:
        mocs, images_, wishes = repository.counts(conn, caller.sub)
    return Profile(
        sub=caller.sub,
        email=attributes.get("email") or None,
        name=attributes.get("name") or None,
        picture=attributes.get("picture") or None,
        stats=ProfileStats(total_mocs=mocs, total_images=images_, total_wishlist_items=wishes),
    )


def _cached_attributes(caller: Caller) -> dict[str, str]:
    """The Cognito attributes through the cache: a whole-profile miss is mostly a count that
    changed, and then only PostgreSQL is asked (AdminGetUser has a per-account quota, and moto
    or Cognito is the slowest call of the profile: the p95 of GET /api/users/{id} under load,
    docs/capacity.md). Cognito down: a cached copy still answers."""
    text = cache.cached(
        caller.sub,
        keys.profile_attributes(caller.sub),
        cache.TTL_PROFILE_S,
        lambda: _attributes(caller),
    ).text
    attributes: dict[str, str] = json.loads(text)
    return attributes


def _attributes(caller: Caller) -> dict[str, str]:
    """The caller's Cognito attributes; a user missing, or whose sub is not the token's (a
    username reused after a deletion), is the 404 an unknown id gets."""
    attributes = cognito.get_user(caller.username)
    if attributes is None or attributes.get("sub") != caller.sub:
        raise _not_found()
    return attributes


def _stage(caller: Caller) -> cache.Invalidation:
    """The outbox row of a profile write, committed before the write: Cognito is not in the
    database's transaction, and a row whose write then failed only costs a spare invalidation."""
    with db.transaction() as conn:
        return cache.stage_invalidation(conn, caller.sub)


def _fresh(caller: Caller, stale: cache.Invalidation) -> Profile:
    """The profile after a write: the cached one invalidated, then read again (and not
    cached: the generation bump already keeps a racing read from pinning an older value)."""
    cache.invalidate(stale, keys.profile(caller.sub), keys.profile_attributes(caller.sub))
    return _load_profile(caller)


# --- writes -----------------------------------------------------------------------------------


def update_profile(caller: Caller, profile_id: uuid.UUID, patch: ProfilePatch) -> Profile:
    _check_own(caller, profile_id)
    _attributes(caller)
    stale = _stage(caller)
    cognito.update_attributes(caller.username, {"name": patch.name})
    log.info("profile_updated", fields=["name"])
    return _fresh(caller, stale)


def upload_avatar(caller: Caller, profile_id: uuid.UUID, content: bytes) -> Profile:
    """Square 256x256 WebP at avatars/{userId}/avatar.webp, then `picture` = its URL with a new
    version parameter. Only one stored version is kept: the previous one is deleted once
    `picture` points at the new one (the lifecycle rule is the backstop for a crash between)."""
    _check_own(caller, profile_id)
    avatar = images.process_avatar(content)  # 400 for anything but a sound image
    attributes = _attributes(caller)
    key = keys.avatar_object(caller.sub)
    previous = None
    if "picture" in attributes:  # the object it points at, to put back if Cognito fails
        previous = _s3("read", lambda: storage.get_object_version(key))
    new_version = _s3(
        "write",
        lambda: storage.put_object_version(
            key, avatar.data, avatar.content_type, CacheControl=AVATAR_CACHE_CONTROL
        ),
    )
    picture = f"{storage.public_url(key)}?v={uuid.uuid4().hex[:16]}"
    stale = _stage(caller)
    try:
        cognito.update_attributes(caller.username, {"picture": picture})
    except BaseException:
        _restore_avatar(key, new_version, previous)
        raise
    if previous is not None and previous[1] is not None and previous[1] != new_version:
        _forget_version(key, previous[1])
    log.info("avatar_uploaded", bytes=len(avatar.data), versioned=new_version is not None)
    return _fresh(caller, stale)


def delete_avatar(caller: Caller, profile_id: uuid.UUID) -> Profile:
    """Remove `picture`, then every stored version of the object; no avatar is a 404."""
    _check_own(caller, profile_id)
    attributes = _attributes(caller)
    picture = attributes.get("picture")
    if not picture:
        raise NotFoundError("no avatar to delete")
    key = keys.avatar_object(caller.sub)
    stale = _stage(caller)
    cognito.delete_attributes(caller.username, ["picture"])
    try:
        _s3("delete", lambda: storage.delete_every_version(key))
    except ServiceUnavailableError:
        try:  # the object is still there: point `picture` at it again
            cognito.update_attributes(caller.username, {"picture": picture})
        except Exception:
            log.error("avatar_half_deleted", key=key, state="picture removed, object kept")
        raise
    log.info("avatar_deleted")
    return _fresh(caller, stale)


def _restore_avatar(
    key: str, new_version: str | None, previous: tuple[bytes, str | None] | None
) -> None:
    """Undo the object write: drop the new version (the previous one is current again), or on
    an unversioned bucket write the previous bytes back, or delete the new object."""
    try:
        if new_version is not None:
            storage.delete_object_version(key, new_version)
        elif previous is not None:
            storage.put_object(key, previous[0], images.WEBP_CONTENT_TYPE)
        else:
            storage.delete_object_version(key, None)
        log.warning("avatar_restored", key=key, had_previous=previous is not None)
    except Exception as exc:
        log.error("avatar_not_restored", key=key, error=type(exc).__name__)


def _forget_version(key: str, version_id: str) -> None:
    try:
        storage.delete_object_version(key, version_id)
    except Exception as exc:  # the lifecycle rule expires it
        log.warning("avatar_old_version_kept", key=key, error=type(exc).__name__)


# --- helpers ----------------------------------------------------------------------------------


def _s3(operation: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except Exception as exc:
        log.warning("s3_unavailable", operation=operation, error=type(exc).__name__)
        raise ServiceUnavailableError("avatar storage is unavailable, try again") from exc


def _check_own(caller: Caller, profile_id: uuid.UUID) -> None:
    """Profiles are private: another user's id answers exactly like an unknown one."""
    try:
        own = uuid.UUID(caller.sub) == profile_id
    except ValueError:
        own = False
    if not own:
        raise _not_found()


def _not_found() -> NotFoundError:
    return NotFoundError("profile not found")
