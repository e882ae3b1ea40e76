import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.models import Claim
from reviews.models import Assignment, EvidenceLink, Review
from tests.factories import make_claim, make_evidence_link, make_review

pytestmark = pytest.mark.django_db


def test_a_claim_has_at_most_one_published_review():
    first = make_review(status=Review.Status.PUBLISHED)
    second = make_review(claim=first.claim, status=Review.Status.DRAFT)
    second.status = Review.Status.PUBLISHED
    second.published_at = first.published_at
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "already has a published review" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_drafts_and_superseded_reviews_do_not_count_against_the_rule():
    claim = make_claim()
    make_review(claim=claim, status=Review.Status.SUPERSEDED)
    make_review(claim=claim, status=Review.Status.DRAFT)
    published = make_review(claim=claim, status=Review.Status.PUBLISHED)
    published.full_clean()


def test_certainty_is_required_unless_the_claim_is_not_checkable():
    review = Review(claim=make_claim(), verdict=Review.Verdict.FALSE, rationale="r", summary="s")
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    assert "certainty" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        review.save()
    review.verdict = Review.Verdict.NOT_CHECKABLE
    review.full_clean()
    review.save()


def test_a_reviewer_writes_and_submits_reviews_only_of_claims_assigned_to_them(reviewer, editor):
    review = make_review(reviewer=reviewer)
    for status in (Review.Status.DRAFT, Review.Status.SUBMITTED):
        review.status = status
        with pytest.raises(ValidationError) as error:
            review.full_clean()
        assert error.value.message_dict["claim"] == [
            "This claim is not assigned to rita: a reviewer reviews only the claims an editor "
            "has assigned to them."
        ]
    Assignment.objects.create(claim=review.claim, reviewer=reviewer)
    review.full_clean()
    make_review(reviewer=editor).full_clean()  # editors review any claim
    make_review().full_clean()  # a review loaded from the corpus has no author


def test_publishing_a_review_is_not_its_authors_move(reviewer):
    review = make_review(reviewer=reviewer, status=Review.Status.PUBLISHED)
    review.full_clean()  # an editor decides, even if the assignment was since withdrawn


def test_a_published_review_needs_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            claim=make_claim(),
            verdict=Review.Verdict.FALSE,
            certainty=Review.Certainty.LOW,
            status=Review.Status.PUBLISHED,
            rationale="r",
            summary="s",
        )


def test_it_lists_the_grade_domains_that_lowered_or_raised_certainty():
    review = make_review(
        risk_of_bias=Review.Concern.SERIOUS,
        imprecision=Review.Concern.VERY_SERIOUS,
        large_effect=True,
    )
    assert review.downgrades == [("risk of bias", "Serious"), ("imprecision", "Very serious")]
    assert review.upgrades == ["large effect"]


def test_one_evidence_link_per_claim_and_study():
    link = make_evidence_link()
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceLink.objects.create(
            claim=link.claim, study=link.study, stance=EvidenceLink.Stance.CONTRADICTS, note="n"
        )


def test_claims_carry_their_published_verdict_only():
    published = make_review(status=Review.Status.PUBLISHED, verdict=Review.Verdict.FALSE)
    make_review(status=Review.Status.DRAFT, verdict=Review.Verdict.SUPPORTED)
    verdicts = dict(Claim.objects.values_list("slug", "verdict"))
    assert verdicts[published.claim.slug] == Review.Verdict.FALSE
    assert sorted(verdicts.values()) == ["", Review.Verdict.FALSE]


def test_vocabularies_carry_their_css_class():
    assert Review.Verdict.PARTLY_SUPPORTED.css_class == "verdict-partly-supported"
    assert Review.Certainty.VERY_LOW.css_class == "certainty-very-low"
