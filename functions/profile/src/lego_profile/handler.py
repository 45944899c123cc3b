"""Routes of the profile function: routeKey -> parse, call one service function, return."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lego_common import forms, http
from lego_common.errors import PayloadTooLargeError, ValidationError
from lego_profile import service
from lego_profile.models import AVATAR_MAX_BYTES, ProfilePatch
from lego_profile.service import Caller

if TYPE_CHECKING:
    from lego_common.http import Request
    from lego_common.serialization import RawJson
    from lego_profile.models import Profile


def _caller(req: Request) -> Caller:
    """The verified token's sub and username (access token `username`, ID token
    `cognito:username`); without one, the sub, which Cognito accepts as a local user's name."""
    sub = req.user_id
    username = req.claims.get("username") or req.claims.get("cognito:username") or sub
    return Caller(sub=sub, username=str(username))


def get_profile(req: Request) -> RawJson:
    return service.get_profile(_caller(req), req.path_uuid("id"))


def update_profile(req: Request) -> Profile:
    caller, profile_id = _caller(req), req.path_uuid("id")
    return service.update_profile(caller, profile_id, req.body_as(ProfilePatch))


def upload_avatar(req: Request) -> Profile:
    caller, profile_id = _caller(req), req.path_uuid("id")
    return service.upload_avatar(caller, profile_id, _avatar_part(req))


def delete_avatar(req: Request) -> Profile:
    return service.delete_avatar(_caller(req), req.path_uuid("id"))


def _too_large() -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"an avatar may be at most {AVATAR_MAX_BYTES} bytes (4 MB)",
        details={"maxBytes": AVATAR_MAX_BYTES},
    )


def _avatar_part(req: Request) -> bytes:
    """The seed's avatar form: one `image` file part, nothing else."""
    content_type = req.header("content-type") or ""
    if not forms.is_form(content_type):
        raise ValidationError("send the avatar as multipart/form-data with an `image` part")
    if len(req.raw_body) > AVATAR_MAX_BYTES + forms.FRAMING_BYTES:
        raise _too_large()
    form = forms.parse_form(
        req.raw_body,
        content_type,
        file_field="image",
        text_fields=frozenset(),
        max_file_bytes=AVATAR_MAX_BYTES,
        too_large=_too_large,
    )
    return form.content


ROUTES = {
    "GET /api/users/{id}": get_profile,
    "PATCH /api/users/{id}": update_profile,
    "POST /api/users/{id}/avatar": upload_avatar,
    "DELETE /api/users/{id}/avatar": delete_avatar,
}
lambda_handler = http.dispatcher(ROUTES)
