"""Cursor pagination for long lists: a page is the rows after (or before) a cursor row in a
fixed order, found with one row-value comparison that an index answers directly, so the
4,000th page costs what the first does. The cursor is the last (or first) row's sort key.
"""

import base64
import binascii
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Func, Value
from django.utils.dateparse import parse_datetime


class InvalidCursor(ValueError):
    """A page link whose cursor was not made by this site, or was altered."""


@dataclass(frozen=True)
class Ordering:
    keys: tuple[str, ...]  # field or annotation names; the last must be unique ("id")
    descending: bool = False

    def order_by(self, *, reverse: bool = False) -> list:
        descending = self.descending != reverse
        return [F(key).desc() if descending else F(key).asc() for key in self.keys]


@dataclass(frozen=True)
class CursorPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def paginate(
    queryset,
    ordering: Ordering,
    *,
    size: int,
    after: str = "",
    before: str = "",
) -> CursorPage:
    """A page of the queryset in this order, after (or before) the cursor's row."""
    backwards = bool(before) and not after
    cursor = before if backwards else after
    bound = _decode(cursor, key_fields(queryset, ordering)) if cursor else None
    rows = list(page_query(queryset, ordering, bound, backwards, size + 1))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    first, last = (_encode(rows[0], ordering), _encode(rows[-1], ordering)) if rows else ("", "")
    if backwards:
        return CursorPage(rows, next_cursor=last or None, previous_cursor=first if more else None)
    return CursorPage(
        rows, next_cursor=last if more else None, previous_cursor=first if cursor else None
    )


def page_query(queryset, ordering: Ordering, bound: list | None, backwards: bool, limit: int):
    """Up to `limit` rows of the queryset past the cursor row whose key values are `bound`
    (from the start when None), in the ordering's order or, backwards, its reverse."""
    rows = queryset.order_by(*ordering.order_by(reverse=backwards))
    if bound is not None:
        rows = rows.filter(beyond(ordering, bound, key_fields(queryset, ordering), backwards))
    return rows[:limit]


def paginate_ranked(
    ranked: list[tuple[float, int]], *, size: int, after: str = "", before: str = ""
) -> CursorPage:
    """A page of a ranking already computed, best first: (rank, pk) pairs, by the same
    cursors as paginate() gives for the (rank, id) descending order. The page's rows are
    the pairs; the caller loads the claims."""
    backwards = bool(before) and not after
    cursor = before if backwards else after
    if not cursor:
        rows = ranked[:size]
        return CursorPage(
            rows, next_cursor=_encode_key(rows[-1]) if len(ranked) > size else None,
            previous_cursor=None,
        )  # fmt: skip
    bound = _decode_key(cursor)
    # The first position past the cursor row in the ranking's order.
    position = next((i for i, key in enumerate(ranked) if key < bound), len(ranked))
    if backwards:
        at = next((i for i, key in enumerate(ranked) if key <= bound), len(ranked))
        rows = ranked[max(0, at - size) : at]
        more = at - size > 0
        return CursorPage(
            rows,
            next_cursor=_encode_key(rows[-1]) if rows else None,
            previous_cursor=_encode_key(rows[0]) if more else None,
        )
    rows = ranked[position : position + size]
    more = position + size < len(ranked)
    return CursorPage(
        rows,
        next_cursor=_encode_key(rows[-1]) if more else None,
        previous_cursor=_encode_key(rows[0]) if rows else None,
    )


def _encode_key(key: tuple) -> str:
    return _pack(list(key))


def _decode_key(cursor: str) -> tuple[float, int]:
    values = _unpack(cursor)
    if not isinstance(values, list) or len(values) != 2:
        raise InvalidCursor("This page link is not valid.")
    rank, pk = values
    try:
        rank = _finite_number(rank)
    except OverflowError as error:
        raise InvalidCursor("This page link is not valid.") from error
    if rank is None or type(pk) is not int:
        raise InvalidCursor("This page link is not valid.")
    return (rank, pk)


def beyond(ordering: Ordering, bound: list, fields: list, backwards: bool) -> Func:
    """(k1, k2, ..., id) > (v1, v2, ..., vn), or < for a descending order."""
    row = Func(*[F(key) for key in ordering.keys], template="(%(expressions)s)")
    values = [Value(value, output_field=field) for value, field in zip(bound, fields, strict=True)]
    descending = ordering.descending != backwards
    return Func(
        row,
        Func(*values, template="(%(expressions)s)"),
        template="%(expressions)s",
        arg_joiner=" < " if descending else " > ",
        output_field=models.BooleanField(),
    )


def key_fields(queryset, ordering: Ordering) -> list[models.Field]:
    fields = []
    for key in ordering.keys:
        if key in queryset.query.annotations:
            fields.append(queryset.query.annotations[key].output_field)
            continue
        try:
            fields.append(queryset.model._meta.get_field(key))
        except FieldDoesNotExist as error:
            raise ValueError(f"Cannot paginate on {key!r}.") from error
    return fields


def _pack(values: list) -> str:
    """A cursor: the sort key's values as JSON, in URL-safe base64."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _unpack(cursor: str):
    """The cursor's JSON. A cursor this site made is a flat list of strings and finite
    numbers: NaN and Infinity are refused, and so is nesting too deep to parse."""
    try:
        return json.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)),
            parse_constant=_refuse_constant,
        )
    except (binascii.Error, ValueError, RecursionError) as error:
        raise InvalidCursor("This page link is not valid.") from error


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a sort key's value.")


def _encode(row, ordering: Ordering) -> str:
    values = [getattr(row, key) for key in ordering.keys]
    return _pack([value.isoformat() if hasattr(value, "isoformat") else value for value in values])


def _decode(cursor: str, fields: list[models.Field]) -> list:
    """The cursor row's key values, each checked against its field before any query:
    of the type the site writes for it (an integer, a string, an ISO datetime with its
    offset), and a value the column can hold (within an integer column's range, a string
    without NUL characters, one of a field's choices)."""
    values = _unpack(cursor)
    if not isinstance(values, list) or len(values) != len(fields):
        raise InvalidCursor("This page link is not valid.")
    return [_key_value(value, field) for value, field in zip(values, fields, strict=True)]


def _key_value(value, field: models.Field):
    parse = _parser(field)
    try:
        parsed = parse(value)
        if parsed is None:
            raise ValueError(f"{value!r} is not a value of {field!r}.")
        field.clean(parsed, None)  # the field's own range, length and choices
    except (ValidationError, ValueError, OverflowError) as error:
        raise InvalidCursor("This page link is not valid.") from error
    return parsed


def _parser(field: models.Field) -> Callable:
    """Reads a cursor's value for the field, or gives None for one of the wrong type."""
    if isinstance(field, models.DateTimeField):
        return _datetime
    if isinstance(field, models.IntegerField):
        return lambda value: value if type(value) is int else None
    if isinstance(field, models.FloatField):
        return _finite_number
    if isinstance(field, (models.CharField, models.TextField)):
        return _text
    raise ValueError(f"Cannot paginate on a {type(field).__name__}.")


def _datetime(value):
    if not isinstance(value, str):
        return None
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)  # OverflowError near the calendar's ends


def _finite_number(value):
    """The value as a finite float; OverflowError for an integer too large for one."""
    if type(value) not in (int, float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _text(value):
    if not isinstance(value, str) or "\x00" in value:
        return None
    value.encode()  # UnicodeEncodeError (a ValueError) for a lone surrogate
    return value
