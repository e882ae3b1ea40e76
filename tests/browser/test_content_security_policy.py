"""The Content-Security-Policy breaks nothing: a real browser reports no violation."""

import pytest

from claims.models import Claim
from sources.models import Document

pytestmark = pytest.mark.django_db(transaction=True)


def listen_for_violations(page) -> list[str]:
    """Chromium reports each refusal by the policy on the console, as it happens."""
    heard = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            heard.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return heard


def sign_in(page, base_url: str, username: str, password: str):
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/admin/")


def test_public_and_admin_pages_raise_no_policy_violation(
    live_server, page, corpus, django_user_model
):
    django_user_model.objects.create_superuser(username="root", password="pw-root-1")
    claim = Claim.objects.get(slug="study-2017-83-percent-gad-sad-improved")
    document = Document.objects.get(slug="ketamine-for-anxiety-ptsd-article")
    violations = listen_for_violations(page)

    page.goto(live_server.url + "/")
    page.goto(live_server.url + claim.get_absolute_url())
    assert page.locator('script[type="application/ld+json"]').count() == 1
    page.goto(live_server.url + document.get_absolute_url())
    assert page.locator(".document-text a.hl").count() > 0

    sign_in(page, live_server.url, "root", "pw-root-1")
    page.goto(f"{live_server.url}/admin/claims/claim/?q=ketamine")
    assert page.locator("#result_list tbody tr").count() > 0

    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    page.locator(".field-study .select2-selection").first.click()
    page.locator(".select2-dropdown .select2-search__field").fill("ketamine")
    page.locator(".select2-results__option", has_text="ketamine").first.wait_for()

    page.goto(f"{live_server.url}/admin/reviews/review/adjudicate/{claim.pk}/")
    assert page.locator(".side-by-side .module").count() > 0

    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/history/")
    assert page.locator("#change-history").count() == 1

    assert violations == []


INJECT_INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "document.title = 'injected'";
    document.body.append(script);
}"""


def test_a_violation_would_be_heard(live_server, page):
    violations = listen_for_violations(page)
    page.goto(live_server.url + "/methodology/")
    with page.expect_console_message():
        page.evaluate(INJECT_INLINE_SCRIPT)
    assert page.title() != "injected"
    assert len(violations) == 1
    assert "script-src 'self'" in violations[0]
