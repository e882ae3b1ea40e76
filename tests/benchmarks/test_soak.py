"""The soak's traffic, one step at a time: each kind of writer really writes."""

import threading

import pytest

from benchmarks import soak
from claims.models import IngestionJob
from reviews.models import Review
from tests.factories import make_claim

# The writers close their database connection as the soak's threads do: no test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


class OneRound(threading.Event):
    """A stop signal that lets its loop go round once."""

    def __init__(self):
        super().__init__()
        self.rounds = 0

    def is_set(self):
        self.rounds += 1
        return self.rounds > 1


def test_an_editor_of_the_soak_publishes_a_graded_review(monkeypatch):
    monkeypatch.setattr(soak, "EDITOR_PAUSE", 0)
    claim = make_claim()
    log = soak.Log()
    soak.editor(log, OneRound(), threading.Semaphore(1), 0)
    assert [ok for _, kind, ok, _ in log.events] == [True]
    review = Review.objects.get(pk__in=log.acknowledged)
    assert (review.claim, review.status) == (claim, Review.Status.PUBLISHED)


def test_the_soaks_ingester_queues_pages_that_are_ingested(monkeypatch):
    monkeypatch.setattr(soak, "INGEST_PAUSE", 0)
    log = soak.Log()
    soak.ingester(log, OneRound())
    job = IngestionJob.objects.get(pk__in=log.queued_jobs)
    assert job.is_finished and job.items.get().document is not None  # run at once here
