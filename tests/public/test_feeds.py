"""The Atom feed as feed readers see it: parsed by feedparser, the parser most of them build
on, which flags any feed that breaks the format as "bozo"."""

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse

from reviews.models import Review
from tests.factories import make_excerpt, make_review
from tests.jsonld import expand, schema_org_iris
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


def iris_used(node) -> set[str]:
    """Every property and type IRI of an expanded JSON-LD document."""
    found = set()
    if isinstance(node, list):
        for child in node:
            found |= iris_used(child)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":  # a node's types, or a typed value's one
                found |= set(value) if isinstance(value, list) else {value}
            elif not key.startswith("@"):
                found.add(key)
            found |= iris_used(value)
    return found


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
