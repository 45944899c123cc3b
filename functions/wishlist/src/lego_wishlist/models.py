"""Payloads of the wishlist routes (seed 001 "Wishlist Item", issue 15 "Contract")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import AfterValidator, Field, StrictInt, model_validator

from lego_common.errors import ValidationError
from lego_common.validation import InputModel, OutputModel, Text

MAX_ITEMS = 1000  # issue 15: per user, keeps the one cached list bounded
IMAGE_MAX_BYTES = 4 * 1024 * 1024  # issue 15: a multipart image part, under Lambda's 6 MB


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an http or https URL")
    return value


# Limits mirror the CHECK constraints of migration 0001, so bad input is a 400 before SQL.
Title = Annotated[Text, Field(min_length=1, max_length=200)]
Description = Annotated[Text, Field(max_length=2000)]
ProductLink = Annotated[Text, Field(min_length=1, max_length=2048), AfterValidator(_http_url)]
Category = Annotated[Text, Field(max_length=100)]


class ItemCreate(InputModel):
    """POST /api/wishlist body: title required; server-owned or unknown fields are a 400."""

    title: Title
    description: Description | None = None
    product_link: ProductLink | None = None
    category: Category | None = None


class ItemPatch(InputModel):
    """PATCH /api/wishlist/{id} body: any subset; null clears an optional field."""

    title: Title | None = None
    description: Description | None = None
    product_link: ProductLink | None = None
    category: Category | None = None

    @model_validator(mode="after")
    def _not_empty_nor_null_title(self) -> ItemPatch:
        if not self.model_fields_set:
            raise ValueError("at least one field is required")
        if "title" in self.model_fields_set and self.title is None:
            raise ValidationError.for_field("title", "title cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent (snake_case), nulls included: they clear the column."""
        return self.model_dump(exclude_unset=True)


class ListQuery(InputModel):
    """GET /api/wishlist query: exact `category` (case-insensitive) and fuzzy `search`."""

    category: Category = ""
    search: Annotated[Text, Field(max_length=200)] = ""


class Move(InputModel):
    id: UUID
    sort_order: Annotated[StrictInt, Field(ge=0)]


class Reorder(InputModel):
    """POST /api/wishlist/reorder body: new 0-based positions of some or all items."""

    items: Annotated[list[Move], Field(min_length=1, max_length=MAX_ITEMS)]

    @model_validator(mode="after")
    def _no_duplicates(self) -> Reorder:
        ids = [move.id for move in self.items]
        if len(set(ids)) != len(ids):
            raise ValidationError.for_field("items", "duplicate ids")
        positions = [move.sort_order for move in self.items]
        if len(set(positions)) != len(positions):
            raise ValidationError.for_field("items", "duplicate sortOrder values")
        return self


class Item(OutputModel):
    """A wishlist item as the API returns it (unset optional fields omitted)."""

    id: UUID
    user_id: str
    title: str
    description: str | None
    product_link: str | None
    image_url: str | None
    category: str | None
    sort_order: int
    created_at: datetime
    updated_at: datetime


class ItemDeleted(OutputModel):
    id: UUID
    deleted: bool = True
