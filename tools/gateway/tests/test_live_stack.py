"""One real `lego-dev serve` (what `make dev` runs), then what a newcomer does with it: `make seed`
twice (the second run changes nothing), the terminal's request lines, and /docs in a real
headless Chromium: every route listed, Authorize with a pool token, Try it out on GET /api/mocs.

Chromium is Debian's package (scripts/install-deps.sh installs it); playwright drives it through
`executable_path` since no browser can be downloaded here. If it cannot start, the test fails:
a skipped browser test would hide a broken /docs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lego_gateway import paths
from lego_gateway.seed import DEMO_USERS
from lego_gateway.testing import LocalApi, running_stack

CHROMIUM = Path("/usr/bin/chromium")
# This machine has no route out: without these Chromium stalls on lookups of Google services.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_TIMEOUT_MS = 60_000  # generous: CI shares two cores with the stack
KINDS = {"mocs": "/api/mocs", "albums": "/api/albums", "images": "/api/images"}


@pytest.fixture(scope="module")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("live-stack")


@pytest.fixture(scope="module")
def live(stack_dir: Path) -> Iterator[LocalApi]:
    # INFO: the handlers' lines are what the terminal test reads
    with running_stack(stack_dir, extra_env={"LOG_LEVEL": "INFO"}) as api:
        yield api


def _seed(stack_dir: Path, via_make: bool = False) -> subprocess.CompletedProcess[str]:
    command = (
        ["make", "--no-print-directory", "-s", "seed"]
        if via_make
        else [sys.executable, "-m", "lego_gateway.cli", "seed"]
    )
    return subprocess.run(
        command,
        cwd=paths.repo_root(),
        env={**os.environ, "LEGO_DEV_STATE": str(stack_dir / "dev-stack.json")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def seeded(live: LocalApi, stack_dir: Path) -> str:
    """The first `lego-dev seed` of the stack; its summary."""
    first = _seed(stack_dir)
    assert first.returncode == 0, first.stderr
    return first.stdout


def _counts(api: LocalApi) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for user in ("alice", "bob"):
        per_kind = {}
        for kind, path in {**KINDS, "wishlist": "/api/wishlist"}.items():
            response = api.call("GET", path, user, params={"limit": 100} if kind in KINDS else {})
            assert response.status_code == 200, response.text
            per_kind[kind] = len(response.json()["data"])
        counts[user] = per_kind
    return counts


def test_seed_fills_each_user_and_a_second_run_changes_nothing(
    live: LocalApi, stack_dir: Path, seeded: str
) -> None:
    after_first = _counts(live)

    second = _seed(stack_dir, via_make=True)

    assert second.returncode == 0, second.stderr
    assert _counts(live) == after_first
    expected = {
        user.username: {
            "mocs": len(user.mocs),
            "albums": len(user.albums),
            "images": len(user.images),
            "wishlist": len(user.wishlist),
        }
        for user in DEMO_USERS
    }
    assert after_first == expected
    assert sum(e["mocs"] for e in expected.values()) == 12  # issue 19: a dozen MOCs
    assert "(0 new)" in second.stdout
    assert re.findall(r"\((\d+) new\)", second.stdout) == ["0"] * 8


def test_seeded_images_are_real_pictures_in_their_albums(live: LocalApi, seeded: str) -> None:
    images = live.call("GET", "/api/images", "alice", params={"limit": 100}).json()["data"]
    albums = live.call("GET", "/api/albums", "alice").json()["data"]
    in_castle = next(a for a in albums if a["title"] == "Castle builds")

    by_title = {image["title"]: image for image in images}
    assert by_title["Castle gatehouse"]["albumId"] == in_castle["id"]
    assert by_title["Castle gatehouse"]["imageUrl"].endswith(".webp")
    assert "albumId" not in by_title["Lighthouse at dusk"]


def test_search_forgives_a_typo_in_a_seeded_title(live: LocalApi, seeded: str) -> None:
    response = live.call("GET", "/api/mocs", "alice", params={"search": "neuschwanstien"})

    assert [moc["title"] for moc in response.json()["data"]] == ["Neuschwanstein Castle"]


def test_terminal_prints_a_line_per_request_with_handler_lines_under_it(
    live: LocalApi, stack_dir: Path, seeded: str
) -> None:
    created = live.call(
        "POST", "/api/mocs", "carol", json={"title": "Terminal check", "type": "moc", "author": "c"}
    )
    moc_id = created.json()["data"]["id"]
    stdout = stack_dir / "stdout.log"
    request = re.compile(
        r"^\d\d:\d\d:\d\d  POST   /api/mocs\s+201\s+[\d.]+ ms  mocs\s+(cold|warm)$"
    )

    deadline = time.monotonic() + 10
    while True:
        lines = stdout.read_text().splitlines()
        under = [lines[i + 1] for i, line in enumerate(lines[:-1]) if request.match(line)]
        if any(moc_id in line for line in under) or time.monotonic() > deadline:
            break
        time.sleep(0.1)

    assert f"    moc_created  moc_id={moc_id}" in under, "\n".join(lines[-20:])
    assert "\033[" not in stdout.read_text()  # colours only on a TTY
    assert "make token USER=alice" in lines[2]
    assert "make seed" in lines[3]


def _routes() -> set[str]:
    table: dict[str, Any] = json.loads(paths.routes_file().read_text())
    return set(table["routes"])


def test_docs_in_chromium_lists_every_route_and_tries_get_mocs(
    live: LocalApi, seeded: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run scripts/install-deps.sh (chromium)"
    with sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",  # fresh profile: nothing cached or remembered
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(BROWSER_TIMEOUT_MS)
            page.goto(live.url + "/docs")
            page.wait_for_selector(".opblock")
            listed = page.eval_on_selector_all(
                ".opblock",
                """blocks => blocks.map(b =>
                    b.querySelector('.opblock-summary-method').textContent + ' ' +
                    b.querySelector('.opblock-summary-path').getAttribute('data-path'))""",
            )
            assert set(listed) == _routes()

            page.click("button.authorize")
            page.fill(".modal-ux input", live.token("alice"))
            page.click(".modal-ux button.authorize")
            page.click(".modal-ux button.btn-done")
            operation = page.locator(
                ".opblock-get", has=page.locator('.opblock-summary-path[data-path="/api/mocs"]')
            )
            operation.locator(".opblock-summary").click()
            operation.locator("button.try-out__btn").click()
            operation.locator("button.execute").click()
            live_response = operation.locator(".live-responses-table .response").first
            live_response.locator(".response-col_status").wait_for()
            status = live_response.locator(".response-col_status").inner_text()
            body = live_response.locator(".response-col_description pre").first.inner_text()
        finally:
            browser.close()

    assert status.strip() == "200"
    titles = {moc["title"] for moc in json.loads(body)["data"]}
    alice = next(user for user in DEMO_USERS if user.username == "alice")
    assert titles == {moc["title"] for moc in alice.mocs}
