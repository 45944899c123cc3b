"""gallery benchmarks (issue 14 "Benchmark"): the confirm route end to end.

POST /api/images {uploadId, title} through lambda_handler on a staged 4000x3000 photo-like
JPEG (moto S3, PostgreSQL, Redis): read the staged object, the 2048 + 400 WebP pipeline, two
puts, the insert, the staged object's delete, cache invalidation. Floors measured in the same
run, interleaved round by round: lego_common.images.process_gallery alone (the CPU work the
route cannot avoid) and that plus the raw S3 calls the route makes (boto3: get, two puts,
delete), so the ratio shows what the route adds on top (SQL, cache, logging, envelope).

Starts its own native stack, stops it at the end. Handler logs go to /dev/null at the fd level.
Run alone: `uv run python -m bench gallery`.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from typing import TYPE_CHECKING, Any

from bench.bench_images import photo_jpeg
from bench.timing import native_stack, row, stdout_to_devnull

if TYPE_CHECKING:
    from collections.abc import Callable

ROUNDS = 7
USER = "bench-gallery-user"
GOAL = "<= 1.2x"


def _interleaved_ms(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median wall time in ms, one call of each per round, after one warm-up round."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for round_no in range(rounds + 1):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            if round_no:
                samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def _measure(data: bytes) -> list[dict[str, Any]]:
    from lego_common import aws, images, storage
    from lego_devstack.events import http_event
    from lego_gallery import objects
    from lego_gallery.handler import lambda_handler

    s3 = aws.client("s3")
    bucket = storage.bucket()
    statuses: list[int] = []

    def confirm() -> None:
        upload_id = uuid.uuid4()
        s3.put_object(Bucket=bucket, Key=objects.upload_key(USER, upload_id), Body=data)
        event = http_event(
            "POST /api/images",
            user_id=USER,
            body={"uploadId": str(upload_id), "title": "Bench photo", "tags": ["bench"]},
        )
        started = time.perf_counter()
        response = lambda_handler(event, None)
        timings.append((time.perf_counter() - started) * 1000)
        statuses.append(response["statusCode"])

    def pipeline_and_s3() -> None:
        key = f"uploads/{USER}/floor"
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        started = time.perf_counter()
        staged = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        out = images.process_gallery(staged)
        for name, encoded in (("a", out.image), ("b", out.thumbnail)):
            s3.put_object(Bucket=bucket, Key=f"images/{USER}/floor-{name}.webp", Body=encoded.data)
        s3.delete_object(Bucket=bucket, Key=key)
        floor_timings.append((time.perf_counter() - started) * 1000)

    timings: list[float] = []
    floor_timings: list[float] = []
    # staging the object is the client's work: time only the route (and the floor's S3 calls)
    fns: dict[str, Callable[[], object]] = {
        "confirm": confirm,
        "pipeline": lambda: images.process_gallery(data),
        "pipeline_s3": pipeline_and_s3,
    }
    with stdout_to_devnull():
        ms = _interleaved_ms(fns, ROUNDS)
    assert set(statuses) == {201}, statuses
    route = statistics.median(timings[1:])
    floor_s3 = statistics.median(floor_timings[1:])
    return [
        row(
            "gallery POST /api/images confirm, 4000x3000 JPEG, end to end",
            route,
            "ms",
            ms["pipeline"],
            "lego_common.images.process_gallery alone",
        ),
        row(
            "gallery POST /api/images confirm, 4000x3000 JPEG, end to end",
            route,
            "ms",
            floor_s3,
            "process_gallery + raw boto3 get, 2 puts, delete",
            GOAL,
        ),
        row("gallery confirm input bytes (4000x3000 JPEG q90)", len(data), "bytes"),
        row(
            "gallery confirm route overhead over pipeline + S3",
            round(route - floor_s3, 1),
            "ms",
        ),
    ]


def run() -> list[dict[str, Any]]:
    data = photo_jpeg(4000, 3000)
    with native_stack():
        return _measure(data)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
