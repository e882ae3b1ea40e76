"""Settings of the Celery workers that tests start (tests/watching/test_workers.py): the
site's own, with the two differences a test needs: the pages come from a loopback server,
and a task whose worker was killed goes back to the queue after seconds, not an hour."""

from config.settings import *  # noqa: F403

FETCH_ALLOW_LOOPBACK = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 4,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
