"""The native stack's moto server (lego_devstack.moto_server): moto's own app, but connections
stay open between requests, as they do against AWS."""

from __future__ import annotations

import http.client
from typing import TYPE_CHECKING

import boto3
import pytest

from lego_devstack.stack import MotoServer

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    server.start()
    yield server
    server.stop()


def test_one_connection_carries_many_requests(moto_server: MotoServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", moto_server.port, timeout=5)
    conn.connect()
    local_port = conn.sock.getsockname()[1]
    for _ in range(3):
        conn.request("GET", "/moto-api/data.json")
        response = response_of(conn)
        assert response.status == 200
        assert response.getheader("connection", "").lower() != "close"
        assert conn.sock is not None  # http.client closes the socket on `Connection: close`
        assert conn.sock.getsockname()[1] == local_port  # the same connection every time
    conn.close()


def test_it_is_moto(moto_server: MotoServer) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{moto_server.port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="keep-alive")
    s3.put_object(Bucket="keep-alive", Key="a/b.webp", Body=b"RIFF", ContentType="image/webp")
    got = s3.get_object(Bucket="keep-alive", Key="a/b.webp")
    assert got["Body"].read() == b"RIFF"
    assert got["ContentType"] == "image/webp"


def response_of(conn: http.client.HTTPConnection) -> http.client.HTTPResponse:
    response = conn.getresponse()
    response.read()  # the next request may only go out once this body is drained
    return response
