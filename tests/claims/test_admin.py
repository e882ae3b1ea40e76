"""The editors' ingestion flow in the admin: ingest a page, then file or dismiss candidates."""

import pytest
from django.urls import reverse

from claims.models import Candidate, Claim, Excerpt
from sources.models import Document
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

PASTED = (
    "Serenity Ketamine Center\n\n"
    "Our patients feel relief from anxiety within hours of their first infusion.\n\n"
    "Ketamine is completely safe and non-addictive.\n\n"
    "Call us at (555) 201-7788 to book a consultation."
)
INGEST = reverse("admin:claims_candidate_ingest")


def ingest(client):
    response = client.post(
        INGEST, {"pasted": PASTED, "kind": "clinic_page", "publisher": "Serenity"}
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:claims_candidate_review", args=[document.pk])
    return document


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_an_editor_ingests_pasted_text_and_sees_its_candidates(editor_client):
    make_claim(slug="relief-within-hours", statement="Ketamine relieves anxiety within hours.")
    document = ingest(editor_client)
    assert document.publisher == "Serenity"
    page = editor_client.get(reverse("admin:claims_candidate_review", args=[document.pk]))
    html = page.content.decode()
    assert (
        "<mark>Our patients feel relief from anxiety within hours of their first infusion.</mark>"
        in html
    )
    assert "time to effect" in html
    assert "Ketamine relieves anxiety within hours." in html  # the suggested match
    assert "(555)" not in html.split("<mark>")[1].split("</mark>")[0]


def test_bad_input_shows_an_error_and_stores_nothing(editor_client):
    response = editor_client.post(INGEST, {"pasted": "too short", "kind": "clinic_page"})
    assert response.status_code == 200
    assert "Only 9 characters of text were found" in response.content.decode()
    response = editor_client.post(INGEST, {"kind": "clinic_page"})
    assert "Upload a file or paste the text" in response.content.decode()
    assert not Document.objects.exists()


def decide(client, candidate, **data):
    url = reverse("admin:claims_candidate_review", args=[candidate.document_id])
    return client.post(url, {"candidate": candidate.pk, **data}, follow=True)


def test_accept_into_a_known_claim_a_new_claim_or_dismiss(editor_client):
    known = make_claim(
        slug="relief-within-hours", statement="Ketamine relieves anxiety within hours."
    )
    document = ingest(editor_client)
    relief, safe = document.candidates.order_by("start")
    decide(editor_client, relief, decision="accept", claim=known.slug)
    relief.refresh_from_db()
    assert relief.status == Candidate.Status.ACCEPTED
    assert relief.excerpt.claim == known and relief.excerpt.quote == relief.quote

    response = decide(
        editor_client,
        safe,
        decision="accept",
        claim="",
        statement="Ketamine is safe and not addictive.",
        category="safety",
        start=safe.start,
        end=safe.start + len("Ketamine is completely safe"),
    )
    assert "Filed under" in response.content.decode()
    created = Claim.objects.get(statement="Ketamine is safe and not addictive.")
    assert created.category == "safety"
    assert created.excerpts.get().quote == "Ketamine is completely safe"

    # Decisions are remembered: a decided candidate cannot be decided again.
    response = decide(editor_client, relief, decision="dismiss")
    assert "already been decided" in response.content.decode()
    assert Excerpt.objects.count() == 2


def test_dismiss_and_bad_spans(editor_client):
    document = ingest(editor_client)
    relief, safe = document.candidates.order_by("start")
    response = decide(
        editor_client, relief, decision="accept", claim="", statement="S", start="abc"
    )
    assert "is not a character position" in response.content.decode()
    response = decide(
        editor_client, relief, decision="accept", claim="", statement="S", start=5, end=1
    )
    assert "outside the document" in response.content.decode()
    response = decide(editor_client, relief, decision="accept", claim="no-such-claim")
    assert "There is no claim" in response.content.decode()
    decide(editor_client, safe, decision="dismiss")
    safe.refresh_from_db()
    assert safe.status == Candidate.Status.DISMISSED
    assert not Excerpt.objects.exists()


def test_reviewers_cannot_ingest_or_file(client, reviewer, editor):
    client.force_login(editor)
    document = ingest(client)
    client.force_login(reviewer)
    assert client.get(INGEST).status_code == 403
    review = reverse("admin:claims_candidate_review", args=[document.pk])
    assert client.get(review).status_code == 403
    assert client.post(review, {"candidate": document.candidates.first().pk}).status_code == 403


def test_the_document_admin_page_links_to_its_candidates(editor_client):
    document = ingest(editor_client)
    page = editor_client.get(reverse("admin:sources_document_change", args=[document.pk]))
    review = reverse("admin:claims_candidate_review", args=[document.pk])
    assert f'href="{review}"' in page.content.decode()


def test_claim_autocomplete_answers_in_a_stable_order(superuser_client):
    for statement in ("Zeta claim.", "Alpha claim."):
        make_claim(statement=statement)
    response = superuser_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "reviews",
            "model_name": "evidencelink",
            "field_name": "claim",
            "term": "claim",
        },
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Alpha claim.", "Zeta claim."]
