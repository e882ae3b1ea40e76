import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from claims.models import Claim, Excerpt
from reviews.models import Assignment, Review, TransitionError
from reviews.roles import EDITOR
from reviews.services import (
    claims_flag_for_rereview,
    derived_refresh_deferred,
    review_publish,
    review_publish_consensus,
    review_submit,
    review_unpublish,
)
from sources.models import Document, Study
from tests.factories import (
    make_claim,
    make_document,
    make_evidence_link,
    make_excerpt,
    make_review,
    make_study,
)

pytestmark = pytest.mark.django_db

S = Review.Status


@pytest.fixture
def people(django_user_model):
    """Two reviewers and an editor, Eve."""
    people = {
        name: django_user_model.objects.create_user(username=name, password="x")
        for name in ("ana", "ben", "eve")
    }
    people["eve"].groups.add(Group.objects.get(name=EDITOR))
    return people


def assigned_claim(*reviewers) -> Claim:
    claim = make_claim()
    for reviewer in reviewers:
        Assignment.objects.create(claim=claim, reviewer=reviewer)
    return claim


def test_a_review_moves_draft_submitted_published_superseded_with_stamps(people):
    first = make_review(claim=assigned_claim(people["ana"], people["ben"]), reviewer=people["ana"])
    review_submit(review=first, by=people["ana"])
    assert (first.status, first.submitted_at is not None) == (S.SUBMITTED, True)
    review_publish(review=first, by=people["eve"])
    assert (first.status, first.published_by) == (S.PUBLISHED, people["eve"])
    second = make_review(claim=first.claim, reviewer=people["ben"], verdict=Review.Verdict.FALSE)
    review_submit(review=second, by=people["ben"])
    review_publish(review=second, by=people["eve"])
    first.refresh_from_db()
    assert (first.status, first.superseded_by) == (S.SUPERSEDED, people["eve"])
    assert first.superseded_at == second.published_at


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.DRAFT, S.PUBLISHED),
        (S.DRAFT, S.SUPERSEDED),
        (S.SUBMITTED, S.DRAFT),
        (S.SUBMITTED, S.SUPERSEDED),
        (S.PUBLISHED, S.DRAFT),
        (S.PUBLISHED, S.SUBMITTED),
        (S.SUPERSEDED, S.PUBLISHED),
        (S.SUPERSEDED, S.DRAFT),
        (S.DRAFT, S.DRAFT),
    ],
)
def test_every_other_transition_is_refused(start, target):
    review = make_review(status=start)
    with pytest.raises(TransitionError) as error:
        review.transition_to(target, by=None, at=None)
    assert "cannot become" in str(error.value)
    assert isinstance(error.value, ValidationError)


def test_a_review_of_a_claim_not_assigned_to_its_author_cannot_be_submitted(people):
    draft = make_review(reviewer=people["ana"])
    with pytest.raises(ValidationError) as error:
        review_submit(review=draft, by=people["ana"])
    assert "This claim is not assigned to ana" in error.value.message_dict["claim"][0]
    assert Review.objects.get(pk=draft.pk).status == S.DRAFT


def test_services_refuse_out_of_order_moves():
    draft = make_review()
    with pytest.raises(TransitionError):
        review_publish(review=draft)
    published = make_review(status=S.PUBLISHED)
    with pytest.raises(TransitionError):
        review_submit(review=published)
    assert Review.objects.get(pk=draft.pk).status == S.DRAFT


def test_publishing_leaves_other_claims_alone():
    other = make_review(status=S.PUBLISHED)
    review_publish(review=make_review(status=S.SUBMITTED))
    other.refresh_from_db()
    assert other.status == S.PUBLISHED


def test_unpublishing_withdraws_the_review_and_flags_the_claim(people):
    review = make_review(status=S.PUBLISHED)
    review_unpublish(review=review, by=people["eve"])
    review.refresh_from_db()
    claim = Claim.objects.get(pk=review.claim_id)
    assert review.status == S.SUPERSEDED and review.superseded_by == people["eve"]
    assert "withdrawn by eve" in claim.rereview_reason
    assert not Review.objects.published().filter(claim=claim).exists()


def test_a_consensus_review_is_published_crediting_the_reviewers(people):
    claim = make_claim()
    values = {
        "verdict": Review.Verdict.MISLEADING,
        "certainty": Review.Certainty.LOW,
        "rationale": "Both reviewers' points.",
        "summary": "Consensus.",
    }
    review = review_publish_consensus(
        claim=claim, by=people["eve"], values=values, contributors=[people["ana"], people["ben"]]
    )
    assert review.status == S.PUBLISHED and review.reviewer == people["eve"]
    assert set(review.contributors.all()) == {people["ana"], people["ben"]}


def test_retracting_a_study_flags_every_claim_that_relies_on_it():
    study = make_study()
    relying = [make_evidence_link(study=study).claim for _ in range(2)]
    unrelated = make_evidence_link().claim
    study.is_retracted, study.retraction_note = True, "Fabricated data."
    study.save()
    flagged = set(Claim.objects.exclude(rereview_reason="").values_list("pk", flat=True))
    assert flagged == {claim.pk for claim in relying}
    assert unrelated.pk not in flagged
    assert "retracted" in Claim.objects.get(pk=relying[0].pk).rereview_reason


def test_publishing_a_new_review_clears_the_re_review_flag():
    claim = make_claim()
    claims_flag_for_rereview(claims=[claim], reason="Check again.")
    review_publish(review=make_review(claim=claim, status=S.SUBMITTED))
    claim.refresh_from_db()
    assert claim.rereview_reason == "" and claim.rereview_requested_at is None


def test_every_change_is_recorded_in_history(people):
    review = make_review(claim=assigned_claim(people["ana"]), reviewer=people["ana"])
    review_submit(review=review, by=people["ana"])
    review_publish(review=review, by=people["eve"])
    statuses = [h.status for h in review.history.order_by("history_date")]
    assert statuses == [S.DRAFT, S.SUBMITTED, S.PUBLISHED]
    excerpt = make_excerpt()
    excerpt.claim.statement = "Changed wording."
    excerpt.claim.save()
    assert excerpt.claim.history.count() == 2
    assert excerpt.history.count() == 1
    link = make_evidence_link()
    link.note = "Better note."
    link.save()
    assert [h.history_type for h in link.history.order_by("history_date")] == ["+", "~"]
    study = link.study
    study.sample_size = 41
    study.save()
    assert study.history.first().sample_size == 41


def test_search_text_follows_quotes_and_the_published_review():
    excerpt = make_excerpt(quote="six infusions")
    claim = excerpt.claim
    make_review(claim=claim, rationale="Murrough 2013: repeated doses.", status=S.SUBMITTED)
    assert "six infusions" in Claim.objects.get(pk=claim.pk).search_text
    assert "Murrough" not in Claim.objects.get(pk=claim.pk).search_text  # not yet published
    review_publish(review=claim.reviews.get())
    assert list(Claim.objects.search("Murrough")) == [claim]
    excerpt.delete()
    assert "six infusions" not in Claim.objects.get(pk=claim.pk).search_text


def test_deferred_refresh_runs_once_at_the_end():
    with derived_refresh_deferred():
        claim = make_claim(statement="Esketamine is sold as Spravato.")
        assert Claim.objects.get(pk=claim.pk).search_text == ""
    assert "Spravato" in Claim.objects.get(pk=claim.pk).search_text


def counts(document) -> tuple[int, int]:
    document.refresh_from_db(fields=["excerpt_count", "claim_count"])
    return document.excerpt_count, document.claim_count


def test_a_document_counts_its_excerpts_and_the_claims_they_quote():
    document = make_document()
    assert counts(document) == (0, 0)
    first = make_excerpt(document=document, quote="within hours")
    make_excerpt(document=document, claim=first.claim, quote="six infusions")
    assert counts(document) == (2, 1)
    make_excerpt(document=document, quote="Side effects are minimal")
    assert counts(document) == (3, 2)
    first.delete()
    assert counts(document) == (2, 2)


def test_an_excerpt_moved_to_another_document_is_counted_there_only():
    before, after = make_document(), make_document()
    excerpt = make_excerpt(document=before, quote="within hours")
    moved = Excerpt.locate(document=after, quote="within hours")
    excerpt.document, excerpt.start, excerpt.end = after, moved.start, moved.end
    excerpt.save()
    assert counts(before) == (0, 0)
    assert counts(after) == (1, 1)


def test_deferred_refresh_recounts_documents_once_at_the_end():
    document = make_document()
    with derived_refresh_deferred():
        make_excerpt(document=document, quote="within hours")
        make_excerpt(document=document, quote="six infusions")
        assert counts(document) == (0, 0)
    assert counts(document) == (2, 2)


def study_count(study) -> int:
    study.refresh_from_db(fields=["claim_count"])
    return study.claim_count


def test_a_study_counts_the_reviewed_claims_it_bears_on():
    study = make_study()
    reviewed = make_claim()
    make_review(claim=reviewed, status=S.PUBLISHED)
    unreviewed = make_claim()
    make_evidence_link(claim=reviewed, study=study)
    link = make_evidence_link(claim=unreviewed, study=study)
    assert study_count(study) == 1
    review_publish(review=make_review(claim=unreviewed, status=S.SUBMITTED))
    assert study_count(study) == 2
    link.delete()
    assert study_count(study) == 1


def test_a_link_moved_to_another_study_is_counted_there_only():
    before, after = make_study(), make_study()
    claim = make_claim()
    make_review(claim=claim, status=S.PUBLISHED)
    link = make_evidence_link(claim=claim, study=before)
    link.study = after
    link.save()
    assert (study_count(before), study_count(after)) == (0, 1)


def test_saving_a_stale_study_or_document_keeps_the_true_counts():
    study, document = make_study(), make_document()
    stale_study, stale_document = (
        Study.objects.get(pk=study.pk),
        Document.objects.get(pk=document.pk),
    )
    claim = make_claim()
    make_review(claim=claim, status=S.PUBLISHED)
    make_evidence_link(claim=claim, study=study)
    make_excerpt(document=document, claim=claim)
    stale_study.save()
    stale_document.save()
    assert study_count(study) == 1
    assert counts(document) == (1, 1)


def test_a_submit_hands_in_the_draft_as_stored_not_as_read_before(people):
    """The admin's submit action reads the drafts, then submits them: a draft edit
    committed in between is what gets submitted, not overwritten by the earlier read."""
    draft = make_review(claim=assigned_claim(people["ana"]), reviewer=people["ana"])
    read_before = Review.objects.get(pk=draft.pk)
    Review.objects.filter(pk=draft.pk).update(rationale="Edited a moment ago.", version=2)
    review_submit(review=read_before, by=people["ana"])
    stored = Review.objects.get(pk=draft.pk)
    assert (stored.status, stored.rationale) == (S.SUBMITTED, "Edited a moment ago.")


def test_every_move_of_a_reviews_status_is_a_new_version(people):
    review = make_review(claim=assigned_claim(people["ana"]), reviewer=people["ana"])
    versions = [review.version]
    review_submit(review=review, by=people["ana"])
    versions.append(Review.objects.get(pk=review.pk).version)
    review_publish(review=review, by=people["eve"])
    versions.append(Review.objects.get(pk=review.pk).version)
    review_unpublish(review=review, by=people["eve"])
    versions.append(Review.objects.get(pk=review.pk).version)
    assert versions == [1, 2, 3, 4]
