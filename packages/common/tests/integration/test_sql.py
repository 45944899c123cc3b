"""lego_common.sql on the real PostgreSQL: pages with totals, constraint names as API errors."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from lego_common import sql
from lego_common.errors import ConflictError, ValidationError
from lego_common.validation import OutputModel

_TABLE = """
CREATE TEMP TABLE things (
    id int PRIMARY KEY,
    name text NOT NULL CONSTRAINT things_name_key UNIQUE,
    size int CHECK (size >= 0),
    CONSTRAINT things_small_check CHECK (size < 100)
) ON COMMIT DROP
"""
_PAGE = """
SELECT id, name, (SELECT count(*) FROM things) AS total FROM things
ORDER BY id LIMIT %(limit)s OFFSET %(offset)s
"""
_TOTAL = "SELECT count(*) FROM things"


class Thing(OutputModel):
    id: int
    name: str


@pytest.fixture
def things(db_conn: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    db_conn.execute(_TABLE)
    db_conn.execute("INSERT INTO things (id, name) SELECT n, 't' || n FROM generate_series(1, 5) n")
    return db_conn


@pytest.mark.parametrize(
    ("limit", "offset", "ids", "total"),
    [(2, 0, [1, 2], 5), (2, 4, [5], 5), (2, 6, [], 5)],
)
def test_page_with_total_gives_models_and_the_total(
    things: psycopg.Connection[Any], limit: int, offset: int, ids: list[int], total: int
) -> None:
    params = {"limit": limit, "offset": offset}
    rows, counted = sql.page_with_total(things, Thing, _PAGE, _TOTAL, params)
    assert ([row.id for row in rows], counted) == (ids, total)
    assert all(type(row) is Thing for row in rows)


def test_page_with_total_first_page_of_nothing_is_zero(db_conn: psycopg.Connection[Any]) -> None:
    db_conn.execute(_TABLE)
    assert sql.page_with_total(db_conn, Thing, _PAGE, _TOTAL, {"limit": 2, "offset": 0}) == ([], 0)


def _insert(conn: psycopg.Connection[Any], **values: Any) -> None:
    columns = sql.writable_columns(values, {"id", "name", "size"})
    with conn.transaction():
        conn.execute(sql.insert_statement("things", columns, returning="id"), values)


def test_named_unique_constraint_raises_its_mapped_error(things: psycopg.Connection[Any]) -> None:
    taken = ConflictError.for_field("name", "already exists")
    with pytest.raises(ConflictError) as info, sql.constraint_errors({"things_name_key": taken}):
        _insert(things, id=10, name="t1")
    assert info.value is taken


def test_named_check_constraint_raises_its_mapped_error(things: psycopg.Connection[Any]) -> None:
    small = ValidationError.for_field("size", "too big")
    with (
        pytest.raises(ValidationError) as info,
        sql.constraint_errors({"things_small_check": small}),
    ):
        _insert(things, id=10, name="new", size=500)
    assert info.value is small


def test_unmapped_check_constraint_is_a_400_on_its_column(things: psycopg.Connection[Any]) -> None:
    with pytest.raises(ValidationError) as info, sql.constraint_errors({}, check_prefix="things"):
        _insert(things, id=10, name="new", size=-1)
    assert info.value.details["fieldErrors"] == {"size": ["invalid size"]}


def test_unmapped_violation_propagates_unchanged(things: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.UniqueViolation), sql.constraint_errors({}, check_prefix="t"):
        _insert(things, id=1, name="other")


def test_update_statement_changes_only_the_columns_sent(things: psycopg.Connection[Any]) -> None:
    query = sql.update_statement(
        "things", ["size"], where="id = %(id)s", returning="id, name, size", touch=()
    )
    row = things.execute(query, {"size": 7, "id": 2}).fetchone()
    assert row == (2, "t2", 7)


def _wide_characters() -> list[str]:
    """Every BMP character PostgreSQL text can hold, plus astral letters, digits and emoji."""
    bmp = [chr(c) for c in range(1, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    astral = [chr(c) for c in (*range(0x1D400, 0x1D800), *range(0x1F300, 0x1FB00), 0x20000)]
    return bmp + astral


@pytest.mark.parametrize("collation", ["default", "und-x-icu", "C"])
def test_regex_literal_matches_itself_for_every_character(
    db_conn: psycopg.Connection[Any], collation: str
) -> None:
    """The regex's collation decides PostgreSQL's character classes: the database's default
    (libc), ICU's Unicode classes and C's ASCII ones must all read the literal as the text."""
    chars = _wide_characters()
    texts = [*chars, "नमस्ते", "é", "👍🏽", "a.c", "(x|y)*", "\\d+", "[[:alpha:]]", "***:a"]
    patterns = ["^" + sql.regex_literal(text) + "$" for text in texts]
    failing = db_conn.execute(
        "SELECT array_agg(t) FROM unnest(%(t)s::text[], %(p)s::text[]) AS x(t, p)"
        f' WHERE NOT t ~ (p COLLATE "{collation}")',
        {"t": texts, "p": patterns},
    ).fetchone()
    assert failing == (None,)


@pytest.mark.parametrize(("text", "other"), [("a.c", "abc"), ("x+", "xx"), ("(a|b)", "a")])
def test_regex_literal_metacharacters_match_only_themselves(
    db_conn: psycopg.Connection[Any], text: str, other: str
) -> None:
    pattern = "^" + sql.regex_literal(text) + "$"
    row = db_conn.execute("SELECT %s ~ %s, %s ~ %s", (text, pattern, other, pattern)).fetchone()
    assert row == (True, False)
