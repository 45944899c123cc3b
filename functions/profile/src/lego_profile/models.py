"""Payloads of the profile routes: the PATCH body and the profile answered by every route."""

from __future__ import annotations

import unicodedata

from pydantic import Field, field_validator

from lego_common.validation import InputModel, OutputModel

NAME_MAX_LENGTH = 100
# The seed's avatar form sends one image part; a synchronous Lambda request stops at 6 MB and
# a binary body arrives base64-encoded (4/3 larger), so 4 MB of image is what fits.
AVATAR_MAX_BYTES = 4 * 1024 * 1024


class ProfilePatch(InputModel):
    """PATCH /api/users/{id}: only `name` (email, sub and picture are not the client's to set)."""

    name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
            raise ValueError("must not contain control characters")
        return value


class ProfileStats(OutputModel):
    total_mocs: int = Field(alias="totalMOCs")
    total_images: int
    total_wishlist_items: int


class Profile(OutputModel):
    """The caller's Cognito attributes (unset ones omitted) and the counts of their rows."""

    sub: str
    email: str | None = None
    name: str | None = None
    picture: str | None = None
    stats: ProfileStats
