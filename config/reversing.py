"""Links that one page prints many times (each row of a claim or study list, the site's
navigation), built without walking the URL resolver for each: the route is reversed once
per process with a placeholder, and the placeholder is swapped for the slug or key.

Only values the route's converter accepts as they are (a slug, a non-negative integer)
take the short path; anything else goes through reverse(), which quotes or refuses it.
"""

import re
from collections.abc import Callable
from functools import cache

from django.urls import get_script_prefix, get_urlconf, reverse

SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SLUG_PLACEHOLDER = "slug-placeholder-5e1f"
KEY_PLACEHOLDER = 918273645546372819


def url(name: str) -> str:
    """The URL of a route that takes no arguments."""
    return _reversed(get_script_prefix(), get_urlconf(), name)


def slug_url(name: str, slug: str) -> str:
    """The URL of a route with one slug argument (<slug:...>, <rowslug:...>)."""
    return slug_urls(name)(slug)


def slug_urls(name: str) -> Callable[[str], str]:
    """slug_url() for one route, with the route looked up once: for a page that links
    hundreds of claims."""
    head, tail = _split(get_script_prefix(), get_urlconf(), name, SLUG_PLACEHOLDER)

    def url_of(slug: str) -> str:
        if not SLUG.fullmatch(slug):
            return reverse(name, args=[slug])
        return f"{head}{slug}{tail}"

    return url_of


def key_url(name: str, key: int) -> str:
    """The URL of a route with one integer argument (<int:...>, <key:...>)."""
    if type(key) is not int or key < 0:
        return reverse(name, args=[key])
    head, tail = _split(get_script_prefix(), get_urlconf(), name, KEY_PLACEHOLDER)
    return f"{head}{key}{tail}"


@cache
def _reversed(prefix: str, urlconf, name: str) -> str:
    return reverse(name, urlconf=urlconf)


@cache
def _split(prefix: str, urlconf, name: str, placeholder) -> tuple[str, str]:
    head, _, tail = reverse(name, urlconf=urlconf, args=[placeholder]).partition(str(placeholder))
    return head, tail
