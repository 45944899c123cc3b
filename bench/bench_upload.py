"""upload and csv_parser benchmarks (issue 17), each against the floor measured in the same run:

- csv_parser on a 10 MB, 220k-row CSV, from the object in moto to committed rows, vs COPY of
  the same file (bytes in memory) into the same table (goal <= 2x);
- the parser's peak Python memory on that file (tracemalloc; streaming: far below 512 MB);
- POST /api/mocs/{id}/files/complete of ten 1 MB PDFs through the service vs the bare HEAD plus
  ranged GET of the same ten objects (goal <= 1.5x).

Starts its own native stack; run alone: `uv run python -m bench.bench_upload`.
"""

from __future__ import annotations

import json
import statistics
import time
import tracemalloc
import uuid
from typing import Any

from bench.timing import native_stack, row, stdout_to_devnull

ROWS = 220_000
ROUNDS = 3
COMPLETION_ROUNDS = 15
USER = "bench-upload-user"


def parts_csv(rows: int = ROWS) -> bytes:
    colours = ["Red", "Reddish Brown", "Light Bluish Gray", "Black", "White", "Tan"]
    lines = ["Part ID,Part Name,Quantity,Color\r\n"]
    lines += [
        f"{3001 + i % 5000},Brick 2 x {i % 8 + 1} Plain Part {i},{i % 9 + 1},{colours[i % 6]}\r\n"
        for i in range(rows)
    ]
    return "".join(lines).encode()


def _sql(query: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    from lego_common import db

    with db.transaction() as conn:
        cur = conn.execute(query, params or {})
        return cur.fetchall() if cur.description else []


def _moc() -> uuid.UUID:
    moc = uuid.uuid4()
    _sql(
        "INSERT INTO moc_instructions (id, user_id, title, type, author)"
        " VALUES (%(id)s, %(uid)s, %(t)s, 'moc', 'Ann')",
        {"id": moc, "uid": USER, "t": f"Bench {moc.hex[:8]}"},
    )
    return moc


def _csv_file(moc: uuid.UUID, key: str, size: int) -> uuid.UUID:
    file_id = uuid.uuid4()
    _sql(
        "INSERT INTO moc_files (id, moc_id, file_type, file_url, s3_key, original_filename,"
        " mime_type, size_bytes, status) VALUES (%(id)s, %(moc)s, 'parts-list', 'x',"
        " %(key)s, 'parts.csv', 'text/csv', %(size)s, 'ready')",
        {"id": file_id, "moc": moc, "key": f"{key}#{file_id}", "size": size},
    )
    return file_id


def _parser(data: bytes) -> list[dict[str, Any]]:
    from lego_common import aws, db, storage
    from lego_csv_parser import parts, service

    bucket = storage.bucket()
    moc = _moc()
    key = f"mocs/{USER}/{moc}/{uuid.uuid4()}.csv"
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=data)

    def subject() -> float:
        file_id = _csv_file(moc, key, len(data))
        event = service.ParseEvent(bucket, key, None, moc, USER, file_id)
        started = time.perf_counter()
        outcome = service.parse_parts_list(event)
        elapsed = time.perf_counter() - started
        assert outcome == "ready", outcome
        _sql("DELETE FROM moc_files WHERE id = %(id)s", {"id": file_id})
        return elapsed

    def floor() -> float:
        conn = db.get_connection()
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(
                f"ALTER TABLE moc_parts_lists ALTER COLUMN moc_id SET DEFAULT '{moc}'::uuid"
            )
            with (
                conn.cursor() as cur,
                cur.copy(
                    "COPY moc_parts_lists (part_id, part_name, quantity, color)"
                    " FROM STDIN (FORMAT csv, HEADER)"
                ) as copy,
            ):
                copy.write(data)
            conn.execute("ALTER TABLE moc_parts_lists ALTER COLUMN moc_id DROP DEFAULT")
        elapsed = time.perf_counter() - started
        _sql("DELETE FROM moc_parts_lists WHERE moc_id = %(m)s", {"m": moc})
        return elapsed

    subjects, floors = [], []
    with stdout_to_devnull():
        for _ in range(ROUNDS):  # interleaved: a noisy neighbour hits both alike
            floors.append(floor())
            subjects.append(subject())
        # peak memory of the parse itself (tracemalloc: Python allocations)
        body = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
        tracemalloc.start()
        parts.parse(body.read, lambda text: None, (str(moc), str(moc)))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    name = f"csv_parser {len(data) / 1e6:.1f} MB, {ROWS // 1000}k rows, S3 to committed rows"
    return [
        row(
            name,
            statistics.median(subjects),
            "s",
            statistics.median(floors),
            "COPY of the same file into moc_parts_lists",
            "<= 2x",
        ),
        row(
            "csv_parser peak Python memory while parsing 10 MB",
            peak / 2**20,
            "MiB",
            None,
            None,
            "far below 512 MB",
        ),
    ]


def _completion() -> list[dict[str, Any]]:
    from lego_common import aws, invoke, storage
    from lego_upload import service
    from lego_upload.models import FileDeclaration

    invoke.invoke_async = lambda name, payload: None  # type: ignore[assignment]  # PDFs only
    s3 = aws.client("s3")
    bucket = storage.bucket()
    pdf = b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 9)
    moc = _moc()
    decl = FileDeclaration.model_validate(
        {"filename": "i.pdf", "contentType": "application/pdf", "size": len(pdf)}
    )
    rounds = []
    for _ in range(COMPLETION_ROUNDS + 1):
        tickets = service.request_files(USER, moc, [decl] * 10)
        for ticket in tickets.files:
            s3.put_object(Bucket=bucket, Key=ticket.upload.fields["key"], Body=pdf)
        rounds.append(tickets)

    def floor(keys: list[str]) -> float:
        started = time.perf_counter()
        for key in keys:
            s3.head_object(Bucket=bucket, Key=key)
            s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-65535")["Body"].read()
        return time.perf_counter() - started

    subjects, floors = [], []
    with stdout_to_devnull():
        for i, tickets in enumerate(rounds):
            keys = [t.upload.fields["key"] for t in tickets.files]
            f = floor(keys)
            started = time.perf_counter()
            done = service.complete_files(USER, moc, [t.id for t in tickets.files])
            s = time.perf_counter() - started
            assert done.ready == 10, done
            if i:  # the first round warms clients and connections
                floors.append(f)
                subjects.append(s)
    return [
        row(
            "upload completion of ten 1 MB PDFs (service)",
            statistics.median(subjects) * 1000,
            "ms",
            statistics.median(floors) * 1000,
            "10 x (HEAD + ranged GET 64 KiB), raw boto3",
            "<= 1.5x",
        )
    ]


def run() -> list[dict[str, Any]]:
    data = parts_csv()
    with native_stack():
        return _parser(data) + _completion()


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
