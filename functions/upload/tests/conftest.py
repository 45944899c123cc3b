"""Fixtures of the upload tests: the handler `api` calls, MOCs, the client's POST to moto, and
the async hand-off to csv_parser recorded (or run in-process)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from lego_common import invoke
from lego_upload.handler import lambda_handler

if TYPE_CHECKING:
    from collections.abc import Callable

    from lego_devstack.api import Handler


@pytest.fixture
def handler() -> Handler:
    return lambda_handler


@pytest.fixture
def invoked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """csv_parser invocations, recorded instead of sent (CSV_PARSER_FUNCTION_NAME set)."""
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setenv("CSV_PARSER_FUNCTION_NAME", "csv_parser")
    from lego_common import config

    config.reset()
    monkeypatch.setattr(invoke, "invoke_async", lambda name, payload: calls.append((name, payload)))
    return calls


def send(ticket: dict[str, Any], data: bytes, filename: str = "file") -> requests.Response:
    """The client's POST of one file to S3 with its ticket's fields."""
    upload = ticket["upload"]
    return requests.post(
        upload["url"], data=upload["fields"], files={"file": (filename, data)}, timeout=30
    )


@pytest.fixture
def client() -> Any:
    class Client:
        post = staticmethod(send)

    return Client


def pdf_bytes(size: int = 2000) -> bytes:
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    return head + b"0" * max(0, size - len(head) - 6) + b"%%EOF\n"


CSV = b"Part ID,Part Name,Quantity,Color\r\n3001,Brick 2 x 4,4,Red\r\n3020,Plate 2 x 4,6,Blue\r\n"
XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<INVENTORY><ITEM><ITEMID>3001</ITEMID></ITEM></INVENTORY>\n"
)


@pytest.fixture
def make_pdf() -> Callable[[int], bytes]:
    return pdf_bytes


@pytest.fixture
def csv_bytes() -> bytes:
    return CSV
