"""The Celery application: background work (checking watched pages, ingesting pages) runs
on workers that take tasks from the broker (`CELERY_BROKER_URL`, Redis in production).

Without a broker the embedded default needs nothing but Python: tasks then run in the
process that asks for them, at once (CELERY_TASK_ALWAYS_EAGER). Start a worker with

    celery -A config worker --loglevel=info

and the scheduler of periodic tasks (checking the watched pages that are due) with

    celery -A config beat --loglevel=info
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
