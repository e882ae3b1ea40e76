from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from claims.services import document_ingest
from watching import tasks
from watching.models import Watch
from watching.services import watch_start
from watching.tasks import HANDED_OUT_FOR, watch_check_task, watches_check_due_task

pytestmark = pytest.mark.django_db

TEXT = "Ketamine infusions help 83% of our patients feel better within hours."


@pytest.fixture
def watch(page_server):
    url = page_server.serve("/ketamine", TEXT, headers={"Content-Type": "text/plain"})
    return watch_start(document=document_ingest(data=TEXT, url=url).document)


def test_a_check_task_checks_its_watch(watch):
    assert watch_check_task.delay(watch.pk).get() == "unchanged"
    watch.refresh_from_db()
    assert watch.last_checked_at is not None


def test_a_check_task_for_a_watch_that_is_gone_or_paused_does_nothing(watch):
    Watch.objects.filter(pk=watch.pk).update(active=False)
    assert watch_check_task.delay(watch.pk).get() == "no such active watch"
    assert watch_check_task.delay(10**9).get() == "no such active watch"


def test_a_task_that_meets_a_database_failure_is_retried(watch, monkeypatch):
    calls = []
    real = tasks.watch_check

    def failing_once(**kwargs):
        calls.append(kwargs["watch"].pk)
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "watch_check", failing_once)
    assert watch_check_task.delay(watch.pk).get() == "unchanged"
    assert calls == [watch.pk, watch.pk]


def test_the_sweep_queues_each_due_watch_once_and_hands_it_out(watch, monkeypatch):
    queued = []
    monkeypatch.setattr(
        watch_check_task, "apply_async", lambda args, countdown: queued.append((args, countdown))
    )
    before = timezone.now()
    assert watches_check_due_task() == 1
    assert watches_check_due_task() == 0  # handed out: not queued again
    assert [args for args, _ in queued] == [(watch.pk,)]
    watch.refresh_from_db()
    assert watch.next_check_at >= before + HANDED_OUT_FOR
    assert 0 <= queued[0][1] <= 300


def test_without_a_broker_the_sweep_checks_the_pages_at_once(watch):
    Watch.objects.filter(pk=watch.pk).update(next_check_at=timezone.now() - timedelta(minutes=1))
    assert watches_check_due_task() == 1
    watch.refresh_from_db()
    assert watch.last_checked_at is not None
    assert watch.next_check_at >= watch.last_checked_at + watch.interval
