"""Every model's admin changelist and change form renders, in a fixed number of queries."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims.models import Candidate, Claim
from reviews.models import Assignment, Review
from reviews.services import document_version_follow
from tests.factories import (
    make_document,
    make_evidence_link,
    make_excerpt,
    make_review,
    make_study,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

MODELS = [
    "sources.document",
    "sources.study",
    "claims.claim",
    "claims.excerpt",
    "reviews.evidencelink",
    "reviews.review",
    "reviews.assignment",
    "claims.candidate",
]


def make_one_of_everything():
    excerpt = make_excerpt()
    make_excerpt(document=excerpt.document, claim=excerpt.claim, quote="six infusions")
    make_evidence_link(claim=excerpt.claim, study=make_study())
    make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED)
    make_review(claim=excerpt.claim)
    reviewer = get_user_model().objects.create_user(username=f"r{excerpt.pk}", password="x")
    Assignment.objects.create(claim=excerpt.claim, reviewer=reviewer)
    Candidate.objects.create(
        document=excerpt.document,
        start=excerpt.start,
        end=excerpt.end,
        quote=excerpt.quote,
        category=Claim.Category.ONSET,
        reasons=["time to effect"],
        matches=[{"claim": excerpt.claim.slug, "score": 0.9}],
    )
    return excerpt


def changelist(model: str) -> str:
    return reverse(f"admin:{model.replace('.', '_')}_changelist")


@pytest.mark.parametrize("model", MODELS)
def test_changelist_queries_do_not_grow_with_rows(superuser_client, model):
    make_one_of_everything()
    few = count_queries(superuser_client, changelist(model))
    for _ in range(3):
        make_one_of_everything()
    assert count_queries(superuser_client, changelist(model)) == few


@pytest.mark.parametrize("model", MODELS)
def test_change_form_renders(superuser_client, model):
    excerpt = make_one_of_everything()
    objects = {
        "sources.document": excerpt.document,
        "sources.study": excerpt.claim.evidence_links.get().study,
        "claims.claim": excerpt.claim,
        "claims.excerpt": excerpt,
        "reviews.evidencelink": excerpt.claim.evidence_links.get(),
        "reviews.review": excerpt.claim.reviews.first(),
        "reviews.assignment": excerpt.claim.assignments.first(),
        "claims.candidate": excerpt.document.candidates.first(),
    }
    url = reverse(f"admin:{model.replace('.', '_')}_change", args=[objects[model].pk])
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert response.context["original"] == objects[model]


def test_claim_change_form_shows_excerpts_in_context_and_is_fixed_in_queries(superuser_client):
    excerpt = make_one_of_everything()
    url = reverse("admin:claims_claim_change", args=[excerpt.claim.pk])
    response = superuser_client.get(url)
    html = response.content.decode()
    assert "<mark>within hours</mark>" in html
    assert "Evidence links" in html or "evidence link" in html.lower()
    few = count_queries(superuser_client, url)
    for quote in ("Side effects are minimal", "Ketamine works", "a week or two apart"):
        make_excerpt(document=excerpt.document, claim=excerpt.claim, quote=quote)
        make_evidence_link(claim=excerpt.claim)
    assert count_queries(superuser_client, url) == few


def test_excerpt_context_is_escaped(superuser_client):
    from tests.factories import make_document

    document = make_document(body="<script>alert(1)</script> relief within hours <b>now</b>")
    excerpt = make_excerpt(document=document, quote="relief within hours")
    response = superuser_client.get(reverse("admin:claims_excerpt_change", args=[excerpt.pk]))
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_publish_action_supersedes_and_reports(superuser_client):
    published = make_review(status=Review.Status.PUBLISHED)
    draft = make_review(
        claim=published.claim, verdict=Review.Verdict.FALSE, status=Review.Status.SUBMITTED
    )
    response = superuser_client.post(
        changelist("reviews.review"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Published:" in response.content.decode()
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, draft.status) == ("superseded", "published")


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(changelist("claims.claim"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_search_and_autocomplete_work(superuser_client):
    excerpt = make_one_of_everything()
    response = superuser_client.get(changelist("claims.claim"), {"q": "within hours"})
    assert excerpt.claim.statement in response.content.decode()
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "reviews",
            "model_name": "evidencelink",
            "field_name": "study",
            "term": "trial",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"]


def test_editors_accept_a_changed_quotes_new_wording_and_reviewers_cannot(client, editor, reviewer):
    body = "Ketamine infusions help 83% of our patients feel better. Call us today."
    older = make_document(body=body)
    rate = make_excerpt(document=older, quote=body.split(" Call")[0])
    newer = make_document(body=body.replace("83%", "90%"), supersedes=older)
    document_version_follow(older=older, newer=newer)
    changelist = reverse("admin:claims_excerpt_changelist")
    action = {"action": "accept_new_wording", "_selected_action": [rate.pk]}
    client.force_login(reviewer)
    offered = client.get(changelist).context["action_form"]
    assert not offered or "accept_new_wording" not in dict(offered.fields["action"].choices)
    client.post(changelist, action)
    rate.refresh_from_db()
    assert rate.carried_to is None
    client.force_login(editor)
    page = client.get(changelist + "?anchor_state__exact=changed").content.decode()
    assert "83%" in page
    response = client.post(changelist, action, follow=True)
    rate.refresh_from_db()
    assert rate.carried_to.quote == "Ketamine infusions help 90% of our patients feel better."
    assert "now reads" in response.content.decode()
