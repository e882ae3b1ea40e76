from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.models import Excerpt
from claims.services import document_ingest
from sources.models import Document
from tests.factories import make_excerpt
from watching.models import Watch
from watching.services import Outcome, watch_check, watch_start, watches_check_due

pytestmark = pytest.mark.django_db

PAGE = (
    "<html><head><title>Sunrise ketamine</title></head><body>"
    "<p>Welcome to the Sunrise Clinic.</p>"
    "<p>Ketamine infusions help 83% of our patients feel better. "
    "Most notice relief within hours of the first session.</p>"
    "<p>Ketamine is completely safe and non-addictive.</p>"
    "<p>Call us today to book a consultation.</p></body></html>"
)
RATE = "Ketamine infusions help 83% of our patients feel better."
ONSET = "Most notice relief within hours of the first session."
SAFETY = "Ketamine is completely safe and non-addictive."


@pytest.fixture
def watched(page_server):
    """A stored clinic page with three quotes, served at its address and watched."""
    url = page_server.serve("/ketamine", PAGE)
    document = document_ingest(data=PAGE, name="page.html", url=url).document
    quotes = {q: make_excerpt(document=document, quote=q) for q in (RATE, ONSET, SAFETY)}
    return watch_start(document=document), quotes


def test_an_unchanged_page_is_only_marked_checked(watched):
    watch, _ = watched
    now = timezone.now()
    outcome = watch_check(watch=watch, now=now)
    assert outcome.outcome == Outcome.UNCHANGED
    watch.refresh_from_db()
    assert (watch.last_checked_at, watch.last_changed_at, watch.failures) == (now, None, 0)
    assert now + watch.interval <= watch.next_check_at <= now + watch.interval * 1.1
    assert Document.objects.count() == 1


def test_a_changed_page_is_stored_as_a_newer_version_and_its_quotes_followed(watched, page_server):
    watch, quotes = watched
    older = watch.document
    page_server.serve(
        "/ketamine",
        PAGE.replace("83%", "90%").replace(f"<p>{SAFETY}</p>", "")
        .replace("<p>Welcome", "<p>Now open on Saturdays.</p><p>Welcome"),
    )  # fmt: skip
    now = timezone.now()
    outcome = watch_check(watch=watch, now=now)
    assert outcome.outcome == Outcome.CHANGED
    assert outcome.quotes == {"unchanged": 0, "moved": 1, "changed": 1, "gone": 1}
    newer = outcome.version
    assert (newer.supersedes, newer.title, newer.retrieved_on) == (older, older.title, now.date())
    assert "Now open on Saturdays." in newer.body
    watch.refresh_from_db()
    assert (watch.document, watch.last_changed_at, watch.last_checked_at) == (newer, now, now)
    assert Excerpt.objects.get(pk=quotes[ONSET].pk).carried_to.document == newer
    assert Excerpt.objects.get(pk=quotes[RATE].pk).claim.needs_rereview
    assert Excerpt.objects.get(pk=quotes[SAFETY].pk).claim.needs_rereview
    # Checking again stores nothing more.
    assert watch_check(watch=watch).outcome == Outcome.UNCHANGED
    assert Document.objects.count() == 2


def test_failures_are_kept_and_each_doubles_the_wait_until_a_success(watched, page_server):
    watch, _ = watched
    page_server.serve("/ketamine", "gone", status=500)
    now = timezone.now()
    for failures, wait in [(1, 2), (2, 4), (3, 7)]:  # days; a week at most
        outcome = watch_check(watch=watch, now=now)
        watch.refresh_from_db()
        assert outcome.outcome == Outcome.FAILED and "HTTP 500" in watch.last_error
        assert watch.failures == failures
        assert (
            now + watch.interval * wait <= watch.next_check_at <= now + watch.interval * wait * 1.1
        )
    page_server.serve("/ketamine", PAGE)
    assert watch_check(watch=watch, now=now).outcome == Outcome.UNCHANGED
    watch.refresh_from_db()
    assert (watch.failures, watch.last_error) == (0, "")


def test_the_wait_after_failures_is_capped_at_a_week():
    watch = Watch(interval_hours=24, failures=30)
    assert watch.wait_after_failure() == timedelta(days=7)
    assert Watch(interval_hours=24 * 30, failures=3).wait_after_failure() == timedelta(days=30)


def test_a_page_that_turns_into_another_stored_page_is_reported_not_stored(watched, page_server):
    watch, _ = watched
    other = document_ingest(data="Another clinic's page about esketamine nasal spray.").document
    page_server.serve("/ketamine", other.body, headers={"Content-Type": "text/plain"})
    outcome = watch_check(watch=watch)
    assert outcome.outcome == Outcome.FAILED and "another stored page" in outcome.message
    assert Document.objects.count() == 2


def test_a_private_address_is_a_failure_like_any_other(watched, settings):
    watch, _ = watched
    settings.FETCH_ALLOW_LOOPBACK = False
    outcome = watch_check(watch=watch)
    assert outcome.outcome == Outcome.FAILED and "not a public address" in outcome.message


def test_only_active_watches_whose_time_has_come_are_checked(watched, page_server):
    watch, _ = watched
    later = watch_start(
        document=document_ingest(data="A second page on ketamine and its risks.").document,
        url=page_server.serve("/second", "A second page on ketamine and its risks."),
    )
    later.next_check_at = timezone.now() + timedelta(hours=1)
    later.save()
    outcomes = watches_check_due()
    assert [o.url for o in outcomes] == [watch.url]
    later.next_check_at, later.active = timezone.now(), False
    later.save()
    assert [o.url for o in watches_check_due(now=timezone.now() + timedelta(days=2))] == [watch.url]


def test_the_command_checks_the_due_pages_and_sums_up(watched, capsys):
    call_command("check_watched_pages")
    output = capsys.readouterr().out
    assert "The page has not changed." in output
    assert "1 pages checked: 0 changed, 1 unchanged, 0 failed." in output
