"""Searching stored texts for word prefixes, on either database: the pieces the site's
search (claims.search, questions.search) builds its queries from."""

import re

from django.db.models import Q


def prefix_tsquery(concepts: list[tuple[str, ...]], *, every: bool) -> str:
    """A PostgreSQL tsquery (raw syntax) true of a text that holds, for every concept (or
    for any), a word starting with one of its keys."""
    joiner = " & " if every else " | "
    return joiner.join(f"({' | '.join(map(_prefix_term, keys))})" for keys in concepts)


def _prefix_term(key: str) -> str:
    """A key as a tsquery: each of its words as a prefix ("blood pressur" → blood:* <->
    pressur:*), letters and digits only, so nothing typed is read as an operator."""
    parts = ["".join(ch for ch in part if ch.isalnum()) for part in re.split(r"[\s'’-]+", key)]
    parts = [part for part in parts if part]
    return " <-> ".join(f"{part}:*" for part in parts) or "''"


def contains_condition(
    fields: tuple[str, ...], concepts: list[tuple[str, ...]], *, every: bool
) -> Q:
    """The same test as prefix_tsquery() for a database without full-text search: one of
    the fields contains one of each (or any) concept's keys."""
    condition = Q()
    for keys in concepts:
        either = Q()
        for key in keys:
            for name in fields:
                either |= Q(**{f"{name}__icontains": key})
        condition = condition & either if every else condition | either
    return condition
