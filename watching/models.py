"""Clinic pages the site fetches again from time to time, to store each new version."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from sources.models import Document

MAX_BACKOFF = timedelta(days=7)  # a page failing for long is still tried once a week


def default_interval_hours() -> int:
    return settings.WATCH_INTERVAL_HOURS


class WatchQuerySet(models.QuerySet):
    def due(self, now=None) -> "WatchQuerySet":
        """Watches whose next check has come, the longest waiting first."""
        return self.filter(active=True, next_check_at__lte=now or timezone.now()).order_by(
            "next_check_at", "pk"
        )


class Watch(models.Model):
    """A page fetched from its address every `interval_hours`; each time its text differs
    from the newest stored version, the text is stored as a newer version (sources: a new
    document that supersedes it) and the watch moves on to it."""

    document = models.OneToOneField(
        Document,
        on_delete=models.CASCADE,
        related_name="watch",
        help_text="The page's newest stored version; a newer version takes its place.",
    )
    url = models.URLField("address", max_length=500)
    interval_hours = models.PositiveIntegerField(
        "check every (hours)",
        default=default_interval_hours,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 90)],
    )
    active = models.BooleanField(default=True)
    next_check_at = models.DateTimeField(default=timezone.now)
    last_checked_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the page was last fetched."
    )
    last_changed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a fetch last found new text."
    )
    failures = models.PositiveIntegerField(
        default=0, editable=False, help_text="Failed checks in a row; each doubles the wait."
    )
    last_error = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WatchQuerySet.as_manager()

    class Meta:
        ordering = ["next_check_at", "pk"]
        indexes = [
            models.Index(fields=["active", "next_check_at"], name="watching_watch_due"),
        ]

    def __str__(self):
        return self.url

    @property
    def interval(self) -> timedelta:
        return timedelta(hours=self.interval_hours)

    def wait_after_failure(self) -> timedelta:
        """After `failures` failures in a row: the interval doubled as many times, at most
        MAX_BACKOFF (but never less than the interval)."""
        return max(self.interval, min(self.interval * 2 ** min(self.failures, 16), MAX_BACKOFF))
