import pytest

from checks.services import page_send_to_editors
from claims.models import Candidate
from reviews.services import candidate_accept
from sources.models import Document
from tests.checks.conftest import PAGE

pytestmark = pytest.mark.django_db


def test_a_sent_page_waits_for_the_editors_with_its_proposed_sentences(known_page):
    sent = page_send_to_editors(text=PAGE, url="https://www.calm.example/ketamine?x=1")
    document = sent.document
    assert not sent.already
    assert document.status == Document.Status.PROPOSED
    assert document.publisher == "www.calm.example"
    assert document.title == "Sent by a reader: Welcome to Calm Clinic. (www.calm.example)"
    assert document.candidates.count() >= 4
    assert not Document.objects.public().filter(pk=document.pk).exists()


def test_the_same_page_or_one_much_like_it_is_not_stored_twice(known_page):
    first = page_send_to_editors(text=PAGE).document
    again = page_send_to_editors(text=PAGE)
    assert again.already and again.document == first
    alike = page_send_to_editors(text=PAGE.replace("Calm Clinic", "Calm Clinics"))
    assert alike.already and alike.document == first
    assert Document.objects.count() == 1


def test_filing_a_quote_from_a_sent_page_takes_the_page_into_the_collection(known_page):
    document = page_send_to_editors(text=PAGE).document
    candidate = document.candidates.filter(status=Candidate.Status.PROPOSED).first()
    candidate_accept(candidate=candidate, claim=known_page["hours"])
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    assert Document.objects.public().filter(pk=document.pk).exists()


def test_a_long_first_line_is_cut_in_the_title(known_page):
    text = " ".join(["word"] * 30) + "\n" + PAGE
    assert page_send_to_editors(text=text).document.title == (
        "Sent by a reader: " + " ".join(["word"] * 12) + "…"
    )
