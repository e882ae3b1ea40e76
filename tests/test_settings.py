import os
import runpy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse

from config.env import env_bool, env_int, env_list, secret_key_is_strong

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k3x!v9-production-test-key-that-is-long-and-random-0123456789abcdef",
    "ALLOWED_HOSTS": "claims.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # A deployment never sets DJANGO_ALLOW_ASYNC_UNSAFE (the browser tests do, for themselves).
    skipped = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean_env = {k: v for k, v in os.environ.items() if k not in skipped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(monkeypatch, **env: str) -> dict:
    """What config/settings.py computes from a production environment, read in-process."""
    for name, value in {**PRODUCTION_ENV, **env}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "X_FRAME_OPTIONS",
]


@pytest.fixture
def production(settings, monkeypatch):
    """This test's settings take the security values production computes."""
    computed = production_settings(monkeypatch)
    for name in SECURITY_SETTINGS:
        setattr(settings, name, computed[name])


def test_deploy_checks_pass_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_in_production():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "weak_key",
    [
        "x",
        "short-but-varied-key-0123456789",  # under 50 characters
        "ab" * 40,  # long, but only two different characters
        "django-insecure-" + "k3x!v9-generated-for-development-0123456789abcdef",
    ],
)
def test_it_refuses_to_start_in_production_with_a_weak_secret_key(weak_key):
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": weak_key})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for DEBUG off" in result.stderr


def test_a_weak_secret_key_is_refused_as_the_deploy_check_would(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="at least 50 characters"):
        production_settings(monkeypatch, SECRET_KEY="x")
    assert not secret_key_is_strong("x")
    assert secret_key_is_strong(PRODUCTION_ENV["SECRET_KEY"])


def test_development_accepts_any_secret_key(monkeypatch):
    assert production_settings(monkeypatch, DEBUG="true", SECRET_KEY="x")["SECRET_KEY"] == "x"


def test_it_refuses_a_malformed_boolean():
    result = manage("check", env={**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.django_db
def test_production_responses_carry_the_security_headers(client, production):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_production_redirects_plain_http_to_https(client, production):
    response = client.get("/claims/?q=hours")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/claims/?q=hours"
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_production_cookies_are_secure_and_the_session_is_out_of_scripts_reach(
    client, production, superuser
):
    login_page = client.get(reverse("admin:login"), secure=True)
    assert login_page.cookies["csrftoken"]["secure"]
    response = client.post(
        reverse("admin:login"), {"username": "root", "password": "pw-root-1"}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]


def test_development_keeps_cookies_usable_over_plain_http(monkeypatch):
    computed = production_settings(monkeypatch, DEBUG="true")
    assert computed["SESSION_COOKIE_SECURE"] is False
    assert computed["SECURE_SSL_REDIRECT"] is False
    assert computed["SECURE_HSTS_SECONDS"] == 0


def test_sign_in_throttling_comes_from_the_environment(monkeypatch):
    computed = production_settings(monkeypatch, AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="60")
    assert computed["AXES_FAILURE_LIMIT"] == 3
    assert computed["AXES_COOLOFF_TIME"] == timedelta(hours=1)
    defaults = production_settings(monkeypatch, AXES_FAILURE_LIMIT="", AXES_COOLOFF_MINUTES="")
    assert defaults["AXES_FAILURE_LIMIT"] == 5
    assert defaults["AXES_COOLOFF_TIME"] == timedelta(minutes=15)
    with pytest.raises(ImproperlyConfigured, match="AXES_COOLOFF_MINUTES must be at least 1"):
        production_settings(monkeypatch, AXES_COOLOFF_MINUTES="0")


def test_sqlite_writers_wait_for_the_write_lock_taken_when_a_transaction_begins(monkeypatch):
    options = production_settings(monkeypatch)["DATABASES"]["default"]["OPTIONS"]
    assert options == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    patient = production_settings(monkeypatch, SQLITE_TIMEOUT="5")["DATABASES"]["default"]
    assert patient["OPTIONS"]["timeout"] == 5
    with pytest.raises(ImproperlyConfigured, match="SQLITE_TIMEOUT must be at least 1"):
        production_settings(monkeypatch, SQLITE_TIMEOUT="0")
    postgresql = production_settings(monkeypatch, DATABASE_URL="postgres://u@db:5432/claims")
    assert "transaction_mode" not in postgresql["DATABASES"]["default"].get("OPTIONS", {})


def test_env_parsers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", "a.org, b.org,,")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 12
    assert env_list("X_LIST", []) == ["a.org", "b.org"]
    assert env_bool("X_UNSET", True) is True
    assert env_int("X_INT", 0, minimum=12) == 12
    with pytest.raises(ImproperlyConfigured, match="X_INT must be at least 13, not 12"):
        env_int("X_INT", 0, minimum=13)
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 0)


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_claims():
    """CI sets EXPECTED_DB_VENDOR so a PostgreSQL run cannot silently fall back to SQLite."""
    expected = os.environ.get("EXPECTED_DB_VENDOR", "sqlite")
    assert connection.vendor == expected
