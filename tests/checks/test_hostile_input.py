"""The hostile-document corpus (tests/data/hostile and the generated cases of
tests/reviews/test_hostile_documents.py) through the page check: each input is refused with
its reason, or checked with every piece of it shown as text, on the result page and in the
JSON."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.reviews.test_hostile_documents import BIDI_CONTROLS, CASES, assert_inert

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.CHECK_RATE = "1000/m"


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_result_page_shows_hostile_input_as_text(client, name):
    case = CASES[name]
    upload = SimpleUploadedFile(name, case.data)
    response = client.post(reverse("check:page"), {"upload": upload})
    if case.refused:
        assert response.status_code == 400
        assert case.refused in response.content.decode()
        return
    page = assert_inert(response)
    shown = page.text
    for kept in case.kept:
        assert kept in shown, kept
    for dropped in case.dropped:
        assert dropped not in shown, dropped


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_json_carries_hostile_input_as_data(client, name):
    case = CASES[name]
    text = case.data.decode("utf-8", errors="replace")
    response = client.post(
        reverse("api:check"), data=json.dumps({"text": text}), content_type="application/json"
    )
    if response.status_code == 400:  # pasted without a file name, markup may read as text
        assert case.refused and response.json()["error"]
        return
    assert response.status_code == 200, response.json()
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.json()
    assert not BIDI_CONTROLS.search(body["text"])
    for sentence in body["sentences"]:
        assert body["text"][sentence["start"] : sentence["end"]] == sentence["text"]
