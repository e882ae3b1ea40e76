"""The Atom feed as feed readers see it: parsed by feedparser, the parser most of them build
on, which flags any feed that breaks the format as "bozo"."""

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse

from claims.models import Excerpt
from questions.corpus import corpus_load
from reviews.models import Review
from sources.models import Document
from tests.factories import make_document, make_excerpt, make_review
from tests.jsonld import anno_terms, expand, iris_used, schema_org_iris
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def published(statement: str, verdict=Review.Verdict.MISLEADING) -> Review:
    excerpt = make_excerpt()
    excerpt.claim.statement = statement
    excerpt.claim.save()
    return make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED, verdict=verdict)


def parsed_feed(client):
    response = client.get(reverse("review-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return feedparser.parse(response.content)


def test_the_feed_parses_cleanly(client):
    published("Ketamine works within hours.")
    feed = parsed_feed(client)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"


def test_the_feed_names_the_site_as_the_author_of_every_review(client):
    published("Ketamine works within hours.")
    published("Side effects are minimal.", verdict=Review.Verdict.NOT_CHECKABLE)
    feed = parsed_feed(client)
    # RFC 4287: each entry has an author, its own or the feed's.
    assert feed.feed.author_detail.name == settings.SITE_NAME
    for entry in feed.entries:
        assert entry.get("author_detail", feed.feed.author_detail).name == settings.SITE_NAME


def test_each_entry_has_an_id_a_link_to_its_claim_and_when_it_was_updated(client):
    review = published("Ketamine works within hours.")
    feed = parsed_feed(client)
    [entry] = feed.entries
    claim_url = f"http://testserver{review.claim.get_absolute_url()}"
    assert entry.id == claim_url
    assert entry.link == claim_url
    assert entry.title == "Misleading: Ketamine works within hours."
    assert entry.updated_parsed and entry.published_parsed
    assert feed.feed.updated_parsed


# The ClaimReview data feed, as aggregators read it: JSON-LD expanded by pyld against the
# schema.org context (tests/contexts/), every term one schema.org defines.

SCHEMA = "http://schema.org/"


def claim_review_feed(client) -> dict:
    response = client.get(reverse("claim-review-feed"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    return response.json()


def value(node: dict, name: str):
    [found] = node[SCHEMA + name]
    return found.get("@value", found.get("@id", found))


def test_the_claim_review_feed_holds_every_published_review_with_what_google_requires(client):
    first = published("Ketamine works within hours.")
    second = published("Six infusions are needed.", verdict=Review.Verdict.FALSE)
    draft = make_excerpt()
    make_review(claim=draft.claim, status=Review.Status.DRAFT, verdict=Review.Verdict.FALSE)
    [feed] = expand(claim_review_feed(client))
    assert feed["@type"] == [SCHEMA + "DataFeed"]
    items = [value(element, "item") for element in feed[SCHEMA + "dataFeedElement"]]
    assert [value(item, "claimReviewed") for item in items] == [
        second.claim.statement,
        first.claim.statement,
    ]  # newest first; the draft review is not there
    for item, review in zip(items, [second, first], strict=True):
        assert item["@type"] == [SCHEMA + "ClaimReview"]
        assert value(item, "url") == "http://testserver" + review.claim.get_absolute_url()
        assert value(value(item, "reviewRating"), "alternateName") == review.get_verdict_display()
        assert value(value(item, "author"), "name") == settings.SITE_NAME
        assert value(item, "datePublished") == review.published_at.date().isoformat()
        claim = value(item, "itemReviewed")
        assert value(value(claim, "author"), "name") == "Example Clinic"
        document = review.claim.excerpts.get().document
        assert value(value(claim, "appearance"), "name") == document.title
    assert iris_used(feed) <= schema_org_iris()


def test_the_claim_review_feed_costs_the_same_queries_for_many_reviews(client):
    published("Ketamine works within hours.")
    one = count_queries(client, reverse("claim-review-feed"))
    for n in range(4):
        published(f"Claim {n}.")
    assert count_queries(client, reverse("claim-review-feed")) == one == 2  # reviews; documents


# Web Annotations: a document's quotes as a W3C AnnotationCollection, our verdict on each.

OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"


def collection(client, document) -> dict:
    response = client.get(reverse("sources:annotations", args=[document.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    )
    return response.json()


def keys_used(node) -> set[str]:
    found = set()
    if isinstance(node, list):
        for child in node:
            found |= keys_used(child)
    elif isinstance(node, dict):
        for key, child in node.items():
            if key != "@context":
                found.add(key)
                found |= keys_used(child)
    return found


def annotated_document():
    document = make_document(
        body="Ketamine works within hours. Most patients need six infusions. "
        "Side effects are minimal, and it works within hours for most.",
        url="https://clinic.example/ketamine",
    )
    reviewed = make_excerpt(document=document, quote="Most patients need six infusions.")
    make_review(claim=reviewed.claim, status=Review.Status.PUBLISHED,
                verdict=Review.Verdict.MISLEADING)  # fmt: skip
    make_excerpt(document=document, quote="Side effects are minimal")
    make_excerpt(document=document, quote="Ketamine works within hours.")
    return document, reviewed


def test_every_quote_is_an_annotation_on_the_clinics_page(client):
    document, reviewed = annotated_document()
    data = collection(client, document)
    [expanded] = expand(data)
    assert expanded["@type"] == [AS + "OrderedCollection"]
    assert expanded[AS + "totalItems"][0]["@value"] == 3
    [page] = expanded[AS + "first"]
    annotations = page[AS + "items"][0]["@list"]
    assert len(annotations) == 3
    for annotation in annotations:
        assert annotation["@type"] == [OA + "Annotation"]
        [target] = annotation[OA + "hasTarget"]
        assert target[OA + "hasSource"] == [{"@id": "https://clinic.example/ketamine"}]
        kinds = {selector["@type"][0] for selector in target[OA + "hasSelector"]}
        assert kinds == {OA + "TextQuoteSelector", OA + "TextPositionSelector"}
    # Every term used is one the W3C context defines: pyld would drop any other silently.
    assert keys_used(data) <= anno_terms()


def test_a_reviewed_quotes_body_carries_its_verdict_certainty_and_claim(client):
    document, reviewed = annotated_document()
    items = collection(client, document)["first"]["items"]
    graded = next(i for i in items if i["target"]["selector"][0]["exact"] == reviewed.quote)
    assert graded["motivation"] == "assessing"
    text, link = graded["body"]
    assert text["value"].startswith("Verdict: Misleading. Certainty of the evidence: low.")
    assert "Not medical advice" in text["value"]
    assert link["purpose"] == "linking"
    assert link["source"]["id"] == "http://testserver" + reviewed.claim.get_absolute_url()
    others = [i for i in items if i is not graded]
    assert all(i["body"][0]["value"].startswith("Not yet reviewed") for i in others)


def test_every_selector_finds_its_quote_in_the_stored_text(client):
    for document in (annotated_document()[0], make_excerpt(quote="minimal").document):
        document.refresh_from_db()
        for item in collection(client, document)["first"]["items"]:
            quote, position = item["target"]["selector"]
            start, end = position["start"], position["end"]
            assert document.body[start:end] == quote["exact"]
            prefix, suffix = quote.get("prefix", ""), quote.get("suffix", "")
            assert document.body[start - len(prefix) : start] == prefix
            assert document.body[end : end + len(suffix)] == suffix
            # The quote with its context occurs once: a client finds the one place.
            assert document.body.count(prefix + quote["exact"] + suffix) == 1


def test_a_page_sent_by_a_reader_has_no_annotations(client):
    sent = make_document(status=Document.Status.PROPOSED)
    response = client.get(reverse("sources:annotations", args=[sent.slug]))
    assert response.status_code == 404


def test_annotations_cost_the_same_queries_for_many_quotes(client):
    document, _ = annotated_document()
    url = reverse("sources:annotations", args=[document.slug])
    assert count_queries(client, url) == 2  # the document; its quotes with their claims


def test_every_selector_of_the_corpus_re_anchors_in_its_stored_text(client, settings):
    corpus_load(directory=settings.CORPUS_DIR)
    checked = 0
    for document in Document.objects.public():
        for item in collection(client, document)["first"]["items"]:
            quote, position = item["target"]["selector"]
            start, end = position["start"], position["end"]
            assert document.body[start:end] == quote["exact"], (document.slug, start)
            assert document.body[:start].endswith(quote.get("prefix", ""))
            assert document.body[end:].startswith(quote.get("suffix", ""))
            checked += 1
    assert checked == Excerpt.objects.current().count() > 200
