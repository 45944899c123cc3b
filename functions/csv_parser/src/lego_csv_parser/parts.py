"""The parts-list CSV format (seed 001 "CSV Parser Lambda"), streamed: a header naming `Part ID`,
`Part Name`, `Quantity` and `Color` (case and spaces ignored, any order, extra columns ignored),
`,` `;` or tab delimiters, quoted newlines, CRLF, an optional UTF-8 BOM.

`parse` reads a binary stream chunk by chunk, checks every row and writes the valid ones as CSV
text to a sink (COPY ... FROM STDIN (FORMAT csv) in the service); bad rows are reported, not
fatal. No database and no S3 here, so tests and the benchmark drive it alone.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

REQUIRED = ("Part ID", "Part Name", "Quantity", "Color")
MAX_PART_ID = 64  # the CHECK constraints of moc_parts_lists (migration 0001)
MAX_PART_NAME = 500
MAX_COLOR = 100
MAX_QUANTITY = 2_147_483_647  # integer column
MAX_ERRORS_KEPT = 1000
DELIMITERS = (",", ";", "\t")
CHUNK_BYTES = 256 * 1024
FLUSH_BYTES = 256 * 1024
_SPACES = re.compile(r"\s+")


class NotPartsList(Exception):
    """Nothing can be stored from this file: not UTF-8, NUL bytes, a header column missing,
    malformed CSV, or no valid row (then `report` holds the rejected rows)."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.report = report


@dataclass
class Report:
    """What a parse found: rows stored and rejected, their quantity, the first errors."""

    rows_stored: int = 0
    rows_rejected: int = 0
    total_quantity: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    delimiter: str = ","

    def reject(self, row: int, column: str, reason: str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "column": column, "reason": reason})

    @property
    def status(self) -> str:
        if self.rows_stored == 0:
            return "failed"
        return "partial" if self.rows_rejected else "ready"


class _Raw(io.RawIOBase):
    """A read(n) source (botocore's StreamingBody) as a raw stream; NUL bytes stop the read."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(len(buffer))
        if b"\x00" in data:
            raise NotPartsList("the file contains NUL bytes: not a text CSV")
        size = len(data)
        buffer[:size] = data
        return size


def _key(name: str) -> str:
    return _SPACES.sub("", name).lower()


def _header(line: str) -> tuple[str, list[int]]:
    """The delimiter and the positions of the required columns, from the header line."""
    wanted = [_key(name) for name in REQUIRED]
    best: tuple[int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        cells = [_key(c) for c in next(csv.reader([line], delimiter=delimiter), [])]
        found = sum(1 for w in wanted if w in cells)
        if best is None or found > best[0]:
            best = (found, delimiter, cells)
    assert best is not None
    found, delimiter, cells = best
    missing = [name for name, w in zip(REQUIRED, wanted, strict=True) if w not in cells]
    if missing:
        raise NotPartsList(f"header row lacks column(s): {', '.join(missing)}")
    return delimiter, [cells.index(w) for w in wanted]


def parse(
    read: Callable[[int], bytes],
    sink: Callable[[str], None],
    prefix: tuple[str, ...] = (),
    check_time: Callable[[], None] | None = None,
) -> Report:
    """Parse the stream `read`, writing valid rows (prefix + part id, name, quantity, colour)
    as CSV text to sink. Raises NotPartsList when nothing can be stored from this file."""
    text = io.TextIOWrapper(
        io.BufferedReader(_Raw(read), CHUNK_BYTES), encoding="utf-8-sig", newline=""
    )
    report = Report()
    row_no = 1
    try:
        header_line = ""
        while not header_line.strip():  # leading blank lines are skipped
            header_line = text.readline()
            if not header_line:
                raise NotPartsList("the file is empty: no header row")
        delimiter, (i_id, i_name, i_qty, i_color) = _header(header_line)
        report.delimiter = delimiter
        needed = max(i_id, i_name, i_qty, i_color) + 1
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        write = writer.writerow
        stored = rejected = total = 0
        for cells in csv.reader(text, delimiter=delimiter):
            row_no += 1
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                row_no -= 1  # blank line: not a row
                continue
            if len(cells) < needed:
                cells = cells + [""] * (needed - len(cells))
            part_id = cells[i_id].strip()
            name = cells[i_name].strip()
            qty = cells[i_qty].strip()
            color = cells[i_color].strip()
            if (
                0 < len(part_id) <= MAX_PART_ID
                and 0 < len(name) <= MAX_PART_NAME
                and 0 < len(color) <= MAX_COLOR
                and qty.isascii()
                and qty.isdigit()
                and 0 < (quantity := int(qty)) <= MAX_QUANTITY
            ):
                write((*prefix, part_id, name, quantity, color))
                stored += 1
                total += quantity
                if out.tell() >= FLUSH_BYTES:
                    sink(out.getvalue())
                    out.seek(0)
                    out.truncate()
                    if check_time is not None:
                        check_time()
                continue
            rejected += 1
            _reject(report, row_no, part_id, name, qty, color)
        if out.tell():
            sink(out.getvalue())
    except UnicodeDecodeError:
        raise NotPartsList("the file is not UTF-8 text") from None
    except csv.Error as exc:
        raise NotPartsList(f"malformed CSV after row {row_no}: {exc}") from None
    report.rows_stored, report.rows_rejected, report.total_quantity = stored, rejected, total
    if stored == 0:
        raise NotPartsList(f"no valid row ({rejected} rejected)", report)
    return report


def _reject(report: Report, row: int, part_id: str, name: str, qty: str, color: str) -> None:
    """Every reason a row fails, one error per column."""
    for column, value, limit in (
        ("Part ID", part_id, MAX_PART_ID),
        ("Part Name", name, MAX_PART_NAME),
        ("Color", color, MAX_COLOR),
    ):
        if not value:
            report.reject(row, column, "required")
        elif len(value) > limit:
            report.reject(row, column, f"longer than {limit} characters")
    if not qty:
        report.reject(row, "Quantity", "required")
    elif not (qty.isascii() and qty.isdigit()) or not 0 < int(qty) <= MAX_QUANTITY:
        report.reject(row, "Quantity", "must be a positive integer")
