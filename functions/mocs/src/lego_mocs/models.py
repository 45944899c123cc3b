"""Payloads of the MOC routes (seed 001 "MOC Instruction"): inputs, outputs, list query."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt, model_validator

from lego_common.errors import ValidationError
from lego_common.validation import InputModel, OutputModel, PageQuery, Tags, Text, Timestamp

MocType = Literal["moc", "set"]

# Limits mirror the CHECK constraints of migration 0001, so bad input is a 400 before SQL.
Title = Annotated[Text, Field(min_length=1, max_length=200)]
Url = Annotated[Text, Field(min_length=1, max_length=2048)]
# Strict: "12" or true is a wrong type, not a number (pydantic's lax mode would coerce them).
PartsCount = Annotated[StrictInt, Field(ge=0, le=10_000_000)]
ReleaseYear = Annotated[StrictInt, Field(ge=1949, le=2100)]
Short = Annotated[Text, Field(max_length=100)]


def check_type_fields(moc_type: str | None, author: str | None, brand: str | None) -> None:
    """Seed rule: a MOC requires author, a set requires brand (create, and patch after merge)."""
    field = "author" if moc_type == "moc" and not author else None
    if moc_type == "set" and not brand:
        field = "brand"
    if field is not None:
        # an AppError passes through pydantic untouched, so the details keep the field's name
        raise ValidationError.for_field(field, f"{field} is required when type is {moc_type!r}")


class MocFields(InputModel):
    """Fields shared by create and patch (every one optional here)."""

    description: Annotated[Text, Field(max_length=5000)] | None = None
    author: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    parts_count: PartsCount | None = None
    theme: Short | None = None
    subtheme: Short | None = None
    uploaded_date: Timestamp | None = None
    brand: Annotated[Text, Field(min_length=1, max_length=100)] | None = None
    set_number: Annotated[Text, Field(max_length=50)] | None = None
    release_year: ReleaseYear | None = None
    retired: StrictBool | None = None
    thumbnail_url: Url | None = None


class MocCreate(MocFields):
    """POST /api/mocs body: title and type required; unknown fields rejected."""

    title: Title
    type: MocType
    tags: Tags = Field(default_factory=list)

    @model_validator(mode="after")
    def _type_fields(self) -> MocCreate:
        check_type_fields(self.type, self.author, self.brand)
        return self


class MocPatch(MocFields):
    """PATCH /api/mocs/{id} body: any subset; null clears an optional field."""

    title: Title | None = None
    type: MocType | None = None
    tags: Tags | None = None

    @model_validator(mode="after")
    def _not_empty_nor_null_required(self) -> MocPatch:
        if not self.model_fields_set:
            raise ValueError("at least one field is required")
        for name in ("title", "type", "tags"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValidationError.for_field(name, f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent (snake_case), nulls included: they clear the column."""
        return self.model_dump(exclude_unset=True)


class MocListQuery(PageQuery):
    """GET /api/mocs query: page and limit, fuzzy `search`, exact `tag`."""

    search: Annotated[Text, Field(max_length=200)] = ""
    tag: Annotated[Text, Field(max_length=50)] = ""


class Moc(OutputModel):
    """A MOC or set as the API returns it."""

    id: UUID
    user_id: str
    title: str
    description: str | None
    type: MocType
    author: str | None
    parts_count: int | None
    theme: str | None
    subtheme: str | None
    uploaded_date: datetime | None
    brand: str | None
    set_number: str | None
    release_year: int | None
    retired: bool | None
    tags: list[str]
    thumbnail_url: str | None
    total_piece_count: int
    created_at: datetime
    updated_at: datetime


class MocFile(OutputModel):
    id: UUID
    file_type: str
    file_url: str
    original_filename: str
    mime_type: str
    size_bytes: int
    created_at: datetime


class MocImage(OutputModel):
    """A gallery image linked to the MOC (moc_gallery_images)."""

    id: UUID
    title: str
    description: str | None
    tags: list[str]
    image_url: str
    thumbnail_url: str | None
    created_at: datetime


class PartsListSummary(OutputModel):
    """One parts list (one uploaded CSV) summed up: never the part rows themselves."""

    file_id: UUID | None
    original_filename: str | None
    row_count: int
    total_quantity: int
    status: str | None = None  # csv_parser's: queued | ready | partial | failed (issue 17)


class MocDetail(Moc):
    """GET /api/mocs/{id}: the MOC with its files, linked images and parts-list summaries."""

    files: list[MocFile]
    images: list[MocImage]
    parts_lists: list[PartsListSummary]


class MocDeleted(OutputModel):
    id: UUID
    deleted: bool = True
