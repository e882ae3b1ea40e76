import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.urls import Resolver404, resolve

from reviews.models import Review
from tests.factories import make_claim, make_document, make_excerpt, make_review
from tests.queries import count_queries
from watching.models import Watch

pytestmark = pytest.mark.django_db

BODY = "Ketamine works within hours.\nMost people need six infusions, a week or two apart."


def document_text(html: str) -> str:
    inner = re.search(r'<div class="document-text">(.*?)</div>', html, re.S).group(1)
    return unescape(re.sub(r"<[^>]+>", "", inner))


def test_document_page_highlights_every_excerpt_in_place(client):
    document = make_document(body=BODY)
    fast = make_excerpt(document=document, quote="Ketamine works within hours.")
    hours = make_excerpt(document=document, quote="within hours")
    six = make_excerpt(document=document, quote="six infusions, a week or two apart")
    make_review(claim=fast.claim, status=Review.Status.PUBLISHED, verdict=Review.Verdict.FALSE)
    response = client.get(document.get_absolute_url())
    html = response.content.decode()
    assert document_text(html) == BODY
    for excerpt in (fast, hours, six):
        assert f'id="excerpt-{excerpt.pk}"' in html
        assert excerpt.claim.get_absolute_url() in html
    assert f'class="hl verdict-false" href="{fast.claim.get_absolute_url()}"' in html
    assert f'class="hl not-reviewed" href="{six.claim.get_absolute_url()}"' in html
    assert "Legend" in html
    assert re.search(r"verdict-false\">False</span> 1", html)
    assert re.search(r"not-reviewed\">Not yet reviewed</span> 2", html)


def test_document_page_gives_its_address_and_publisher_or_says_they_are_unknown(client):
    known = make_document(url="https://clinic.example/anxiety", publisher="Example Clinic")
    html = client.get(known.get_absolute_url()).content.decode()
    assert 'Source: <a href="https://clinic.example/anxiety"' in html
    assert "address unknown" not in html and "Publisher unknown" not in html
    unknown = make_document(url="", publisher="")
    html = client.get(unknown.get_absolute_url()).content.decode()
    assert "Original address unknown: no copy of the page could be found" in html
    assert "Publisher unknown" in html


def test_document_text_is_always_escaped(client):
    body = 'Hello <script>alert("x")</script> <img src=x onerror=alert(1)> world'
    document = make_document(body=body, title="<b>Title</b>")
    make_excerpt(document=document, quote='<script>alert("x")</script>')
    html = client.get(document.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>Title</b>" not in html
    assert document_text(html) == body


def test_document_page_hides_draft_verdicts(client):
    document = make_document(body=BODY)
    excerpt = make_excerpt(document=document, quote="within hours")
    make_review(claim=excerpt.claim, verdict=Review.Verdict.SUPPORTED)
    html = client.get(document.get_absolute_url()).content.decode()
    assert 'class="hl verdict-supported" href' not in html
    assert 'class="hl not-reviewed" href' in html


def test_document_page_queries_do_not_grow_with_excerpts(client):
    document = make_document(body=BODY)
    make_excerpt(document=document, quote="Ketamine works")
    few = count_queries(client, document.get_absolute_url())
    for quote in ("within hours", "six infusions", "a week or two apart", "Most people"):
        excerpt = make_excerpt(document=document, quote=quote, claim=make_claim())
        make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED)
    assert count_queries(client, document.get_absolute_url()) == few
    # The document with its watch; whether it has a newer version; its excerpts with the
    # claims they quote (the highlighted text is then kept until anything public changes).
    assert few == 3


def test_unknown_document_is_404(client):
    assert client.get("/sources/nothing-here/").status_code == 404


def test_a_slug_longer_than_any_documents_matches_no_page(client):
    document = make_document(slug="d" * 100)
    assert client.get(document.get_absolute_url()).status_code == 200
    with pytest.raises(Resolver404):
        resolve(f"/sources/{'d' * 101}/")
    response = client.get(f"/sources/{'d' * 5000}/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_watched_page_lists_its_versions_and_says_when_it_was_checked_and_changed(client):
    first = make_document(title="Sunrise page", body=BODY)
    draft = make_document(title="Sunrise page", body=BODY + " Draft.", supersedes=first)
    draft.status = draft.Status.PROPOSED
    draft.save()
    second = make_document(title="Sunrise page", body=BODY + " New.", supersedes=draft)
    second.retrieved_on = datetime(2026, 12, 3).date()
    second.save()
    Watch.objects.create(
        document=second, url="https://clinic.example/", interval_hours=12,
        last_checked_at=datetime(2026, 12, 4, 8, tzinfo=UTC),
        last_changed_at=datetime(2026, 12, 3, 8, tzinfo=UTC),
    )  # fmt: skip
    html = client.get(second.get_absolute_url()).content.decode()
    assert "We fetch this page again every 12 hours" in html
    assert "Last checked 4 December 2026." in html and "Last changed 3 December 2026." in html
    versions = re.search(r'<ol class="version-line">(.*?)</ol>', html, re.S).group(1)
    assert first.get_absolute_url() in versions and "retrieved 3 December 2026" in versions
    assert draft.get_absolute_url() not in html  # a version no editor took in is not shown
    assert 'aria-current="page">This version' in versions
    older = client.get(first.get_absolute_url()).content.decode()
    assert second.get_absolute_url() in older and "We fetch this page" not in older


def test_a_page_with_one_version_and_no_watch_has_no_versions_section(client):
    html = client.get(make_document(body=BODY).get_absolute_url()).content.decode()
    assert "Versions of this page" not in html
