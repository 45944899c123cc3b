"""lego_common.forms: the multipart/form-data image forms, limits and bad input."""

from __future__ import annotations

import pytest

from lego_common import forms
from lego_common.errors import PayloadTooLargeError, ValidationError

BOUNDARY = "----lego-test-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
FIELDS = frozenset({"title", "tags"})


def _body(*parts: tuple[str, bytes, str | None]) -> bytes:
    chunks = []
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
        if filename is not None:
            head += "Content-Type: application/octet-stream\r\n"
        chunks.append(head.encode() + b"\r\n" + value + b"\r\n")
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


def _too_large() -> PayloadTooLargeError:
    return PayloadTooLargeError("too large")


def _parse(body: bytes, max_file_bytes: int = 1024) -> forms.Form:
    return forms.parse_form(
        body,
        CONTENT_TYPE,
        file_field="image",
        text_fields=FIELDS,
        max_file_bytes=max_file_bytes,
        too_large=_too_large,
    )


def test_parse_form_returns_the_file_bytes_name_and_fields() -> None:
    form = _parse(
        _body(
            ("title", b"Castle", None),
            ("tags", b"a", None),
            ("tags", b"b", None),
            ("image", b"\x00\x01binary", "photo.jpg"),
        )
    )
    assert form.content == b"\x00\x01binary"
    assert form.filename == "photo.jpg"
    assert form.fields == {"title": ["Castle"], "tags": ["a", "b"]}
    assert forms.single_value(form, "title") == "Castle"
    assert forms.list_value(form, "tags") == ["a", "b"]


def test_parse_form_without_the_file_part_is_a_400_naming_it() -> None:
    with pytest.raises(ValidationError) as caught:
        _parse(_body(("title", b"x", None)))
    assert "image" in caught.value.details["fieldErrors"]


def test_parse_form_unknown_field_is_a_400() -> None:
    with pytest.raises(ValidationError) as caught:
        _parse(_body(("owner", b"x", None), ("image", b"x", "a.png")))
    assert "owner" in caught.value.details["fieldErrors"]


def test_parse_form_second_file_is_a_400() -> None:
    with pytest.raises(ValidationError):
        _parse(_body(("image", b"x", "a.png"), ("image", b"y", "b.png")))


def test_parse_form_file_over_the_limit_is_the_callers_413() -> None:
    with pytest.raises(PayloadTooLargeError):
        _parse(_body(("image", b"x" * 2048, "a.png")), max_file_bytes=1024)


def test_parse_form_body_far_over_the_limit_is_refused_before_parsing() -> None:
    body = b"not even multipart" * 10_000
    with pytest.raises(PayloadTooLargeError):
        _parse(body, max_file_bytes=10)


def test_parse_form_without_boundary_is_a_400() -> None:
    with pytest.raises(ValidationError, match="boundary"):
        forms.parse_form(
            b"x",
            "multipart/form-data",
            file_field="image",
            text_fields=FIELDS,
            max_file_bytes=10,
            too_large=_too_large,
        )


def test_parse_form_truncated_body_is_a_400_not_a_500() -> None:
    body = _body(("image", b"x" * 100, "a.png"))
    with pytest.raises(ValidationError, match="malformed"):
        _parse(body[: len(body) // 2])


def test_single_value_sent_twice_is_a_400() -> None:
    form = forms.Form(content=b"", filename="", fields={"title": ["a", "b"]})
    with pytest.raises(ValidationError):
        forms.single_value(form, "title")


@pytest.mark.parametrize(
    ("given", "expected"),
    [(['["a", "b"]'], ["a", "b"]), (["a, b ,,c"], ["a", "b", "c"]), (["x", "y"], ["x", "y"])],
)
def test_list_value_accepts_json_array_commas_or_repeats(
    given: list[str], expected: list[str]
) -> None:
    form = forms.Form(content=b"", filename="", fields={"tags": given})
    assert forms.list_value(form, "tags") == expected


@pytest.mark.parametrize("given", ['["a"', "[1,]"])
def test_list_value_bad_json_is_a_400(given: str) -> None:
    form = forms.Form(content=b"", filename="", fields={"tags": [given]})
    with pytest.raises(ValidationError):
        forms.list_value(form, "tags")


def test_is_form_and_filename_stem() -> None:
    assert forms.is_form("Multipart/Form-Data; boundary=x")
    assert not forms.is_form("application/json")
    assert not forms.is_form(None)
    assert forms.filename_stem("C:\\photos\\castle.front.jpg", 200, "Untitled") == "castle.front"
    assert forms.filename_stem(".jpg", 200, "Untitled") == "Untitled"
    assert forms.filename_stem("", 200, "Untitled") == "Untitled"
    assert forms.filename_stem("IMG_0001.JPG", 200, "Untitled") == "IMG_0001"
