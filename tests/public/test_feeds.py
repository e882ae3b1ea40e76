"""The Atom feed as feed readers see it: parsed by feedparser, the parser most of them build
on, which flags any feed that breaks the format as "bozo"."""

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse

from reviews.models import Review
from tests.factories import make_excerpt, make_review

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
