import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, Excerpt
from reviews.caching import SITE, _tag_key, cached_under, claim_tag, tags_bump
from reviews.models import Review
from reviews.services import review_publish, review_submit
from tests.factories import (
    make_claim,
    make_document,
    make_evidence_link,
    make_excerpt,
    make_review,
    make_study,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def queries_for(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response.content.decode()


@pytest.fixture
def world():
    document = make_document(title="Sunrise Clinic page")
    claim = make_claim(statement="Ketamine relieves depression within hours.")
    make_excerpt(claim=claim, document=document, quote="Ketamine works within hours")
    study = make_study(title="A randomized trial of racemic ketamine")
    make_evidence_link(claim=claim, study=study)
    make_review(claim=claim, status=Review.Status.PUBLISHED, verdict=Review.Verdict.MISLEADING)
    return {"claim": claim, "document": document, "study": study}


def public_urls(world) -> list[str]:
    return [
        reverse("home"),
        reverse("claims:list"),
        reverse("claims:list") + "?q=ketamine",
        world["claim"].get_absolute_url(),
        world["document"].get_absolute_url(),
        world["study"].get_absolute_url(),
        reverse("studies:list"),
        reverse("sources:list"),
    ]


def test_anonymous_readers_get_every_public_page_from_the_cache(client, world):
    for url in public_urls(world):
        _, first = queries_for(client, url)
        count, second = queries_for(client, url)
        assert count == 0, url
        assert second == first


def test_logged_in_editors_always_get_a_fresh_page(client, editor, world):
    url = world["claim"].get_absolute_url()
    client.get(url)  # cached for readers
    client.force_login(editor)
    count, _ = queries_for(client, url)
    assert count > 0


def test_publishing_a_review_shows_on_every_page_that_shows_the_claim(client, editor, world):
    pages = public_urls(world)
    for url in pages:
        client.get(url)
    review = make_review(claim=world["claim"], verdict=Review.Verdict.FALSE)
    review_submit(review=review, by=editor)
    review_publish(review=review, by=editor)
    for url in pages[:6]:
        assert "verdict-false" in client.get(url).content.decode(), url


def test_a_draft_review_leaves_the_cached_pages_alone(client, world):
    url = world["claim"].get_absolute_url()
    client.get(url)
    make_review(claim=world["claim"], verdict=Review.Verdict.SUPPORTED)
    count, html = queries_for(client, url)
    assert count == 0 and "verdict-supported" not in html


def test_changing_a_claim_shows_on_its_page_the_lists_and_its_document(client, world):
    claim = world["claim"]
    pages = [claim.get_absolute_url(), reverse("claims:list"), world["document"].get_absolute_url()]
    pages.append(world["study"].get_absolute_url())
    for url in pages:
        client.get(url)
    claim.statement = "Ketamine relieves depression within a day."
    claim.save()
    for url in pages:
        assert "within a day" in client.get(url).content.decode(), url


def test_a_new_slug_retires_the_page_cached_at_the_old_one(client, world):
    claim = world["claim"]
    old = claim.get_absolute_url()
    assert client.get(old).status_code == 200
    claim.slug = "renamed-claim"
    claim.save()
    assert client.get(old).status_code == 404


def test_changing_a_study_shows_on_its_page_and_the_claims_it_bears_on(client, world):
    study, claim = world["study"], world["claim"]
    for url in (study.get_absolute_url(), claim.get_absolute_url(), reverse("studies:list")):
        client.get(url)
    study.title = "A crossover trial of esketamine"
    study.save()
    for url in (study.get_absolute_url(), claim.get_absolute_url(), reverse("studies:list")):
        assert "A crossover trial of esketamine" in client.get(url).content.decode(), url


def test_a_document_gaining_an_excerpt_shows_it_at_once(client, world):
    document = world["document"]
    url = document.get_absolute_url()
    assert "1 excerpt," in client.get(url).content.decode()
    other = make_claim(statement="Most patients need six infusions.")
    make_excerpt(claim=other, document=document, quote="six infusions")
    html = client.get(url).content.decode()
    assert "2 excerpts," in html and other.get_absolute_url() in html
    assert "six infusions" in client.get(other.get_absolute_url()).content.decode()


def test_removing_an_excerpt_shows_at_once(client, world):
    url = world["document"].get_absolute_url()
    client.get(url)
    Excerpt.objects.filter(document=world["document"]).delete()
    assert "0 excerpts," in client.get(url).content.decode()


def test_linking_a_contradicting_claim_updates_both_pages(client, world):
    claim = world["claim"]
    other = make_claim(statement="Ketamine takes weeks to work.")
    client.get(claim.get_absolute_url())
    client.get(other.get_absolute_url())
    claim.contradicts.add(other)
    assert other.statement in client.get(claim.get_absolute_url()).content.decode()
    assert claim.statement in client.get(other.get_absolute_url()).content.decode()


def test_not_found_pages_and_cookie_setting_responses_are_not_cached(client, world):
    missing = reverse("claims:detail", args=["no-such-claim"])
    assert client.get(missing).status_code == 404
    claim = make_claim(statement="Now it exists.", slug="no-such-claim")
    assert client.get(missing).status_code == 200
    assert claim.statement in client.get(missing).content.decode()


def test_pages_are_invalidated_again_when_the_transaction_commits(
    client, world, django_capture_on_commit_callbacks
):
    url = world["claim"].get_absolute_url()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tags_bump(["lists"])
    assert len(callbacks) == 1
    client.get(reverse("claims:list"))
    callbacks[0]()  # the commit: a page cached in between is dropped
    count, _ = queries_for(client, reverse("claims:list"))
    assert count > 0
    assert client.get(url).status_code == 200


def test_page_cache_can_be_switched_off(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = world["claim"].get_absolute_url()
    client.get(url)
    count, _ = queries_for(client, url)
    assert count > 0


def test_a_count_is_kept_until_its_tag_is_bumped():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached_under(["lists"], "n", compute) == 1
    assert cached_under(["lists"], "n", compute) == 1
    tags_bump(["lists"])
    assert cached_under(["lists"], "n", compute) == 2


def test_an_evicted_tag_costs_a_miss_never_a_stale_page(client, world):
    url = world["claim"].get_absolute_url()
    client.get(url)
    cache.delete_many([_tag_key(tag) for tag in (SITE, claim_tag(world["claim"].slug))])
    # A write that sends no signal: only the tag's eviction stands between reader and data.
    Claim.objects.filter(pk=world["claim"].pk).update(statement="Evicted and changed.")
    assert "Evicted and changed." in client.get(url).content.decode()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set (CI sets it)")
def test_invalidation_reaches_every_process_through_redis(client, editor, world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ReusingRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "ketamine-claims-tests",
        }
    }
    from django.core.cache import caches

    caches["default"].clear()
    url = world["claim"].get_absolute_url()
    client.get(url)
    assert queries_for(client, url)[0] == 0
    review = make_review(claim=world["claim"], verdict=Review.Verdict.FALSE)
    review_submit(review=review, by=editor)
    review_publish(review=review, by=editor)
    assert "verdict-false" in client.get(url).content.decode()
    caches["default"].clear()


def test_a_probe_for_a_missing_page_leaves_no_lasting_key(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 1
    monkeypatch.setattr("reviews.caching.VALUE_SECONDS", 1)
    assert client.get("/claims/no-such-claim/").status_code == 404
    assert cache.get(_tag_key(claim_tag("no-such-claim"))) is not None
    time.sleep(2.1)
    assert cache.get(_tag_key(claim_tag("no-such-claim"))) is None


def test_invalidation_made_by_another_process_reaches_this_one(client, world):
    """What `manage.py ingest_document` in a second terminal does to `make run`'s pages:
    the default cache is shared between processes, so a tag bumped there is seen here."""
    url = world["claim"].get_absolute_url()
    client.get(url)
    Claim.objects.filter(pk=world["claim"].pk).update(statement="Changed by a command.")
    assert queries_for(client, url)[0] == 0  # still the cached page: nothing was bumped
    bump = f"from reviews.caching import *; tags_bump([claim_tag({world['claim'].slug!r})])"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", bump],
        cwd=ROOT, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert "Changed by a command." in client.get(url).content.decode()


def test_a_search_ranking_is_kept_until_the_claims_change(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the ranking is kept even when pages are not
    url = reverse("claims:list") + "?q=ketamine"
    first, _ = queries_for(client, url)
    second, html = queries_for(client, url)
    assert second == first - 1  # the claims of the page, but not the ranking again
    assert "Ketamine relieves depression within hours." in html
    newer = make_claim(statement="Ketamine ends suicidal thinking at once.")
    make_excerpt(claim=newer, document=world["document"], quote="within hours")
    assert "Ketamine ends suicidal thinking at once." in client.get(url).content.decode()
