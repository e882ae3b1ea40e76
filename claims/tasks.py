"""Ingestion in the background, for Celery workers (config/celery.py): one task per page,
so that a batch spreads over every worker. A task acknowledged only once it has run, and
an item ingested only while it waits, make a task run twice or cut short harmless."""

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from claims.models import IngestionItem, IngestionJob
from claims.services import ingestion_item_run


@shared_task(
    autoretry_for=(DatabaseError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def ingestion_item_task(item_id: int) -> str:
    """Ingest one page of a job; returns what came of it."""
    return ingestion_item_run(item_id=item_id).status


def ingestion_job_queue(job: IngestionJob) -> int:
    """Queue each of the job's pages still waiting; returns how many."""
    waiting = job.items.filter(status=IngestionItem.Status.QUEUED).values_list("pk", flat=True)
    ids = list(waiting)
    for item_id in ids:
        ingestion_item_task.delay(item_id)
    return len(ids)
