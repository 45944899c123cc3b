"""Rebuild the OpenSearch index of MOCs from PostgreSQL (the source of truth).

    lego-mocs-reindex            # create the index if absent, (re)index every MOC
    lego-mocs-reindex --recreate # drop and recreate it first: removes documents of deleted MOCs

Run it once per environment before traffic (it creates the index with its mappings), and after
`search_index_failed` / `search_delete_failed` warnings. Reads the DB_* and OPENSEARCH_* env vars.
"""

from __future__ import annotations

import argparse
import sys
import time

import structlog

from lego_common import db, log, search
from lego_common.errors import AppError
from lego_mocs import repository, search_index

_log = structlog.get_logger()


def reindex(*, recreate: bool = False) -> int:
    """Index every MOC in bulk; return how many documents were indexed."""
    started = time.perf_counter()
    if recreate:
        search_client = search.client()
        if search_client is None:
            raise search.SearchUnavailableError("OPENSEARCH_URL is not set")
        search_client.indices.delete(index=search_index.INDEX, ignore=[404])
    search.ensure_index(search_index.INDEX, search_index.DEFINITION)
    with db.transaction() as conn:  # a server-side cursor lives in a transaction
        documents = (
            (str(moc.id), search_index.document(moc)) for moc in repository.iter_all_mocs(conn)
        )
        indexed = search.bulk_index(search_index.INDEX, documents)
    _log.info(
        "mocs_reindexed",
        indexed=indexed,
        recreated=recreate,
        duration_s=round(time.perf_counter() - started, 2),
    )
    return indexed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lego-mocs-reindex", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--recreate", action="store_true", help="drop and recreate the index before indexing"
    )
    args = parser.parse_args(argv)
    log.configure()
    try:
        reindex(recreate=args.recreate)
    except (search.SearchUnavailableError, AppError) as exc:  # OpenSearch or database down
        _log.error("mocs_reindex_failed", error=str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
