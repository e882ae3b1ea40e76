import os

import pytest
from django.contrib.auth.models import Group
from hypothesis import settings as hypothesis_settings

from claims.claim_index import forget_claim_index
from reviews.roles import EDITOR, REVIEWER

# Property tests run the same examples every time, so CI is not flaky and a failure can be
# rerun; HYPOTHESIS_PROFILE=explore searches new random examples, ten times as many (see
# tests/fuzzing.py examples()) and keeps failing ones in .hypothesis/.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_member(django_user_model, username: str, role: str):
    user = django_user_model.objects.create_user(
        username=username, password=f"pw-{username}-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def reviewer(django_user_model):
    return make_member(django_user_model, "rita", REVIEWER)


@pytest.fixture
def other_reviewer(django_user_model):
    return make_member(django_user_model, "oscar", REVIEWER)


@pytest.fixture
def third_reviewer(django_user_model):
    return make_member(django_user_model, "uma", REVIEWER)


@pytest.fixture
def editor(django_user_model):
    return make_member(django_user_model, "edith", EDITOR)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-root-1")


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def one_reviewer_suffices(settings):
    """For tests of what publishing does rather than of who may publish: the two-reviewer
    rule lifted, as a deployment may (REVIEWERS_REQUIRED = 1)."""
    settings.REVIEWERS_REQUIRED = 1


@pytest.fixture(autouse=True)
def commits_retire_pages_at_once(request, monkeypatch):
    """A test runs in one transaction that is rolled back, so nothing in it ever commits:
    the site's generation is bumped where a commit would bump it. A test marked
    `on_commit` sees the real timing (see django_capture_on_commit_callbacks)."""
    if "on_commit" not in request.keywords:
        monkeypatch.setattr("config.generation.on_commit", lambda func, robust: func())


@pytest.fixture(autouse=True)
def claim_index_per_test(settings):
    """Each test's page checks match against its own database's claims, fitted in memory."""
    settings.CLAIM_INDEX_PATH = ""
    forget_claim_index()
    yield
    forget_claim_index()


@pytest.fixture(autouse=True)
def generation_read_afresh(settings, monkeypatch):
    """Every read of the site generation goes to the shared cache, as a second process's
    would: no test depends on what this process remembers."""
    settings.SITE_GENERATION_LOCAL_SECONDS = 0
    monkeypatch.setattr("config.generation._remembered", ("", 0.0))


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches (the shared one, this process's pages), as the
    database starts empty."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=False):
        cache.clear()


@pytest.fixture
def page_server(settings):
    """A loopback web server whose pages the test sets (tests/page_server.py); loopback
    addresses may be fetched while it runs, and only then."""
    from tests.page_server import PageServer

    settings.FETCH_ALLOW_LOOPBACK = True
    with PageServer() as server:
        yield server


@pytest.fixture(autouse=True)
def dataset_storage(settings, tmp_path):
    """Each test's dataset exports go to a folder of its own."""
    settings.STORAGES = settings.STORAGES | {
        "datasets": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "datasets"},
        }
    }


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background tasks run in the test's process, at once, as without a broker (Celery reads
    the Django settings as they are); the tests of real workers
    (tests/watching/test_workers.py) send theirs to Redis."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
