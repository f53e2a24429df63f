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

from django.db import OperationalError, connection, models, transaction

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


M = TypeVar("M", bound=models.Model)

# Fields whose conversion for the database is the identity for a value already of this exact
# type (or None): their values skip it. Exact classes only, so a subclass that converts (an
# encrypted text, say) keeps its own conversion.
_PLAIN_FIELDS: dict[type, type] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.BooleanField: bool,
    models.BigAutoField: int,
    models.AutoField: int,
}


def _plain_type(field: Any) -> type | None:
    if type(field) is models.ForeignKey:
        target = type(field.target_field)
        return _PLAIN_FIELDS[target] if target in (models.BigAutoField, models.AutoField) else None
    return _PLAIN_FIELDS.get(type(field))


def copy_objects(objects: list[M]) -> list[M]:
    """PostgreSQL: what ``bulk_create(objects)`` does (ids set on the objects, in their order; no
    signals), with one query drawing the ids from the table's sequence and one ``COPY``.

    Values go through each field's ``pre_save`` and ``get_db_prep_save`` as with ``bulk_create``;
    a unique constraint broken raises Django's ``IntegrityError`` as it would. For batches of
    hundreds of rows, where ``bulk_create``'s single INSERT costs more to build and bind on the
    client than the server spends running it."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_objects is PostgreSQL's; use bulk_create elsewhere")
    if not objects:
        return objects
    meta = objects[0]._meta
    db = transaction.get_connection()
    pk = meta.pk
    assert pk is not None
    if any(instance.pk is not None for instance in objects):
        raise ValueError("copy_objects draws the ids: give it objects without one")
    fields = list(meta.concrete_fields)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objects)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        for instance, pk_value in zip(objects, ids, strict=True):
            # As bulk_create: a related object assigned before it was saved is caught here.
            instance._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
            setattr(instance, pk.attname, pk_value)
        quote = db.ops.quote_name
        columns = ", ".join(quote(str(field.column)) for field in fields)
        plain = [_plain_type(field) for field in fields]
        with (
            db.wrap_database_errors,
            cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for instance in objects:
                row = []
                for field, kind in zip(fields, plain, strict=True):
                    value = field.pre_save(instance, True)
                    if kind is None or (value is not None and type(value) is not kind):
                        value = field.get_db_prep_save(value, db)
                    row.append(value)
                copy.write_row(row)
    for instance in objects:
        instance._state.adding = False
        instance._state.db = db.alias
    return objects
