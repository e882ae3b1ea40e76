"""The Content-Security-Policy on every page, and throttled sign-in to the admin."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from tests.factories import make_excerpt, make_review

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {name: sources for name, *sources in parts}


def assert_strict_policy(response):
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


@pytest.fixture
def published_excerpt():
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED)
    return excerpt


def test_public_pages_carry_a_strict_policy(client, published_excerpt):
    claim, document = published_excerpt.claim, published_excerpt.document
    for url in ["/", claim.get_absolute_url(), document.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)


def test_the_claim_page_json_ld_needs_no_script_permission(client, published_excerpt):
    response = client.get(published_excerpt.claim.get_absolute_url())
    assert '<script type="application/ld+json">' in response.content.decode()
    assert csp_directives(response)["script-src"] == ["'self'"]


def test_the_policy_is_the_same_for_every_request(client, published_excerpt):
    """No per-request nonce: anonymous pages are served from a shared cache."""
    url = published_excerpt.claim.get_absolute_url()
    first, second = client.get(url), client.get(url)
    assert first.headers["Content-Security-Policy"] == second.headers["Content-Security-Policy"]
    assert "nonce-" not in first.headers["Content-Security-Policy"]


def test_admin_pages_carry_the_same_policy(client, superuser, published_excerpt):
    login_page = client.get(reverse("admin:login"))
    assert login_page.status_code == 200
    assert_strict_policy(login_page)

    client.force_login(superuser)
    changelist = reverse("admin:claims_claim_changelist")
    change_form = reverse("admin:claims_claim_change", args=[published_excerpt.claim.pk])
    for url in [changelist, change_form]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)


# Throttled sign-in ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """These tests check dozens of passwords; the real hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username: str, password: str):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )


def fail(client, username: str, times: int):
    for _ in range(times):
        sign_in(client, username, "not-the-password")


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_four_wrong_passwords_are_only_refused(client, superuser):
    for _ in range(4):
        response = sign_in(client, "root", "not-the-password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    assert not signed_in(client)


def test_the_fifth_wrong_password_locks_the_username_out(client, superuser):
    fail(client, "root", 4)
    fifth = sign_in(client, "root", "not-the-password")
    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert "<h1>Sign-in paused</h1>" in html and "5 wrong passwords in a row for" in html


def test_a_locked_out_user_is_refused_even_with_the_right_password(client, superuser):
    fail(client, "root", 5)
    response = sign_in(client, "root", "pw-root-1")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in paused" in html
    assert "paused for 15 minutes" in html
    assert_strict_policy(response)
    assert not signed_in(client)


def test_the_right_password_after_fewer_failures_signs_in(client, superuser):
    fail(client, "root", 4)
    response = sign_in(client, "root", "pw-root-1")
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert signed_in(client)


def test_a_successful_sign_in_forgives_earlier_failures(client, superuser):
    fail(client, "root", 4)
    assert sign_in(client, "root", "pw-root-1").status_code == 302
    client.logout()
    fail(client, "root", 4)
    assert sign_in(client, "root", "pw-root-1").status_code == 302


def test_the_lockout_is_per_username(client, superuser, editor):
    fail(client, "root", 5)
    response = sign_in(client, "edith", "pw-edith-1")
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lockout_lifts_after_the_cool_off(client, superuser, settings):
    fail(client, "root", 5)
    assert sign_in(client, "root", "pw-root-1").status_code == 429
    expired = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=expired)
    assert sign_in(client, "root", "pw-root-1").status_code == 302


def test_the_failure_limit_is_a_setting(client, superuser, settings):
    settings.AXES_FAILURE_LIMIT = 2
    fail(client, "root", 2)
    assert sign_in(client, "root", "pw-root-1").status_code == 429


def from_address(forwarded_for: str) -> Client:
    """A browser behind the site's reverse proxy (10.0.0.2), which forwards its address."""
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_a_proxy_a_lockout_holds_only_the_address_that_failed(superuser, settings):
    settings.TRUSTED_PROXIES = 1
    attacker, editor_at_work = from_address("198.51.100.7"), from_address("203.0.113.5")
    fail(attacker, "root", 5)
    assert sign_in(attacker, "root", "pw-root-1").status_code == 429
    assert sign_in(editor_at_work, "root", "pw-root-1").status_code == 302
    assert signed_in(editor_at_work)


def test_behind_a_proxy_a_forged_forwarded_entry_does_not_escape(superuser, settings):
    settings.TRUSTED_PROXIES = 1
    fail(from_address("198.51.100.7"), "root", 5)
    # The client wrote the left part itself; the proxy appended the right one.
    forged = from_address("203.0.113.5, 198.51.100.7")
    assert sign_in(forged, "root", "pw-root-1").status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(superuser, settings):
    settings.TRUSTED_PROXIES = 0
    fail(from_address("198.51.100.7"), "root", 5)
    assert sign_in(from_address("203.0.113.5"), "root", "pw-root-1").status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.0.0.3"), "root", "pw-root-1").status_code == 302


def test_a_malformed_forwarded_address_falls_back_to_the_nearest_hop(superuser, settings):
    settings.TRUSTED_PROXIES = 1
    fail(from_address("not-an-address"), "root", 5)
    assert sign_in(Client(REMOTE_ADDR="10.0.0.2"), "root", "pw-root-1").status_code == 429
