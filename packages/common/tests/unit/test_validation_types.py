"""The validated types every function reuses, and the one shape of field-error details."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field

from lego_common.errors import ConflictError, ValidationError, field_details
from lego_common.validation import InputModel, PageQuery, Tags, Text, parse_model, parse_query


class Note(InputModel):
    body: Annotated[Text, Field(max_length=10)]
    tags: Tags = Field(default_factory=list)


def _fields(data: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        parse_model(Note, data)
    fields: dict[str, list[str]] = info.value.details["fieldErrors"]
    return fields


def test_text_with_nul_is_rejected_on_its_field() -> None:
    assert _fields({"body": "a\x00b"}) == {"body": ["Value error, must not contain NUL characters"]}


def test_tag_with_nul_or_blank_or_too_long_is_rejected_on_the_item() -> None:
    assert set(_fields({"body": "x", "tags": ["ok", "a\x00", " ", "t" * 51]})) == {
        "tags.1",
        "tags.2",
        "tags.3",
    }


def test_more_than_fifty_tags_are_rejected() -> None:
    assert "tags" in _fields({"body": "x", "tags": [f"t{i}" for i in range(51)]})


def test_text_is_trimmed_then_limited() -> None:
    assert parse_model(Note, {"body": "  0123456789  "}).body == "0123456789"


def test_page_query_defaults_and_offset() -> None:
    query = parse_query(PageQuery, {"page": "3", "limit": "50"})
    assert (query.page, query.limit, query.offset) == (3, 50, 100)
    assert parse_query(PageQuery, {}).offset == 0


@pytest.mark.parametrize(("name", "value"), [("page", "0"), ("limit", "101"), ("limit", "x")])
def test_page_query_out_of_range_is_a_400_not_clamped(name: str, value: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_query(PageQuery, {name: value})
    assert list(info.value.details["fieldErrors"]) == [name]


def test_for_field_names_the_field_in_the_details() -> None:
    error = ConflictError.for_field("title", "already exists", "a MOC titled 'x' already exists")
    assert (error.status, error.message) == (409, "a MOC titled 'x' already exists")
    assert error.details == {"formErrors": [], "fieldErrors": {"title": ["already exists"]}}
    assert ValidationError.for_field("id", "must be a UUID").message == "must be a UUID"


def test_field_details_is_the_zod_flatten_shape() -> None:
    assert field_details() == {"formErrors": [], "fieldErrors": {}}
    assert field_details({"a": ("x",)}, ["whole"]) == {
        "formErrors": ["whole"],
        "fieldErrors": {"a": ["x"]},
    }


def test_an_empty_query_string_gives_the_defaults_and_required_parameters_still_fail() -> None:
    from pydantic import BaseModel, ConfigDict

    class Listing(InputModel):
        page: int = 1

    class Needs(InputModel):
        q: str

    class Mutable(BaseModel):
        model_config = ConfigDict(frozen=False)
        page: int = 1

    assert parse_query(Listing, {}) == Listing(page=1)
    assert parse_query(Listing, {}) is parse_query(Listing, {})  # frozen: one shared instance
    assert parse_query(Listing, {"page": "3"}).page == 3
    assert parse_query(Mutable, {}) is not parse_query(Mutable, {})  # never shared
    for _ in range(2):  # a failure is not cached as a success
        with pytest.raises(ValidationError):
            parse_query(Needs, {})
