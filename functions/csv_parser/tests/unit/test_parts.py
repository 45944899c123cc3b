"""The CSV format alone: header matching, delimiters, quoting, row rules, the report."""

from __future__ import annotations

import io

import pytest

from lego_csv_parser import parts


def _parse(data: bytes) -> tuple[parts.Report, list[list[str]]]:
    out: list[str] = []
    report = parts.parse(io.BytesIO(data).read, out.append)
    import csv

    return report, list(csv.reader(io.StringIO("".join(out))))


def test_header_any_order_case_spaces_extra_columns_and_bom() -> None:
    data = "\ufeffcolor;QUANTITY; part  id ;Notes;PartName\r\nRed;4;3001;x;Brick 2 x 4\r\n"
    report, rows = _parse(data.encode())
    assert report.status == "ready"
    assert report.delimiter == ";"
    assert rows == [["3001", "Brick 2 x 4", "4", "Red"]]
    assert report.total_quantity == 4


def test_tab_delimiter_and_quoted_newline() -> None:
    data = b'Part ID\tPart Name\tQuantity\tColor\n3001\t"Brick\nlong"\t2\tBlue\n'
    report, rows = _parse(data)
    assert rows == [["3001", "Brick\nlong", "2", "Blue"]]
    assert report.rows_stored == 1


def test_bad_rows_are_reported_not_fatal() -> None:
    data = (
        b"Part ID,Part Name,Quantity,Color\n"
        b"3001,Brick,2,Red\n"
        b",Brick,0,Red\n"
        b"3002,Plate,two,\n"
        b"\n"
        b"3003,Tile,1,Black\n"
    )
    report, rows = _parse(data)
    assert report.status == "partial"
    assert (report.rows_stored, report.rows_rejected, report.total_quantity) == (2, 2, 3)
    assert report.errors == [
        {"row": 3, "column": "Part ID", "reason": "required"},
        {"row": 3, "column": "Quantity", "reason": "must be a positive integer"},
        {"row": 4, "column": "Color", "reason": "required"},
        {"row": 4, "column": "Quantity", "reason": "must be a positive integer"},
    ]
    assert [r[0] for r in rows] == ["3001", "3003"]


def test_first_thousand_errors_kept_all_counted() -> None:
    data = b"Part ID,Part Name,Quantity,Color\n" + b"x,y,-1,z\n" * 1500 + b"1,a,1,b\n"
    report, _ = _parse(data)
    assert report.rows_rejected == 1500
    assert len(report.errors) == parts.MAX_ERRORS_KEPT


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Part ID,Part Name,Color\n1,a,b\n", r"lacks column\(s\): Quantity"),
        (b"", "empty"),
        (b"%PDF-1.7\n\x00\x01binary", "NUL"),
        (b"Part ID,Part Name,Quantity,Color\n1,\xff\xfe,1,b\n", "UTF-8"),
        (b"Part ID,Part Name,Quantity,Color\n,,,\n", "no valid row"),
    ],
)
def test_not_a_parts_list(data: bytes, reason: str) -> None:
    with pytest.raises(parts.NotPartsList, match=reason):
        _parse(data)


def test_overlong_values_rejected() -> None:
    data = f"Part ID,Part Name,Quantity,Color\n{'9' * 65},a,1,b\n1,a,1,b\n".encode()
    report, _ = _parse(data)
    assert report.errors == [{"row": 2, "column": "Part ID", "reason": "longer than 64 characters"}]
