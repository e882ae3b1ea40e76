import pytest
from django.urls import reverse

from reviews.models import Review
from tests.factories import make_document, make_excerpt, make_review
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def test_home_lists_documents_claims_and_published_verdicts(client):
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED, verdict=Review.Verdict.FALSE)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert excerpt.document.title in html
    assert excerpt.claim.statement in html
    assert '<span class="badge verdict-false">False</span>' in html
    assert "Not medical advice" in html
    assert "home.html" in [template.name for template in response.templates]


def test_home_shows_unpublished_claims_as_not_yet_reviewed(client):
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=Review.Status.DRAFT, verdict=Review.Verdict.SUPPORTED)
    html = client.get(reverse("home")).content.decode()
    assert "Not yet reviewed" in html
    assert "verdict-supported" not in html


def test_home_escapes_text_from_documents(client):
    make_document(title="<script>alert('x')</script>")
    html = client.get(reverse("home")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_home_renders_with_an_empty_database(client):
    html = client.get(reverse("home")).content.decode()
    assert "No claims yet." in html


def test_home_queries_do_not_grow_with_rows(client, django_assert_max_num_queries):
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED)
    few = count_queries(client, reverse("home"))
    for _ in range(5):
        other = make_excerpt()
        make_review(claim=other.claim, status=Review.Status.PUBLISHED)
    # documents, claims with verdicts, latest reviews with their claims.
    with django_assert_max_num_queries(3):
        client.get(reverse("home"))
    assert count_queries(client, reverse("home")) == few
