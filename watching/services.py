"""Checking watched pages: fetch, store a newer version when the text changed, find the
quotes again in it (reviews.services.document_version_follow), and plan the next check."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from claims.services import document_ingest
from config.generation import site_changed
from reviews.services import document_version_follow
from sources.fetching import FetchRefused, fetch_page
from sources.ingest import IngestError, refusal
from sources.models import Document
from watching.models import Watch


class Outcome(models.TextChoices):
    UNCHANGED = "unchanged", "Unchanged"
    CHANGED = "changed", "Changed: a newer version stored"
    FAILED = "failed", "Failed"


@dataclass(frozen=True)
class CheckOutcome:
    outcome: Outcome
    url: str
    message: str
    version: Document | None = None
    quotes: dict[str, int] = field(default_factory=dict)  # how many quotes in each state


def watch_start(*, document: Document, url: str = "", interval_hours: int | None = None) -> Watch:
    """Watch a stored page at its address (or `url`): it is first checked at once."""
    watch = Watch(document=document, url=url or document.url)
    if interval_hours is not None:
        watch.interval_hours = interval_hours
    watch.full_clean()
    watch.save()
    return watch


def watch_check(*, watch: Watch, now: datetime | None = None) -> CheckOutcome:
    """Fetch the watched page once. A text that differs from the newest stored version is
    stored as a newer version, and its quotes followed; a failure is kept on the watch and
    the next check waits longer. Safe to repeat: the same text is never stored twice."""
    now = now or timezone.now()
    try:
        page = fetch_page(watch.url)
    except FetchRefused as error:
        return _failed(watch, str(error), now)
    with transaction.atomic():
        watch = Watch.objects.select_for_update().select_related("document").get(pk=watch.pk)
        older = watch.document
        try:
            result = document_ingest(
                data=page.body, name=page.file_name, title=older.title,
                url=page.url, publisher=older.publisher, kind=older.kind, status=older.status,
                supersedes=older,
            )  # fmt: skip
        except (IngestError, ValidationError) as error:
            return _failed(watch, f"The page's text could not be read: {refusal(error)}", now)
        if result.document == older:
            _succeeded(watch, now)
            return CheckOutcome(Outcome.UNCHANGED, watch.url, "The page has not changed.")
        if not result.created:
            return _failed(
                watch,
                f"The page's text is now that of another stored page, “{result.document}”.",
                now,
            )
        newer = result.document
        newer.retrieved_on = now.date()
        newer.save(update_fields=["retrieved_on"])
        quotes = document_version_follow(older=older, newer=newer)
        watch.document, watch.last_changed_at = newer, now
        _succeeded(watch, now)
    return CheckOutcome(
        Outcome.CHANGED, watch.url, f"The page changed: stored as “{newer}”.", newer, quotes
    )


def watches_check_due(*, now: datetime | None = None, limit: int = 100) -> list[CheckOutcome]:
    """Check the watches whose time has come, the longest waiting first."""
    now = now or timezone.now()
    due = list(Watch.objects.due(now).values_list("pk", flat=True)[:limit])
    return [watch_check(watch=watch, now=now) for watch in Watch.objects.filter(pk__in=due)]


def next_check(watch: Watch, now: datetime, wait: timedelta) -> datetime:
    """`wait` from now, plus up to a tenth more, at random, to spread the checks."""
    return now + wait + timedelta(seconds=random.uniform(0, wait.total_seconds() / 10))


def _succeeded(watch: Watch, now: datetime) -> None:
    # The page's public page gives the day it was last checked: a new day retires it.
    new_day = watch.last_checked_at is None or watch.last_checked_at.date() != now.date()
    watch.last_checked_at, watch.failures, watch.last_error = now, 0, ""
    watch.next_check_at = next_check(watch, now, watch.interval)
    watch.save()
    if new_day:
        transaction.on_commit(site_changed)


def _failed(watch: Watch, message: str, now: datetime) -> CheckOutcome:
    with transaction.atomic():
        watch = Watch.objects.select_for_update().get(pk=watch.pk)
        watch.failures += 1
        watch.last_error = message
        watch.next_check_at = next_check(watch, now, watch.wait_after_failure())
        watch.save()
    return CheckOutcome(Outcome.FAILED, watch.url, message)
