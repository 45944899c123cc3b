"""`lego-dev seed` without a running stack says so and exits 1, without a traceback (the seeding
itself runs against a real stack in test_live_stack.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from lego_devstack.stack import free_port
from lego_gateway.seed import DEMO_USERS, png_of


def _seed(state: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LEGO_DEV_STATE": str(state),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "lego_gateway.cli", "seed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_seed_without_a_state_file_says_start_make_dev(tmp_path: Path) -> None:
    result = _seed(tmp_path / "absent.json")

    assert result.returncode == 1
    assert "start one with `make dev`" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_with_a_stale_state_file_says_the_stack_is_gone(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    state = tmp_path / "dev-stack.json"
    state.write_text(
        json.dumps(
            {
                "url": dead,
                "aws_endpoint_url": dead,
                "region": "us-east-1",
                "user_pool_id": "us-east-1_gone",
                "client_id": "gone",
            }
        )
    )

    result = _seed(state)

    assert result.returncode == 1
    assert "is `make dev` running?" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_images_are_drawn_as_real_pngs() -> None:
    import io

    image = DEMO_USERS[0].images[0]

    picture = Image.open(io.BytesIO(png_of(image)))

    assert picture.format == "PNG"
    assert picture.size == (640, 480)
    assert picture.getpixel((0, 0)) == image.colour  # the plate's colour between the studs
