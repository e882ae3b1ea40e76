# The Celery application loads with Django, so that tasks sent by the site use its settings.
from config.celery import app as celery_app

__all__ = ["celery_app"]
