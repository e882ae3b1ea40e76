"""What an editor's edit in the admin changes for readers: the stored search text, verdicts
and counts the edit touches, and the cached public pages (primed by an anonymous reader
before the edit, read by them after it)."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from claims.models import Candidate, Claim, Excerpt
from reviews import admin as reviews_admin
from reviews.models import EvidenceLink, Review
from sources.models import Document, Study
from tests.admin_pages import change_form_data, delete_selected, login, save_change_page
from tests.factories import (
    make_claim,
    make_document,
    make_evidence_link,
    make_excerpt,
    make_review,
    make_study,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return Client()


@pytest.fixture
def world():
    document = make_document(title="Sunrise Clinic page")
    claim = make_claim(statement="Ketamine relieves depression within hours.")
    excerpt = make_excerpt(claim=claim, document=document, quote="Ketamine works within hours")
    study = make_study(title="A randomized trial of racemic ketamine")
    link = make_evidence_link(claim=claim, study=study)
    make_review(claim=claim, status=Review.Status.PUBLISHED, verdict=Review.Verdict.MISLEADING)
    return {"claim": claim, "document": document, "study": study, "excerpt": excerpt, "link": link}


def counts(row) -> tuple:
    row.refresh_from_db()
    if isinstance(row, Document):
        return row.excerpt_count, row.claim_count
    return (row.claim_count,)


def test_editing_a_claims_statement_makes_it_findable_by_the_new_words(
    client, reader, editor, world
):
    claim = world["claim"]
    search = reverse("claims:list") + "?q=esketamine"
    pages = [search, claim.get_absolute_url(), world["document"].get_absolute_url()]
    for url in pages:
        reader.get(url)
    login(client, editor)

    save_change_page(client, "claims_claim", claim.pk, statement="Esketamine lifts mood in a day.")

    assert list(Claim.objects.search("esketamine")) == [claim]
    for url in pages:
        assert "Esketamine lifts mood in a day." in reader.get(url).content.decode(), url


def test_an_excerpt_added_on_the_claim_page_counts_on_its_document(client, editor, world):
    claim, document = world["claim"], world["document"]
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    page = login(client, editor).get(url)
    new = Excerpt.locate(document=document, quote="six infusions")
    data = change_form_data(page)
    data.update(
        {
            "excerpts-TOTAL_FORMS": 2,
            "excerpts-1-document": document.pk,
            "excerpts-1-quote": new.quote,
            "excerpts-1-start": new.start,
            "excerpts-1-end": new.end,
        }
    )
    assert client.post(url, data).status_code == 302
    assert counts(document) == (2, 1)
    assert "six infusions" in Claim.objects.get(pk=claim.pk).search_text


def test_an_excerpt_deleted_on_the_claim_page_leaves_its_document_and_claim(
    client, reader, editor, world
):
    claim, document = world["claim"], world["document"]
    reader.get(document.get_absolute_url())
    login(client, editor)

    save_change_page(client, "claims_claim", claim.pk, **{"excerpts-0-DELETE": "on"})

    assert counts(document) == (0, 0)
    claim.refresh_from_db()
    assert (claim.document_count, "works within hours" in claim.search_text) == (0, False)
    assert "0 excerpts," in reader.get(document.get_absolute_url()).content.decode()


def test_an_excerpt_moved_to_another_document_is_counted_there_only(client, editor, world):
    before, after = world["document"], make_document()
    moved = Excerpt.locate(document=after, quote="Ketamine works within hours")
    login(client, editor)

    save_change_page(
        client, "claims_excerpt", world["excerpt"].pk,
        document=after.pk, start=moved.start, end=moved.end,
    )  # fmt: skip

    assert (counts(before), counts(after)) == ((0, 0), (1, 1))


def test_excerpts_deleted_from_their_list_leave_their_claims_and_documents(client, editor, world):
    claim, document = world["claim"], world["document"]
    login(client, editor)
    delete_selected(client, "claims_excerpt", [world["excerpt"].pk])
    assert not Excerpt.objects.exists()
    assert counts(document) == (0, 0)
    assert "works within hours" not in Claim.objects.get(pk=claim.pk).search_text


def test_a_link_moved_to_another_study_is_counted_there_only(client, editor, world):
    before, after = world["study"], make_study()
    login(client, editor)
    save_change_page(client, "reviews_evidencelink", world["link"].pk, study=after.pk)
    assert (counts(before), counts(after)) == ((0,), (1,))


def test_a_link_deleted_from_its_list_uncounts_the_study(client, editor, world):
    login(client, editor)
    delete_selected(client, "reviews_evidencelink", [world["link"].pk])
    assert counts(world["study"]) == (0,)


def test_evidence_added_on_the_claim_page_counts_for_the_study(client, reader, editor, world):
    claim, study = world["claim"], make_study(title="An open-label trial of esketamine")
    reader.get(study.get_absolute_url())
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = change_form_data(login(client, editor).get(url))
    data.update(
        {
            "evidence_links-TOTAL_FORMS": 2,
            "evidence_links-1-study": study.pk,
            "evidence_links-1-stance": EvidenceLink.Stance.CONTRADICTS,
            "evidence_links-1-directness": EvidenceLink.Directness.DIRECT,
            "evidence_links-1-note": "Weeks, not hours.",
        }
    )
    assert client.post(url, data).status_code == 302
    assert counts(study) == (1,)
    assert claim.statement in reader.get(study.get_absolute_url()).content.decode()


def test_linking_a_contradicting_claim_shows_on_both_pages(client, reader, editor, world):
    claim = world["claim"]
    other = make_claim(statement="Ketamine takes weeks to work.")
    for page in (claim, other):
        reader.get(page.get_absolute_url())
    login(client, editor)

    save_change_page(client, "claims_claim", claim.pk, contradicts=[other.pk])

    assert other.statement in reader.get(claim.get_absolute_url()).content.decode()
    assert claim.statement in reader.get(other.get_absolute_url()).content.decode()


def test_a_deleted_claim_leaves_its_documents(client, reader, editor, world):
    """(A claim with a published review cannot be deleted: its review stands.)"""
    document = world["document"]
    unreviewed = make_excerpt(document=document, quote="six infusions").claim
    make_evidence_link(claim=unreviewed, study=world["study"])
    reader.get(document.get_absolute_url())
    login(client, editor)
    delete_selected(client, "claims_claim", [unreviewed.pk])
    assert not Claim.objects.filter(pk=unreviewed.pk).exists()
    assert (counts(document), counts(world["study"])) == ((1, 1), (1,))
    assert unreviewed.statement not in reader.get(document.get_absolute_url()).content.decode()


def test_retracting_a_study_flags_every_claim_relying_on_it(client, reader, editor, world):
    claim, study = world["claim"], world["study"]
    unrelated = make_evidence_link().claim
    reader.get(claim.get_absolute_url())
    login(client, editor)

    save_change_page(
        client, "sources_study", study.pk,
        is_retracted="on", retraction_note="Data could not be verified.",
    )  # fmt: skip

    flagged = Claim.objects.exclude(rereview_reason="")
    assert list(flagged) == [claim] and unrelated not in flagged
    assert "retracted" in flagged.get().rereview_reason
    assert "This review is being updated." in reader.get(claim.get_absolute_url()).content.decode()


def test_editing_a_retracted_study_again_flags_nothing_new(client, editor, world):
    study = world["study"]
    login(client, editor)
    save_change_page(
        client, "sources_study", study.pk, is_retracted="on", retraction_note="Fabricated."
    )
    Claim.objects.update(rereview_reason="")
    save_change_page(client, "sources_study", study.pk, title="Retracted: a trial of ketamine")
    assert not Claim.objects.exclude(rereview_reason="").exists()


def test_changing_a_study_shows_on_its_page_and_the_claims_it_bears_on(
    client, reader, editor, world
):
    study, claim = world["study"], world["claim"]
    pages = [study.get_absolute_url(), claim.get_absolute_url(), reverse("studies:list")]
    for url in pages:
        reader.get(url)
    login(client, editor)
    save_change_page(client, "sources_study", study.pk, title="A crossover trial of esketamine")
    for url in pages:
        assert "A crossover trial of esketamine" in reader.get(url).content.decode(), url


def test_renaming_a_document_shows_on_its_page(client, reader, editor, world):
    document = world["document"]
    reader.get(document.get_absolute_url())
    login(client, editor)
    save_change_page(client, "sources_document", document.pk, title="Moonrise Clinic page")
    assert "Moonrise Clinic page" in reader.get(document.get_absolute_url()).content.decode()
    assert counts(document) == (1, 1)


def test_filing_a_candidate_shows_the_quote_on_the_claims_page(client, reader, editor, world):
    claim, document = world["claim"], world["document"]
    quote = Excerpt.locate(document=document, quote="six infusions")
    candidate = Candidate.objects.create(
        document=document, start=quote.start, end=quote.end, quote=quote.quote,
        category=Claim.Category.DOSING,
    )  # fmt: skip
    reader.get(claim.get_absolute_url())
    login(client, editor)

    review_page = reverse("admin:claims_candidate_review", args=[document.pk])
    client.post(review_page, {"candidate": candidate.pk, "claim": claim.slug})

    assert counts(document) == (2, 1)
    assert "six infusions" in reader.get(claim.get_absolute_url()).content.decode()


def test_every_model_has_one_admin_and_the_editorial_ones_live_in_reviews():
    for model in (Claim, Excerpt, Candidate, Study):
        assert type(admin.site.get_model_admin(model)).__module__ == reviews_admin.__name__
    assert type(admin.site.get_model_admin(Document)).__module__ == "sources.admin"
