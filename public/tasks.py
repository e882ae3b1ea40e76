"""Background work of the public site, for Celery workers (config/celery.py)."""

from celery import shared_task
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError

from config.generation import site_generation
from public.datasets import dataset_export, latest_export

# How long one request for a new export holds off others for the same generation.
REQUESTED_FOR = 600


@shared_task(
    autoretry_for=(DatabaseError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def dataset_export_task() -> str:
    """Export the public dataset if the data changed since the last export (Celery beat
    runs this every DATASET_SCHEDULE_SECONDS; the data page asks for it after a change)."""
    export = latest_export()
    if export and export.generation == site_generation(fresh=True):
        return "up to date"
    return f"exported {dataset_export().made_at.isoformat()}"


def dataset_export_request(generation: str) -> None:
    """Queue one export for this generation, however many readers ask for it."""
    if cache.add(f"dataset-export-requested:{generation}", 1, REQUESTED_FOR):
        dataset_export_task.delay()
