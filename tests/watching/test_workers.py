"""Real Celery workers, in their own processes, taking tasks from Redis: a page checked in
the background, and a worker killed in the middle of a check without anything lost.

They need what CI's second run has: PostgreSQL (a worker cannot see SQLite's test database,
which lives in the test's process) and REDIS_URL."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from claims.services import document_ingest
from config.celery import app
from sources.models import Document
from tests.factories import make_excerpt
from watching.models import Watch
from watching.services import watch_start
from watching.tasks import watch_check_task

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="a worker needs PostgreSQL and REDIS_URL (CI's second run)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Ketamine infusions help 83% of our patients feel better.\n\nCall us today."
CHANGED = "Ketamine infusions help 83% of our patients feel better.\n\nNow open on Sundays."


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker(tasks_run_at_once, settings):
    """Tasks sent from this test go to Redis, not run in its process; the queue starts empty."""
    url = os.environ["REDIS_URL"]
    redis.Redis.from_url(url).delete("celery", "unacked", "unacked_index")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    assert not app.conf.task_always_eager
    return url


class Workers:
    """Start and kill worker processes (each with its own process group)."""

    def __init__(self, broker_url: str):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
        }
        self.running: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
            "--concurrency=1", "--loglevel=INFO", f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        worker = subprocess.Popen(
            command, cwd=ROOT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.running.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen) -> None:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool, with no warning
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                self.kill(worker)


@pytest.fixture
def workers(broker):
    started = Workers(broker)
    yield started
    started.stop_all()


def wait_for(condition, *, seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"not within {seconds} s: {what}")


@pytest.fixture
def watched(page_server):
    url = page_server.serve("/ketamine", TEXT, headers={"Content-Type": "text/plain"})
    document = document_ingest(data=TEXT, url=url, title="Sunrise page").document
    excerpt = make_excerpt(document=document, quote=TEXT.split("\n")[0])
    return watch_start(document=document), excerpt


def newer_versions(document: Document) -> list[Document]:
    return list(Document.objects.filter(supersedes=document))


def test_a_worker_checks_a_watched_page_in_the_background(workers, watched, page_server):
    watch, excerpt = watched
    page_server.serve("/ketamine", CHANGED, headers={"Content-Type": "text/plain"})
    workers.start()
    watch_check_task.delay(watch.pk)
    wait_for(lambda: newer_versions(watch.document), what="the newer version stored")
    newer = newer_versions(watch.document)[0]
    assert "Now open on Sundays." in newer.body
    wait_for(lambda: Watch.objects.get(pk=watch.pk).document_id == newer.pk, what="watch moved on")
    excerpt.refresh_from_db()
    assert excerpt.anchor_state == "unchanged" and excerpt.carried_to.document == newer


def test_a_worker_killed_in_the_middle_of_a_check_loses_nothing(workers, watched, page_server):
    watch, excerpt = watched
    page_server.serve("/ketamine", CHANGED, headers={"Content-Type": "text/plain"}, delay=30)
    first = workers.start()
    watch_check_task.delay(watch.pk)
    wait_for(lambda: "/ketamine" in page_server.paths_requested(), what="the check under way")
    workers.kill(first)  # halfway through the check: the task was taken, not acknowledged
    assert not newer_versions(watch.document)
    page_server.serve("/ketamine", CHANGED, headers={"Content-Type": "text/plain"})
    workers.start()
    wait_for(lambda: newer_versions(watch.document), what="the task run again by another worker")
    wait_for(lambda: Watch.objects.get(pk=watch.pk).last_checked_at is not None, what="checked")
    assert len(newer_versions(watch.document)) == 1
    assert page_server.paths_requested().count("/ketamine") == 2
