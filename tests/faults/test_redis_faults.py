"""Redis down, slow and hanging (issue 18): every route of every function answers as it does
with Redis healthy, the breaker lets one request per window pay the short timeout, and a
warning is logged. Redis sits behind the fault proxy; the clock of the breaker is injected."""

from __future__ import annotations

import base64
import io
import json
import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import structlog

from lego_common import cache
from lego_devstack.faults import Fault, ManualClock

if TYPE_CHECKING:
    from conftest import FaultStack  # type: ignore[import-not-found]

    from lego_gateway.testing import LocalApi

REDIS_TIMEOUT_S = 0.2  # REDIS_TIMEOUT_MS's default
SLOW_S = 1.0  # well above the client timeout


def _sub(api: LocalApi, user: str) -> str:
    payload = api.token(user).split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


class Tour:
    """Every route of functions/routes.json, in an order that makes each call meaningful, with
    the answer checked (reads after writes must show the write)."""

    def __init__(self, api: LocalApi, user: str, redis_health: str) -> None:
        self.api, self.user, self.redis_health = api, user, redis_health
        self.visited: set[str] = set()

    def call(self, route: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        method = route.split(" ", 1)[0]
        user = None if route == "GET /health" else self.user
        response = self.api.call(method, path, user, **kwargs)
        assert response.status_code == status, f"{route}: {response.status_code} {response.text}"
        self.visited.add(route)
        return response.json()

    def run(self) -> set[str]:
        health = self.call("GET /health", "/health")  # 200: Redis is optional (degraded at worst)
        assert health["components"]["redis"] == self.redis_health
        self._mocs_and_files()
        self._gallery()
        self._wishlist()
        self._profile()
        self._delete_moc()
        return self.visited

    def _mocs_and_files(self) -> None:
        title = f"Castle {uuid.uuid4().hex[:8]}"
        body = {"title": title, "type": "moc", "author": "Ann"}
        moc = self.call("POST /api/mocs", "/api/mocs", 201, json=body)["data"]
        self.moc_id = moc["id"]
        listed = self.call("GET /api/mocs", "/api/mocs")
        assert [m["title"] for m in listed["data"]] == [title]
        path = f"/api/mocs/{self.moc_id}"
        assert self.call("GET /api/mocs/{id}", path)["data"]["title"] == title
        self.call("PATCH /api/mocs/{id}", path, json={"title": f"{title} v2"})
        assert self.call("GET /api/mocs/{id}", path)["data"]["title"] == f"{title} v2"
        assert self.call("GET /api/mocs", "/api/mocs")["data"][0]["title"] == f"{title} v2"

        pdf = b"%PDF-1.7\n" + b"0" * 1024
        declared = {"filename": "castle.pdf", "contentType": "application/pdf", "size": len(pdf)}
        tickets = self.call(
            "POST /api/mocs/{id}/files", f"{path}/files", 201, json={"files": [declared]}
        )
        ticket = tickets["data"]["files"][0]
        sent = httpx.post(
            ticket["upload"]["url"], data=ticket["upload"]["fields"], files={"file": ("f", pdf)}
        )
        assert sent.status_code in (200, 201, 204), sent.text
        done = self.call(
            "POST /api/mocs/{id}/files/complete",
            f"{path}/files/complete",
            json={"fileIds": [ticket["id"]]},
        )
        assert done["data"]["ready"] == 1
        file_path = f"{path}/files/{ticket['id']}"
        assert (
            self.call("GET /api/mocs/{id}/files/{fileId}", file_path)["data"]["id"] == ticket["id"]
        )
        csv = b"Part ID;Part Name;Quantity;Color\r\n3001;Brick 2 x 4;4;Red\r\n"
        self.call(
            "POST /api/mocs/{id}/upload-parts-list",
            f"{path}/upload-parts-list",
            201,
            files={"file": ("parts.csv", csv, "text/csv")},
        )
        self.call("DELETE /api/mocs/{id}/files/{fileId}", file_path)
        files = self.call("GET /api/mocs/{id}", path)["data"].get("files", [])
        assert ticket["id"] not in [f["id"] for f in files]

    def _gallery(self) -> None:
        image = self.call(
            "POST /api/images",
            "/api/images",
            201,
            data={"title": "Front"},
            files={"image": ("front.jpg", _jpeg(), "image/jpeg")},
        )["data"]
        self.call(
            "POST /api/images/uploads",
            "/api/images/uploads",
            201,
            json={"contentType": "image/jpeg", "size": 1000},
        )
        assert self.call("GET /api/images", "/api/images")["total"] == 1
        path = f"/api/images/{image['id']}"
        self.call("PATCH /api/images/{id}", path, json={"title": "Back"})
        assert self.call("GET /api/images/{id}", path)["data"]["title"] == "Back"
        self.call("POST /api/images/{id}/flag", f"{path}/flag", 202, json={"reason": "test"})
        link = {"mocId": self.moc_id}
        self.call("POST /api/images/{id}/mocs", f"{path}/mocs", json=link)
        moc = self.call("GET /api/mocs/{id}", f"/api/mocs/{self.moc_id}")["data"]
        assert [i["id"] for i in moc["images"]] == [image["id"]]
        self.call("DELETE /api/images/{id}/mocs/{mocId}", f"{path}/mocs/{self.moc_id}")

        album = self.call("POST /api/albums", "/api/albums", 201, json={"title": "Castle"})["data"]
        album_path = f"/api/albums/{album['id']}"
        assert self.call("GET /api/albums", "/api/albums")["total"] == 1
        self.call("PATCH /api/albums/{id}", album_path, json={"title": "Keep"})
        assert self.call("GET /api/albums/{id}", album_path)["data"]["title"] == "Keep"
        self.call("POST /api/albums/{id}/mocs", f"{album_path}/mocs", json=link)
        self.call("DELETE /api/albums/{id}/mocs/{mocId}", f"{album_path}/mocs/{self.moc_id}")
        self.call("DELETE /api/albums/{id}", album_path)
        self.call("DELETE /api/images/{id}", path)
        assert self.call("GET /api/images", "/api/images")["total"] == 0
        assert self.call("GET /api/albums", "/api/albums")["total"] == 0

    def _wishlist(self) -> None:
        first = self.call("POST /api/wishlist", "/api/wishlist", 201, json={"title": "Falcon"})
        second = self.call("POST /api/wishlist", "/api/wishlist", 201, json={"title": "AT-AT"})
        ids = [first["data"]["id"], second["data"]["id"]]
        path = f"/api/wishlist/{ids[0]}"
        self.call("PATCH /api/wishlist/{id}", path, json={"title": "Millennium Falcon"})
        assert self.call("GET /api/wishlist/{id}", path)["data"]["title"] == "Millennium Falcon"
        moves = {"items": [{"id": ids[1], "sortOrder": 0}]}
        self.call("POST /api/wishlist/reorder", "/api/wishlist/reorder", json=moves)
        listed = self.call("GET /api/wishlist", "/api/wishlist")
        assert [i["id"] for i in listed["data"]] == [ids[1], ids[0]]
        image = {"image": ("falcon.jpg", _jpeg(), "image/jpeg")}
        self.call("POST /api/wishlist/{id}/image", f"{path}/image", files=image)
        assert "imageUrl" in self.call("GET /api/wishlist/{id}", path)["data"]
        self.call("DELETE /api/wishlist/{id}/image", f"{path}/image")
        assert "imageUrl" not in self.call("GET /api/wishlist/{id}", path)["data"]
        self.call("DELETE /api/wishlist/{id}", path)
        assert self.call("GET /api/wishlist", "/api/wishlist")["total"] == 1

    def _profile(self) -> None:
        me = f"/api/users/{_sub(self.api, self.user)}"
        stats = self.call("GET /api/users/{id}", me)["data"]["stats"]
        assert (stats["totalMOCs"], stats["totalImages"], stats["totalWishlistItems"]) == (1, 0, 1)
        self.call("PATCH /api/users/{id}", me, json={"name": "Ann the Builder"})
        assert self.call("GET /api/users/{id}", me)["data"]["name"] == "Ann the Builder"
        avatar = {"image": ("me.jpg", _jpeg(), "image/jpeg")}
        self.call("POST /api/users/{id}/avatar", f"{me}/avatar", files=avatar)
        assert "picture" in self.call("GET /api/users/{id}", me)["data"]
        self.call("DELETE /api/users/{id}/avatar", f"{me}/avatar")
        assert "picture" not in self.call("GET /api/users/{id}", me)["data"]

    def _delete_moc(self) -> None:
        path = f"/api/mocs/{self.moc_id}"
        self.call("DELETE /api/mocs/{id}", path)
        self.call("GET /api/mocs/{id}", path, 404)
        assert self.call("GET /api/mocs", "/api/mocs")["total"] == 0
        me = f"/api/users/{_sub(self.api, self.user)}"
        assert self.call("GET /api/users/{id}", me)["data"]["stats"]["totalMOCs"] == 0


def _warnings(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in logs if e["event"] == "cache_unavailable"]


def _tour_under(
    faults: FaultStack, fault: Fault, latency_s: float = 0.0
) -> tuple[set[str], list[dict[str, Any]]]:
    user = f"ann-{uuid.uuid4().hex[:8]}"
    with faults.redis_proxy.faulted(fault, latency_s), structlog.testing.capture_logs() as logs:
        health = "healthy" if fault is Fault.NONE else "unhealthy"
        visited = Tour(faults.api, user, health).run()
    return visited, logs


def test_tour_with_redis_healthy_covers_every_route(
    faults: FaultStack, clock: ManualClock, routes_json: dict[str, Any]
) -> None:
    """The baseline: the tour's checks hold with the cache on, and it visits every route."""
    visited, logs = _tour_under(faults, Fault.NONE)
    assert visited == set(routes_json)
    assert _warnings(logs) == []


@pytest.mark.parametrize(
    ("fault", "latency_s"),
    [(Fault.RESET, 0.0), (Fault.LATENCY, SLOW_S), (Fault.BLACKHOLE, 0.0)],
    ids=["down", "slow", "hanging"],
)
def test_every_route_answers_and_one_request_per_window_pays_the_timeout(
    faults: FaultStack,
    clock: ManualClock,
    routes_json: dict[str, Any],
    fault: Fault,
    latency_s: float,
) -> None:
    visited, logs = _tour_under(faults, fault, latency_s)
    assert visited == set(routes_json)
    # the clock never moved: the first Redis call opened the breaker, every later one skipped
    # Redis, so the whole tour (60-odd requests) paid one timeout and logged one warning
    warnings = _warnings(logs)
    assert len(warnings) == 1, warnings
    assert warnings[0]["log_level"] == "warning"
    assert faults.redis_proxy.accepted >= 1

    with faults.redis_proxy.faulted(fault, latency_s), structlog.testing.capture_logs() as later:
        user = f"bob-{uuid.uuid4().hex[:8]}"
        faults.api.call("GET", "/api/mocs", user)
        clock.advance(cache.breaker().cooldown_s)  # the next window: one trial, which fails
        assert faults.api.call("GET", "/api/mocs", user).status_code == 200
        assert faults.api.call("GET", "/api/mocs", user).status_code == 200
    assert len(_warnings(later)) == 1


def test_redis_back_closes_the_breaker_after_the_window(
    faults: FaultStack, clock: ManualClock
) -> None:
    user = f"cid-{uuid.uuid4().hex[:8]}"
    with faults.redis_proxy.faulted(Fault.RESET):
        assert faults.api.call("GET", "/api/mocs", user).status_code == 200
    assert cache.breaker().is_open
    assert faults.api.call("GET", "/api/mocs", user).status_code == 200
    assert cache.breaker().is_open  # within the window Redis is not tried, even if back
    clock.advance(cache.breaker().cooldown_s)
    assert faults.api.call("GET", "/api/mocs", user).status_code == 200
    assert not cache.breaker().is_open
