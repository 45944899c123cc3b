"""pydantic v2 glue: the input/output bases, the validated types every function reuses, and
parsing into a model or a VALIDATION_ERROR with per-field details."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel

from lego_common.errors import ValidationError, field_details

if TYPE_CHECKING:
    from collections.abc import Mapping

ModelT = TypeVar("ModelT", bound=BaseModel)


class InputModel(BaseModel):
    """Base of request bodies: camelCase JSON, unknown fields rejected, strings trimmed."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
    )


class OutputModel(BaseModel):
    """Base of response bodies: snake_case in Python, the seed's camelCase in JSON. A field
    left None is omitted from the JSON (lego_common.serialization.dumps), never null."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


# --- validated types every function reuses ---------------------------------------------------


def _no_nul(text: str) -> str:
    # PostgreSQL text cannot hold NUL: reject it as input instead of failing in the driver.
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


def _utc_in_range(value: datetime) -> datetime:
    # 0001-01-01T00:00:00+14:00 is year 0 in UTC: PostgreSQL stores it, but psycopg cannot load
    # it back into a datetime (a DataError after the write). Accept only instants Python holds.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be between 0001-01-01 and 9999-12-31 in UTC") from None
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string PostgreSQL can store (no NUL); add limits with Field: Annotated[Text, Field(...)]."""
# One limit for the tags of every resource (MOCs, gallery images), so a ?tag= filter agrees.
Timestamp = Annotated[AwareDatetime, AfterValidator(_utc_in_range)]
"""A datetime with its offset whose UTC instant lies in years 1..9999 (storable and loadable)."""
Tag = Annotated[Text, Field(min_length=1, max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=50)]


class PageQuery(InputModel):
    """?page=&limit= of every list route: out-of-range is a 400, never silently clamped."""

    page: int = Field(default=1, ge=1, le=100_000)
    limit: int = Field(default=20, ge=1, le=100)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


# --- parsing ----------------------------------------------------------------------------------


def field_errors(exc: PydanticValidationError) -> dict[str, Any]:
    """pydantic's errors as field_details: field path -> messages (no input values)."""
    fields: dict[str, list[str]] = {}
    form: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error["loc"])
        message = error["msg"]
        if path:
            fields.setdefault(path, []).append(message)
        else:
            form.append(message)
    return field_details(fields, form)


def parse_model(model: type[ModelT], data: Any, *, what: str = "request body") -> ModelT:
    """Validate data into model; any failure becomes a 400 VALIDATION_ERROR."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"invalid {what}", details=field_errors(exc)) from None


def parse_query(model: type[ModelT], query: Mapping[str, str]) -> ModelT:
    """Validate query-string parameters (strings, coerced by the model's field types)."""
    if not query and model.model_config.get("frozen"):
        defaults: ModelT = _query_defaults(model)  # most list requests carry none: validate once
        return defaults
    return parse_model(model, dict(query), what="query parameters")


@functools.cache
def _query_defaults(model: type[ModelT]) -> ModelT:
    """The model of an empty query string (frozen, so one instance serves every request); a
    model with a required parameter raises each time, as functools.cache keeps no exceptions."""
    return parse_model(model, {}, what="query parameters")
