"""The address a request came from, for sign-in throttling (django-axes).

Directly on the internet that is REMOTE_ADDR. Behind reverse proxies, REMOTE_ADDR is the
nearest proxy's address, shared by every client; each proxy appends the address it
received the request from to X-Forwarded-For (nginx: `$proxy_add_x_forwarded_for`). With
TRUSTED_PROXIES set to how many proxies stand in front of the site, the client is the
TRUSTED_PROXIES-th address from the right of that header; anything further left was
written by the client and may be forged.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    hops = settings.TRUSTED_PROXIES
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if hops and len(forwarded) >= hops:
        try:
            return str(ipaddress.ip_address(forwarded[-hops]))
        except ValueError:
            pass  # not written by a proxy we trust; the nearest hop is all we know
    return request.META.get("REMOTE_ADDR")


def ratelimit_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit's key for requests counted per client (the page check, reports of
    errors): the address they came from, as above."""
    return client_address(request) or "unknown"
