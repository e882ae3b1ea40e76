"""Watched pages in the admin: editors add, change and check them; reviewers cannot."""

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.services import document_ingest
from tests.admin_pages import login
from watching.models import Watch
from watching.services import watch_start

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:watching_watch_changelist")
ADD = reverse("admin:watching_watch_add")
TEXT = "Ketamine infusions help 83% of our patients feel better within hours."


@pytest.fixture
def watch(page_server):
    url = page_server.serve("/ketamine", TEXT, headers={"Content-Type": "text/plain"})
    document = document_ingest(data=TEXT, url=url, title="Sunrise page").document
    return watch_start(document=document)


def change_form(watch, **changes) -> dict:
    values = {"url": watch.url, "interval_hours": watch.interval_hours, "active": "on",
              "next_check_at_0": "2026-12-06", "next_check_at_1": "08:00:00"}  # fmt: skip
    return {**values, **changes}


@pytest.mark.parametrize(
    "persona, expected", [("reviewer", 403), ("editor", 200), ("superuser", 200)]
)
def test_editors_manage_watched_pages_and_reviewers_do_not(
    client, request, watch, persona, expected
):
    login(client, request.getfixturevalue(persona))
    change = reverse("admin:watching_watch_change", args=[watch.pk])
    for url in (CHANGELIST, ADD, change):
        assert client.get(url).status_code == expected, url
    response = client.post(change, change_form(watch, interval_hours=6))
    assert response.status_code == (302 if expected == 200 else 403)
    watch.refresh_from_db()
    assert watch.interval_hours == (6 if expected == 200 else 24)


def test_an_editors_save_keeps_what_a_check_wrote_meanwhile(client, editor, watch):
    login(client, editor)
    change = reverse("admin:watching_watch_change", args=[watch.pk])
    client.get(change)  # the form is open while a check runs
    checked_at = timezone.now()
    Watch.objects.filter(pk=watch.pk).update(last_checked_at=checked_at, failures=2, last_error="x")
    client.post(change, change_form(watch, interval_hours=48))
    watch.refresh_from_db()
    assert (watch.interval_hours, watch.last_checked_at, watch.failures) == (48, checked_at, 2)


def test_the_check_now_action_checks_and_reports(client, editor, watch, page_server):
    login(client, editor)
    page_server.serve("/ketamine", "Moved away", status=404)
    response = client.post(
        CHANGELIST, {"action": "check_now", "_selected_action": [watch.pk]}, follow=True
    )
    assert "The site answered HTTP 404" in response.content.decode()
    watch.refresh_from_db()
    assert watch.failures == 1


def test_a_private_address_typed_by_an_editor_is_refused_when_checked(
    client, editor, watch, settings
):
    login(client, editor)
    change = reverse("admin:watching_watch_change", args=[watch.pk])
    client.post(change, change_form(watch, url="http://169.254.169.254/latest/meta-data/"))
    response = client.post(
        CHANGELIST, {"action": "check_now", "_selected_action": [watch.pk]}, follow=True
    )
    assert "not a public address" in response.content.decode()
