"""The corrections queue in the admin: editors settle readers' reports."""

import pytest
from django.urls import reverse

from corrections.models import Correction
from corrections.services import correction_report
from tests.admin_pages import login
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

S = Correction.Status
CHANGELIST = reverse("admin:corrections_correction_changelist")


@pytest.fixture
def correction():
    claim = make_claim()
    return correction_report(
        subject=claim, page_path=claim.get_absolute_url(), report="<b>Wrong</b> onset."
    )


def change_url(correction) -> str:
    return reverse("admin:corrections_correction_change", args=[correction.pk])


def form(correction, **changes) -> dict:
    return {"status": correction.status, "what_changed": "", "editor_notes": "",
            "seen_version": correction.version, **changes}  # fmt: skip


@pytest.mark.parametrize(
    "persona, expected", [("reviewer", 403), ("editor", 200), ("superuser", 200)]
)
def test_editors_handle_corrections_and_reviewers_do_not(
    client, request, correction, persona, expected
):
    login(client, request.getfixturevalue(persona))
    assert client.get(CHANGELIST).status_code == expected
    assert client.get(change_url(correction)).status_code == expected
    response = client.post(change_url(correction), form(correction, status=S.CHECKING))
    assert response.status_code == (302 if expected == 200 else 403)


def test_nobody_adds_a_report_in_the_admin_and_the_readers_text_is_escaped(
    client, editor, correction
):
    login(client, editor)
    assert client.get(reverse("admin:corrections_correction_add")).status_code == 403
    page = client.get(change_url(correction)).content.decode()
    assert "&lt;b&gt;Wrong&lt;/b&gt; onset." in page and "<b>Wrong</b>" not in page


def test_correcting_asks_what_changed_then_records_who_and_when(client, editor, correction):
    login(client, editor)
    response = client.post(change_url(correction), form(correction, status=S.CORRECTED))
    assert response.status_code == 200 and "readers see it" in response.content.decode()
    response = client.post(
        change_url(correction), form(correction, status=S.CORRECTED, what_changed="Fixed.")
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert (correction.status, correction.handled_by) == (S.CORRECTED, editor)
    assert correction.corrected_at is not None


def test_the_second_of_two_editors_saving_at_once_is_told(client, editor, superuser, correction):
    opened = form(correction, status=S.CHECKING)
    login(client, superuser)
    client.post(change_url(correction), form(correction, status=S.NO_ERROR))
    login(client, editor)
    response = client.post(change_url(correction), opened)
    assert response.status_code == 200 and "was changed by" in response.content.decode()
    correction.refresh_from_db()
    assert correction.status == S.NO_ERROR
