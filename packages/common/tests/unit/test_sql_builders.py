"""lego_common.sql without a database: statements of the columns sent, pattern escaping."""

from __future__ import annotations

import re

import pytest
from psycopg import sql as psql

from lego_common import sql


def _text(query: psql.Composable) -> str:
    # as_string needs a connection only for literals; identifiers and placeholders render alone
    return query.as_string(None)


def test_writable_columns_sorts_the_names_sent() -> None:
    assert sql.writable_columns({"title": 1, "author": 2}, {"title", "author", "x"}) == [
        "author",
        "title",
    ]


def test_writable_columns_unknown_name_raises() -> None:
    with pytest.raises(ValueError, match="user_id"):
        sql.writable_columns({"user_id": "someone"}, {"title"})


def test_insert_statement_binds_each_column_by_name() -> None:
    query = sql.insert_statement("moc_instructions", ["user_id", "title"], returning="id, title")
    assert _text(query) == (
        'INSERT INTO "moc_instructions" ("user_id", "title") VALUES (%(user_id)s, %(title)s)'
        " RETURNING id, title"
    )


def test_update_statement_sets_columns_touches_updated_at_and_keeps_where() -> None:
    query = sql.update_statement(
        "gallery_images",
        ["description", "title"],
        where="id = %(id)s AND user_id = %(uid)s",
        returning="id",
        touch=("last_updated_at",),
    )
    assert _text(query) == (
        'UPDATE "gallery_images" SET "description" = %(description)s, "title" = %(title)s,'
        ' "last_updated_at" = now() WHERE id = %(id)s AND user_id = %(uid)s RETURNING id'
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("100%", "100\\%"), ("a_b", "a\\_b"), ("c:\\x", "c:\\\\x"), ("plain", "plain")],
)
def test_escape_like_makes_wildcards_literal(text: str, escaped: str) -> None:
    assert sql.escape_like(text) == escaped


def test_regex_literal_matches_only_the_text_itself() -> None:
    pattern = sql.regex_literal("r2.d2 (x)")
    assert pattern == "r2\\.d2\\ \\(x\\)"
    assert re.fullmatch(pattern, "r2.d2 (x)")
    assert not re.fullmatch(pattern, "r2xd2 (x)")


@pytest.mark.parametrize("text", ["नमस्ते", "Cafe\u0301", "👍🏽 x", "²Ⅻ", "a.b*c", "عربي"])
def test_regex_literal_puts_backslashes_only_before_ascii_punctuation(text: str) -> None:
    literal = sql.regex_literal(text)
    escaped = [literal[i + 1] for i, char in enumerate(literal) if char == "\\"]
    assert all(char.isascii() and not char.isalnum() for char in escaped)
    assert literal.replace("\\", "") == text.replace("\\", "")
