"""`lego-gallery-sweep` covers the wishlist's item images (issue 15): an object under
wishlist/ is kept while its item's row has an imageUrl, and swept otherwise."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from lego_gallery import sweep

pytestmark = pytest.mark.usefixtures("services")


def test_sweep_finds_wishlist_objects_without_an_item_image(
    sql: Any, s3_client: Any, bucket: str, user_id: str
) -> None:
    with_image, without_image = uuid.uuid4(), uuid.uuid4()
    for item_id, url in ((with_image, "https://cdn/x.webp?v=1"), (without_image, None)):
        sql(
            "INSERT INTO wishlist_items (id, user_id, title, sort_order, image_url)"
            " VALUES (%(id)s, %(u)s, 'Set', (SELECT count(*) FROM wishlist_items"
            " WHERE user_id = %(u)s), %(url)s)",
            {"id": item_id, "u": user_id, "url": url},
        )
    kept = f"wishlist/{user_id}/{with_image}.webp"
    cleared = f"wishlist/{user_id}/{without_image}.webp"
    gone = f"wishlist/{user_id}/{uuid.uuid4()}.webp"
    stray = f"wishlist/{user_id}/notes.txt"
    for key in (kept, cleared, gone, stray):
        s3_client.put_object(Bucket=bucket, Key=key, Body=b"x")

    result = sweep.sweep(apply=True, min_age=timedelta(0))

    assert {cleared, gone, stray} <= set(result.orphans)
    assert kept not in result.orphans
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"wishlist/{user_id}/")
    assert [obj["Key"] for obj in listed.get("Contents", [])] == [kept]
