import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checks.page_check import MAX_CHARS
from claims.claim_index import claim_index
from claims.models import Candidate, Claim, Excerpt
from sources.models import Document
from tests.checks.conftest import PAGE

pytestmark = pytest.mark.django_db

CHECK = reverse("check:page")
SEND = reverse("check:send")
API = reverse("api:check")


def stored() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Document, Candidate, Claim, Excerpt)}


def api(client, body, content_type="application/json"):
    data = json.dumps(body) if not isinstance(body, (str, bytes)) else body
    return client.post(API, data=data, content_type=content_type)


# The page


def test_the_form_page_is_public_and_cacheable(client):
    response = client.get(CHECK)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    html = response.content.decode()
    assert 'name="text"' in html and 'name="upload"' in html
    assert "csrfmiddlewaretoken" not in html  # a check changes nothing: the page can be shared


def test_a_checked_page_shows_marks_verdicts_red_flags_and_omissions(client, known_page):
    response = client.post(CHECK, {"text": PAGE})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    html = response.content.decode()
    assert '<mark class="s-reviewed s-warns"' in html
    assert 'class="badge verdict-misleading"' in html
    assert reverse("claims:detail", args=["relief-within-hours"]) in html
    assert known_page["question"].get_absolute_url() in html
    assert '<mark class="s-known"' in html and '<mark class="s-unreviewed"' in html
    assert '<em class="flag">miracle</em>' in html
    assert "Red flag: “no side effects”." in html
    assert "Every effective drug has side effects" in html
    assert "Ketamine is a Schedule III drug because it is misused." in html
    assert "Blood pressure rises during an infusion." not in html  # the page raises it
    assert "Not medical advice." in html
    assert "Send this page to the editors" in html and "csrfmiddlewaretoken" in html


def test_the_summary_tells_how_many_were_checked_and_how_many_mislead(client, known_page):
    html = client.post(CHECK, {"text": PAGE}).content.decode()
    assert "<strong>1</strong> match a claim we found false, misleading or unsupported" in html


def test_a_check_reads_a_fixed_number_of_queries(client, known_page):
    claim_index()  # fitted once per process, not per check
    client.post(CHECK, {"text": PAGE})
    with CaptureQueriesContext(connection) as captured:
        assert client.post(CHECK, {"text": PAGE}).status_code == 200
    assert len(captured) == 8, [q["sql"] for q in captured]


def test_a_check_stores_nothing(client, known_page):
    before = stored()
    client.post(CHECK, {"text": PAGE})
    api(client, {"text": PAGE})
    assert stored() == before


def test_an_uploaded_html_page_is_checked_as_its_text(client, known_page):
    markup = f"<html><body><h1>Calm</h1><p>{PAGE.splitlines()[1]}</p></body></html>"
    upload = SimpleUploadedFile("page.html", markup.encode())
    html = client.post(CHECK, {"upload": upload}).content.decode()
    assert 'class="badge verdict-misleading"' in html
    assert "&lt;p&gt;" not in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Paste a page’s text or upload a file to check."),
        ({"text": "   "}, "Paste a page’s text or upload a file to check."),
        ({"text": "Too short."}, "Only 10 characters of text were found"),
        ({"text": "x" * (MAX_CHARS + 1)}, "Ensure this value has at most 100000 characters"),
        ({"upload": SimpleUploadedFile("page.pdf", b"%PDF-1.4")}, "Upload a .txt, .md or .html"),
        ({"upload": SimpleUploadedFile("page.txt", b"\x00\x01binary")}, "looks binary"),
        ({"text": PAGE, "upload": SimpleUploadedFile("p.txt", PAGE.encode())}, "not both"),
    ],
)
def test_bad_input_gets_the_form_again_with_the_reason(client, data, message):
    response = client.post(CHECK, data)
    assert response.status_code == 400
    assert message.replace("’", "&#x27;") in response.content.decode().replace("’", "&#x27;")


def test_checks_are_limited_per_address(client, settings, known_page):
    settings.CHECK_RATE = "2/m"
    assert client.post(CHECK, {"text": PAGE}).status_code == 200
    assert client.post(CHECK, {"text": PAGE}, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.post(CHECK, {"text": PAGE}).status_code == 200
    limited = client.post(CHECK, {"text": PAGE})
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert "Too many checks from your address" in limited.content.decode()


# Sending a page to the editors


def send_form(client, text=PAGE, **extra):
    return client.post(SEND, {"text": text, "url": "", "website": "", **extra})


def test_sending_needs_the_csrf_token(known_page):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(SEND, {"text": PAGE}).status_code == 403
    assert not Document.objects.exists()


def test_the_result_s_own_form_sends_the_page(known_page):
    browser = Client(enforce_csrf_checks=True)
    html = browser.post(CHECK, {"text": PAGE}).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = browser.post(SEND, {"csrfmiddlewaretoken": token, "text": PAGE, "website": "",
                                   "url": "https://calm.example/ketamine"})  # fmt: skip
    assert response.status_code == 302 and response.url == reverse("check:sent")
    document = Document.objects.get()
    assert document.status == Document.Status.PROPOSED
    assert (document.url, document.publisher) == ("https://calm.example/ketamine", "calm.example")
    assert document.body == PAGE
    assert document.candidates.filter(status=Candidate.Status.PROPOSED).count() >= 4
    matched = document.candidates.get(quote__startswith="Ketamine relieves anxiety")
    assert matched.matches[0]["claim"] == "relief-within-hours"


def test_a_sent_page_is_not_public_until_an_editor_takes_it_in(client, known_page):
    send_form(client)
    document = Document.objects.get()
    assert client.get(document.get_absolute_url()).status_code == 404
    assert document.title not in client.get(reverse("sources:list")).content.decode()


def test_a_page_sent_twice_is_stored_once(client, known_page):
    send_form(client)
    response = send_form(client)
    assert response.url == reverse("check:sent") + "?already=1"
    assert Document.objects.count() == 1
    assert "already have this page" in client.get(response.url).content.decode()


def test_a_filled_honeypot_sends_nothing(client, known_page):
    response = send_form(client, website="https://spam.example")
    assert response.status_code == 400
    assert "filled in as programs fill it in" in response.content.decode()
    assert not Document.objects.exists()


def test_sending_is_limited_per_address(client, settings, known_page):
    settings.SEND_RATE = "1/h"
    send_form(client)
    response = send_form(client, text=PAGE + "\nAnother sentence about infusions and costs.")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert Document.objects.count() == 1


def test_sending_a_bad_page_says_why_and_stores_nothing(client):
    response = send_form(client, text="short", url="not a url")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Only 5 characters of text were found" in html and "Enter a valid URL" in html
    assert not Document.objects.exists()


def test_the_send_address_takes_posts_only(client):
    response = client.get(SEND)
    assert response.status_code == 405 and response["Allow"] == "POST"


# The JSON API


def test_the_api_returns_sentences_with_offsets_matches_flags_and_omissions(client, known_page):
    response = api(client, {"text": PAGE})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["text"] == PAGE
    assert body["summary"]["false_misleading_or_unsupported"] == 1
    for sentence in body["sentences"]:
        assert body["text"][sentence["start"] : sentence["end"]] == sentence["text"]
        for flag in sentence["red_flags"]:
            assert body["text"][flag["start"] : flag["end"]] == flag["words"]
    hours = next(s for s in body["sentences"] if s["text"].startswith("Ketamine relieves"))
    [match] = hours["matches"][:1]
    assert match["claim"] == "relief-within-hours"
    assert (match["verdict"], match["certainty"]) == ("misleading", "low")
    assert match["url"].endswith(reverse("claims:detail", args=["relief-within-hours"]))
    assert match["question"]["slug"] == "how-fast"
    assert 0 < match["score"] <= 1
    assert (
        "safety or side-effect language"
        in next(s for s in body["sentences"] if s["text"].startswith("It is a miracle"))["reasons"]
    )
    assert [t["topic"] for t in body["left_out"][0]["topics"]] == ["abuse_misuse"]
    assert body["notice"].startswith("Not medical advice")


@pytest.mark.parametrize(
    "body, content_type, status, message",
    [
        ({"text": PAGE}, "text/plain", 415, "application/json"),
        ("{not json", "application/json", 400, "not valid JSON"),
        (b"\xff\xfe", "application/json", 400, "not valid JSON"),
        ([1, 2], "application/json", 400, 'a string "text"'),
        ({"text": 5}, "application/json", 400, 'a string "text"'),
        ({"page": PAGE}, "application/json", 400, 'a string "text"'),
        ({"text": "tiny"}, "application/json", 400, "Only 4 characters"),
        ({"text": "y" * (MAX_CHARS + 1)}, "application/json", 400, "the limit is 100,000"),
    ],
)
def test_bad_api_input_gets_a_4xx_with_a_reason(client, body, content_type, status, message):
    response = api(client, body, content_type)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_the_api_takes_posts_only(client):
    response = client.get(API)
    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"
    assert "Use POST" in response.json()["error"]


def test_the_api_is_limited_per_address(client, settings, known_page):
    settings.CHECK_RATE = "1/m"
    assert api(client, {"text": PAGE}).status_code == 200
    response = api(client, {"text": PAGE})
    assert response.status_code == 429 and "Too many checks" in response.json()["error"]


def test_the_api_needs_no_csrf_token(known_page):
    assert api(Client(enforce_csrf_checks=True), {"text": PAGE}).status_code == 200
