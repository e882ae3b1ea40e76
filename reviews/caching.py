"""The public pages' cache and what invalidates it.

Every cached page depends on a few *tags*: ``claim:<slug>``, ``document:<slug>`` or
``study:<pk>`` for a detail page, ``lists`` for every page that lists or counts claims,
and ``site`` for all of them. A tag's version is a random token kept in the cache, and a
cached page carries the versions of its tags it was rendered under; it is served only
while they are still current (one round trip fetches both). When something changes, the writes
that changed it bump the tags of every page that shows it, once the transaction commits;
the next request for those pages misses and renders afresh. Nobody has to know which URLs
were cached, and a tag evicted from the cache (or expired, once nothing stamped with it can
still be there) only costs a miss, never a stale page.

Anonymous readers get cached pages; anyone logged in always gets a fresh one.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from claims.models import Claim, Excerpt
from reviews.models import EvidenceLink

SITE = "site"
LISTS = "lists"
VALUE_SECONDS = 3600

_deferred: ContextVar[set[str] | None] = ContextVar("deferred_page_tags", default=None)


def claim_tag(slug: str) -> str:
    return f"claim:{slug}"


def document_tag(slug: str) -> str:
    return f"document:{slug}"


def study_tag(pk: int) -> str:
    return f"study:{pk}"


def _tag_key(tag: str) -> str:
    return f"pagetag:{tag}"


def _tag_seconds() -> int:
    """A tag need only outlive the pages and values stamped with its version; after that
    its expiry costs nothing, and requests for pages that do not exist leave no keys
    behind for good."""
    return max(settings.PAGE_CACHE_SECONDS, VALUE_SECONDS)


def tag_versions(tags: Iterable[str], *, also: str = "") -> tuple[list[str], object]:
    """The current version of each tag, creating a fresh one for a tag not in the cache;
    and, fetched in the same round trip, the cached value under `also` (or None)."""
    keys = [_tag_key(tag) for tag in tags]
    found = cache.get_many([*keys, also] if also else keys)
    extra = found.pop(also, None) if also else None
    missing = {key: secrets.token_hex(8) for key in keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=_tag_seconds())
        found.update(missing)
    return [found[key] for key in keys], extra


def tags_bump(tags: Iterable[str]) -> None:
    """Invalidate every page under these tags, now and again when the transaction commits:
    a page rendered in between, from data the reader saw before the commit, is dropped by
    the second bump, and a rolled-back change costs nothing but a few misses."""
    tags = set(tags)
    if not tags:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update(tags)
        return

    def bump():
        cache.set_many(
            {_tag_key(tag): secrets.token_hex(8) for tag in tags}, timeout=_tag_seconds()
        )

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


@contextmanager
def page_invalidation_deferred() -> Iterator[None]:
    """For bulk loads: skip per-row invalidation and invalidate every page once at the end."""
    pending: set[str] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if pending:
        tags_bump([SITE])


def page_cache_applies(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
    )


def _page_key(request: HttpRequest) -> str:
    identity = "|".join([request.get_host(), request.get_full_path()])
    return "page:" + hashlib.sha256(identity.encode()).hexdigest()


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )


def cached_public_page(tags: Callable[..., list[str]] = lambda **kwargs: []):
    """Serve the view from the page cache for anonymous readers. `tags` maps the view's
    URL keyword arguments to the tags of the data the page shows."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not page_cache_applies(request):
                return view(request, *args, **kwargs)
            # One round trip: the page (with the tag versions it was rendered under) and the
            # tags' current versions. A page rendered under older versions is stale.
            key = _page_key(request)
            versions, entry = tag_versions([SITE, *tags(**kwargs)], also=key)
            if entry is not None and entry[0] == versions:
                return entry[1]
            response = view(request, *args, **kwargs)
            if not _cacheable(response):
                return response

            def store(rendered):
                cache.set(key, (versions, rendered), settings.PAGE_CACHE_SECONDS)

            if hasattr(response, "add_post_render_callback") and not response.is_rendered:
                response.add_post_render_callback(store)
            else:
                store(response)
            return response

        return wrapper

    return decorator


def cached_under(tags: Iterable[str], identity: str, compute: Callable[[], object]):
    """A computed value (a count, a tally) kept until any of the tags is bumped, so a list
    does not recount 100,000 rows on every request even when whole pages are not cached.
    Like a page, it is stored with the tag versions it was computed under, and fetched
    with the current ones in one round trip."""
    key = "value:" + hashlib.sha256(identity.encode()).hexdigest()
    versions, entry = tag_versions([SITE, *tags], also=key)
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = compute()
    cache.set(key, (versions, value), VALUE_SECONDS)
    return value


def claims_page_tags(claim_ids: Iterable[int]) -> set[str]:
    """The tags of every page that shows these claims: their own pages, the documents that
    quote them, the studies linked to them, the claims that contradict them, and the lists."""
    ids = {pk for pk in claim_ids if pk is not None}
    if not ids:
        return set()
    claims = Claim.objects.filter(pk__in=ids)
    related = Claim.contradicts.through.objects.filter(from_claim__in=ids)
    documents = Excerpt.objects.filter(claim__in=ids).values_list("document__slug", flat=True)
    studies = EvidenceLink.objects.filter(claim__in=ids).values_list("study_id", flat=True)
    return {
        LISTS,
        *(claim_tag(slug) for slug in claims.values_list("slug", flat=True)),
        *(claim_tag(slug) for slug in related.values_list("to_claim__slug", flat=True)),
        *(document_tag(slug) for slug in documents.distinct()),
        *(study_tag(pk) for pk in studies.distinct()),
    }
