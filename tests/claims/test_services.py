import json

import pytest
from django.core.management import CommandError, call_command

from claims.models import Candidate
from claims.services import document_ingest
from sources.ingest import IngestError
from sources.models import Document

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
    call_command("evaluate_ingestion")
    assert "BELOW TARGET" not in capsys.readouterr().out
