import pytest
from django.urls import reverse

from sources.models import Document
from tests.factories import edited, make_document, seed_page

pytestmark = pytest.mark.django_db


def change_page(client, document) -> str:
    response = client.get(reverse("admin:sources_document_change", args=[document.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_document_page_links_its_older_and_newer_versions(superuser_client):
    original = make_document(title="Ketamine clinic, March", body=seed_page(0))
    newer = make_document(
        title="Ketamine clinic, May", body=edited(seed_page(0)), supersedes=original
    )
    older_page = change_page(superuser_client, original)
    newer_url = reverse("admin:sources_document_change", args=[newer.pk])
    assert f'<a href="{newer_url}">Ketamine clinic, May</a>' in older_page
    newer_page = change_page(superuser_client, newer)
    assert 'name="supersedes"' in newer_page and "Ketamine clinic, March" in newer_page


def test_the_editor_is_told_when_a_page_already_has_a_newer_version(superuser_client):
    original = make_document(body=seed_page(0))
    make_document(title="Version 2", body=edited(seed_page(0)), supersedes=original)
    rival = make_document(title="Rival", body=seed_page(1))
    url = reverse("admin:sources_document_change", args=[rival.pk])
    data = {
        "title": rival.title, "slug": rival.slug, "kind": rival.kind, "body": rival.body,
        "supersedes": original.pk,
    }  # fmt: skip
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "already has a newer version, “Version 2”" in response.content.decode()
    rival.refresh_from_db()
    assert rival.supersedes is None


def take_in(client, *documents):
    return client.post(
        reverse("admin:sources_document_changelist"),
        {"action": "take_into_the_collection", "_selected_action": [d.pk for d in documents]},
        follow=True,
    )


def test_an_editor_takes_pages_readers_sent_into_the_collection(client, editor):
    sent = make_document(status=Document.Status.PROPOSED)
    kept = make_document()
    client.force_login(editor)
    listed = client.get(reverse("admin:sources_document_changelist") + "?status=proposed")
    assert sent.title in listed.content.decode() and kept.title not in listed.content.decode()
    response = take_in(client, sent, kept)
    assert "1 page(s) taken into the collection." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == Document.Status.PUBLISHED
    assert client.get(sent.get_absolute_url()).status_code == 200


def test_a_reviewer_cannot_take_pages_in(client, reviewer):
    sent = make_document(status=Document.Status.PROPOSED)
    client.force_login(reviewer)
    response = take_in(client, sent)
    assert response.status_code in (200, 403)
    sent.refresh_from_db()
    assert sent.status == Document.Status.PROPOSED
