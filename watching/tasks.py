"""Background checks of watched pages, for Celery workers (config/celery.py).

Each task can run twice without harm: a check stores a text only if it differs from the
page's newest stored version, inside one transaction, so a worker killed halfway leaves
nothing behind and the task, acknowledged only once it has run, is run again. Failures of
the page itself (refused, unreachable, unreadable) are kept on the watch and put off its
next check; failures of the site's own services (database, broker) retry the task with a
growing wait."""

import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.utils import timezone

from watching.models import Watch
from watching.services import watch_check

# A due watch handed to a worker is not due again for this long: a second sweep of the
# schedule meanwhile does not queue it twice, and a check lost with its worker and its
# queue is made later.
HANDED_OUT_FOR = timedelta(hours=1)


@shared_task(
    autoretry_for=(DatabaseError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def watch_check_task(watch_id: int) -> str:
    """Check one watched page; returns what came of it."""
    watch = Watch.objects.filter(pk=watch_id, active=True).first()
    if watch is None:
        return "no such active watch"
    return watch_check(watch=watch).outcome


@shared_task
def watches_check_due_task(limit: int = 500) -> int:
    """Queue a check of each watch that is due, spread over the next few minutes; returns
    how many were queued. Celery beat runs this every WATCH_SCHEDULE_SECONDS."""
    now = timezone.now()
    due = list(Watch.objects.due(now).values_list("pk", flat=True)[:limit])
    Watch.objects.filter(pk__in=due).update(next_check_at=now + HANDED_OUT_FOR)
    for watch_id in due:
        countdown = random.uniform(0, settings.WATCH_SCHEDULE_SECONDS)
        watch_check_task.apply_async((watch_id,), countdown=countdown)
    return len(due)
