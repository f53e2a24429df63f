"""Living with SQLite's single writer (the embedded mode).

Writers wait for the lock (the busy timeout in settings) and transactions begin IMMEDIATE, but
SQLite's lock is not fair: a writer that commits and begins again at once can keep it from a
waiting process for longer than any timeout. Long writers therefore step aside between their
transactions (``yield_writer``), and a batch that still met "database is locked" is replayed
(``retry_when_locked``): each batch is one idempotent transaction, so a replay loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import OperationalError, connection, transaction

T = TypeVar("T")

YIELD_SECONDS = 0.05
RETRIES = 5


def on_sqlite() -> bool:
    return connection.vendor == "sqlite"


def yield_writer() -> None:
    """Let another process take the write lock between two of our transactions (SQLite only)."""
    if on_sqlite():
        time.sleep(YIELD_SECONDS)


def retry_when_locked(write: Callable[[], T], retries: int = RETRIES) -> T:
    """Run the transaction ``write``; on SQLite, replay it after a pause if the lock could not be
    had. ``write`` must be atomic and idempotent."""
    for attempt in range(retries):
        try:
            return write()
        except OperationalError as exc:
            if not on_sqlite() or "locked" not in str(exc) or attempt == retries - 1:
                raise
            time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL: append ``rows`` (one value per column of ``columns``, JSON already as text) to
    ``table`` with one ``COPY ... FROM STDIN``, in the caller's transaction.

    For the pipeline's large appends whose ids nobody reads back (analysis results, sketches):
    a multi-row INSERT of thousands of values costs the client more to bind (psycopg quotes every
    value and parses every placeholder of the statement in Python) than the server to run, while
    COPY's rows are formatted by psycopg's C code and parsed by the server as they stream."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_rows is PostgreSQL's; insert the rows with SQL elsewhere")
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    with transaction.get_connection().cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
