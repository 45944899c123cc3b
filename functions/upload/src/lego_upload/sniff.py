"""What a file is, from its first bytes, never its name: PDF (`%PDF-`), XML (a declaration or a
root element, parsed with DTDs and entities refused) or CSV (UTF-8 text, BOM allowed, no NUL,
a header row). Pure functions: the service hands them the object's head."""

from __future__ import annotations

import codecs
from xml.parsers import expat

SNIFF_BYTES = 64 * 1024


class Refused(Exception):
    """The bytes are not a file of any accepted kind."""


class _Root(Exception):
    """Stops the XML parse at the root element: enough to know it is XML."""


def _refuse_dtd(*_: object) -> None:
    raise Refused("XML with a DTD or entity declarations is refused")


def is_xml(head: bytes) -> bool:
    """A well-formed start of an XML document up to its root element, without any DTD."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"<"):
        return False
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd  # type: ignore[assignment]

    def start(*_: object) -> None:
        raise _Root

    parser.StartElementHandler = start
    try:
        parser.Parse(head, False)
    except _Root:
        return True
    except expat.ExpatError:
        return False
    # The head ended before the root element: only a declaration/comments so far.
    return head.lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"<?xml")


def is_csv(head: bytes, complete: bool) -> bool:
    """UTF-8 text (a multi-byte character may be cut at the end of a partial head), no NUL,
    and a non-blank first line that ends within the head (or the file is that line)."""
    if b"\x00" in head:
        return False
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    first, newline, _ = text.partition("\n")
    if not first.strip():
        return False
    return bool(newline) or complete


def sniff(head: bytes, complete: bool) -> str:
    """The kind ("pdf", "xml", "csv") of a file starting with head; Refused otherwise.
    complete: head is the whole file."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if is_xml(head):
        return "xml"
    if is_csv(head, complete):
        return "csv"
    raise Refused("the content is not a PDF, XML or CSV file")
