import pytest
from django.db import OperationalError

from claims import tasks
from claims.services import ingestion_job_create
from tests.factories import seed_page

pytestmark = pytest.mark.django_db


def test_queueing_a_job_sends_each_waiting_page_once(monkeypatch):
    job = ingestion_job_create(
        by=None, items=[{"data": seed_page(n).encode(), "name": "p.md"} for n in range(3)]
    )
    sent = []
    monkeypatch.setattr(tasks.ingestion_item_task, "delay", sent.append)
    assert tasks.ingestion_job_queue(job) == 3
    assert sorted(sent) == sorted(job.items.values_list("pk", flat=True))
    tasks.ingestion_item_run(item_id=sent[0])
    assert tasks.ingestion_job_queue(job) == 2  # a page done is not sent again


def test_a_page_task_that_meets_a_database_failure_is_retried(monkeypatch):
    job = ingestion_job_create(by=None, items=[{"data": seed_page(0).encode(), "name": "p.md"}])
    calls, real = [], tasks.ingestion_item_run

    def failing_once(**kwargs):
        calls.append(kwargs["item_id"])
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "ingestion_item_run", failing_once)
    item = job.items.get()
    assert tasks.ingestion_item_task.delay(item.pk).get() == "stored"
    assert calls == [item.pk, item.pk]
