"""The site's generation: one token naming the state of everything the public pages show.

Whole pages and computed values (counts, rankings) are cached under the generation they
were made in. A service that changes anything a public page shows calls site_changed(),
which writes a new generation when its transaction commits; from then on everything
cached under the old one is simply never read again, and expires. Nobody has to know
which pages show a claim. The generation lives in the shared cache, so a change made by
any process (a worker, a management command) reaches every other one at once, and a
generation evicted from the cache costs one round of misses, never a stale page.

The token starts with the time it was made, which the pages send as Last-Modified.

Each process also remembers the generation it last read for SITE_GENERATION_LOCAL_SECONDS
(a second by default; 0 in the tests), so that a conditional GET or a cached page costs
no round trip to read it: an anonymous reader may see a change up to that much later
(less than the max-age a proxy may keep the page for); editors are never served from
the cache, and the process that made a change sees it at once.
"""

import logging
import secrets
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.transaction import on_commit

KEY = "site-generation"

logger = logging.getLogger(__name__)


def _new_generation() -> str:
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


_remembered: tuple[str, float] = ("", 0.0)  # (generation, until when, monotonic)


def remembered_generation() -> str | None:
    """The generation this process read less than SITE_GENERATION_LOCAL_SECONDS ago."""
    generation, until = _remembered
    return generation if generation and time.monotonic() < until else None


def _remember(generation: str) -> str:
    global _remembered
    _remembered = (generation, time.monotonic() + settings.SITE_GENERATION_LOCAL_SECONDS)
    return generation


def site_generation(found: str | None = None, *, fresh: bool = False) -> str:
    """The current generation; `found` is what a caller already read from KEY. `fresh`
    reads it from the shared cache even when this process remembers one."""
    if found is not None:
        return _remember(found)
    if not fresh and (remembered := remembered_generation()):
        return remembered
    generation = cache.get(KEY)
    if generation is None:
        cache.add(KEY, _new_generation(), timeout=None)
        generation = cache.get(KEY) or _new_generation()
    return _remember(generation)


def generation_time(generation: str) -> datetime:
    """When the generation was made (to the second, as HTTP dates are)."""
    nanoseconds = int(generation.partition("-")[0], 16)
    return datetime.fromtimestamp(nanoseconds // 1_000_000_000, tz=UTC)


def _bump() -> None:
    generation = _new_generation()
    cache.set(KEY, generation, timeout=None)
    _remember(generation)


def site_changed() -> None:
    """Retire every cached page once the current transaction commits (at once outside one).

    A reader reads the generation before the data, so a page rendered from data older
    than the commit is stored under the old generation, which no one reads afterwards.
    Should the cache be unreachable, the write stands and the failure is logged: pages
    are then at most PAGE_CACHE_SECONDS old."""
    if not transaction.get_connection().in_atomic_block:
        _bump()  # nothing to wait for, and no database connection needed to know it
        return
    on_commit(_bump, robust=True)
