"""`lego-gallery-sweep` (objects without a row) and the reindex documents."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from lego_common import db
from lego_gallery import reindex, sweep

pytestmark = pytest.mark.usefixtures("services")


def _exists(s3_client: Any, bucket: str, key: str) -> bool:
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=key)
    return any(obj["Key"] == key for obj in listed.get("Contents", []))


def test_sweep_dry_run_lists_orphans_and_apply_deletes_only_them(
    make: Any, s3_client: Any, bucket: str, user_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    image = make.image(user_id)
    orphan = f"images/{user_id}/{uuid.uuid4()}.webp"
    orphan_thumb = f"images/{user_id}/thumbnails/{uuid.uuid4()}.webp"
    stray = f"images/{user_id}/notes.txt"
    for key in (orphan, orphan_thumb, stray):
        s3_client.put_object(Bucket=bucket, Key=key, Body=b"x")
    kept = [f"images/{user_id}/{image.id}.webp", f"images/{user_id}/thumbnails/{image.id}.webp"]

    dry = sweep.sweep(min_age=timedelta(0))
    assert {orphan, orphan_thumb, stray} <= set(dry.orphans)
    assert not set(kept) & set(dry.orphans)
    assert dry.deleted == 0
    assert _exists(s3_client, bucket, orphan)

    assert sweep.main(["--min-age-minutes", "0", "--apply"]) == 0
    assert orphan in capsys.readouterr().out
    for key in (orphan, orphan_thumb, stray):
        assert not _exists(s3_client, bucket, key)
    for key in kept:
        assert _exists(s3_client, bucket, key)


def test_sweep_leaves_young_objects_alone(s3_client: Any, bucket: str, user_id: str) -> None:
    young = f"images/{user_id}/{uuid.uuid4()}.webp"
    staged = f"uploads/{user_id}/{uuid.uuid4()}"
    s3_client.put_object(Bucket=bucket, Key=young, Body=b"x")
    s3_client.put_object(Bucket=bucket, Key=staged, Body=b"x")

    result = sweep.sweep(apply=True)  # default: an hour for images, a day for uploads

    assert young not in result.orphans
    assert staged not in result.orphans
    assert _exists(s3_client, bucket, young)


def test_reindex_documents_cover_every_image(make: Any, user_id: str) -> None:
    album = make.album(user_id)
    loose = make.image(user_id, tags=["castle"])
    filed = make.image(user_id, albumId=str(album.id))

    with db.transaction() as conn:
        docs = {doc_id: doc for doc_id, doc in reindex.documents(conn) if doc["userId"] == user_id}

    assert docs[str(loose.id)]["albumId"] == "none"
    assert docs[str(loose.id)]["tags"] == ["castle"]
    assert docs[str(filed.id)]["albumId"] == str(album.id)


def test_reindex_without_opensearch_exits_1(no_opensearch: object) -> None:
    assert reindex.main([]) == 1
