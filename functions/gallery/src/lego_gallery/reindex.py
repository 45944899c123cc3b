"""`lego-gallery-reindex [--recreate]`: rebuild the gallery_images index from PostgreSQL."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from lego_common import reindex as search_reindex
from lego_gallery import repository, search_index

if TYPE_CHECKING:
    from collections.abc import Iterator

    from psycopg import Connection


def documents(conn: Connection[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every image as (id, document), streamed from PostgreSQL."""
    return (
        (str(image.id), search_index.document(image)) for image in repository.iter_all_images(conn)
    )


def reindex(*, recreate: bool = False) -> int:
    return search_reindex.reindex(search_index.INDEX, documents, recreate=recreate)


def main(argv: list[str] | None = None) -> int:
    return search_reindex.main(search_index.INDEX, documents, argv, prog="lego-gallery-reindex")


if __name__ == "__main__":
    sys.exit(main())
