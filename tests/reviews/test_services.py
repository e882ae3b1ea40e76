import pytest

from reviews.models import Review
from reviews.services import review_publish
from tests.factories import make_review

pytestmark = pytest.mark.django_db


def test_publishing_supersedes_the_previous_published_review():
    old = make_review(status=Review.Status.PUBLISHED)
    new = make_review(claim=old.claim, verdict=Review.Verdict.FALSE)
    review_publish(review=new)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == Review.Status.SUPERSEDED
    assert new.status == Review.Status.PUBLISHED
    assert new.published_at is not None


def test_publishing_leaves_other_claims_alone():
    other = make_review(status=Review.Status.PUBLISHED)
    review_publish(review=make_review())
    other.refresh_from_db()
    assert other.status == Review.Status.PUBLISHED
