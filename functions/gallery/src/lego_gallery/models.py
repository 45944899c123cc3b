"""Payloads of the gallery routes (seed 001 "Gallery Images Lambda", "Data Models"): inputs,
outputs and list queries of images, albums, MOC links, flags and direct uploads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StrictInt, field_validator, model_validator

from lego_common.errors import ValidationError
from lego_common.validation import InputModel, OutputModel, PageQuery, Tags, Text

# Limits mirror the CHECK constraints of migration 0001, so bad input is a 400 before SQL.
Title = Annotated[Text, Field(min_length=1, max_length=200)]
Description = Annotated[Text, Field(max_length=2000)]

# issue 14: the multipart path takes up to 4 MB (a synchronous Lambda body stops at 6 MB and
# arrives base64-encoded); the direct-to-S3 path up to 20 MB.
MULTIPART_MAX_BYTES = 4 * 1024 * 1024
DIRECT_MAX_BYTES = 20 * 1024 * 1024
UPLOAD_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
# The newest images an album detail carries; GET /api/images?albumId= pages the rest.
ALBUM_DETAIL_IMAGES = 100


def _require_not_null(model: InputModel, names: tuple[str, ...]) -> None:
    if not model.model_fields_set:
        raise ValueError("at least one field is required")
    for name in names:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValidationError.for_field(_camel(name), f"{_camel(name)} cannot be null")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# --- images ---------------------------------------------------------------------------------


class ImageFields(InputModel):
    """The metadata a client sends with an upload (multipart fields or the confirm body)."""

    title: Title
    description: Description | None = None
    tags: Tags = Field(default_factory=list)
    album_id: UUID | None = None


class ImageConfirm(ImageFields):
    """POST /api/images JSON body: a file staged by POST /api/images/uploads, plus metadata."""

    upload_id: UUID


class ImagePatch(InputModel):
    """PATCH /api/images/{id}: any subset; null clears description or albumId."""

    title: Title | None = None
    description: Description | None = None
    tags: Tags | None = None
    album_id: UUID | None = None

    @model_validator(mode="after")
    def _not_empty_nor_null_required(self) -> ImagePatch:
        _require_not_null(self, ("title", "tags"))
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ImageListQuery(PageQuery):
    """GET /api/images: page/limit, `albumId` (a UUID or `none`), exact `tag`, fuzzy `search`."""

    search: Annotated[Text, Field(max_length=200)] = ""
    tag: Annotated[Text, Field(max_length=50)] = ""
    album_id: str = ""

    @field_validator("album_id")
    @classmethod
    def _album_id(cls, value: str) -> str:
        if value in ("", "none"):
            return value
        try:
            return str(UUID(value))
        except ValueError:
            raise ValueError("must be a UUID or 'none'") from None


class UploadRequest(InputModel):
    """POST /api/images/uploads: what the client is about to send to S3."""

    content_type: str
    size: StrictInt = Field(ge=1)

    @field_validator("content_type")
    @classmethod
    def _content_type(cls, value: str) -> str:
        value = value.lower()
        if value not in UPLOAD_CONTENT_TYPES:
            raise ValueError(f"must be one of {', '.join(UPLOAD_CONTENT_TYPES)}")
        return value


class FlagCreate(InputModel):
    reason: Annotated[Text, Field(min_length=1, max_length=1000)]


class MocLinkCreate(InputModel):
    moc_id: UUID


class Image(OutputModel):
    """A gallery image as the API returns it."""

    id: UUID
    user_id: str
    title: str
    description: str | None
    tags: list[str]
    image_url: str
    thumbnail_url: str | None
    album_id: UUID | None
    flagged: bool
    created_at: datetime
    last_updated_at: datetime


class ImageDetail(Image):
    """GET /api/images/{id}: the image and the ids of the MOCs it is linked to."""

    moc_ids: list[UUID]


class ImageDeleted(OutputModel):
    id: UUID
    deleted: bool = True


# --- albums ---------------------------------------------------------------------------------


class AlbumCreate(InputModel):
    title: Title
    description: Description | None = None


class AlbumPatch(InputModel):
    """PATCH /api/albums/{id}: title, description, coverImageId (an image in the album)."""

    title: Title | None = None
    description: Description | None = None
    cover_image_id: UUID | None = None

    @model_validator(mode="after")
    def _not_empty_nor_null_required(self) -> AlbumPatch:
        _require_not_null(self, ("title",))
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Album(OutputModel):
    id: UUID
    user_id: str
    title: str
    description: str | None
    cover_image_id: UUID | None
    image_count: int
    created_at: datetime
    last_updated_at: datetime


class AlbumDetail(Album):
    """GET /api/albums/{id}: the album, its newest images and the MOCs it is linked to."""

    images: list[Image]
    moc_ids: list[UUID]


class AlbumDeleted(OutputModel):
    id: UUID
    deleted: bool = True


# --- links, flags, uploads --------------------------------------------------------------------


class MocLink(OutputModel):
    """The state of one link after POST (linked) or DELETE (not linked)."""

    image_id: UUID | None = None
    album_id: UUID | None = None
    moc_id: UUID
    linked: bool


class FlagReceived(OutputModel):
    image_id: UUID
    received: bool = True


class UploadTicket(OutputModel):
    """A presigned POST: the client sends `fields` plus the file (last) to `url`."""

    upload_id: UUID
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: datetime
