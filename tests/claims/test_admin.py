"""The editors' ingestion flow in the admin: ingest a page, then file or dismiss candidates."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import tasks
from claims.admin import NO_CLAIM_CHOSEN, REVIEW_PAGE_SIZE
from claims.matching import SHOWN_MATCH
from claims.models import Candidate, Claim, Excerpt, IngestionItem, IngestionJob
from sources.models import Document
from tests.factories import edited, make_claim, make_document, seed_page
from tests.queries import count_queries

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


def paste(client, text, **data):
    return client.post(INGEST, {"pasted": text, "kind": "clinic_page", **data})


def test_a_near_duplicate_is_shown_with_the_choice_and_nothing_is_stored(editor_client):
    paste(editor_client, seed_page(0), publisher="Calm Clinic")
    original = Document.objects.get()
    response = paste(editor_client, edited(seed_page(0)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This text is much like a page already stored" in html
    assert reverse("admin:sources_document_change", args=[original.pk]) in html
    assert "Calm Clinic" in html and re.search(r"<td>(9\d|100)%</td>", html)  # alike
    assert f'value="{original.pk}"' in html and f"A new version of “{original}”" in html
    assert 'value="different-page"' in html and "A different page" in html
    assert "Evening appointments are now available on Thursdays." in html  # the text, kept
    assert Document.objects.count() == 1


def test_the_editor_stores_the_text_as_a_new_version_of_the_page(editor_client):
    paste(editor_client, seed_page(0))
    original = Document.objects.get()
    response = paste(editor_client, edited(seed_page(0)), store_as=original.pk)
    newer = Document.objects.get(supersedes=original)
    assert response["Location"] == reverse("admin:claims_candidate_review", args=[newer.pk])
    page = editor_client.get(response["Location"]).content.decode()
    assert f"as a new version of “{original}”" in page
    assert newer.candidates.exists()


def test_an_uploaded_near_duplicate_is_kept_as_text_and_stored_as_a_different_page(
    editor_client,
):
    paste(editor_client, seed_page(0))
    upload = SimpleUploadedFile("later.md", edited(seed_page(0)).encode())
    response = editor_client.post(INGEST, {"upload": upload, "kind": "blog_post"})
    form = response.context["form"]
    assert form["pasted"].value() == edited(seed_page(0))
    assert form["name"].value() == "later.md" and form["kind"].value() == "blog_post"
    response = editor_client.post(INGEST, {**form.data.dict(), "store_as": "different-page"})
    assert response.status_code == 302
    stored = Document.objects.exclude(pk=Document.objects.earliest("pk").pk).get()
    assert stored.supersedes is None and stored.kind == "blog_post"
    assert stored.body.endswith("Evening appointments are now available on Thursdays.")


def test_a_wrong_choice_shows_an_error_and_stores_nothing(editor_client):
    paste(editor_client, seed_page(0))
    original = Document.objects.get()
    paste(editor_client, edited(seed_page(0)), store_as=original.pk)
    response = paste(editor_client, edited(edited(seed_page(0))), store_as=original.pk)
    assert "already has a newer version" in response.content.decode()
    response = paste(editor_client, edited(edited(seed_page(0))), store_as="999999")
    assert "Choose one of the pages offered" in response.content.decode()
    assert Document.objects.count() == 2


def test_a_different_page_is_stored_without_a_question(editor_client):
    paste(editor_client, seed_page(0))
    assert paste(editor_client, seed_page(1)).status_code == 302
    assert Document.objects.count() == 2


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


def make_candidates(count: int) -> Document:
    """A document of `count` numbered sentences, each proposed as a candidate."""
    sentences = [f"Sentence {n:04} says ketamine works within hours." for n in range(count)]
    document = make_document(body=" ".join(sentences))
    Candidate.objects.bulk_create(
        Candidate(document=document, start=start, end=start + len(quote), quote=quote,
                  category="onset", reasons=["time to effect"],
                  matches=[{"claim": "relief-within-hours", "score": 0.5}])
        for quote, start in zip(sentences, range(0, 10**9, len(sentences[0]) + 1), strict=False)
    )  # fmt: skip
    return document


def review_url(document, page=None) -> str:
    url = reverse("admin:claims_candidate_review", args=[document.pk])
    return f"{url}?page={page}" if page is not None else url


def test_the_review_page_shows_the_candidates_a_page_at_a_time(editor_client):
    count = 2 * REVIEW_PAGE_SIZE + 7
    document = make_candidates(count)
    first = editor_client.get(review_url(document)).content.decode()
    assert first.count('class="module candidate"') == REVIEW_PAGE_SIZE
    assert "<mark>Sentence 0000 " in first
    assert f"<mark>Sentence {REVIEW_PAGE_SIZE:04} " not in first
    assert f"{count} candidates ({count} proposed, 0 accepted, 0 dismissed)" in first
    assert "Page 1 of 3" in first and 'href="?page=2"' in first
    last = editor_client.get(review_url(document, 3)).content.decode()
    assert last.count('class="module candidate"') == 7
    assert f"<mark>Sentence {count - 1:04} " in last and "<mark>Sentence 0000 " not in last
    for wrong in ("99", "abc"):  # the last page, and the first
        assert editor_client.get(review_url(document, wrong)).status_code == 200


def test_a_decision_on_a_later_page_is_filed_and_returns_to_that_page(editor_client):
    known = make_claim(slug="relief-within-hours", statement="Ketamine relieves anxiety fast.")
    document = make_candidates(2 * REVIEW_PAGE_SIZE + 7)
    candidates = list(document.candidates.in_review_order())
    accepted, dismissed = candidates[REVIEW_PAGE_SIZE + 3], candidates[-1]
    response = editor_client.post(
        review_url(document, 2),
        {"candidate": accepted.pk, "decision": "accept", "claim": known.slug},
    )
    assert response["Location"] == review_url(document, 2) + f"#candidate-{accepted.pk}"
    response = editor_client.post(
        review_url(document), {"candidate": dismissed.pk, "decision": "dismiss"}, follow=True
    )
    assert response.redirect_chain[-1][0] == review_url(document, 3) + f"#candidate-{dismissed.pk}"
    assert "1 accepted, 1 dismissed" in response.content.decode()
    accepted.refresh_from_db()
    dismissed.refresh_from_db()
    assert accepted.excerpt.claim == known and accepted.status == Candidate.Status.ACCEPTED
    assert dismissed.status == Candidate.Status.DISMISSED


def test_the_review_page_runs_the_same_queries_for_one_candidate_or_a_full_page(editor_client):
    make_claim(slug="relief-within-hours", statement="Ketamine relieves anxiety fast.")
    one, full = make_candidates(1), make_candidates(REVIEW_PAGE_SIZE + 1)
    assert count_queries(editor_client, review_url(one)) == count_queries(
        editor_client, review_url(full)
    )


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


def test_only_a_confident_first_suggestion_is_chosen_for_the_editor(editor_client):
    make_claim(slug="relief-within-hours", statement="Ketamine relieves anxiety fast.")
    make_claim(slug="monitored", statement="Patients stay 15 to 30 minutes after a session.")
    document = make_candidates(2)
    confident, unsure = document.candidates.in_review_order()
    unsure.matches = [{"claim": "monitored", "score": SHOWN_MATCH - 0.02}]
    unsure.save()
    page = editor_client.get(review_url(document)).content.decode()
    assert 'value="relief-within-hours" required checked' in page
    assert 'value="monitored" required>' in page
    assert page.count("none of these is alike enough to be chosen for you") == 1
    response = editor_client.post(
        review_url(document), {"candidate": unsure.pk, "decision": "accept"}, follow=True
    )
    assert NO_CLAIM_CHOSEN in response.content.decode()
    unsure.refresh_from_db()
    assert unsure.status == Candidate.Status.PROPOSED and not Excerpt.objects.exists()


COMPOUND = "Call us today. Ketamine works within hours, and it is not addictive. Thank you."


def compound_candidate() -> Candidate:
    document = make_document(body=COMPOUND)
    start = COMPOUND.index("Ketamine")
    quote = COMPOUND[start : COMPOUND.index("addictive.") + len("addictive.")]
    return Candidate.objects.create(
        document=document, start=start, end=start + len(quote), quote=quote,
        category="onset", reasons=["time to effect"], matches=[],
    )  # fmt: skip


def test_an_editor_splits_a_compound_sentence_and_files_each_part(editor_client):
    addictive = make_claim(slug="not-addictive", statement="Ketamine is not addictive.")
    candidate = compound_candidate()
    page = editor_client.get(review_url(candidate.document)).content.decode()
    assert f'data-start="0" data-candidate="{candidate.pk}"' in page
    assert 'name="another"' in page and "admin/js/autocomplete.js" in page
    assert "js/candidate_review.js" in page
    at = COMPOUND.index(" and it")
    response = decide(editor_client, candidate, decision="split", split_at=at)
    assert "Split into two candidates." in response.content.decode()
    first, second = candidate.document.candidates.in_review_order()
    assert first.quote == "Ketamine works within hours,"
    assert second.quote == "and it is not addictive."
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    decide(editor_client, second, decision="accept", claim="another", another=addictive.pk)
    second.refresh_from_db()
    assert second.excerpt.claim == addictive and second.excerpt.quote == second.quote


def test_a_split_or_a_searched_claim_that_cannot_be_is_refused_and_changes_nothing(editor_client):
    candidate = compound_candidate()
    for position, reason in [
        ("", "Give the position to split at."),
        ("x", "is not a character position"),
        (str(candidate.start), "Split at a position inside the candidate"),
        (str(candidate.end + 5), "Split at a position inside the candidate"),
    ]:
        response = decide(editor_client, candidate, decision="split", split_at=position)
        assert reason in response.content.decode()
    response = decide(editor_client, candidate, decision="accept", claim="another", another="")
    assert "search for the other claim and choose it" in response.content.decode()
    assert list(Candidate.objects.all()) == [candidate] and not Excerpt.objects.exists()


# Ingestion in the background: a batch of addresses and files, and the job's page.

BATCH = reverse("admin:claims_candidate_batch")


def test_a_batch_of_addresses_and_files_is_ingested_and_its_page_shows_each_result(
    editor_client, page_server
):
    url = page_server.serve("/ketamine", f"<html><body><p>{seed_page(0)}</p></body></html>")
    files = [
        SimpleUploadedFile("one.md", seed_page(1).encode()),
        SimpleUploadedFile("two.txt", b"x"),
    ]
    response = editor_client.post(
        BATCH,
        {"addresses": f"{url}\n\n{page_server.url('/gone')}\n", "files": files,
         "publisher": "Sunrise", "kind": "clinic_page"},
    )  # fmt: skip
    job = IngestionJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert (job.total, job.finished, job.publisher) == (4, 4, "Sunrise")
    html = editor_client.get(job.get_absolute_url()).content.decode()
    assert 'value="4"' in html and "4 of 4 pages done" in html and "finished" in html
    assert "ingestion_progress.js" not in html  # nothing left to follow
    for item in job.items.filter(status=IngestionItem.Status.STORED):
        assert reverse("admin:claims_candidate_review", args=[item.document_id]) in html
    assert "The site answered HTTP 404" in html and "two.txt" in html
    listing = editor_client.get(reverse("admin:claims_ingestionjob_changelist")).content.decode()
    assert job.get_absolute_url() in listing and "4 of 4 done" in listing


@pytest.mark.parametrize(
    "data, error",
    [
        ({"addresses": "not an address"}, "Line 1 is not a web address"),
        ({"addresses": "ftp://clinic.example/page"}, "Line 1 is not a web address"),
        ({}, "Give at least one address or file."),
        ({"addresses": "\n".join(f"https://c.example/{n}" for n in range(51))}, "At most 50"),
    ],
)
def test_a_bad_batch_is_refused_with_its_reason_and_starts_nothing(editor_client, data, error):
    response = editor_client.post(BATCH, {"kind": "clinic_page", **data})
    assert response.status_code == 200 and error in response.content.decode()
    assert not IngestionJob.objects.exists()


def test_with_workers_the_request_only_queues_the_pages(editor_client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(tasks.ingestion_item_task, "delay", queued.append)
    response = editor_client.post(INGEST, {"pasted": PASTED, "kind": "clinic_page"})
    job = IngestionJob.objects.get()
    assert response["Location"] == job.get_absolute_url()  # the progress page
    assert queued == [job.items.get().pk] and not Document.objects.exists()
    html = editor_client.get(job.get_absolute_url()).content.decode()
    assert "0 of 1 page done" in html and "ingestion_progress.js" in html and "Refresh" in html
    progress = editor_client.get(job.get_absolute_url() + "?format=json")
    assert progress.json() == {"finished": 0, "total": 1, "done": False}
    assert "no-store" in progress["Cache-Control"]
    tasks.ingestion_item_run(item_id=queued[0])  # a worker
    assert editor_client.get(job.get_absolute_url() + "?format=json").json()["done"] is True


def test_an_editor_answers_on_the_jobs_page_for_a_page_much_like_a_stored_one(editor_client):
    paste(editor_client, seed_page(0))
    original = Document.objects.get()
    files = [SimpleUploadedFile("later.md", edited(seed_page(0)).encode())]
    editor_client.post(BATCH, {"files": files, "kind": "clinic_page"})
    job = IngestionJob.objects.get(items__name="later.md")
    html = editor_client.get(job.get_absolute_url()).content.decode()
    assert "What is this text?" in html and f'value="{original.pk}"' in html
    item = job.items.get()
    response = editor_client.post(job.get_absolute_url(), {"item": item.pk, "store_as": "999"})
    assert (
        "Choose one of the pages offered"
        in editor_client.get(response["Location"]).content.decode()
    )
    editor_client.post(job.get_absolute_url(), {"item": item.pk, "store_as": original.pk})
    item.refresh_from_db()
    assert item.status == "stored" and item.document.supersedes == original


def test_reviewers_cannot_ingest_in_the_background(client, reviewer, editor):
    client.force_login(editor)
    client.post(BATCH, {"files": [SimpleUploadedFile("one.md", seed_page(1).encode())],
                        "kind": "clinic_page"})  # fmt: skip
    job = IngestionJob.objects.get()
    client.force_login(reviewer)
    for url in (BATCH, job.get_absolute_url(), job.get_absolute_url() + "?format=json"):
        assert client.get(url).status_code == 403, url
    assert client.post(job.get_absolute_url(), {"item": 1, "store_as": "x"}).status_code == 403
