"""Rebuild an OpenSearch index from PostgreSQL (the source of truth): the command behind every
function's `lego-<function>-reindex`, which passes its index and how to read its documents.

    lego-<function>-reindex            # create the index if absent, (re)index every row
    lego-<function>-reindex --recreate # drop and recreate it first: removes deleted rows' documents

Run it once per environment before traffic (it creates the index with its mappings), and after
`search_index_failed` / `search_delete_failed` warnings. Reads the DB_* and OPENSEARCH_* env vars.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

import structlog

from lego_common import db, log, search
from lego_common.errors import AppError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from psycopg import Connection

    Documents = Callable[[Connection[Any]], Iterable[tuple[str, Mapping[str, Any]]]]

_log = structlog.get_logger()


def reindex(index: search.SearchIndex, documents: Documents, *, recreate: bool = False) -> int:
    """Index every (id, document) that documents(conn) yields, in bulk; return how many."""
    started = time.perf_counter()
    if recreate:
        search.delete_index(index.name)
    search.ensure_index(index.name, index.definition)
    with db.transaction() as conn:  # a server-side cursor lives in a transaction
        indexed = search.bulk_index(index.name, documents(conn))
    _log.info(
        "search_reindexed",
        index=index.name,
        indexed=indexed,
        recreated=recreate,
        duration_s=round(time.perf_counter() - started, 2),
    )
    return indexed


def main(
    index: search.SearchIndex, documents: Documents, argv: list[str] | None, *, prog: str
) -> int:
    """The command line: exit 0 when indexed, 1 when OpenSearch or the database is down."""
    parser = argparse.ArgumentParser(prog=prog, description=f"Rebuild {index.name} from SQL.")
    parser.add_argument(
        "--recreate", action="store_true", help="drop and recreate the index before indexing"
    )
    args = parser.parse_args(argv)
    log.configure()
    try:
        reindex(index, documents, recreate=args.recreate)
    except (search.SearchUnavailableError, AppError) as exc:  # OpenSearch or database down
        _log.error("search_reindex_failed", index=index.name, error=str(exc))
        return 1
    return 0
