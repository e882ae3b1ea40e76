import pytest


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser(username="editor", password="pw-editor-1")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
