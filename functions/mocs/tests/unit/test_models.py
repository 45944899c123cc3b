"""Input rules of the MOC payloads (no I/O): what is a 400 and what gets through."""

from __future__ import annotations

from typing import Any

import pytest

from lego_common.errors import ValidationError
from lego_common.validation import parse_model, parse_query
from lego_mocs.models import MocCreate, MocListQuery, MocPatch


def _fields_of(model: type[Any], data: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        parse_model(model, data)
    fields: dict[str, list[str]] = info.value.details["fieldErrors"]
    return fields


def _valid(**overrides: Any) -> dict[str, Any]:
    return {"title": "Castle", "type": "moc", "author": "Ann", **overrides}


def test_create_valid_moc_parses_camel_case_fields() -> None:
    moc = parse_model(MocCreate, _valid(partsCount=1200, setNumber="10305", tags=["castle"]))
    assert (moc.parts_count, moc.set_number, moc.tags) == (1200, "10305", ["castle"])


def test_create_without_title_or_type_is_rejected() -> None:
    assert set(_fields_of(MocCreate, {"author": "Ann"})) == {"title", "type"}


def test_create_moc_without_author_is_rejected_on_author() -> None:
    assert "author" in _fields_of(MocCreate, {"title": "Castle", "type": "moc"})


def test_create_set_without_brand_is_rejected_on_brand() -> None:
    assert "brand" in _fields_of(MocCreate, {"title": "Castle", "type": "set"})


@pytest.mark.parametrize("field", ["author", "brand"])
def test_patch_empty_author_or_brand_is_rejected(field: str) -> None:
    assert field in _fields_of(MocPatch, {field: ""})


def test_create_unknown_type_is_rejected() -> None:
    assert "type" in _fields_of(MocCreate, _valid(type="kit"))


def test_create_unknown_field_is_rejected() -> None:
    assert "userId" in _fields_of(MocCreate, _valid(userId="someone-else"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "x" * 201),
        ("description", "x" * 5001),
        ("author", "x" * 201),
        ("theme", "x" * 101),
        ("setNumber", "x" * 51),
        ("tags", ["x" * 51]),
        ("tags", [f"t{i}" for i in range(51)]),
    ],
)
def test_create_oversized_string_is_rejected(field: str, value: Any) -> None:
    paths = _fields_of(MocCreate, _valid(**{field: value}))
    assert any(path.split(".")[0] == field for path in paths)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 123),
        ("partsCount", "12"),
        ("partsCount", True),
        ("partsCount", 1.5),
        ("partsCount", -1),
        ("releaseYear", 1900),
        ("retired", "yes"),
        ("tags", "castle"),
        ("uploadedDate", "2024-01-01T00:00:00"),  # no time zone
    ],
)
def test_create_wrong_type_is_rejected(field: str, value: Any) -> None:
    assert field in _fields_of(MocCreate, _valid(**{field: value}))


def test_create_blank_title_is_rejected_after_trimming() -> None:
    assert "title" in _fields_of(MocCreate, _valid(title="   "))


def test_create_nul_character_is_rejected() -> None:
    assert "description" in _fields_of(MocCreate, _valid(description="a\x00b"))


def test_patch_empty_body_is_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_model(MocPatch, {})


@pytest.mark.parametrize("field", ["title", "type", "tags"])
def test_patch_null_required_field_is_rejected(field: str) -> None:
    assert field in _fields_of(MocPatch, {field: None})


def test_patch_changes_keep_sent_nulls_and_nothing_else() -> None:
    patch = parse_model(MocPatch, {"description": None, "partsCount": 5})
    assert patch.changes() == {"description": None, "parts_count": 5}


def test_list_query_defaults_to_first_page_of_twenty() -> None:
    query = parse_query(MocListQuery, {})
    assert (query.page, query.limit, query.search, query.tag, query.offset) == (1, 20, "", "", 0)


def test_list_query_strings_are_coerced_and_offset_computed() -> None:
    query = parse_query(MocListQuery, {"page": "3", "limit": "100"})
    assert (query.page, query.limit, query.offset) == (3, 100, 200)


@pytest.mark.parametrize(
    ("name", "value"),
    [("page", "0"), ("page", "-1"), ("page", "x"), ("limit", "0"), ("limit", "101")],
)
def test_list_query_out_of_range_is_rejected_not_clamped(name: str, value: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_query(MocListQuery, {name: value})
    assert name in info.value.details["fieldErrors"]
