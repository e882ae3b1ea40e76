"""The few queries a public page runs on every request, compiled once instead of per
request.

For a lookup by key, building and compiling the queryset costs Django several times
what the database takes to answer, and PostgreSQL in turn spends about as long planning
such a query as running it. A PreparedQuery builds its queryset once per process, with
a placeholder where each of the request's values goes, keeps the compiled SQL, and on
PostgreSQL also prepares the statement once per connection (PREPARE, then EXECUTE), so
that a request pays only for running the query and building its rows.

Rows come back as the queryset would give them: model instances, with the objects its
select_related() names and its annotations, or tuples for values_list().

A prepared statement lives as long as its connection. Set PREPARED_STATEMENTS to false
behind a connection pooler that shares server sessions between clients (PgBouncer in
transaction mode); the compiled SQL is still reused. On other databases (SQLite, for
development) the queryset runs as it is.
"""

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

# Placeholders are values no request sends, one for each of a query's values, so that
# each can be found among the compiled query's parameters.
PLACEHOLDERS = {
    int: lambda number: 7_340_167_261_932_000 + number,
    str: lambda number: f"prepared-query-placeholder-c41d-{number}",
    datetime: lambda number: datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC) + timedelta(days=number),
}
_statement_numbers = itertools.count()
_FORMAT_MARKERS = re.compile(r"%[s%]")


@dataclass(frozen=True)
class _Slot:
    """Where one of the request's values goes among the query's parameters."""

    name: str


@dataclass
class _Compiled:
    sql: str
    prepare: str  # PREPARE <statement> (<types>) AS <sql with $1, $2…>
    execute: str  # EXECUTE <statement>(%s, %s…)
    parameters: tuple  # constants, and a _Slot for each request value
    rows: Callable  # fetched rows -> results


class PreparedQuery:
    """build(**placeholders) returns the queryset; each keyword names a request value and
    its type (int, str or datetime), and the query is called with those keywords. A
    `sliced` query also takes `offset` and `limit`: a page of numbered pages."""

    def __init__(self, build: Callable[..., QuerySet], *, sliced: bool = False, **parameters):
        unsupported = {name for name, kind in parameters.items() if kind not in PLACEHOLDERS}
        if unsupported:
            raise ImproperlyConfigured(f"Unsupported parameter types: {sorted(unsupported)}")
        self.build = build
        self.parameters = parameters
        self.sliced = sliced
        self.statement = f"prepared_query_{next(_statement_numbers)}"
        self._compiled: dict[str, _Compiled] = {}

    def __call__(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        expected = {*self.parameters, *(("offset", "limit") if self.sliced else ())}
        if values.keys() != expected:
            raise TypeError(f"Expected the values {sorted(expected)}, got {sorted(values)}")
        if connections[using].vendor != "postgresql":
            return list(self.queryset(**values).using(using))
        compiled = self._compiled.get(using) or self._compile(using)
        params = [
            values[part.name] if isinstance(part, _Slot) else part for part in compiled.parameters
        ]
        return compiled.rows(self._fetch(using, compiled, params))

    def queryset(self, **values) -> QuerySet:
        """The queryset itself, for the given values: what the prepared query returns."""
        if not self.sliced:
            return self.build(**values)
        offset, limit = values.pop("offset"), values.pop("limit")
        return self.build(**values)[offset : offset + limit]

    def _compile(self, using: str) -> "_Compiled":
        placeholders = {
            name: PLACEHOLDERS[kind](number)
            for number, (name, kind) in enumerate(self.parameters.items())
        }
        queryset = self.build(**placeholders)
        if self.sliced and queryset.query.is_sliced:
            raise ImproperlyConfigured(f"{self.statement}: a sliced query slices itself.")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = {(type(value), value): _Slot(name) for name, value in placeholders.items()}
        parameters = tuple(slots.get((type(value), value), value) for value in params)
        if self.sliced:
            sql += " LIMIT %s OFFSET %s"
            parameters += (_Slot("limit"), _Slot("offset"))
        missing = set(self.parameters) - {p.name for p in parameters if isinstance(p, _Slot)}
        if missing:
            raise ImproperlyConfigured(
                f"{self.statement}: the compiled query does not take {sorted(missing)} as a "
                "parameter of its own (a lookup that rewrites its value, such as "
                "icontains, cannot be prepared)."
            )
        numbers = itertools.count(1)
        numbered_sql = _FORMAT_MARKERS.sub(
            lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql
        )
        prepare, execute = f"PREPARE {self.statement}", f"EXECUTE {self.statement}"
        if parameters:
            prepare += f" ({', '.join(_postgresql_type(value) for value in parameters)})"
            execute += f"({', '.join(['%s'] * len(parameters))})"
        prepare += f" AS {numbered_sql}"
        compiled = _Compiled(sql, prepare, execute, parameters, _row_builder(queryset, compiler))
        self._compiled[using] = compiled
        return compiled

    def _fetch(self, using: str, compiled: _Compiled, params: list) -> list:
        connection = connections[using]
        with connection.cursor() as cursor:
            if not settings.PREPARED_STATEMENTS:
                cursor.execute(compiled.sql, params)
                return cursor.fetchall()
            prepared = _prepared_statements(connection)
            if self.statement not in prepared:
                # Straight to the driver: preparing is not one of the page's queries.
                with connection.wrap_database_errors, connection.connection.cursor() as raw:
                    raw.execute(compiled.prepare)
                prepared.add(self.statement)
            cursor.execute(compiled.execute, params or None)
            return cursor.fetchall()


def _postgresql_type(parameter) -> str:
    """A number is sent as a literal of its own type, but a prepared statement's parameter
    takes its type from where it is used, which a constant such as CASE ... THEN 2.0 does
    not say; the request's values and strings are left for PostgreSQL to infer."""
    if isinstance(parameter, bool):
        return "boolean"
    if isinstance(parameter, int):
        return "bigint"
    if isinstance(parameter, float):
        return "double precision"
    return "unknown"


def _prepared_statements(connection) -> set[str]:
    """The statements prepared on the connection's current database session: a new
    session (after a reconnect) starts with none."""
    session = connection.connection
    state = getattr(connection, "_prepared_statements", None)
    if state is None or state[0] is not session:
        state = (session, set())
        connection._prepared_statements = state
    return state[1]


def _row_builder(queryset: QuerySet, compiler) -> Callable[[list], list]:
    converted = _converter(compiler)
    iterable = queryset._iterable_class
    if iterable is ValuesListIterable:
        if converted is _unconverted:  # the driver's rows are tuples already
            return list
        return lambda rows: list(map(tuple, converted(rows)))
    if iterable is not ModelIterable:
        raise ImproperlyConfigured("A prepared query returns model instances or tuples.")
    return _ModelRows(queryset, compiler, converted)


def _converter(compiler) -> Callable[[list], Iterable]:
    """What compiler.results_iter() does to fetched rows, with the fields' converters
    looked up once rather than on every call."""
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    if compiler.has_composite_fields(fields):
        return lambda rows: compiler.results_iter([rows])
    converters = compiler.get_converters(fields)
    if not converters:
        return _unconverted
    return lambda rows: compiler.apply_converters(rows, converters)


def _unconverted(rows: list) -> list:
    return rows


class _ModelRows:
    """What ModelIterable does with the rows of a compiled query, with the work that
    depends only on the query's shape done once."""

    def __init__(self, queryset: QuerySet, compiler, converted: Callable[[list], Iterable]):
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise ImproperlyConfigured(
                "A prepared query is one query: build it from a manager, without prefetching."
            )
        self.db = queryset.db
        self.converted = converted
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        self.model = klass_info["model"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.annotations = tuple(compiler.annotation_col_map.items())

    def __call__(self, rows: list) -> list:
        model, start, end, db = self.model, self.start, self.end, self.db
        objects = []
        for row in self.converted(rows):
            instance = model.from_db(db, self.init_list, row[start:end])
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            objects.append(instance)
        return objects
