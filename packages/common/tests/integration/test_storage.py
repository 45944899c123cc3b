"""lego_common.storage against moto's S3."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lego_common import keys, storage

pytestmark = pytest.mark.usefixtures("services")


def test_put_get_round_trip(s3_client: Any, bucket: str, user_id: str) -> None:
    key = keys.moc_file_object(user_id, "m1", "f1", "pdf")
    storage.put_object(key, b"%PDF-1.7", "application/pdf")
    assert storage.get_object(key) == b"%PDF-1.7"
    head = s3_client.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "application/pdf"


def test_put_object_keeps_the_bucket_default_kms_key(
    s3_client: Any, monkeypatch: pytest.MonkeyPatch, user_id: str
) -> None:
    from lego_common import aws, config

    key_id = aws.client("kms").create_key(Description="lego files")["KeyMetadata"]["KeyId"]
    kms_bucket = f"lego-kms-{user_id[-12:]}"
    s3_client.create_bucket(Bucket=kms_bucket)
    s3_client.put_bucket_encryption(
        Bucket=kms_bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_id,
                    }
                }
            ]
        },
    )
    monkeypatch.setenv("S3_BUCKET", kms_bucket)
    config.reset()
    sent: list[dict[str, Any]] = []
    s3_client.meta.events.register(
        "provide-client-params.s3.PutObject", lambda params, **_: sent.append(dict(params))
    )
    storage.put_object("mocs/u/m/f.pdf", b"%PDF", "application/pdf")
    assert [sorted(params) for params in sent] == [["Body", "Bucket", "ContentType", "Key"]]
    head = s3_client.head_object(Bucket=kms_bucket, Key="mocs/u/m/f.pdf")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert key_id in head["SSEKMSKeyId"]


def test_delete_prefix_removes_only_that_prefix(user_id: str) -> None:
    prefix = keys.moc_files_prefix(user_id, "m1")
    for name in ("a", "b", "c"):
        storage.put_object(f"{prefix}{name}.pdf", b"x", "application/pdf")
    storage.put_object(keys.moc_file_object(user_id, "m2", "z", "pdf"), b"x", "application/pdf")
    assert storage.delete_prefix(prefix) == []
    assert storage.list_keys(prefix) == []
    assert storage.list_keys(keys.moc_files_prefix(user_id, "m2")) != []


def test_delete_objects_reports_keys_it_could_not_delete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("S3_BUCKET", "bucket-that-does-not-exist")
    from lego_common import config

    config.reset()
    assert storage.delete_objects(["k1", "k2"]) == ["k1", "k2"]


def test_get_missing_object_raises_without_retrying(user_id: str) -> None:
    with pytest.raises(ClientError) as info:
        storage.get_object(f"nope/{user_id}")
    assert info.value.response["Error"]["Code"] == "NoSuchKey"


def test_presigned_urls_work_against_s3(user_id: str) -> None:
    key = f"mocs/{user_id}/m/presigned.csv"
    put_url = storage.presigned_put_url(key, "text/csv")
    request = urllib.request.Request(
        put_url, data=b"a,b\n", method="PUT", headers={"Content-Type": "text/csv"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    with urllib.request.urlopen(storage.presigned_get_url(key)) as response:
        assert response.read() == b"a,b\n"


def test_missing_bucket_setting_is_a_clear_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lego_common import config
    from lego_common.errors import ConfigurationError

    monkeypatch.delenv("S3_BUCKET")
    config.reset()
    with pytest.raises(ConfigurationError, match="S3_BUCKET"):
        storage.put_object("k", b"", "text/plain")


def test_delete_objects_returns_only_the_keys_s3_refused(
    s3_client: Any, bucket: str, user_id: str
) -> None:
    import structlog

    prefix = keys.moc_files_prefix(user_id, "m1")
    names = [f"{prefix}{n}.pdf" for n in "abc"]
    for key in names:
        storage.put_object(key, b"x", "application/pdf")
    refused = names[1]

    def keep_refused(params: dict[str, Any], **_: Any) -> None:  # S3 leaves it in place...
        objects = params["Delete"]["Objects"]
        params["Delete"]["Objects"] = [o for o in objects if o["Key"] != refused]

    def report_refused(parsed: dict[str, Any], **_: Any) -> None:  # ...and lists it in Errors
        parsed.setdefault("Errors", []).append({"Key": refused, "Code": "AccessDenied"})

    s3_client.meta.events.register("provide-client-params.s3.DeleteObjects", keep_refused)
    s3_client.meta.events.register("after-call.s3.DeleteObjects", report_refused)
    with structlog.testing.capture_logs() as logs:
        assert storage.delete_prefix(prefix) == [refused]
    assert storage.list_keys(prefix) == [refused]
    failures = [e for e in logs if e["event"] == "s3_delete_failed"]
    assert [(e["keys"], e["log_level"]) for e in failures] == [([refused], "error")]


def test_delete_prefix_listing_denied_returns_the_prefix_and_deletes_nothing(
    s3_client: Any, user_id: str
) -> None:
    prefix = keys.moc_files_prefix(user_id, "m1")
    storage.put_object(prefix + "a.pdf", b"x", "application/pdf")
    deletes: list[str] = []

    def deny(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "ListObjectsV2")

    s3_client.meta.events.register("before-call.s3.ListObjectsV2", deny)
    s3_client.meta.events.register(
        "before-call.s3.DeleteObjects", lambda **_: deletes.append("called")
    )
    assert storage.delete_prefix(prefix) == [prefix]
    assert deletes == []
    s3_client.meta.events.unregister("before-call.s3.ListObjectsV2", deny)
    assert storage.list_keys(prefix) == [prefix + "a.pdf"]


def test_put_objects_puts_all_at_once_and_keeps_their_order(
    s3_client: Any, bucket: str, user_id: str
) -> None:
    import threading

    prefix = f"images/{user_id}/"
    threads: set[str] = set()
    s3_client.meta.events.register(
        "before-send.s3.PutObject", lambda **_: threads.add(threading.current_thread().name)
    )
    objects = {f"{prefix}{n}.webp": (n.encode(), "image/webp") for n in ("big", "thumb")}

    written, errors = storage.put_objects(objects, CacheControl="public, max-age=60")

    assert (written, errors) == (list(objects), [])
    assert all(name.startswith("s3-put") for name in threads)  # not on the caller's thread
    head = s3_client.head_object(Bucket=bucket, Key=f"{prefix}thumb.webp")
    assert (head["ContentType"], head["CacheControl"]) == ("image/webp", "public, max-age=60")
    assert storage.get_object(f"{prefix}big.webp") == b"big"


def test_put_objects_returns_the_error_of_the_put_that_failed(s3_client: Any, user_id: str) -> None:
    prefix = f"images/{user_id}/"

    def refuse_thumbnails(params: dict[str, Any], **_: Any) -> None:
        if "/thumbnails/" in params["Key"]:
            raise ValueError("refused")

    s3_client.meta.events.register("provide-client-params.s3.PutObject", refuse_thumbnails)

    written, errors = storage.put_objects(
        {
            f"{prefix}a.webp": (b"a", "image/webp"),
            f"{prefix}thumbnails/a.webp": (b"a", "image/webp"),
        }
    )

    assert written == [f"{prefix}a.webp"]  # the caller undoes it
    assert [str(error) for error in errors] == ["refused"]
    assert storage.list_keys(prefix) == [f"{prefix}a.webp"]


def test_puts_still_running_when_the_deadline_fires_delete_their_objects(
    s3_client: Any, user_id: str
) -> None:
    import threading
    import time
    from types import SimpleNamespace

    from lego_common import deadline
    from lego_common.errors import GatewayTimeoutError

    prefix = f"images/{user_id}/"
    landed: list[str] = []
    s3_client.meta.events.register("before-send.s3.PutObject", lambda **_: time.sleep(0.5))
    s3_client.meta.events.register(
        "after-call.s3.PutObject",
        lambda context, **_: landed.append(threading.current_thread().name),
    )
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: deadline.MARGIN_MS + 100)

    with pytest.raises(GatewayTimeoutError), deadline.bounded(context):
        storage.put_objects({f"{prefix}{n}.webp": (b"x", "image/webp") for n in "ab"})

    give_up = time.monotonic() + 10
    while (len(landed) < 2 or storage.list_keys(prefix)) and time.monotonic() < give_up:
        time.sleep(0.05)
    assert len(landed) == 2  # both puts reached S3 after the caller had given up...
    assert storage.list_keys(prefix) == []  # ...and deleted what they wrote


def test_put_objects_makes_the_s3_client_on_the_callers_thread(
    monkeypatch: pytest.MonkeyPatch, user_id: str
) -> None:
    # boto3's default session is not safe to make clients from two threads at once: at a cold
    # start both puts would make the container's first S3 client together.
    import threading

    import boto3

    from lego_common import aws

    made_on: list[str] = []
    make = boto3.client

    def recording_client(*args: Any, **kwargs: Any) -> Any:
        made_on.append(threading.current_thread().name)
        return make(*args, **kwargs)

    aws.reset()
    monkeypatch.setattr(boto3, "client", recording_client)
    prefix = f"images/{user_id}/"
    written, errors = storage.put_objects({f"{prefix}{n}.webp": (b"x", "image/webp") for n in "ab"})

    assert (len(written), errors) == (2, [])
    assert made_on == [threading.current_thread().name]
