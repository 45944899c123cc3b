"""Fixtures of the csv_parser tests: a MOC with a ready CSV file in moto, and the event upload
would send for it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.fixture
def csv_file(
    s3_client: Any,
    bucket: str,
    user_id: str,
    moc_id: uuid.UUID,
    sql: Callable[[str, dict[str, Any]], Any],
) -> Callable[[bytes], dict[str, Any]]:
    """Put bytes as a ready parts-list file of the MOC; returns the csv_parser event."""

    def put(content: bytes) -> dict[str, Any]:
        file_id = uuid.uuid4()
        key = f"mocs/{user_id}/{moc_id}/{file_id}.csv"
        put = s3_client.put_object(Bucket=bucket, Key=key, Body=content, ContentType="text/csv")
        sql(
            "INSERT INTO moc_files (id, moc_id, file_type, file_url, s3_key, original_filename,"
            " mime_type, size_bytes, status, version_id) VALUES (%(id)s, %(moc)s, 'parts-list',"
            " %(url)s, %(key)s, 'parts.csv', 'text/csv', %(size)s, 'ready', %(version)s)",
            {
                "id": file_id,
                "moc": moc_id,
                "url": f"/api/mocs/{moc_id}/files/{file_id}",
                "key": key,
                "size": len(content),
                "version": put.get("VersionId"),
            },
        )
        return {
            "bucket": bucket,
            "key": key,
            "versionId": put.get("VersionId"),
            "mocId": str(moc_id),
            "userId": user_id,
            "fileId": str(file_id),
        }

    return put
