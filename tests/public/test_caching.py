import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Candidate, Claim, Excerpt
from config.generation import KEY as GENERATION_KEY
from config.generation import site_changed
from public.caching import cached_value, rendered_rows_by_key
from reviews.models import Review
from reviews.services import candidate_accept, review_publish, review_submit
from tests.admin_pages import delete_selected, save_change_page
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


@pytest.fixture
def editor_client(editor):
    """An editor at work in the admin, beside the anonymous reader (`client`)."""
    editing = Client()
    editing.force_login(editor)
    return editing


def file_candidate(document, quote: str, **claim) -> Excerpt:
    """File a sentence of the document as an editor does on its candidates page."""
    found = Excerpt.locate(document=document, quote=quote)
    candidate = Candidate.objects.create(
        document=document, start=found.start, end=found.end, quote=quote, category="dosing"
    )
    return candidate_accept(candidate=candidate, **claim)


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


@pytest.mark.usefixtures("one_reviewer_suffices")
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


def test_changing_a_claim_shows_on_its_page_the_lists_and_its_document(
    client, editor_client, world
):
    claim = world["claim"]
    pages = [claim.get_absolute_url(), reverse("claims:list"), world["document"].get_absolute_url()]
    pages.append(world["study"].get_absolute_url())
    for url in pages:
        client.get(url)
    statement = "Ketamine relieves depression within a day."
    save_change_page(editor_client, "claims_claim", claim.pk, statement=statement)
    for url in pages:
        assert "within a day" in client.get(url).content.decode(), url


def test_a_new_slug_retires_the_page_cached_at_the_old_one(client, editor_client, world):
    claim = world["claim"]
    old = claim.get_absolute_url()
    assert client.get(old).status_code == 200
    save_change_page(editor_client, "claims_claim", claim.pk, slug="renamed-claim")
    assert client.get(old).status_code == 404


def test_changing_a_study_shows_on_its_page_and_the_claims_it_bears_on(
    client, editor_client, world
):
    study, claim = world["study"], world["claim"]
    for url in (study.get_absolute_url(), claim.get_absolute_url(), reverse("studies:list")):
        client.get(url)
    title = "A crossover trial of esketamine"
    save_change_page(editor_client, "sources_study", study.pk, title=title)
    for url in (study.get_absolute_url(), claim.get_absolute_url(), reverse("studies:list")):
        assert "A crossover trial of esketamine" in client.get(url).content.decode(), url


def test_a_document_gaining_an_excerpt_shows_it_at_once(client, world):
    document = world["document"]
    url = document.get_absolute_url()
    assert "1 excerpt," in client.get(url).content.decode()
    other = file_candidate(
        document, "six infusions", statement="Most patients need six infusions."
    ).claim
    html = client.get(url).content.decode()
    assert "2 excerpts," in html and other.get_absolute_url() in html
    assert "six infusions" in client.get(other.get_absolute_url()).content.decode()


def test_removing_an_excerpt_shows_at_once(client, editor_client, world):
    url = world["document"].get_absolute_url()
    client.get(url)
    excerpts = Excerpt.objects.filter(document=world["document"])
    delete_selected(editor_client, "claims_excerpt", list(excerpts.values_list("pk", flat=True)))
    assert "0 excerpts," in client.get(url).content.decode()


def test_linking_a_contradicting_claim_updates_both_pages(client, editor_client, world):
    claim = world["claim"]
    other = make_claim(statement="Ketamine takes weeks to work.")
    client.get(claim.get_absolute_url())
    client.get(other.get_absolute_url())
    save_change_page(editor_client, "claims_claim", claim.pk, contradicts=[other.pk])
    assert other.statement in client.get(claim.get_absolute_url()).content.decode()
    assert claim.statement in client.get(other.get_absolute_url()).content.decode()


def test_not_found_pages_and_cookie_setting_responses_are_not_cached(client, world):
    missing = reverse("claims:detail", args=["no-such-claim"])
    assert client.get(missing).status_code == 404
    claim = make_claim(statement="Now it exists.", slug="no-such-claim")
    assert client.get(missing).status_code == 200
    assert claim.statement in client.get(missing).content.decode()


@pytest.mark.on_commit
def test_a_change_retires_the_cached_pages_when_its_transaction_commits(
    client, world, django_capture_on_commit_callbacks
):
    url = reverse("claims:list")
    client.get(url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        site_changed()
    assert len(callbacks) == 1
    assert queries_for(client, url)[0] == 0  # not committed yet: the page stands
    callbacks[0]()  # the commit
    assert queries_for(client, url)[0] > 0


def test_page_cache_can_be_switched_off(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = world["claim"].get_absolute_url()
    client.get(url)
    count, _ = queries_for(client, url)
    assert count > 0


def test_a_count_is_kept_until_anything_public_changes():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached_value("n", compute) == 1
    assert cached_value("n", compute) == 1
    site_changed()
    assert cached_value("n", compute) == 2


def test_an_evicted_generation_costs_a_miss_never_a_stale_page(client, world):
    url = world["claim"].get_absolute_url()
    client.get(url)
    cache.delete(GENERATION_KEY)
    # A write that tells no one: only the eviction stands between reader and data.
    Claim.objects.filter(pk=world["claim"].pk).update(statement="Evicted and changed.")
    assert "Evicted and changed." in client.get(url).content.decode()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set (CI sets it)")
@pytest.mark.usefixtures("one_reviewer_suffices")
def test_invalidation_reaches_every_process_through_redis(client, editor, world, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "ketamine-claims-tests",
        },
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


def test_invalidation_made_by_another_process_reaches_this_one(client, world):
    """What `manage.py ingest_document` in a second terminal does to `make run`'s pages:
    the default cache is shared between processes, so a change made there is seen here."""
    url = world["claim"].get_absolute_url()
    client.get(url)
    Claim.objects.filter(pk=world["claim"].pk).update(statement="Changed by a command.")
    assert queries_for(client, url)[0] == 0  # still the cached page: nothing was bumped
    bump = "from config.generation import site_changed; site_changed()"
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
    assert (first, second) == (2, 0)  # ranking, claims; then both kept (rows rendered)
    assert "Ketamine relieves depression within hours." in html
    statement = "Ketamine ends suicidal thinking at once."
    file_candidate(world["document"], "Side effects are minimal", statement=statement)
    assert statement in client.get(url).content.decode()


def test_public_pages_say_how_long_anyone_may_keep_them(client, world, settings):
    settings.PUBLIC_MAX_AGE, settings.PUBLIC_STALE_WHILE_REVALIDATE = 60, 300
    for url in public_urls(world):
        for _ in range(2):  # rendered, then from the page cache
            response = client.get(url)
            control = {part.strip() for part in response["Cache-Control"].split(",")}
            assert control == {"public", "max-age=60", "stale-while-revalidate=300"}, url
            assert response["ETag"] and response["Last-Modified"], url
            assert "Cookie" in response["Vary"], url


def test_a_conditional_request_is_answered_304_without_rendering(client, world):
    url = world["claim"].get_absolute_url()
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert len(captured.captured_queries) == 0
    assert response["ETag"] == etag


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_conditional_request_after_a_change_gets_the_new_page(client, world, editor):
    url = world["claim"].get_absolute_url()
    first = client.get(url)
    review = make_review(claim=world["claim"], verdict=Review.Verdict.FALSE)
    review_submit(review=review, by=editor)
    review_publish(review=review, by=editor)
    response = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200 and "verdict-false" in response.content.decode()
    assert response["ETag"] != first["ETag"]


def test_if_modified_since_the_last_change_is_answered_304(client, world):
    url = reverse("claims:list")
    modified = client.get(url)["Last-Modified"]
    response = client.get(url, headers={"If-Modified-Since": modified})
    assert response.status_code == 304


def test_editors_get_private_pages_and_never_a_304(client, editor, world):
    url = world["claim"].get_absolute_url()
    etag = client.get(url)["ETag"]
    client.force_login(editor)
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "private" in control and "no-cache" in control and "public" not in control


def test_a_remembered_generation_answers_a_conditional_get_without_the_cache(
    client, world, settings, monkeypatch
):
    settings.SITE_GENERATION_LOCAL_SECONDS = 60
    url = world["claim"].get_absolute_url()
    etag = client.get(url)["ETag"]
    monkeypatch.setattr(cache, "get", lambda *a, **k: pytest.fail("read the cache"))
    monkeypatch.setattr(cache, "get_many", lambda *a, **k: pytest.fail("read the cache"))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_change_made_in_this_process_is_seen_at_once_however_long_it_remembers(
    client, world, editor, settings
):
    settings.SITE_GENERATION_LOCAL_SECONDS = 60
    url = world["claim"].get_absolute_url()
    client.get(url)
    review = make_review(claim=world["claim"], verdict=Review.Verdict.FALSE)
    review_submit(review=review, by=editor)
    review_publish(review=review, by=editor)
    assert "verdict-false" in client.get(url).content.decode()


# Parts of pages, cached for everyone under the same generation -------------------------

CLAIM_ROW = "public/includes/claim_row.html"


def rendered(response, template_name: str) -> bool:
    return template_name in [template.name for template in response.templates]


def test_a_list_row_is_rendered_once_for_every_list_that_shows_it(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get(reverse("claims:list"))
    assert rendered(first, CLAIM_ROW)
    # Another sort, another facet: a page of its own, made of the rows already rendered.
    for query in ("?sort=statement", "?verdict=misleading", "?q=ketamine"):
        response = client.get(reverse("claims:list") + query)
        assert not rendered(response, CLAIM_ROW), query
        assert "Ketamine relieves depression within hours." in response.content.decode()


def test_only_rows_not_cached_are_loaded_and_a_row_not_found_is_left_out(rf, world):
    claim, other = world["claim"], make_claim(statement="Another claim.")
    request, loads = rf.get("/"), []

    def load(keys):
        loads.append(keys)
        return Claim.objects.in_bulk(keys)

    first = rendered_rows_by_key(request, [claim.pk, 0], CLAIM_ROW, "claim", load)
    second = rendered_rows_by_key(request, [other.pk, claim.pk], CLAIM_ROW, "claim", load)
    assert loads == [[claim.pk, 0], [other.pk]]
    assert len(first) == 1 and claim.statement in first[0]
    assert other.statement in second[0] and claim.statement in second[1]


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_published_review_shows_in_the_rows_at_once_without_the_page_cache(
    client, editor, world, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    urls = [reverse("claims:list"), reverse("claims:list") + "?q=ketamine"]
    for url in urls:
        client.get(url)
    review = make_review(claim=world["claim"], verdict=Review.Verdict.FALSE)
    review_submit(review=review, by=editor)
    review_publish(review=review, by=editor)
    for url in urls:
        assert "verdict-false" in client.get(url).content.decode(), url


def test_an_editor_gets_the_parts_of_the_generation_another_process_made(
    client, editor_client, world, settings
):
    """A reader may be served parts of the generation this process read up to
    SITE_GENERATION_LOCAL_SECONDS ago; an editor's page is made of the latest one's."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.SITE_GENERATION_LOCAL_SECONDS = 60
    url = reverse("claims:list")
    client.get(url)
    Claim.objects.filter(pk=world["claim"].pk).update(statement="Changed elsewhere.")
    cache.set(GENERATION_KEY, f"{time.time_ns():x}-0e1sewhe")  # another process's commit
    assert "Changed elsewhere." not in client.get(url).content.decode()
    assert "Changed elsewhere." in editor_client.get(url).content.decode()


def test_a_claim_pages_sources_and_evidence_are_kept_until_anything_public_changes(
    client, world, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    url = world["claim"].get_absolute_url()
    first, html = queries_for(client, url)
    second, again = queries_for(client, url)
    # Warm: the claim alone; not its reviews and who wrote them, its excerpts, studies,
    # contradicting claims, the interventions it concerns or the questions behind it.
    assert (first, second) == (8, 1)
    assert again == html and "application/ld+json" in again
    make_evidence_link(claim=world["claim"], study=make_study(title="A new cohort study"))
    site_changed()
    assert "A new cohort study" in client.get(url).content.decode()


def test_a_page_this_process_served_is_served_again_from_its_memory(
    client, world, settings, monkeypatch
):
    settings.SITE_GENERATION_LOCAL_SECONDS = 60
    url = world["claim"].get_absolute_url()
    html = client.get(url).content.decode()
    monkeypatch.setattr(cache, "get", lambda *a, **k: pytest.fail("read the shared cache"))
    monkeypatch.setattr(cache, "get_many", lambda *a, **k: pytest.fail("read the shared cache"))
    count, again = queries_for(client, url)
    assert count == 0 and again == html


def test_a_change_in_another_process_retires_the_pages_this_process_keeps(
    client, world, settings, monkeypatch
):
    settings.SITE_GENERATION_LOCAL_SECONDS = 60
    url = world["claim"].get_absolute_url()
    client.get(url)  # kept in this process's memory, under the generation it remembers
    Claim.objects.filter(pk=world["claim"].pk).update(statement="Changed elsewhere.")
    cache.set(GENERATION_KEY, f"{time.time_ns():x}-0e1sewhe")  # another process's commit
    assert "Changed elsewhere." not in client.get(url).content.decode()
    monkeypatch.setattr("config.generation._remembered", ("", 0.0))  # a second later
    assert "Changed elsewhere." in client.get(url).content.decode()
