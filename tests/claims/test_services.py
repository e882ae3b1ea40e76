import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from claims.models import Candidate, IngestionItem
from claims.services import (
    NearDuplicateError,
    candidate_dismiss,
    candidate_split,
    document_ingest,
    ingestion_item_decide,
    ingestion_item_run,
    ingestion_job_create,
)
from sources.ingest import IngestError
from sources.models import Document
from tests.factories import edited, make_claim, make_document, seed_page

pytestmark = pytest.mark.django_db

PAGE = b"""<html><head><title>Calm Clinic</title></head><body><nav>Home | About</nav>
<article><h1>Ketamine for anxiety</h1>
<p>Ketamine relieves anxiety within hours for most of our patients.</p>
<p>A course is usually six infusions, given a week apart.</p>
<p>Call us at (555) 867-5309 to book a consultation.</p></article></body></html>"""


def test_ingesting_stores_the_text_and_its_candidates_with_valid_offsets():
    result = document_ingest(data=PAGE, name="calm.html", publisher="Calm Clinic")
    document = result.document
    assert result.created and document.publisher == "Calm Clinic"
    assert document.title == "Ketamine for anxiety" and document.slug == "ketamine-for-anxiety"
    candidates = list(document.candidates.all())
    assert [c.quote for c in candidates] == [
        "Ketamine relieves anxiety within hours for most of our patients.",
        "A course is usually six infusions, given a week apart.",
    ]
    for candidate in candidates:
        assert document.body[candidate.start : candidate.end] == candidate.quote
        assert candidate.status == Candidate.Status.PROPOSED and candidate.reasons


def test_the_same_text_twice_is_recognized_not_duplicated():
    first = document_ingest(data=PAGE, name="calm.html")
    again = document_ingest(data=PAGE.replace(b"<nav>Home | About</nav>", b""), name="x.html")
    assert (again.created, again.document) == (False, first.document)
    assert Document.objects.count() == 1


def test_bad_input_stores_nothing():
    with pytest.raises(IngestError):
        document_ingest(data=b"\x00\x01\x02binary", name="x.bin")
    assert not Document.objects.exists() and not Candidate.objects.exists()


def test_dry_run_json_prints_text_and_candidates_and_stores_nothing(tmp_path, capsys):
    page = tmp_path / "calm.html"
    page.write_bytes(PAGE)
    call_command("ingest_document", str(page), "--dry-run", "--format", "json")
    output = json.loads(capsys.readouterr().out)
    assert set(output) == {"text", "candidates"}
    first = output["candidates"][0]
    assert set(first) == {"start", "end", "quote", "category", "reasons", "matches"}
    assert output["text"][first["start"] : first["end"]] == first["quote"]
    assert not Document.objects.exists()


def test_the_command_stores_and_reports_errors_clearly(tmp_path, capsys):
    page = tmp_path / "calm.html"
    page.write_bytes(PAGE)
    call_command("ingest_document", str(page), "--url", "https://calm.example/ketamine")
    assert "2 candidate claims" in capsys.readouterr().out
    assert Document.objects.get().url == "https://calm.example/ketamine"
    call_command("ingest_document", str(page))
    assert "Already stored" in capsys.readouterr().out
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(CommandError, match="Nothing was stored. Only 0 characters"):
        call_command("ingest_document", str(empty))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("ingest_document", str(tmp_path / "missing.html"))


def test_the_evaluation_meets_its_targets_on_the_corpus(capsys):
    from django.conf import settings

    from claims.evaluation import evaluate

    figures = evaluate(settings.CORPUS_DIR)
    assert figures.labelled >= 200
    assert figures.precision >= 0.6 and figures.recall >= 0.9 and figures.top3 >= 0.8
    # The filing screen's pre-selected suggestions (from SHOWN_MATCH) are nearly all right.
    assert figures.preselected >= 50 and figures.preselected_precision >= 0.95
    call_command("evaluate_ingestion")
    assert "BELOW TARGET" not in capsys.readouterr().out


def test_a_page_edited_a_little_is_recognized_as_alike_and_not_stored():
    original = document_ingest(data=seed_page(0), name="seed.txt").document
    with pytest.raises(NearDuplicateError) as error:
        document_ingest(data=edited(seed_page(0)), name="seed.txt")
    (near,) = error.value.near_duplicates
    assert near.document == original and near.similarity >= 0.9
    assert f"much like a page already stored: “{original}” ({original.slug}, " in str(error.value)
    assert error.value.latest == original
    assert Document.objects.count() == 1 and Candidate.objects.filter(document=original).exists()


def test_a_different_page_is_stored_without_asking():
    document_ingest(data=seed_page(0), name="seed.txt")
    assert document_ingest(data=seed_page(1), name="other.txt").created
    assert Document.objects.count() == 2


def test_a_new_version_is_a_document_of_its_own_linked_to_the_one_it_supersedes():
    original = document_ingest(data=seed_page(0), name="seed.txt").document
    result = document_ingest(data=edited(seed_page(0)), name="seed.txt", supersedes=original)
    newer = result.document
    assert result.created and newer.supersedes == original and original.newer_version == newer
    assert newer.body.endswith("Evening appointments are now available on Thursdays.")
    assert newer.slug != original.slug and newer.candidates.count() == len(result.candidates)
    original.refresh_from_db()
    assert original.body == seed_page(0).strip() and original.supersedes is None


def test_a_page_alike_but_different_is_stored_as_a_page_of_its_own_when_told():
    document_ingest(data=seed_page(0), name="seed.txt")
    result = document_ingest(data=edited(seed_page(0)), name="seed.txt", different_page=True)
    assert result.created and result.document.supersedes is None


def test_a_page_that_has_a_newer_version_gets_no_second_one():
    original = document_ingest(data=seed_page(0), name="seed.txt").document
    newer = document_ingest(data=edited(seed_page(0)), supersedes=original).document
    with pytest.raises(NearDuplicateError) as error:
        document_ingest(data=edited(edited(seed_page(0))))
    assert error.value.latest == newer  # the one to supersede
    with pytest.raises(ValidationError, match="already has a newer version"):
        document_ingest(data=edited(edited(seed_page(0))), supersedes=original)
    assert Document.objects.count() == 2


def test_the_command_refuses_a_near_duplicate_until_told_what_it_is(tmp_path, capsys):
    page, again = tmp_path / "page.txt", tmp_path / "again.txt"
    page.write_text(seed_page(0))
    again.write_text(edited(seed_page(0)))
    call_command("ingest_document", str(page))
    original = Document.objects.get()
    with pytest.raises(CommandError) as error:
        call_command("ingest_document", str(again))
    message = str(error.value)
    assert message.startswith("Nothing was stored. This text is much like a page already stored")
    assert f"--new-version-of {original.slug}" in message and "--different-page" in message
    with pytest.raises(CommandError, match="Nothing was stored"):
        call_command("ingest_document", str(again), "--dry-run")
    with pytest.raises(CommandError, match="There is no document “no-such-page”"):
        call_command("ingest_document", str(again), "--new-version-of", "no-such-page")
    assert Document.objects.count() == 1
    capsys.readouterr()
    call_command("ingest_document", str(again), "--new-version-of", original.slug)
    assert f"as a new version of “{original}”" in capsys.readouterr().out
    assert Document.objects.get(supersedes=original)


def test_the_command_stores_a_near_duplicate_as_a_different_page_when_told(tmp_path):
    page, again = tmp_path / "page.txt", tmp_path / "again.txt"
    page.write_text(seed_page(0))
    again.write_text(edited(seed_page(0)))
    call_command("ingest_document", str(page))
    call_command("ingest_document", str(again), "--different-page")
    assert Document.objects.count() == 2 and not Document.objects.filter(supersedes__isnull=False)


def test_a_split_candidate_is_replaced_by_its_two_parts_each_matched_anew():
    make_claim(slug="fast", statement="Ketamine works within hours.")
    make_claim(slug="not-addictive", statement="Ketamine is not addictive.")
    body = "Ketamine works within hours, and ketamine is not addictive."
    document = make_document(body=body)
    whole = Candidate.objects.create(
        document=document, start=0, end=len(body), quote=body, category="onset", reasons=["x"]
    )
    first, second = candidate_split(candidate=whole, at=body.index(" and"))
    assert (first.quote, second.quote) == (
        "Ketamine works within hours,",
        "and ketamine is not addictive.",
    )
    assert first.matches[0]["claim"] == "fast" and second.matches[0]["claim"] == "not-addictive"
    assert (first.category, second.reasons) == ("onset", ["x"])
    assert set(document.candidates.all()) == {first, second}


def test_a_split_that_would_lose_or_repeat_text_is_refused():
    body = "Ketamine works fast.   It is safe."
    document = make_document(body=body)
    whole = Candidate.objects.create(
        document=document, start=0, end=len(body), quote=body, category="onset", reasons=[]
    )
    spaced = Candidate.objects.create(
        document=document, start=0, end=23, quote=body[:23], category="onset", reasons=[]
    )  # "Ketamine works fast.   ": its last part would be spaces alone
    with pytest.raises(ValidationError, match="Both parts"):
        candidate_split(candidate=spaced, at=21)
    spaced.delete()
    Candidate.objects.create(
        document=document, start=0, end=20, quote=body[:20], category="onset", reasons=[]
    )
    with pytest.raises(ValidationError, match="exists already"):
        candidate_split(candidate=whole, at=20)
    candidate_dismiss(candidate=whole)
    with pytest.raises(ValidationError, match="already been decided"):
        candidate_split(candidate=whole, at=20)
    assert document.candidates.count() == 2


# Ingestion jobs (claims.tasks runs ingestion_item_run for each item).


def job_of(*items, publisher="Sunrise Clinic"):
    return ingestion_job_create(by=None, items=list(items), publisher=publisher)


def run_all(job):
    for item in job.items.all():
        ingestion_item_run(item_id=item.pk)
    job.refresh_from_db()
    return {item.position: item for item in job.items.all()}


def test_a_job_ingests_fetched_and_given_pages_and_counts_them_finished(page_server):
    url = page_server.serve("/ketamine", f"<html><body><p>{seed_page(0)}</p></body></html>")
    job = job_of(
        {"url": url, "fetch": True},
        {"data": seed_page(1).encode(), "name": "page.md"},
        {"data": b"too short", "name": "short.txt"},
        {"url": page_server.url("/missing"), "fetch": True},
    )
    assert (job.total, job.finished, job.is_finished) == (4, 0, False)
    items = run_all(job)
    assert [items[n].status for n in (1, 2, 3, 4)] == [
        IngestionItem.Status.STORED, IngestionItem.Status.STORED,
        IngestionItem.Status.FAILED, IngestionItem.Status.FAILED,
    ]  # fmt: skip
    assert items[1].document.url == url and items[1].document.publisher == "Sunrise Clinic"
    assert items[1].candidate_count == items[1].document.candidates.count() > 0
    assert "HTTP 404" in items[4].message and items[3].message
    assert (job.finished, job.is_finished, job.percent) == (4, True, 100)
    assert job.finished_at is not None


def test_an_item_run_twice_is_ingested_once(page_server):
    job = job_of({"data": seed_page(0).encode(), "name": "page.md"})
    item = job.items.get()
    assert ingestion_item_run(item_id=item.pk).status == "stored"
    assert ingestion_item_run(item_id=item.pk).status == "stored"
    job.refresh_from_db()
    assert (Document.objects.count(), job.finished) == (1, 1)


def test_a_page_much_like_a_stored_one_waits_for_the_editors_answer():
    original = document_ingest(data=seed_page(0)).document
    job = job_of(
        {"data": edited(seed_page(0)).encode(), "name": "later.md"},
        {"data": edited(edited(seed_page(0))).encode(), "name": "other.md"},
    )
    items = run_all(job)
    assert {item.status for item in items.values()} == {"needs_decision"}
    assert items[1].near_duplicates[0]["pk"] == original.pk and job.is_finished
    with pytest.raises(ValidationError, match="Choose one of the pages offered"):
        ingestion_item_decide(item=items[1], supersedes=make_document())
    ingestion_item_decide(item=items[1], supersedes=original)
    ingestion_item_decide(item=items[2], different_page=True)
    job.refresh_from_db()
    assert (job.finished, job.finished_at) == (0, None)
    with pytest.raises(ValidationError, match="decided already"):
        ingestion_item_decide(item=items[2], different_page=True)
    items = run_all(job)
    assert items[1].document.supersedes == original
    assert items[2].document.supersedes is None and items[2].status == "stored"
    assert job.finished == 2 and job.is_finished


def test_a_job_needs_a_page():
    with pytest.raises(ValidationError, match="at least one page"):
        job_of()
