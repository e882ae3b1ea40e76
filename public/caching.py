"""Whole public pages for anonymous readers, cached under the site's generation
(config/generation.py), and the HTTP headers that let a browser, a CDN or a reverse proxy
keep them too.

An anonymous GET is answered, in order: 304 Not Modified when the reader already holds
the current version (its ETag is the generation), without rendering; the cached page
when it was rendered in the current generation; otherwise a fresh page, which is then
cached. Every public response says `Cache-Control: public` with a short max-age and
stale-while-revalidate. Anyone logged in always gets a fresh page, marked private.

Below whole pages, parts of them are cached under the same generation, for everyone:
computed values (cached_value) and rendered list rows (rendered_rows), which a page
missing from the page cache (a new search, another page of a list, an editor's view)
then reads rather than recomputes.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.utils.safestring import SafeString
from django.views.decorators.http import condition

from config.generation import KEY as GENERATION_KEY
from config.generation import generation_time, remembered_generation, site_generation

VALUE_SECONDS = 3600
# Each process also keeps the pages it served last in its own memory (the "local-pages"
# cache), keyed by the generation they were made in: a change anywhere retires them as it
# retires the shared copies, and a remembered generation (config/generation.py) finds them
# without a round trip.
LOCAL_PAGES = "local-pages"
LOCAL_PAGE_SECONDS = 60


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


_UNREAD = object()


def _generation_and(key: str) -> tuple[str, object]:
    """The generation and, when it takes no extra round trip, the entry cached under `key`
    (else _UNREAD: a conditional GET answered 304 needs only the generation)."""
    if generation := remembered_generation():
        return generation, _UNREAD
    found = cache.get_many([GENERATION_KEY, key])
    return site_generation(found.get(GENERATION_KEY)), found.get(key)


def _public_headers(response: HttpResponse) -> HttpResponse:
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_MAX_AGE,
        stale_while_revalidate=settings.PUBLIC_STALE_WHILE_REVALIDATE,
    )
    patch_vary_headers(response, ["Cookie"])
    return response


def _local_pages():
    return caches[LOCAL_PAGES]


def _cached_page(key: str, generation: str, entry) -> HttpResponse | None:
    """The page cached under `key` in this generation: from this process's memory, else
    from the shared cache (`entry`, if already read), which this process then keeps too."""
    if entry is _UNREAD and (page := _local_pages().get(f"{key}:{generation}")) is not None:
        return page
    if entry is _UNREAD:
        entry = cache.get(key)
    if entry is None or entry[0] != generation:
        return None
    _local_pages().set(f"{key}:{generation}", entry[1], LOCAL_PAGE_SECONDS)
    return entry[1]


def cached_public_page(view: Callable) -> Callable:
    """Serve the view to anonymous readers from the page cache, with conditional GET."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            if request.user.is_authenticated:
                add_never_cache_headers(response)
                patch_cache_control(response, private=True)
            return response
        key = _page_key(request)
        generation, entry = _generation_and(key)
        request.site_generation = generation

        def render(request, *args, **kwargs):
            if settings.PAGE_CACHE_SECONDS and (page := _cached_page(key, generation, entry)):
                return page
            response = view(request, *args, **kwargs)
            if settings.PAGE_CACHE_SECONDS > 0 and _cacheable(response):

                def store(rendered):
                    cache.set(key, (generation, rendered), settings.PAGE_CACHE_SECONDS)
                    _local_pages().set(f"{key}:{generation}", rendered, LOCAL_PAGE_SECONDS)

                if hasattr(response, "add_post_render_callback") and not response.is_rendered:
                    response.add_post_render_callback(store)
                else:
                    store(response)
            return response

        conditional = condition(
            etag_func=lambda request, *args, **kwargs: quote_etag(generation),
            last_modified_func=lambda request, *args, **kwargs: generation_time(generation),
        )(render)
        response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304):
            _public_headers(response)
        return response

    return wrapper


def cached_value(identity: str, compute: Callable[[], object], generation: str = ""):
    """A computed value (a count, a ranking) kept until anything public changes, so a list
    does not recount 100,000 rows on every request even when whole pages are not cached.
    `generation`: the request's (page_generation), when the caller knows it."""
    key = "value:" + hashlib.sha256(identity.encode()).hexdigest()
    entry = _UNREAD
    if not generation:
        generation, entry = _generation_and(key)
    if entry is _UNREAD:
        entry = cache.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    value = compute()
    cache.set(key, (generation, value), VALUE_SECONDS)
    return value


def page_generation(request: HttpRequest) -> str:
    """The generation the parts of this request's page are cached under: the page's own
    for an anonymous reader; for anyone logged in, read afresh, so an editor's page is
    made of parts no older than the last commit."""
    if not hasattr(request, "site_generation"):
        request.site_generation = site_generation(fresh=True)
    return request.site_generation


def rendered_rows(request: HttpRequest, rows, template_name: str, name: str) -> list[SafeString]:
    """Each of `rows` rendered by `template_name` (which sees the row as `name`), kept per
    row until anything public changes. A row appears in many lists (every search, facet,
    sort and page that shows it), so a list not yet cached renders only the rows no list
    has shown since the last change; all of them are read in one round trip."""
    loaded = {row.pk: row for row in rows}
    return rendered_rows_by_key(request, list(loaded), template_name, name, lambda _: loaded)


def rendered_rows_by_key(
    request: HttpRequest, keys: list, template_name: str, name: str, load: Callable[[list], dict]
) -> list[SafeString]:
    """As rendered_rows, for rows known by their primary keys: `load(keys)` gives the rows
    (by key) of those not cached, so a list of cached rows queries nothing. A key `load`
    does not find (a row no longer public) is left out."""
    prefix = f"row:{page_generation(request)}:{template_name}:"
    names = {key: prefix + str(key) for key in keys}
    found = cache.get_many(list(names.values()))
    missing = [key for key in keys if names[key] not in found]
    if missing:
        rows = load(missing)
        made = {
            names[key]: render_to_string(template_name, {name: rows[key]})
            for key in missing
            if key in rows
        }
        cache.set_many(made, VALUE_SECONDS)
        found |= made
    return [SafeString(found[names[key]]) for key in keys if names[key] in found]
