"""`lego-dev seed` (make seed): demo data in the running `make dev` stack, through the real API.

Users alice and bob get real tokens from the local pool (as `make token` does), then MOCs with
tags and titles people misspell (search has something to forgive), gallery albums, images drawn
here with Pillow (no binary file in git) and wishlist items. Every request goes through the
gateway, the authorizer and the handlers, so the data is exactly what the API would write.
Idempotent by title: what a user already has (same title) is left alone, so a second run
creates nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from lego_gateway import paths
from lego_gateway.cognito import UserPool, token_for
from lego_gateway.stack import read_state

if TYPE_CHECKING:
    from collections.abc import Iterator

PAGE_LIMIT = 100  # lego_common.validation.PageQuery's maximum


@dataclass(frozen=True, slots=True)
class DemoImage:
    title: str
    colour: tuple[int, int, int]
    tags: tuple[str, ...]
    album: str | None = None


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    mocs: tuple[dict[str, Any], ...]
    albums: tuple[dict[str, str], ...]
    images: tuple[DemoImage, ...]
    wishlist: tuple[dict[str, str], ...]


def _moc(title: str, theme: str, tags: list[str], parts: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "type": "moc",
        "theme": theme,
        "tags": tags,
        "partsCount": parts,
        **extra,
    }


def _set(title: str, number: str, year: int, tags: list[str]) -> dict[str, Any]:
    return {
        "title": title,
        "type": "set",
        "brand": "LEGO",
        "setNumber": number,
        "releaseYear": year,
        "tags": tags,
    }


# Twelve MOCs and sets; try searching "neuschwanstien", "colloseum" or "millenium falcon".
DEMO_USERS = (
    DemoUser(
        "alice",
        mocs=(
            _moc(
                "Neuschwanstein Castle", "Castle", ["castle", "architecture"], 3400, author="alice"
            ),
            _moc("Medieval Blacksmith", "Castle", ["castle", "medieval"], 2164, author="alice"),
            _moc("Colosseum Ruins", "Architecture", ["architecture", "rome"], 2980, author="alice"),
            _moc(
                "Lighthouse on the Cliffs", "Ideas", ["seaside", "lighthouse"], 1820, author="alice"
            ),
            _moc("Steampunk Airship", "Steampunk", ["steampunk", "airship"], 1450, author="alice"),
            _set("Millennium Falcon", "75192", 2017, ["star-wars", "ucs"]),
            _set("Hogwarts Castle", "71043", 2018, ["harry-potter", "castle"]),
        ),
        albums=(
            {"title": "Castle builds", "description": "Work in progress shots"},
            {"title": "Display shelf"},
        ),
        images=(
            DemoImage("Castle gatehouse", (120, 120, 130), ("castle",), "Castle builds"),
            DemoImage("Blacksmith forge", (170, 70, 40), ("castle", "medieval"), "Castle builds"),
            DemoImage("Falcon on the shelf", (150, 150, 150), ("star-wars",), "Display shelf"),
            DemoImage("Lighthouse at dusk", (40, 60, 140), ("seaside",)),
        ),
        wishlist=(
            {
                "title": "Eiffel Tower",
                "category": "Icons",
                "productLink": "https://www.lego.com/10307",
            },
            {"title": "AT-AT", "category": "Star Wars"},
            {"title": "Fire Station", "category": "City"},
        ),
    ),
    DemoUser(
        "bob",
        mocs=(
            _moc("Apollo Saturn V Launch Tower", "Space", ["space", "nasa"], 2600, author="bob"),
            _moc("Cyberpunk Noodle Bar", "Modular", ["cyberpunk", "modular"], 3100, author="bob"),
            _moc("Technic Excavator Mod", "Technic", ["technic", "motorized"], 4100, author="bob"),
            _set("Ghostbusters Ecto-1", "10274", 2020, ["ghostbusters", "vehicle"]),
            _set("Tyrannosaurus Rex Skeleton", "76968", 2023, ["jurassic", "dinosaur"]),
        ),
        albums=({"title": "Space"},),
        images=(
            DemoImage("Launch tower", (20, 20, 60), ("space",), "Space"),
            DemoImage("Noodle bar neon", (200, 30, 160), ("cyberpunk",)),
        ),
        wishlist=(
            {"title": "Titanic", "category": "Icons"},
            {"title": "Lunar Research Base", "category": "City"},
        ),
    ),
)


class SeedError(RuntimeError):
    """The API refused a seed request (the message names the call and the answer)."""


def png_of(image: DemoImage, size: tuple[int, int] = (640, 480)) -> bytes:
    """A small picture drawn in code: a baseplate of studs in the image's colour."""
    from PIL import Image, ImageDraw  # deferred: only seeding draws

    picture = Image.new("RGB", size, image.colour)
    draw = ImageDraw.Draw(picture)
    light = tuple(min(255, c + 60) for c in image.colour)
    for x in range(20, size[0], 40):
        for y in range(20, size[1], 40):
            draw.ellipse((x - 12, y - 12, x + 12, y + 12), fill=light)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@dataclass
class Tally:
    """What a run found and made, per user and kind (the summary line)."""

    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, *, created: bool) -> None:
        target = self.created if created else self.existing
        target[kind] = target.get(kind, 0) + 1

    def line(self, username: str) -> str:
        kinds = ("mocs", "albums", "images", "wishlist")
        parts = [
            f"{kind} {self.created.get(kind, 0) + self.existing.get(kind, 0)}"
            f" ({self.created.get(kind, 0)} new)"
            for kind in kinds
        ]
        return f"{username}: " + ", ".join(parts)


class ApiClient:
    """One user's calls, with the envelope unwrapped and any refusal raised as SeedError."""

    def __init__(self, http: httpx.Client, token: str) -> None:
        self.http = http
        self.headers = {"authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, headers=self.headers, **kwargs)
        if response.status_code >= 300:
            raise SeedError(f"{method} {path} answered {response.status_code}: {response.text}")
        return response.json()["data"]

    def pages(self, path: str) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            response = self.http.get(
                path, params={"page": page, "limit": PAGE_LIMIT}, headers=self.headers
            )
            if response.status_code != 200:
                raise SeedError(f"GET {path} answered {response.status_code}: {response.text}")
            body = response.json()
            yield from body["data"]
            if page * PAGE_LIMIT >= body.get("total", 0):
                return
            page += 1


def seed_user(api: ApiClient, user: DemoUser) -> Tally:
    """Create what user lacks, by title; returns what was found and made."""
    tally = Tally()
    mocs = {moc["title"] for moc in api.pages("/api/mocs")}
    for moc in user.mocs:
        is_new = moc["title"] not in mocs
        if is_new:
            api.call("POST", "/api/mocs", json=moc)
        tally.add("mocs", created=is_new)

    albums = {album["title"]: album["id"] for album in api.call("GET", "/api/albums")}
    for album in user.albums:
        is_new = album["title"] not in albums
        if is_new:
            albums[album["title"]] = api.call("POST", "/api/albums", json=album)["id"]
        tally.add("albums", created=is_new)

    images = {image["title"] for image in api.pages("/api/images")}
    for image in user.images:
        is_new = image.title not in images
        if is_new:
            form = {"title": image.title, "tags": ",".join(image.tags)}
            if image.album is not None:
                form["albumId"] = albums[image.album]
            slug = image.title.lower().replace(" ", "-")
            files = {"image": (f"{slug}.png", png_of(image), "image/png")}
            api.call("POST", "/api/images", data=form, files=files)
        tally.add("images", created=is_new)

    wishlist = {item["title"] for item in api.call("GET", "/api/wishlist")}
    for item in user.wishlist:
        is_new = item["title"] not in wishlist
        if is_new:
            api.call("POST", "/api/wishlist", json=item)
        tally.add("wishlist", created=is_new)
    return tally


def run(users: tuple[DemoUser, ...] = DEMO_USERS) -> list[str]:
    """Seed the stack of .local/dev-stack.json; one summary line per user."""
    state = read_state(paths.state_file())
    pool = UserPool(state["user_pool_id"], state["client_id"], state["region"])
    lines = []
    with httpx.Client(base_url=state["url"], timeout=60) as http:
        for user in users:
            token = token_for(pool, state["aws_endpoint_url"], user.username)
            lines.append(seed_user(ApiClient(http, token), user).line(user.username))
    return lines
