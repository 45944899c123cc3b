"""Pure parts: input models, the list cache key, the search document and request body."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from lego_common import search
from lego_common.errors import ValidationError
from lego_common.validation import parse_model, parse_query
from lego_gallery import search_index, service
from lego_gallery.models import (
    AlbumPatch,
    Image,
    ImageConfirm,
    ImageListQuery,
    ImagePatch,
    UploadRequest,
)


def _image(**overrides: Any) -> Image:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "user_id": "u1",
        "title": "Castle",
        "description": None,
        "tags": ["grey"],
        "image_url": "https://cdn/i.webp",
        "thumbnail_url": "https://cdn/t.webp",
        "album_id": None,
        "flagged": False,
        "created_at": now,
        "last_updated_at": now,
    }
    return Image(**(fields | overrides))


def test_list_key_is_the_seed_key_without_filters_and_extended_with_them() -> None:
    plain = parse_query(ImageListQuery, {"page": "2", "limit": "10"})
    assert service._list_key("u1", plain) == "gallery:images:user:u1:2:10"
    filtered = parse_query(ImageListQuery, {"search": "a:b", "tag": "c"})
    assert service._list_key("u1", filtered) == "gallery:images:user:u1:1:20::c:a%3Ab"
    other = parse_query(ImageListQuery, {"search": "a", "tag": "b:c"})
    assert service._list_key("u1", other) != service._list_key("u1", filtered)


@pytest.mark.parametrize("value", ["abc", "None", "123"])
def test_album_id_query_must_be_uuid_or_none(value: str) -> None:
    with pytest.raises(ValidationError):
        parse_query(ImageListQuery, {"albumId": value})


def test_album_id_query_accepts_none_and_normalises_uuids() -> None:
    album = uuid.uuid4()
    assert parse_query(ImageListQuery, {"albumId": "none"}).album_id == "none"
    assert parse_query(ImageListQuery, {"albumId": str(album).upper()}).album_id == str(album)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": None},
        {"tags": None},
        {"flagged": True},
        {"imageUrl": "x"},
        {"id": str(uuid.uuid4())},
        {"tags": ["x" * 51]},
        {"tags": [""]},
    ],
)
def test_image_patch_rejects(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_model(ImagePatch, body)


def test_image_patch_null_clears_description_and_album() -> None:
    patch = parse_model(ImagePatch, {"description": None, "albumId": None})
    assert patch.changes() == {"description": None, "album_id": None}


def test_album_patch_null_title_rejected_null_cover_clears() -> None:
    with pytest.raises(ValidationError):
        parse_model(AlbumPatch, {"title": None})
    assert parse_model(AlbumPatch, {"coverImageId": None}).changes() == {"cover_image_id": None}


def test_confirm_requires_upload_id_and_title() -> None:
    with pytest.raises(ValidationError):
        parse_model(ImageConfirm, {"title": "x"})
    with pytest.raises(ValidationError):
        parse_model(ImageConfirm, {"uploadId": str(uuid.uuid4())})


@pytest.mark.parametrize(
    "body",
    [
        {"contentType": "image/svg+xml", "size": 10},
        {"contentType": "image/jpeg", "size": 0},
        {"contentType": "image/jpeg", "size": True},
    ],
)
def test_upload_request_rejects(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_model(UploadRequest, body)


def test_upload_request_content_type_is_case_insensitive() -> None:
    assert parse_model(UploadRequest, {"contentType": "IMAGE/PNG", "size": 1}).content_type == (
        "image/png"
    )


def test_document_indexes_no_album_as_none_and_updated_at() -> None:
    image = _image()
    album = uuid.uuid4()
    doc = search_index.document(image)
    assert doc["albumId"] == "none"
    assert doc["updatedAt"] == "2026-01-02T03:04:05+00:00"
    assert search_index.document(_image(album_id=album))["albumId"] == str(album)


def test_search_body_filters_by_user_tag_and_album() -> None:
    body = search.build_search_body(
        "u1", "castle", page=2, limit=10, filters={"tags": "grey", "albumId": "none"}
    )
    assert body["query"]["bool"]["must"][0] == {"term": {"userId": "u1"}}
    assert body["query"]["bool"]["must"][1]["multi_match"]["fields"] == [
        "title^3",
        "description",
        "tags^2",
    ]
    assert body["query"]["bool"]["filter"] == [
        {"term": {"albumId": "none"}},
        {"term": {"tags": "grey"}},
    ]
    assert (body["from"], body["size"]) == (10, 10)


def test_index_definition_maps_every_document_field() -> None:
    mapped = set(search_index.INDEX.definition["mappings"]["properties"])
    assert set(search_index.document(_image())) == mapped
