"""Reporting an error from a public page, and the public corrections log."""

import pytest
from django.test import Client
from django.urls import reverse

from corrections.models import REPORT_MAX_CHARS, Correction
from corrections.services import correction_settle
from tests.factories import make_claim, make_question, make_study
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

REPORT = "The trial had 12 participants, not 120; see the abstract."


def report_url(claim) -> str:
    return reverse("corrections:report-claim", args=[claim.slug])


def test_every_claim_question_and_study_page_links_to_its_report_form(client):
    claim, question, study = make_claim(), make_question(), make_study()
    for page, form in [
        (claim.get_absolute_url(), reverse("corrections:report-claim", args=[claim.slug])),
        (question.get_absolute_url(), reverse("corrections:report-question", args=[question.slug])),
        (study.get_absolute_url(), reverse("corrections:report-study", args=[study.pk])),
    ]:
        assert f'href="{form}">Report an error on this page' in client.get(page).content.decode()
        response = client.get(form)
        assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
        assert "no-cache" in response["Cache-Control"]  # it holds a CSRF token


def test_a_report_is_stored_for_the_editors_with_only_what_the_form_shows(client):
    claim = make_claim()
    response = client.post(report_url(claim), {"report": REPORT, "email": "a@example.org"})
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "corrections queue" in thanks and f'href="{claim.get_absolute_url()}"' in thanks
    correction = Correction.objects.get()
    assert (correction.subject, correction.page_path, correction.page_title) == (
        claim,
        claim.get_absolute_url(),
        claim.statement,
    )
    assert (correction.report, correction.email, correction.status) == (
        REPORT,
        "a@example.org",
        Correction.Status.RECEIVED,
    )
    stored = {field.name for field in Correction._meta.concrete_fields}
    assert not stored & {"ip", "address", "user_agent", "name"}  # nothing about the reader


def test_a_report_without_its_csrf_token_is_refused():
    claim = make_claim()
    response = Client(enforce_csrf_checks=True).post(report_url(claim), {"report": REPORT})
    assert response.status_code == 403 and not Correction.objects.exists()


def test_the_honeypot_the_size_cap_and_bad_input_are_refused_with_a_reason(client):
    claim = make_claim()
    response = client.post(report_url(claim), {"report": REPORT, "website": "http://spam"})
    assert response.status_code == 400 and "filled in as programs fill it in" in (
        response.content.decode()
    )
    for data, reason in [
        ({"report": "x" * (REPORT_MAX_CHARS + 1)}, f"at most {REPORT_MAX_CHARS} characters"),
        ({"report": "wrong"}, "at least 10 characters"),
        ({"report": REPORT, "email": "not-an-address"}, "valid email address"),
    ]:
        response = client.post(report_url(claim), data)
        assert response.status_code == 400 and reason in response.content.decode()
        assert data["report"][:50] in response.content.decode()  # what they typed is kept
    assert not Correction.objects.exists()


def test_reports_are_limited_per_address(client, settings):
    settings.REPORT_RATE = "2/h"
    claim = make_claim()
    for _ in range(2):
        assert client.post(report_url(claim), {"report": REPORT}).status_code == 302
    response = client.post(report_url(claim), {"report": REPORT})
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert REPORT in response.content.decode()
    assert Correction.objects.count() == 2
    other = client.post(report_url(claim), {"report": REPORT}, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302


def test_no_report_on_a_page_readers_cannot_see(client):
    draft = make_question(status="draft")
    assert client.get(reverse("corrections:report-question", args=[draft.slug])).status_code == 404
    assert client.get(reverse("corrections:report-claim", args=["no-such"])).status_code == 404
    assert client.post(reverse("corrections:report-study", args=[10**9]), {}).status_code == 404
    assert client.put(report_url(make_claim())).status_code == 405


def settled(claim, status, what_changed="", editor=None):
    correction = Correction.objects.create(
        subject=claim, page_title=claim.statement, page_path=claim.get_absolute_url(),
        report=REPORT,
    )  # fmt: skip
    return correction_settle(
        correction=correction, by=editor, status=status, what_changed=what_changed
    )


def test_the_log_lists_each_correction_made_with_what_changed_and_nothing_else(client):
    claim = make_claim(statement="Ketamine <b>cures</b> anxiety.")
    settled(claim, Correction.Status.CORRECTED, "Sample size <script>was</script> 12, not 120.")
    settled(claim, Correction.Status.NO_ERROR)
    Correction.objects.create(
        subject=claim, page_title="x", page_path="/", report="SECRET REPORT TEXT"
    )
    page = client.get(reverse("corrections:log")).content.decode()
    assert page.count('<li><p><time datetime="') == 1
    assert "Sample size &lt;script&gt;was&lt;/script&gt; 12, not 120." in page
    assert "Ketamine &lt;b&gt;cures&lt;/b&gt; anxiety." in page
    assert "SECRET REPORT TEXT" not in page and REPORT not in page


def test_the_log_takes_the_same_queries_with_more_corrections(client):
    claim = make_claim()
    settled(claim, Correction.Status.CORRECTED, "One.")
    one = count_queries(client, reverse("corrections:log"))
    for n in range(5):
        settled(claim, Correction.Status.CORRECTED, f"More {n}.")
    assert count_queries(client, reverse("corrections:log")) == one
