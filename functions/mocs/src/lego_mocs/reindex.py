"""`lego-mocs-reindex [--recreate]`: rebuild the MOC index from PostgreSQL (lego_common.reindex
holds the command; this module says which index and which rows)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from lego_common import reindex as search_reindex
from lego_mocs import repository, search_index

if TYPE_CHECKING:
    from collections.abc import Iterator

    from psycopg import Connection


def documents(conn: Connection[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every MOC as (id, document), streamed from PostgreSQL."""
    return ((str(moc.id), search_index.document(moc)) for moc in repository.iter_all_mocs(conn))


def reindex(*, recreate: bool = False) -> int:
    """Index every MOC in bulk; return how many documents were indexed."""
    return search_reindex.reindex(search_index.INDEX, documents, recreate=recreate)


def main(argv: list[str] | None = None) -> int:
    return search_reindex.main(search_index.INDEX, documents, argv, prog="lego-mocs-reindex")


if __name__ == "__main__":
    sys.exit(main())
