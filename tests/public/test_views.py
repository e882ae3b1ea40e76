import re
import xml.etree.ElementTree as ET
from html import unescape

import extruct
import pytest
from django.urls import reverse

from config.generation import site_changed
from public.models import DatasetExport
from reviews.models import Review
from tests.factories import (
    make_document,
    make_excerpt,
    make_intervention,
    make_question,
    make_review,
)
from tests.jsonld import expand, iris_used, schema_org_iris
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def published_claim(**review_overrides):
    excerpt = make_excerpt()
    review_overrides.setdefault("verdict", Review.Verdict.FALSE)
    make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED, **review_overrides)
    return excerpt.claim


def test_home_shows_search_latest_reviews_charts_and_documents(client):
    claim = published_claim()
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert f'href="{claim.get_absolute_url()}">{claim.statement}</a>' in html
    assert "Claims by verdict" in html and "Claims by category" in html
    assert '<th scope="row">False</th>' in html
    assert claim.excerpts.get().document.title in html
    assert "Not medical advice" in html


def test_home_dates_the_latest_reviews_to_the_second_with_their_offset(client):
    published_claim()
    html = client.get(reverse("home")).content.decode()
    [value] = re.findall(r'<time datetime="([^"]*)"', html)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value)


def test_home_hides_draft_verdicts(client):
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=Review.Status.DRAFT, verdict=Review.Verdict.SUPPORTED)
    html = client.get(reverse("home")).content.decode()
    assert excerpt.claim.statement not in html  # only published reviews are listed
    assert "verdict-supported" not in html.split("Claims at a glance")[0]
    assert '<th scope="row">Not yet reviewed</th>' in html


def test_home_escapes_text_from_documents(client):
    make_document(title="<script>alert('x')</script>")
    html = client.get(reverse("home")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_home_renders_with_an_empty_database(client):
    assert "No documents yet." in client.get(reverse("home")).content.decode()


def test_home_queries_do_not_grow_with_rows(client):
    published_claim()
    few = count_queries(client, reverse("home"))
    for _ in range(4):
        published_claim()
    assert count_queries(client, reverse("home")) == few
    # The questions; the latest reviewed claims; the newest documents; and, kept until
    # anything public changes, the claims by verdict, by category, and the documents counted.
    assert few == 6


def test_methodology_explains_both_axes_and_the_numeric_scale(client):
    html = client.get(reverse("methodology")).content.decode()
    assert "The verdict scale" in html and "GRADE" in html
    assert "Corrections" in html and 'id="unreviewed"' in html
    assert '<td class="num">5</td>' in html and '<td class="num">1</td>' in html


def test_feed_lists_published_reviews_only(client):
    claim = published_claim()
    draft = make_excerpt().claim
    make_review(claim=draft, status=Review.Status.DRAFT)
    response = client.get(reverse("review-feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert f"False: {claim.statement}" in titles
    assert not any(draft.statement in (t or "") for t in titles)


def test_sitemap_lists_published_claims_documents_and_studies(client):
    claim = published_claim()
    unpublished = make_excerpt().claim
    xml = client.get(reverse("sitemap")).content.decode()
    assert claim.get_absolute_url() in xml
    assert unpublished.get_absolute_url() not in xml
    assert claim.excerpts.get().document.get_absolute_url() in xml
    profile = make_intervention()
    xml = client.get(reverse("sitemap")).content.decode()
    assert profile.get_absolute_url() in xml and reverse("safety:list") in xml


def test_sitemap_lists_published_questions_only(client):
    question, draft = make_question(), make_question(status="draft")
    xml = client.get(reverse("sitemap")).content.decode()
    assert question.get_absolute_url() in xml and reverse("questions:list") in xml
    assert draft.get_absolute_url() not in xml


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_healthz_checks_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from django.db import DatabaseError, connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_unknown_pages_get_the_friendly_404(client):
    response = client.get("/claims/no-such-claim/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_errors_get_a_standalone_friendly_page():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html and "{%" not in html


# Sharing: what a link to a claim, question or document shows where it is shared.

SHARING_TAG = re.compile(r'<meta (?:property|name)="((?:og|twitter):[a-z:]+)" content="([^"]*)"')


def shared_rows() -> dict:
    excerpt = make_excerpt()
    review = make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED,
                         summary="Thin evidence <b>&</b> one small trial.")  # fmt: skip
    return {
        "claim": (excerpt.claim, excerpt.claim.statement, review.summary),
        "question": (question := make_question(), question.question,
                     question.bottom_line_patients),
        "document": (excerpt.document, excerpt.document.title, None),
    }  # fmt: skip


@pytest.mark.parametrize("kind", ["claim", "question", "document"])
def test_a_page_names_its_title_summary_address_and_picture_for_sharing(client, kind):
    row, title, description = shared_rows()[kind]
    html = client.get(row.get_absolute_url()).content.decode()
    tags = dict(
        re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:]+)" content="([^"]*)"', html)
    )
    assert unescape(tags["og:title"]) == unescape(tags["twitter:title"]) == title
    if description:
        assert unescape(tags["og:description"]) == description
    assert "<b>" not in html.split("</head>")[0]  # the summary's markup escaped
    assert tags["og:url"] == "http://testserver" + row.get_absolute_url()
    assert tags["og:image"] == "http://testserver/static/img/share.png"
    assert tags["twitter:card"] == "summary"


def test_the_site_has_an_icon_at_the_address_browsers_ask(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_claim_and_question_pages_have_a_print_stylesheet(client):
    html = client.get(make_question().get_absolute_url()).content.decode()
    assert 'href="/static/css/print.css" media="print"' in html


# Open data: the downloads page and its files, made once per change to the data.


def test_the_data_page_offers_the_downloads_licence_citation_and_dictionary(client, settings):
    published_claim()
    html = client.get(reverse("data")).content.decode()
    assert 'href="/data/ketamine-claims-csv.zip"' in html
    assert 'href="/data/ketamine-claims.json"' in html
    assert settings.DATA_LICENSE_URL in html and "Cite it as" in html
    assert "<code>risk_of_bias_reason</code>" in html  # the dictionary
    assert "Not medical advice" in html


def test_the_data_page_describes_the_dataset_for_dataset_search(client, settings):
    published_claim()
    response = client.get(reverse("data"))
    [dataset] = extruct.extract(
        response.content.decode(), base_url="http://testserver/", syntaxes=["json-ld"]
    )["json-ld"]
    assert dataset["@type"] == "Dataset" and dataset["license"] == settings.DATA_LICENSE_URL
    downloads = {d["contentUrl"]: d["encodingFormat"] for d in dataset["distribution"]}
    assert downloads == {
        "http://testserver/data/ketamine-claims-csv.zip": "application/zip",
        "http://testserver/data/ketamine-claims.json": "application/json",
    }
    [expanded] = expand(dataset)
    assert expanded["@type"] == ["http://schema.org/Dataset"]
    assert iris_used(expanded) <= schema_org_iris()


def test_the_dataset_is_made_once_per_change_not_per_request(client):
    published_claim()
    client.get(reverse("data"))
    client.get(reverse("data"))
    [first] = DatasetExport.objects.all()
    response = client.get(reverse("data-file", args=["ketamine-claims.json"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ketamine-claims.json"'
    site_changed()
    client.get(reverse("data"))
    [second] = DatasetExport.objects.all()
    assert second.made_at >= first.made_at and second.pk != first.pk


def test_with_a_worker_the_page_serves_the_last_export_and_asks_for_one_new(
    client, settings, monkeypatch
):
    published_claim()
    client.get(reverse("data"))
    site_changed()
    queued = []
    monkeypatch.setattr("public.tasks.dataset_export_task.delay", lambda: queued.append(1))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    for _ in range(3):
        html = client.get(reverse("data")).content.decode()
    assert "a newer export is being made" in html and 'href="/data/ketamine-claims.json"' in html
    assert queued == [1]  # once for this change, however many readers ask


def test_a_download_answers_a_conditional_request_with_304(client):
    client.get(reverse("data"))
    url = reverse("data-file", args=["ketamine-claims-csv.zip"])
    response = client.get(url)
    assert response["Content-Type"] == "application/zip" and response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.parametrize("name", ["ketamine-claims.csv", "..%2Fsecret", "manifest.json"])
def test_only_the_exports_files_can_be_downloaded(client, name):
    client.get(reverse("data"))
    assert client.get(f"/data/{name}").status_code == 404
