"""Hostile pages, through ingestion and onto every page that shows them.

Each file in tests/data/hostile/ (and a few generated inputs too large or too odd to
commit) goes through `document_ingest` or the admin's "Ingest a page", has a proposed
sentence filed as an excerpt of a new claim whose statement is that sentence, and is then
shown on the home page, its document page, the claim page, a claim search and the admin's
candidate review. Each input is either refused with a message (nothing stored) or stored as
text that stays text: no script, event handler, javascript: URL or bidi control reaches our
pages, and each page has only the elements and attribute names it has for a harmless page.

Bidi controls (U+202A-U+202E, U+2066-U+2069, LRM/RLM/ALM) are dropped at ingestion, with
the zero-width characters; see sources.ingest.normalize_whitespace for why that is done
once there rather than by isolating document text in every template.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode

from claims.candidates import sentences
from claims.models import Candidate, Claim, Excerpt
from claims.services import document_ingest
from reviews.models import Review
from reviews.services import candidate_accept
from sources.ingest import MAX_INPUT_BYTES, IngestError
from sources.models import Document, Study
from tests.factories import make_review
from tests.fuzzing import Markup

pytestmark = pytest.mark.django_db

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "hostile"
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "cite"}
BENIGN = (
    b"<html><head><title>Calm Clinic</title></head><body><article><h1>Ketamine for anxiety</h1>"
    b"<p>Ketamine relieves anxiety within hours for most of our patients.</p>"
    b"<p>A course is usually six infusions, given a week apart.</p></article></body></html>"
)


@dataclass
class Case:
    data: bytes
    refused: str = ""  # the message's start, when the input must be refused
    kept: list[str] = field(default_factory=list)  # text the stored body must hold
    dropped: list[str] = field(default_factory=list)  # text it must not


def long_line(count: int) -> str:
    """One line of many plain sentences, then one check-worthy sentence."""
    filler = ["The waiting room was quiet.", "A visitor read a magazine.", "Rain hit the glass."]
    plain = " ".join(filler[n % 3] for n in range(count))
    return f"{plain} Ketamine relieves anxiety within hours for most of our patients."


def hostile(name: str) -> bytes:
    return (HOSTILE / name).read_bytes()


def cases() -> dict[str, Case]:
    page = b"<p>Ketamine relieves anxiety within hours for most of our patients.</p>"
    return {
        "script_tags.html": Case(
            hostile("script_tags.html"),
            kept=['<script>alert("escaped")</script>', "</p><script>alert(1)</script>"],
            dropped=['alert("head script")', 'alert("inline")', 'alert("upper")', "evil.example"],
        ),
        "event_handlers.html": Case(
            hostile("event_handlers.html"),
            kept=["Book now", '<img src=x onerror=alert(1)> and <a href="javascript:alert(2)">'],
            dropped=["alert('body')", "alert('img')", "alert('link')", "onmouseover"],
        ),
        "svg_math.html": Case(
            hostile("svg_math.html"),
            kept=["Ketamine blocks NMDA receptors"],
            dropped=['alert("svg script")', 'alert("math")', "alert('base')", "alert('refresh')"],
        ),
        "comments_cdata.html": Case(
            hostile("comments_cdata.html"),
            kept=["Ketamine eliminates PTSD symptoms"],
            dropped=['alert("comment")', 'alert("conditional")', "hidden:"],
        ),
        "broken_markup.html": Case(
            hostile("broken_markup.html"),
            kept=["better than SSRIs", "Each session costs $450"],
            dropped=['alert("split")'],
        ),
        "markdown_html.md": Case(
            hostile("markdown_html.md"),
            kept=['<script>alert("code")</script>', "Ketamine relieves depression"],
            dropped=['alert("markdown script")', "alert('markdown img')"],
        ),
        "control_characters.txt": Case(
            hostile("control_characters.txt"), kept=["Control characters between words:"]
        ),
        "bidi_controls.txt": Case(
            hostile("bidi_controls.txt"),
            kept=["Ketamine is devorppa ADF for anxiety", "كيتامين קטמין"],
        ),
        "zero_width.txt": Case(
            hostile("zero_width.txt"),
            kept=["Ketamine cures anxiety within hours", "soft hyphen in treatment."],
        ),
        "nul_bytes.txt": Case(hostile("nul_bytes.txt"), refused="The input looks binary"),
        "nul_after_8kb.txt": Case(
            b"x" * 9000 + b"\n\nKetamine relieves\x00 anxiety within hours for most patients.",
            kept=["Ketamine relieves anxiety within hours"],
        ),
        "nul_after_8kb.html": Case(
            b"<p>" + b"x" * 9000 + b"</p>" + page.replace(b"relieves", b"relieves\x00"),
            kept=["anxiety within hours"],
        ),
        "xml_declaration.html": Case(b'<?xml version="1.0" encoding="utf-8"?>' + page),
        "long_line.txt": Case(long_line(3_000).encode(), kept=["glass. Ketamine relieves"]),
        "only_markup.html": Case(
            b"<script>alert(1)</script><!-- x --><img src=x onerror=alert(2)>",
            refused="Only 0 characters of text were found",
        ),
        "empty.html": Case(b" \n ", refused="Only 0 characters of text were found"),
    }


CASES = cases()


def stored_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Document, Candidate, Excerpt, Claim, Study)}


def assert_inert(response) -> Markup:
    """The page rendered, and no script, handler, URL or bidi control from a document."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert not BIDI_CONTROLS.search(html)
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert tag == '<script type="application/ld+json">' or 'src="/static/' in tag, tag
    page = Markup.parse(html)
    assert not [other for other in page.others if "alert" in other or "[CDATA[" in other]
    for element in page.elements:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), element
            if name in URL_ATTRIBUTES:
                scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert not scheme.startswith("javascript:"), element
    for script in page.named("script"):
        if script.attrs.get("type") == "application/ld+json":
            json.loads(page.text_of(script))
        else:
            assert script.attrs["src"].startswith(settings.STATIC_URL), script
            assert not page.text_of(script).strip(), script
    return page


def shapes(page: Markup) -> set[tuple[str, frozenset]]:
    """Which elements the page has, with which attributes: what its templates made."""
    return {(element.tag, frozenset(element.attrs)) for element in page.elements}


def ingest(client, route: str, name: str, data: bytes) -> Document:
    if route == "service":
        return document_ingest(data=data, name=name).document
    url = reverse("admin:claims_candidate_ingest")
    upload = SimpleUploadedFile(name, data)
    response = client.post(url, {"upload": upload, "kind": Document.Kind.CLINIC_PAGE})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.latest("pk")
    assert response.url == reverse("admin:claims_candidate_review", args=[document.pk])
    return document


def refusal(client, route: str, name: str, data: bytes) -> str:
    """The message an input was refused with, by the service or on the admin's form."""
    if route == "service":
        with pytest.raises(IngestError) as raised:
            document_ingest(data=data, name=name)
        return str(raised.value)
    url = reverse("admin:claims_candidate_ingest")
    response = client.post(url, {"upload": SimpleUploadedFile(name, data), "kind": "other"})
    page = assert_inert(response)
    errors = [e for e in page.elements if "errorlist" in (e.attrs.get("class") or "")]
    assert errors, "the form shows no error"
    return page.text_of(errors[0])


def file_as_excerpt(client, route: str, document: Document) -> Excerpt:
    """File the proposed sentence with the most markup characters in it under a new claim
    whose statement is that sentence, markup and all."""
    candidates = list(document.candidates.all())
    assert len(candidates) >= 1, "no sentence was proposed"
    candidate = max(candidates, key=lambda c: sum(c.quote.count(ch) for ch in "<>&\"'"))
    if route == "service":
        return candidate_accept(candidate=candidate, statement=candidate.quote)
    url = reverse("admin:claims_candidate_review", args=[document.pk])
    data = {"candidate": candidate.pk, "decision": "accept", "claim": "",
            "statement": candidate.quote, "category": candidate.category}  # fmt: skip
    assert client.post(url, data).status_code == 302
    candidate.refresh_from_db()
    assert candidate.excerpt is not None, "the admin did not file the candidate"
    return candidate.excerpt


def show_everywhere(client, route: str, name: str, data: bytes):
    """Ingest, file a sentence, publish its review, and fetch every page that shows them."""
    document = ingest(client, route, name, data)
    excerpt = file_as_excerpt(client, route, document)
    claim = excerpt.claim
    make_review(claim=claim, status=Review.Status.PUBLISHED)
    word = max(re.findall(r"[A-Za-z]+", claim.statement), key=len)
    urls = {
        "document": document.get_absolute_url(),
        "claim": claim.get_absolute_url(),
        "home": reverse("home"),
        "search for the statement": f"{reverse('claims:list')}?{urlencode({'q': claim.statement})}",
        "search for a word": f"{reverse('claims:list')}?{urlencode({'q': word})}",
        "admin review": reverse("admin:claims_candidate_review", args=[document.pk]),
    }
    pages = {kind: assert_inert(client.get(url)) for kind, url in urls.items()}
    return document, excerpt, pages


_benign_shapes: dict[str, dict[str, set]] = {}


def benign_shapes(client, route: str) -> dict[str, set]:
    """The elements each page has when it shows a harmless page (computed once, then
    rolled back)."""
    if route not in _benign_shapes:
        try:
            with transaction.atomic():
                _, _, pages = show_everywhere(client, route, "calm.html", BENIGN)
                _benign_shapes[route] = {kind: shapes(page) for kind, page in pages.items()}
                raise RolledBack
        except RolledBack:
            cache.clear()
    return _benign_shapes[route]


class RolledBack(Exception):
    pass


@pytest.fixture
def superuser_client(client, django_user_model):
    """The conftest persona without its password: hashing one costs half a second a test."""
    root = django_user_model.objects.create(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


@pytest.mark.parametrize("route", ["service", "admin"])
@pytest.mark.parametrize("name", CASES)
def test_a_hostile_page_is_refused_or_shown_as_inert_text_everywhere(name, route, superuser_client):
    client, case = superuser_client, CASES[name]
    expected_shapes = benign_shapes(client, route)
    before = stored_counts()
    if case.refused:
        assert refusal(client, route, name, case.data).startswith(case.refused)
        assert stored_counts() == before
        return

    document, excerpt, pages = show_everywhere(client, route, name, case.data)
    body, claim = document.body, excerpt.claim
    for text in case.kept:
        assert text in body
    for text in case.dropped:
        assert text not in body
    assert not [ch for ch in body if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n"]
    assert not [ch for ch in document.title if unicodedata.category(ch) in ("Cc", "Cf")]

    for kind, page in pages.items():
        assert shapes(page) <= expected_shapes[kind], kind
    document_page = pages["document"]
    (shown,) = [e for e in document_page.named("div") if e.attrs.get("class") == "document-text"]
    assert document_page.text_of(shown) == body
    assert document.title in pages["document"].text and document.title in pages["home"].text
    assert excerpt.prefix + excerpt.quote + excerpt.suffix in pages["claim"].text
    (ld,) = pages["claim"].named("script")
    assert json.loads(pages["claim"].text_of(ld))["claimReviewed"] == claim.statement
    # The statement itself is not always found on PostgreSQL, whose parser drops "<...>" from
    # the stored vector as an HTML tag but keeps its words in the query; it is shown intact.
    search_box = [e.attrs.get("value") for e in pages["search for the statement"].elements]
    assert claim.statement in search_box
    links = [e.attrs.get("href") for e in pages["search for a word"].named("a")]
    assert claim.get_absolute_url() in links
    assert excerpt.quote in pages["admin review"].text


def test_five_megabytes_are_refused_with_the_limit_named(superuser_client):
    data = long_line(200_000).encode()
    assert len(data) > 5_000_000
    limit = f"{MAX_INPUT_BYTES:,} bytes"
    with pytest.raises(IngestError, match=limit):
        document_ingest(data=data, name="big.txt")

    url = reverse("admin:claims_candidate_ingest")
    upload = SimpleUploadedFile("big.txt", data)
    response = superuser_client.post(url, {"upload": upload, "kind": "other"})
    assert limit in assert_inert(response).text

    # Pasted, it is over Django's limit on form data: refused before any view runs.
    response = superuser_client.post(url, {"pasted": data.decode(), "kind": "other"})
    assert response.status_code == 400
    assert "larger than this site accepts" in response.content.decode()
    assert set(stored_counts().values()) == {0}


def test_a_long_line_of_many_sentences_is_split_into_each_of_them():
    """A 250 kB line of sentences, cut at each one and at nothing else. (How long pages of
    every size take is measured by benchmarks/ingest.py; see docs/ingestion.md.)"""
    text = long_line(10_000)
    assert len(text) > 250_000 and "\n" not in text
    result = document_ingest(data=text, name="line.txt")
    body = result.document.body
    found = [body[start:end] for start, end in sentences(body)]
    assert len(found) == 10_001
    assert set(found) == {
        "The waiting room was quiet.", "A visitor read a magazine.", "Rain hit the glass.",
        "Ketamine relieves anxiety within hours for most of our patients.",
    }  # fmt: skip
    assert [c.quote for c in result.document.candidates.all()] == [found[-1]]


def test_bidi_controls_are_dropped_so_text_is_stored_and_shown_in_its_own_order(client):
    page = (
        "<html><head><title>\u202eFDA approved\u202c clinic</title></head><body><article>"
        "<p>Ketamine is \u202edevorppa ADF\u202c for anxiety and works within hours.</p>"
        "<p dir=rtl>An override \u202dleft open runs on, say 90% of our patients.</p>"
        "</article></body></html>"
    )
    document = document_ingest(data=page, name="bidi.html").document
    assert document.title == "FDA approved clinic"
    assert "Ketamine is devorppa ADF for anxiety" in document.body
    assert not BIDI_CONTROLS.search(document.body + document.title)
    assert_inert(client.get(document.get_absolute_url()))
