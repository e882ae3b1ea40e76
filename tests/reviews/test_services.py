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


def test_search_text_follows_quotes_and_the_published_review():
    from claims.models import Claim
    from tests.factories import make_excerpt

    excerpt = make_excerpt(quote="six infusions")
    claim = excerpt.claim
    make_review(claim=claim, rationale="Murrough 2013: repeated doses.")
    assert "six infusions" in Claim.objects.get(pk=claim.pk).search_text
    assert "Murrough" not in Claim.objects.get(pk=claim.pk).search_text  # a draft
    review_publish(review=claim.reviews.get())
    assert list(Claim.objects.search("Murrough")) == [claim]
    excerpt.delete()
    assert "six infusions" not in Claim.objects.get(pk=claim.pk).search_text


def test_deferred_refresh_runs_once_at_the_end(django_assert_max_num_queries):
    from claims.models import Claim
    from reviews.services import search_refresh_deferred
    from tests.factories import make_claim

    with search_refresh_deferred():
        claim = make_claim(statement="Esketamine is sold as Spravato.")
        assert Claim.objects.get(pk=claim.pk).search_text == ""
    assert "Spravato" in Claim.objects.get(pk=claim.pk).search_text
