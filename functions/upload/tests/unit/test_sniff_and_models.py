"""Content sniffing and the declared-file rules, without services."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lego_upload.models import FileDeclaration, FilesRequest, sanitise_filename
from lego_upload.sniff import Refused, sniff

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.4\n...", "pdf"),
        (b'<?xml version="1.0"?><a/>', "xml"),
        (b"<inventory><item/></inventory>", "xml"),
        (b"\xef\xbb\xbfPart ID,Part Name,Quantity,Color\n1,a,1,b\n", "csv"),
        (b"Part ID;Part Name;Quantity;Color", "csv"),
    ],
)
def test_sniff_accepts(head: bytes, kind: str) -> None:
    assert sniff(head, complete=True) == kind


@pytest.mark.parametrize(
    "head",
    [
        BOMB,
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://evil/x.dtd"><x/>',
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows executable
        b"\x7fELF\x02\x01\x01\x00",
        b"\xff\xfe\xfd not utf-8\n",
        b"\n\n",
        b"a,b,c" + b"x" * 100,  # a partial head without the end of the header line
    ],
)
def test_sniff_refuses(head: bytes) -> None:
    with pytest.raises(Refused):
        sniff(head, complete=head != b"a,b,c" + b"x" * 100)


def test_sniff_partial_head_cut_in_a_utf8_character() -> None:
    head = "Part ID,Part Name,Quantity,Color\n1,Brique é".encode()[:-1]
    assert sniff(head, complete=False) == "csv"


def test_filename_rules() -> None:
    ok = {"contentType": "application/pdf", "size": 10}
    assert FileDeclaration.model_validate({"filename": "Castle.PDF", **ok}).kind == "pdf"
    for bad in ("../etc/passwd.pdf", "a\\b.pdf", "bell\x07.pdf", "castle.exe", "noext"):
        with pytest.raises(ValidationError):
            FileDeclaration.model_validate({"filename": bad, **ok})


def test_eleven_files_refused() -> None:
    one = {"filename": "a.csv", "contentType": "text/csv", "size": 1}
    FilesRequest.model_validate({"files": [one] * 10})
    with pytest.raises(ValidationError):
        FilesRequest.model_validate({"files": [one] * 11})


def test_sanitise_filename() -> None:
    assert sanitise_filename('C:\\Users\\ann\\my "castle".pdf') == "my 'castle'.pdf"
    assert sanitise_filename("x\u202e\x00.csv") == "x.csv"
    long = sanitise_filename("a" * 400 + ".csv")
    assert len(long) == 255
    assert long.endswith(".csv")
