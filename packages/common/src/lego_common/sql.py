"""SQL helpers every repository.py needs: INSERT/UPDATE of the columns a caller sent, a page
with its total in one statement, literal LIKE/regex text, and constraint names mapped to the
API errors they mean (the database decides 409/400, so concurrent requests stay correct)."""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from lego_common.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Mapping

    from pydantic import BaseModel, TypeAdapter

    from lego_common.errors import AppError

ModelT = TypeVar("ModelT", bound="BaseModel")


# --- statements of the columns a caller sent ----------------------------------------------------


def writable_columns(values: Iterable[str], allowed: Collection[str]) -> list[str]:
    """The column names of values, sorted; any name outside allowed is a bug (ValueError)."""
    columns = sorted(values)
    unknown = [name for name in columns if name not in allowed]
    if unknown:
        raise ValueError(f"not writable: {unknown}")
    return columns


def insert_statement(table: str, columns: Iterable[str], *, returning: str) -> sql.Composed:
    """INSERT INTO table (columns) VALUES (%(column)s, ...) RETURNING returning.

    Values are bound by column name; `returning` is a constant column list of the repository."""
    names = list(columns)
    return sql.SQL("INSERT INTO {table} ({cols}) VALUES ({vals}) RETURNING {returning}").format(
        table=sql.Identifier(table),
        cols=sql.SQL(", ").join(map(sql.Identifier, names)),
        vals=sql.SQL(", ").join(map(sql.Placeholder, names)),
        returning=sql.SQL(returning),  # a constant of the caller
    )


def update_statement(
    table: str,
    columns: Iterable[str],
    *,
    where: str,
    returning: str,
    touch: Iterable[str] = ("updated_at",),
) -> sql.Composed:
    """UPDATE table SET column = %(column)s, ..., <touch> = now() WHERE where RETURNING ...

    Values are bound by column name, so `where`'s parameters must not share a column's name
    (use %(id)s / %(uid)s for the key and the owner); a None value clears the column."""
    assignments = [
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in columns
    ]
    assignments += [sql.SQL("{} = now()").format(sql.Identifier(name)) for name in touch]
    return sql.SQL("UPDATE {table} SET {assignments} WHERE {where} RETURNING {returning}").format(
        table=sql.Identifier(table),
        assignments=sql.SQL(", ").join(assignments),
        where=sql.SQL(where),  # a constant of the caller
        returning=sql.SQL(returning),
    )


# --- pages -------------------------------------------------------------------------------------


def page_with_total(
    conn: psycopg.Connection[Any],
    model: type[ModelT],
    page_sql: str,
    total_sql: str,
    params: Mapping[str, Any],
) -> tuple[list[ModelT], int]:
    """A page of rows as models and the total, in one round trip when the page has rows.

    page_sql selects the rows plus a `total` column (a scalar subquery or a window count);
    only a page past the end (`params["offset"]` > 0, no rows) runs total_sql for the total."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(page_sql, params).fetchall()
        if rows:
            total = int(rows[0]["total"] or 0)
        elif params["offset"]:
            found = cur.execute(total_sql, params).fetchone()
            total = int(next(iter(found.values())) or 0) if found else 0
        else:
            total = 0
    # one pydantic-core call validates the page (class_row costs ~5 us a row); `total` is ignored
    return list_adapter(model).validate_python(rows), total


@functools.cache
def list_adapter(model: type[ModelT]) -> TypeAdapter[list[ModelT]]:
    """The TypeAdapter of list[model], built once per model."""
    from pydantic import TypeAdapter

    return TypeAdapter(list[model])  # type: ignore[valid-type]


# --- user text inside patterns -----------------------------------------------------------------


def escape_like(text: str) -> str:
    """User text as a literal inside LIKE/ILIKE (default escape \\): % and _ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def regex_literal(text: str) -> str:
    """Text as a literal inside a PostgreSQL regex: a backslash before every ASCII character
    that is not a letter or digit (every regex metacharacter is one), nothing else.

    The rule both sides agree on whatever the version, locale or collation: PostgreSQL reads
    backslash + ASCII non-alphanumeric as that character, and no non-ASCII character is
    special. Python's isalnum() is not that rule: it put a backslash before Devanagari vowel
    signs, viramas, combining marks and emoji, which only works while the server treats every
    non-ASCII character after a backslash as plain (PostgreSQL 15's lexer does; a server whose
    escape check follows its locale reads some of them as invalid escapes)."""
    return "".join("\\" + c if c.isascii() and not c.isalnum() else c for c in text)


# --- constraint violations as API errors -------------------------------------------------------


@contextlib.contextmanager
def constraint_errors(
    errors: Mapping[str, AppError], *, check_prefix: str | None = None
) -> Iterator[None]:
    """Raise errors[constraint] for an integrity violation of a named constraint (build the
    map per call: the error raised is that instance).

    With check_prefix (the table's name), any other CHECK violation is a 400 on the field its
    default name carries (`<table>_<field>_check`); everything else propagates unchanged.
    """
    try:
        yield
    except psycopg.errors.IntegrityError as exc:
        name = exc.diag.constraint_name or ""
        error = errors.get(name)
        if error is not None:
            raise error from None
        if check_prefix is not None and isinstance(exc, psycopg.errors.CheckViolation):
            field = name.removeprefix(check_prefix + "_").removesuffix("_check")
            raise ValidationError.for_field(field, f"invalid {field}") from None
        raise
