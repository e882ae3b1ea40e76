"""Anonymous rate limits for the API, counted per client address in the shared cache by
django-ratelimit, as the site's other limits are (config.client_address)."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from rest_framework.throttling import BaseThrottle

from config.client_address import ratelimit_key

WINDOW_SECONDS = 60


class ReadThrottle(BaseThrottle):
    """Reads: API_READ_RATE per address (a cached page is served before this counts)."""

    group = "api-read"
    methods = ("GET", "HEAD", "OPTIONS")

    def rate(self) -> str:
        return settings.API_READ_RATE

    def allow_request(self, request, view) -> bool:
        return not is_ratelimited(
            request,
            group=self.group,
            key=ratelimit_key,
            rate=self.rate(),
            method=self.methods,
            increment=True,
        )

    def wait(self) -> int:
        return WINDOW_SECONDS


class CheckThrottle(ReadThrottle):
    """Page checks, which cost far more than a read: CHECK_RATE per address, as the
    /check/ form's. Only a POST checks, so only a POST counts."""

    group = "api-check"
    methods = ("POST",)

    def rate(self) -> str:
        return settings.CHECK_RATE
