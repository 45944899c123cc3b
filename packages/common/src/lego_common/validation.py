"""pydantic v2 glue: parse input into a model or raise VALIDATION_ERROR with per-field details."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel

from lego_common.errors import ValidationError

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
    """Base of response bodies: snake_case in Python, the seed's camelCase in JSON."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


def field_errors(exc: PydanticValidationError) -> dict[str, Any]:
    """Zod-flatten-shaped details, as the Express API sent: field path -> messages (no values)."""
    fields: dict[str, list[str]] = {}
    form: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error["loc"])
        message = error["msg"]
        if path:
            fields.setdefault(path, []).append(message)
        else:
            form.append(message)
    return {"formErrors": form, "fieldErrors": fields}


def parse_model(model: type[ModelT], data: Any, *, what: str = "request body") -> ModelT:
    """Validate data into model; any failure becomes a 400 VALIDATION_ERROR."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"invalid {what}", details=field_errors(exc)) from None


def parse_query(model: type[ModelT], query: Mapping[str, str]) -> ModelT:
    """Validate query-string parameters (strings, coerced by the model's field types)."""
    return parse_model(model, dict(query), what="query parameters")
