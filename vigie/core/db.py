"""Living with SQLite's single writer (the embedded mode).

Writers wait for the lock (the busy timeout in settings) and transactions begin IMMEDIATE, but
SQLite's lock is not fair: a writer that commits and begins again at once can keep it from a
waiting process for longer than any timeout. Long writers therefore step aside between their
transactions (``yield_writer``), and a batch that still met "database is locked" is replayed
(``retry_when_locked``): each batch is one idempotent transaction, so a replay loses nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connection, models, transaction
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In

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


# How ``copy_objects`` turns a field's value into what COPY writes, decided once per field:
_AS_IS = 0  # its own type (or None): written as it is
_DATETIME = 1  # an aware datetime: psycopg writes it as it is, as the backend's adapter would
_JSON = 2  # JSON: the encoded text, which the server parses as COPY streams it
_CONVERT = 3  # anything else: the field's own get_db_prep_save


_JSON_TYPES = (dict, list, str, int, float, bool)


def _copy_plan(field: Any) -> tuple[int, type | None]:
    kind = _plain_type(field)
    if kind is not None:
        return _AS_IS, kind
    if type(field) is models.DateTimeField:
        return _DATETIME, datetime
    if type(field) is models.JSONField:
        return _JSON, None
    return _CONVERT, None


# Fields whose ``pre_save`` does more than read the attribute (auto_now dates and the like).
def _reads_attribute(field: Any) -> bool:
    return type(field).pre_save is models.Field.pre_save or (
        isinstance(field, models.DateField) and not (field.auto_now or field.auto_now_add)
    )


def copy_objects(objects: list[M]) -> list[M]:
    """PostgreSQL: what ``bulk_create(objects)`` does (ids set on the objects, in their order; no
    signals), with one query drawing the ids from the table's sequence and one ``COPY``.

    Values go through each field's ``pre_save`` and ``get_db_prep_save`` as with ``bulk_create``,
    but for those whose conversion is known to be the identity (texts, numbers, aware datetimes)
    or plain JSON encoding (``JSONField``: the encoded text, as ``copy_rows`` writes it);
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
        plan = [(field, field.attname, _reads_attribute(field), *_copy_plan(field)) for field in fields]
        with (
            db.wrap_database_errors,
            cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for instance in objects:
                attributes = instance.__dict__
                row = []
                for field, attname, plain_read, how, kind in plan:
                    value = attributes[attname] if plain_read else field.pre_save(instance, True)
                    if how == _AS_IS:
                        if value is not None and type(value) is not kind:
                            value = field.get_db_prep_save(value, db)
                    elif how == _DATETIME:
                        # A naive one goes through the field, for Django's warning and conversion.
                        if value is not None and (type(value) is not datetime or value.tzinfo is None):
                            value = field.get_db_prep_save(value, db)
                    elif how == _JSON and type(value) in _JSON_TYPES:
                        value = json.dumps(value, cls=getattr(field, "encoder", None))
                    else:
                        value = field.get_db_prep_save(value, db)
                    row.append(value)
                copy.write_row(row)
    for instance in objects:
        instance._state.adding = False
        instance._state.db = db.alias
    return objects


# Typed as the lookup it mixes into; at run time a plain mixin placed before ``In`` in the MRO.
if TYPE_CHECKING:
    _LookupBase = In
else:
    _LookupBase = object


class _AnyOf(_LookupBase):
    """``field__any_of=values``: ``field__in`` written ``field = ANY(%s)`` on PostgreSQL, the
    values passed as one array parameter, for the pipeline's batches of hundreds of ids.

    psycopg binds parameters on the client: an ``IN`` of 500 ids made it parse a statement of 500
    placeholders and quote each value, and Django prepare each one twice, which cost more than
    the server spent on the query. Same rows as ``__in`` (None never matches, an empty list
    matches nothing without a query); other databases, subqueries and values of another type
    than the field's plain one (see ``_PLAIN_FIELDS``) get ``__in`` itself. Registered when this
    module is imported (``vigie.core.apps`` does it at start-up)."""

    def _plain_values(self) -> list[Any] | None:
        """The values as they are, when they need no preparation; else None."""
        if not self.rhs_is_direct_value():
            return None
        kind = _plain_type(self.lhs.output_field)
        if kind is None or isinstance(self.rhs, str | bytes | dict):
            return None
        values = list(self.rhs)
        if all(value is None or type(value) is kind for value in values):
            return values
        return None

    def get_prep_lookup(self) -> Any:
        values = self._plain_values()
        return super().get_prep_lookup() if values is None else values

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Sequence[Any]]:
        values = self._plain_values()
        if values is None:
            return super().as_sql(compiler, connection)
        values = [value for value in values if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, values]


@models.Field.register_lookup
class AnyOf(_AnyOf, In):
    lookup_name = "any_of"


@ForeignObject.register_lookup
class RelatedAnyOf(_AnyOf, RelatedIn):
    """``any_of`` of a foreign key (``author_id__any_of``, ``mention__any_of``)."""

    lookup_name = "any_of"
