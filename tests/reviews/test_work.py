"""'My work', the admin's start page: each person's own queue, role by role."""

import pytest
from django.urls import reverse

from claims.models import Candidate
from claims.services import ingestion_item_run, ingestion_job_create
from corrections.services import correction_report
from reviews.models import Assignment, Review
from reviews.work import TO_REVIEW, claims_to_review, my_work
from sources.models import Document
from tests.admin_pages import login
from tests.factories import make_claim, make_document, make_review
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

S = Review.Status
INDEX = reverse("admin:index")


def assign(claim, *reviewers):
    for reviewer in reviewers:
        Assignment.objects.create(claim=claim, reviewer=reviewer)
    return claim


def counts(user) -> dict[str, int]:
    return {item.label: item.count for item in my_work(user)}


@pytest.fixture
def desk(reviewer, other_reviewer):
    """Claims in each state of the workflow."""
    to_do = assign(make_claim(statement="TO DO CLAIM"), reviewer, other_reviewer)
    drafted = assign(make_claim(statement="DRAFTED CLAIM"), reviewer)
    make_review(claim=drafted, reviewer=reviewer)
    handed_in = assign(make_claim(statement="HANDED IN CLAIM"), reviewer, other_reviewer)
    make_review(claim=handed_in, reviewer=reviewer, status=S.SUBMITTED)
    conflict = assign(make_claim(statement="CONFLICT CLAIM"), reviewer, other_reviewer)
    make_review(claim=conflict, reviewer=reviewer, status=S.SUBMITTED)
    make_review(
        claim=conflict, reviewer=other_reviewer, status=S.SUBMITTED, verdict=Review.Verdict.FALSE
    )
    flagged = make_claim(statement="FLAGGED CLAIM", rereview_reason="A study was retracted.")
    correction_report(subject=flagged, page_path="/claims/flagged/", report="REPORTED ERROR")
    sent = make_document(title="SENT PAGE", status=Document.Status.PROPOSED)
    Candidate.objects.create(
        document=sent, start=0, end=4, quote=sent.body[:4], category="onset", reasons=[]
    )
    job = ingestion_job_create(
        by=None, items=[{"data": sent.body.encode() + b"!", "name": "ALIKE.txt"}]
    )
    ingestion_item_run(item_id=job.items.get().pk)  # much like the page sent: to decide
    return {"to_do": to_do, "drafted": drafted, "conflict": conflict, "flagged": flagged}


def test_a_reviewer_sees_their_assignments_drafts_and_flags_only(reviewer, desk):
    assert set(claims_to_review(reviewer)) == {desk["to_do"], desk["drafted"]}
    assert counts(reviewer) == {
        "Assigned to me, to review": 2,  # a draft is not handed in
        "My drafts": 1,
        "My claims flagged for re-review": 0,  # the flagged claim is not theirs
    }


def test_an_editor_also_sees_conflicts_flags_and_what_readers_sent(editor, desk):
    assert counts(editor) == {
        "Assigned to me, to review": 0,
        "My drafts": 0,
        "Conflicts to adjudicate": 1,
        "Agreed, to publish": 0,
        "Flagged for re-review": 1,
        "Pages sent by readers": 1,
        "Corrections to handle": 1,
        "Ingested pages much like stored ones, to decide": 1,
        "Candidate sentences to file": 1,
    }
    conflict = next(item for item in my_work(editor) if item.label == "Conflicts to adjudicate")
    url = reverse("admin:reviews_review_adjudicate", args=[desk["conflict"].pk])
    assert conflict.rows == [("CONFLICT CLAIM", url)]


def test_the_start_page_is_my_work_with_links_that_open(client, reviewer, editor, desk):
    login(client, reviewer)
    page = client.get(INDEX).content.decode()
    assert "My work" in page and "TO DO CLAIM" in page and "DRAFTED CLAIM" in page
    assert "CONFLICT CLAIM" not in page and "SENT PAGE" not in page  # not a reviewer's
    listed = client.get(reverse("admin:claims_claim_changelist"), {"workflow": TO_REVIEW})
    assert set(listed.context["cl"].result_list) == {desk["to_do"], desk["drafted"]}
    login(client, editor)
    response = client.get(INDEX)
    page = response.content.decode()
    assert "CONFLICT CLAIM" in page and "SENT PAGE" in page and "FLAGGED CLAIM" in page
    assert "REPORTED ERROR" in page and "ALIKE.txt" in page
    for item in response.context["my_work"]:
        assert client.get(item.url).status_code == 200, item.url  # not 302 to ?e=1


def test_the_start_page_takes_the_same_queries_with_more_work(client, editor, desk):
    login(client, editor)
    reviewer = desk["to_do"].assignments.first().reviewer
    before = count_queries(client, INDEX)
    for n in range(3):
        claim = assign(make_claim(statement=f"MORE {n}"), reviewer, editor)
        make_review(claim=claim, reviewer=editor)
        make_document(title=f"SENT {n}", status=Document.Status.PROPOSED)
        correction_report(subject=claim, page_path="/claims/x/", report=f"ERROR {n}")
    assert count_queries(client, INDEX) == before
