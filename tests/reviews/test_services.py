import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Candidate, Claim, Excerpt
from claims.services import document_ingest
from reviews.models import Assignment, Review, TransitionError
from reviews.roles import EDITOR
from reviews.services import (
    claims_flag_for_rereview,
    document_version_follow,
    excerpt_accept_new_wording,
    retraction_reason,
    review_publish,
    review_publish_consensus,
    review_submit,
    review_unpublish,
    study_flag_dependent_claims,
)
from sources.models import Document, Study
from tests.factories import (
    grading,
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


@pytest.mark.usefixtures("one_reviewer_suffices")
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


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_services_refuse_out_of_order_moves():
    draft = make_review()
    with pytest.raises(TransitionError):
        review_publish(review=draft)
    published = make_review(status=S.PUBLISHED)
    with pytest.raises(TransitionError):
        review_submit(review=published)
    assert Review.objects.get(pk=draft.pk).status == S.DRAFT


@pytest.mark.usefixtures("one_reviewer_suffices")
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


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_consensus_review_is_published_crediting_the_reviewers(people):
    claim = make_claim()
    values = {
        "verdict": Review.Verdict.MISLEADING,
        **grading(Review.Certainty.LOW),
        "rationale": "Both reviewers' points.",
        "summary": "Consensus.",
    }
    review = review_publish_consensus(
        claim=claim, by=people["eve"], values=values, contributors=[people["ana"], people["ben"]]
    )
    assert review.status == S.PUBLISHED and review.reviewer == people["eve"]
    assert set(review.contributors.all()) == {people["ana"], people["ben"]}


def test_flagging_a_studys_claims_flags_every_claim_that_relies_on_it():
    study = make_study()
    relying = [make_evidence_link(study=study).claim for _ in range(2)]
    unrelated = make_evidence_link().claim
    study_flag_dependent_claims(study=study, reason=retraction_reason(study))
    flagged = set(Claim.objects.exclude(rereview_reason="").values_list("pk", flat=True))
    assert flagged == {claim.pk for claim in relying}
    assert unrelated.pk not in flagged
    assert "retracted" in Claim.objects.get(pk=relying[0].pk).rereview_reason


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_publishing_a_new_review_clears_the_re_review_flag():
    claim = make_claim()
    claims_flag_for_rereview(claims=[claim], reason="Check again.")
    review_publish(review=make_review(claim=claim, status=S.SUBMITTED))
    claim.refresh_from_db()
    assert claim.rereview_reason == "" and claim.rereview_requested_at is None


@pytest.mark.usefixtures("one_reviewer_suffices")
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


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_search_text_follows_quotes_and_the_published_review():
    excerpt = make_excerpt(quote="six infusions")
    claim = excerpt.claim
    make_review(claim=claim, rationale="Murrough 2013: repeated doses.", status=S.SUBMITTED)
    assert "six infusions" in Claim.objects.get(pk=claim.pk).search_text
    assert "Murrough" not in Claim.objects.get(pk=claim.pk).search_text  # not yet published
    review_publish(review=claim.reviews.get())
    assert list(Claim.objects.search("Murrough")) == [claim]
    review_unpublish(review=claim.reviews.get())
    assert not Claim.objects.search("Murrough").exists()
    assert "six infusions" in Claim.objects.get(pk=claim.pk).search_text


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


def study_count(study) -> int:
    study.refresh_from_db(fields=["claim_count"])
    return study.claim_count


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_study_counts_the_reviewed_claims_it_bears_on():
    study = make_study()
    reviewed = make_claim()
    make_review(claim=reviewed, status=S.PUBLISHED)
    unreviewed = make_claim()
    make_evidence_link(claim=reviewed, study=study)
    make_evidence_link(claim=unreviewed, study=study)
    assert study_count(study) == 1
    review = review_publish(review=make_review(claim=unreviewed, status=S.SUBMITTED))
    assert study_count(study) == 2
    review_unpublish(review=review)
    assert study_count(study) == 1


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_an_ordinary_save_does_not_overwrite_what_a_refresh_stored_meanwhile():
    study, document, claim = make_study(), make_document(), make_claim()
    stale_study, stale_document, stale_claim = (
        Study.objects.get(pk=study.pk),
        Document.objects.get(pk=document.pk),
        Claim.objects.get(pk=claim.pk),
    )
    make_evidence_link(claim=claim, study=study)
    make_excerpt(document=document, claim=claim, quote="six infusions")
    review_publish(review=make_review(claim=claim, status=S.SUBMITTED))
    stale_study.save()
    stale_document.save()
    stale_claim.category = Claim.Category.DOSING
    stale_claim.save()
    assert study_count(study) == 1
    assert counts(document) == (1, 1)
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.category, stored.verdict, stored.document_count) == (
        Claim.Category.DOSING,
        Review.Verdict.PARTLY_SUPPORTED,
        1,
    )
    assert "six infusions" in stored.search_text


def claim_refreshes(captured) -> int:
    """How many times the claim's stored verdict was rewritten."""
    sql = [query["sql"] for query in captured.captured_queries]
    return sum(q.startswith('UPDATE "claims_claim" SET "verdict"') for q in sql)


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_publishing_refreshes_the_claim_once_not_per_save(people):
    claim = make_claim()
    make_evidence_link(claim=claim)
    review_publish(review=make_review(claim=claim, status=S.SUBMITTED))
    claims_flag_for_rereview(claims=[claim], reason="Check again.")
    second = make_review(claim=claim, status=S.SUBMITTED, verdict=Review.Verdict.FALSE)
    with CaptureQueriesContext(connection) as captured:
        review_publish(review=second, by=people["eve"])  # supersedes, publishes, clears
    assert claim_refreshes(captured) == 1
    assert Claim.objects.get(pk=claim.pk).verdict == Review.Verdict.FALSE


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_consensus_refreshes_the_claim_once_though_it_submits_then_publishes(people):
    claim = make_claim()
    values = {"verdict": Review.Verdict.FALSE, **grading(Review.Certainty.LOW),
              "rationale": "Both.", "summary": "Consensus."}  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        review_publish_consensus(claim=claim, by=people["eve"], values=values, contributors=[])
    assert claim_refreshes(captured) == 1
    assert Claim.objects.get(pk=claim.pk).verdict == Review.Verdict.FALSE


@pytest.mark.on_commit
@pytest.mark.usefixtures("one_reviewer_suffices")
def test_publishing_retires_the_cached_pages_once_on_commit(
    people, django_capture_on_commit_callbacks
):
    review = make_review(status=S.SUBMITTED)
    with django_capture_on_commit_callbacks() as callbacks:
        review_publish(review=review, by=people["eve"])
    assert len(callbacks) == 1


def test_a_submit_hands_in_the_draft_as_stored_not_as_read_before(people):
    """The admin's submit action reads the drafts, then submits them: a draft edit
    committed in between is what gets submitted, not overwritten by the earlier read."""
    draft = make_review(claim=assigned_claim(people["ana"]), reviewer=people["ana"])
    read_before = Review.objects.get(pk=draft.pk)
    Review.objects.filter(pk=draft.pk).update(rationale="Edited a moment ago.", version=2)
    review_submit(review=read_before, by=people["ana"])
    stored = Review.objects.get(pk=draft.pk)
    assert (stored.status, stored.rationale) == (S.SUBMITTED, "Edited a moment ago.")


@pytest.mark.usefixtures("one_reviewer_suffices")
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


def sentence_and_fragment():
    sentence = make_claim(statement="83% felt relief within an hour.")
    fragment = make_claim(statement="Relief comes within an hour.", carried_by=sentence)
    return sentence, fragment


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_fragment_of_a_sentence_is_never_published_above_the_sentence(people):
    sentence, fragment = sentence_and_fragment()
    make_review(claim=sentence, status=S.PUBLISHED, verdict=Review.Verdict.MISLEADING)
    better = make_review(claim=fragment, status=S.SUBMITTED, verdict=Review.Verdict.SUPPORTED)
    with pytest.raises(ValidationError, match="may not be better than the sentence's"):
        review_publish(review=better, by=people["eve"])
    better.refresh_from_db()
    assert better.status == S.SUBMITTED  # rolled back whole
    assert Claim.objects.get(pk=fragment.pk).verdict == ""
    # As good as the sentence, or worse, is allowed; so is "not checkable".
    for verdict in (Review.Verdict.MISLEADING, Review.Verdict.NOT_CHECKABLE):
        review_publish(review=make_review(claim=fragment, status=S.SUBMITTED, verdict=verdict))


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_sentence_is_never_published_below_a_fragment_already_published(people):
    sentence, fragment = sentence_and_fragment()
    make_review(claim=fragment, status=S.PUBLISHED, verdict=Review.Verdict.PARTLY_SUPPORTED)
    values = {
        "verdict": Review.Verdict.FALSE,
        **grading(Review.Certainty.LOW),
        "rationale": "r",
        "summary": "s",
    }
    with pytest.raises(ValidationError, match="Relief comes|within-an-hour|is cut from"):
        review_publish_consensus(claim=sentence, by=people["eve"], values=values, contributors=[])
    assert not sentence.reviews.exists()


# The two-reviewer rule -------------------------------------------------------------------


def handed_in(claim, reviewer, verdict=Review.Verdict.MISLEADING) -> Review:
    review = make_review(claim=claim, reviewer=reviewer, verdict=verdict, **grading())
    return review_submit(review=review, by=reviewer)


def consensus_values(**extra) -> dict:
    return {
        "verdict": Review.Verdict.MISLEADING,
        **grading(Review.Certainty.LOW),
        "rationale": "Both reviewers' points.",
        "summary": "Consensus.",
        **extra,
    }


def test_a_review_is_published_once_two_assigned_reviewers_agree(people):
    claim = assigned_claim(people["ana"], people["ben"])
    first = handed_in(claim, people["ana"])
    with pytest.raises(ValidationError, match=r"\(1 so far\)"):
        review_publish(review=first, by=people["eve"])
    handed_in(claim, people["ben"])
    review_publish(review=first, by=people["eve"])
    assert first.status == S.PUBLISHED and first.override_reason == ""


def test_reviewers_in_conflict_are_settled_by_an_editor_who_is_neither(people):
    claim = assigned_claim(people["ana"], people["eve"])  # the editor is also a reviewer
    ana = handed_in(claim, people["ana"], Review.Verdict.SUPPORTED)
    handed_in(claim, people["eve"], Review.Verdict.FALSE)
    with pytest.raises(ValidationError, match="reviewers disagree"):
        review_publish(review=ana, by=people["eve"])
    with pytest.raises(ValidationError, match="you reviewed this claim yourself"):
        review_publish(review=ana, by=people["eve"], adjudicating=True)
    with pytest.raises(ValidationError, match="you reviewed this claim yourself"):
        review_publish_consensus(
            claim=claim, by=people["eve"], values=consensus_values(), contributors=[people["ana"]]
        )
    other_editor = Group.objects.get(name=EDITOR).user_set.create(username="ed")
    review_publish(review=ana, by=other_editor, adjudicating=True)
    assert ana.status == S.PUBLISHED


def test_an_older_review_of_an_assigned_reviewer_is_not_theirs_to_publish(people):
    claim = assigned_claim(people["ana"], people["ben"])
    older = handed_in(claim, people["ana"])
    handed_in(claim, people["ana"])  # a corrected review, handed in later
    handed_in(claim, people["ben"])
    with pytest.raises(ValidationError, match="not an assigned reviewer's latest review"):
        review_publish(review=older, by=people["eve"])


def test_a_consensus_without_the_reviews_needs_the_editors_reason(people):
    claim = assigned_claim(people["ana"], people["ben"])
    with pytest.raises(ValidationError, match=r"\(0 so far\)"):
        review_publish_consensus(
            claim=claim, by=people["eve"], values=consensus_values(), contributors=[]
        )
    assert not claim.reviews.exists()  # rolled back
    review = review_publish_consensus(
        claim=claim,
        by=people["eve"],
        values=consensus_values(override_reason="  Urgent: a safety claim.  "),
        contributors=[],
    )
    assert (review.status, review.override_reason) == (S.PUBLISHED, "Urgent: a safety claim.")


def test_only_an_editor_publishes_alone_whoever_asks(people, django_user_model):
    review = handed_in(assigned_claim(people["ana"]), people["ana"])
    for who in (None, people["ana"]):
        with pytest.raises(ValidationError, match="Only an editor may publish a review alone"):
            review_publish(review=review, by=who, override_reason="Because.")
    root = django_user_model.objects.create_superuser(username="root", password="x")
    own = handed_in(make_claim(), root)
    with pytest.raises(ValidationError, match="must hand in"):  # superusers too
        review_publish(review=own, by=root)
    review_publish(review=review, by=people["eve"], override_reason="Because.")
    assert Review.objects.get(pk=review.pk).override_reason == "Because."


def test_the_rule_asks_for_as_many_reviewers_as_the_setting_says(people, settings):
    settings.REVIEWERS_REQUIRED = 3
    claim = assigned_claim(people["ana"], people["ben"])
    first = handed_in(claim, people["ana"])
    handed_in(claim, people["ben"])
    with pytest.raises(ValidationError, match=r"3 assigned reviewers .* \(2 so far\)"):
        review_publish(review=first, by=people["eve"])
    settings.REVIEWERS_REQUIRED = 1
    review_publish(review=make_review(claim=make_claim(), status=S.SUBMITTED))


# document_version_follow: a page's quotes found again in its newer version.

VERSION_1 = (
    "Welcome to the Sunrise Clinic.\n\n"
    "Ketamine infusions help 83% of our patients feel better. "
    "Most notice relief within hours of the first session.\n\n"
    "Ketamine is completely safe and non-addictive.\n\n"
    "Call us today to book a consultation."
)


def page_versions(new_body: str):
    older = make_document(title="Sunrise ketamine page", body=VERSION_1)
    quotes = {
        "rate": make_excerpt(
            document=older, quote="Ketamine infusions help 83% of our patients feel better."
        ),
        "onset": make_excerpt(
            document=older, quote="Most notice relief within hours of the first session."
        ),
        "safety": make_excerpt(
            document=older, quote="Ketamine is completely safe and non-addictive."
        ),
    }
    newer = make_document(title="Sunrise ketamine page", body=new_body, supersedes=older)
    return older, newer, quotes


def test_a_new_version_carries_over_verbatim_quotes_and_flags_changed_and_removed_ones():
    new_body = (
        "Now open on Saturdays.\n\n"
        "Welcome to the Sunrise Clinic.\n\n"
        "Ketamine infusions help 90% of our patients feel better. "
        "Most notice relief within hours of the first session.\n\n"
        "Call us today to book a consultation."
    )
    older, newer, quotes = page_versions(new_body)
    counts = document_version_follow(older=older, newer=newer)
    assert counts == {"unchanged": 0, "moved": 1, "changed": 1, "gone": 1}
    for excerpt in quotes.values():
        excerpt.refresh_from_db()
        excerpt.claim.refresh_from_db()
    onset = quotes["onset"]
    assert onset.anchor_state == "moved" and onset.carried_to.document == newer
    assert new_body[onset.carried_to.start : onset.carried_to.end] == onset.quote
    assert onset.carried_to.claim == onset.claim and not onset.claim.needs_rereview
    rate = quotes["rate"]
    assert (rate.anchor_state, rate.carried_to) == ("changed", None)
    assert rate.anchor_text == "Ketamine infusions help 90% of our patients feel better."
    assert "now says “Ketamine infusions help 90%" in rate.claim.rereview_reason
    safety = quotes["safety"]
    assert (safety.anchor_state, safety.anchor_text, safety.carried_to) == ("gone", "", None)
    assert "no longer says “Ketamine is completely safe" in safety.claim.rereview_reason
    # Each claim is made by one current quote: the carried one in the newer version, or
    # the changed or removed one where it was.
    assert list(Excerpt.objects.current().filter(claim=onset.claim)) == [onset.carried_to]
    assert onset.claim.document_count == 1
    newer.refresh_from_db()
    assert (newer.excerpt_count, newer.claim_count) == (1, 1)


def test_following_a_version_twice_changes_nothing_more():
    older, newer, quotes = page_versions(VERSION_1 + "\n\nParking is free.")
    assert document_version_follow(older=older, newer=newer)["unchanged"] == 3
    assert document_version_follow(older=older, newer=newer) == dict.fromkeys(
        ["unchanged", "moved", "changed", "gone"], 0
    )
    assert Excerpt.objects.filter(document=newer).count() == 3


def test_a_carried_quote_files_the_newer_versions_proposed_sentence():
    older = make_document(title="Page", body=VERSION_1)
    quote = "Ketamine is completely safe and non-addictive."
    excerpt = make_excerpt(document=older, quote=quote)
    result = document_ingest(data=VERSION_1 + "\n\nNew: free parking.", supersedes=older)
    candidate = result.document.candidates.get(quote=quote)
    assert candidate.status == Candidate.Status.PROPOSED
    document_version_follow(older=older, newer=result.document)
    candidate.refresh_from_db()
    excerpt.refresh_from_db()
    assert (candidate.status, candidate.excerpt) == ("accepted", excerpt.carried_to)


def test_a_quote_whose_sentence_the_newer_version_files_under_another_claim_stays_put():
    older, newer, quotes = page_versions(VERSION_1 + "\n\nParking is free.")
    onset = quotes["onset"]
    other = make_excerpt(document=newer, quote=onset.quote)  # filed first, under another claim
    assert document_version_follow(older=older, newer=newer)["unchanged"] == 3
    onset.refresh_from_db()
    assert onset.carried_to is None and onset.anchor_state == "unchanged"
    assert list(Excerpt.objects.current().filter(claim=onset.claim)) == [onset]
    assert Excerpt.objects.get(pk=other.pk).claim == other.claim
    assert Excerpt.objects.get(pk=quotes["rate"].pk).carried_to.claim == quotes["rate"].claim


def test_only_a_pages_own_newer_version_is_followed():
    older, newer = make_document(), make_document()
    with pytest.raises(ValueError, match="is not the newer version"):
        document_version_follow(older=older, newer=newer)


def test_an_editor_accepts_the_new_wording_of_a_changed_quote():
    new_body = VERSION_1.replace("83%", "90%")
    older, newer, quotes = page_versions(new_body)
    document_version_follow(older=older, newer=newer)
    rate = Excerpt.objects.get(pk=quotes["rate"].pk)
    carried = excerpt_accept_new_wording(excerpt=rate)
    rate.refresh_from_db()
    assert rate.carried_to == carried and carried.document == newer
    assert carried.quote == "Ketamine infusions help 90% of our patients feel better."
    assert new_body[carried.start : carried.end] == carried.quote
    assert list(Excerpt.objects.current().filter(claim=rate.claim)) == [carried]
    assert Claim.objects.get(pk=rate.claim_id).needs_rereview  # graded on the old wording
    with pytest.raises(ValidationError, match="not a quote its page changed"):
        excerpt_accept_new_wording(excerpt=rate)  # once only
    gone_or_moved = Excerpt.objects.get(pk=quotes["onset"].pk)
    with pytest.raises(ValidationError, match="not a quote its page changed"):
        excerpt_accept_new_wording(excerpt=gone_or_moved)
