import json

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim
from config.generation import site_changed
from questions.models import Question
from reviews.models import EvidenceLink, Review
from sources.models import Document, Study
from tests.factories import (
    make_claim,
    make_document,
    make_evidence_link,
    make_excerpt,
    make_question,
    make_review,
    make_safety_fact,
    make_study,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

CLAIMS = reverse("api:claim-list")


def reviewed_claim(**overrides) -> Claim:
    claim = make_claim(**overrides)
    make_excerpt(claim=claim, quote="within hours")
    make_review(claim=claim, status=Review.Status.PUBLISHED, verdict=Review.Verdict.MISLEADING)
    return claim


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def slugs(body) -> list[str]:
    return [row["slug"] for row in body["results"]]


# What is public, and nothing else


def test_a_claims_draft_review_never_appears(client):
    claim = make_claim()
    make_review(claim=claim, status=Review.Status.DRAFT, verdict=Review.Verdict.FALSE)
    make_evidence_link(claim=claim)
    [row] = get_json(client, CLAIMS)["results"]
    assert (row["verdict"], row["certainty"]) == (None, None)
    detail = get_json(client, row["url"])
    assert detail["review"] is None and detail["evidence"] == []
    assert "false" not in json.dumps(detail)


def test_a_draft_question_is_not_listed_and_is_not_found(client):
    draft = make_question(status=Question.Status.DRAFT)
    published = make_question()
    assert slugs(get_json(client, reverse("api:question-list"))) == [published.slug]
    response = client.get(reverse("api:question-detail", args=[draft.slug]))
    assert response.status_code == 404 and response.json() == {
        "error": "No Question matches the given query."
    }


def test_a_page_sent_by_a_reader_is_not_public(client):
    sent = make_document(status=Document.Status.PROPOSED)
    kept = make_document()
    assert slugs(get_json(client, reverse("api:document-list"))) == [kept.slug]
    assert client.get(reverse("api:document-detail", args=[sent.slug])).status_code == 404


def test_editors_working_notes_are_never_served(client):
    study = make_study(unverified="PMID not found (editors' note)", verified_from="https://x.test/")
    fact = make_safety_fact(checked="Label section 5.1 (editors' note)", sources=[study])
    claim = reviewed_claim()
    Review.objects.filter(claim=claim).update(reviewer_notes="A working note (editors' note)")
    for url in (
        reverse("api:study-detail", args=[study.slug]),
        reverse("api:intervention-detail", args=[fact.interventions.get().slug]),
        reverse("api:claim-detail", args=[claim.slug]),
    ):
        assert "editors' note" not in client.get(url).content.decode()


# Details


def test_a_claim_gives_its_quotes_verdict_grade_path_and_evidence(client):
    claim = reviewed_claim()
    study = make_study(design=Study.Design.OPEN_LABEL_TRIAL)
    make_evidence_link(
        claim=claim, study=study, stance=EvidenceLink.Stance.MISREPRESENTED, participants=12,
        effect_value=83.0, effect_kind=EvidenceLink.EffectKind.PERCENT, timepoint="1 h",
    )  # fmt: skip
    question = make_question()
    question.claims.add(claim)
    body = get_json(client, reverse("api:claim-detail", args=[claim.slug]))
    assert (body["verdict"], body["review"]["verdict"]) == ("misleading", "misleading")
    assert body["certainty"] == body["review"]["certainty"] == "low"
    grade = body["review"]["grade"]
    assert grade[0]["name"] == "Starting level" and grade[0]["change"] == 0
    assert len(grade) == 6 and all(step["reason"] for step in grade)
    assert grade[-1]["certainty"] == "low"
    [excerpt] = body["excerpts"]
    document = Document.objects.get(slug=excerpt["document"])
    assert document.body[excerpt["start"] : excerpt["end"]] == excerpt["quote"] == "within hours"
    [evidence] = body["evidence"]
    assert evidence["study"]["slug"] == study.slug and evidence["design"] == "open_label_trial"
    assert (evidence["participants"], evidence["effect_value"], evidence["timepoint"]) == (
        12, 83.0, "1 h"
    )  # fmt: skip
    assert body["questions"] == [question.slug]
    assert body["page"] == "http://testserver" + claim.get_absolute_url()


def test_a_document_gives_its_text_and_where_it_quotes_each_claim(client):
    excerpt = make_excerpt(quote="six infusions")
    body = get_json(client, reverse("api:document-detail", args=[excerpt.document.slug]))
    [quoted] = body["excerpts"]
    assert body["body"][quoted["start"] : quoted["end"]] == "six infusions"
    assert quoted["claim"] == excerpt.claim.slug
    assert quoted["claim_url"].endswith(reverse("api:claim-detail", args=[excerpt.claim.slug]))
    assert body["annotations"].endswith(
        reverse("sources:annotations", args=[excerpt.document.slug])
    )


def test_a_question_gives_its_answer_and_graded_findings(client):
    question = make_question(findings=2)
    body = get_json(client, reverse("api:question-detail", args=[question.slug]))
    assert body["bottom_line_clinicians"] == question.bottom_line_clinicians
    assert [f["certainty"] for f in body["findings"]] == ["low", "low"]
    assert body["findings"][0]["grade"][0]["name"] == "Starting level"
    assert len(body["findings"][0]["studies"]) == 1


def test_an_intervention_gives_its_safety_profile(client):
    fact = make_safety_fact()
    intervention = fact.interventions.get()
    body = get_json(client, reverse("api:intervention-detail", args=[intervention.slug]))
    assert body["facts"] == [
        {"topic": fact.topic, "statement": fact.statement, "sources": [fact.sources.get().slug]}
    ]


def test_a_study_gives_its_citation(client):
    study = make_study(doi="10.1000/xyz123", pmid="12345678", url="")
    body = get_json(client, reverse("api:study-detail", args=[study.slug]))
    assert (body["doi"], body["pmid"], body["source_url"]) == ("10.1000/xyz123", "12345678", None)


@pytest.mark.parametrize("key", ["no-such-claim", "not a slug", "é", "x" * 101])
def test_an_unknown_key_gets_a_json_404(client, key):
    response = client.get(f"{CLAIMS}{key}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json()["error"]


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "trace"])
def test_reads_refuse_other_methods_with_a_405(client, method):
    claim = make_claim()
    for url in (CLAIMS, reverse("api:claim-detail", args=[claim.slug])):
        response = getattr(client, method)(url)
        assert response.status_code == 405 and response.json()["error"]


# Filters, as the site's facets


def test_claims_filter_by_the_claim_lists_facets(client):
    misleading = reviewed_claim(category=Claim.Category.EFFICACY)
    other = make_claim(category=Claim.Category.SAFETY)
    make_evidence_link(claim=misleading, study=make_study(design=Study.Design.CASE_SERIES))
    document = make_excerpt(claim=other, quote="six infusions").document
    assert slugs(get_json(client, CLAIMS, verdict="misleading")) == [misleading.slug]
    assert slugs(get_json(client, CLAIMS, category="safety")) == [other.slug]
    assert slugs(get_json(client, CLAIMS, design="case_series")) == [misleading.slug]
    assert slugs(get_json(client, CLAIMS, document=document.slug)) == [other.slug]
    assert slugs(get_json(client, CLAIMS, certainty="low")) == [misleading.slug]


def test_claims_search_ranks_the_statement_first(client):
    in_statement = make_claim(statement="Ketamine works within an hour for anxiety.")
    elsewhere = make_claim(statement="Anxiety lifts quickly.")
    make_excerpt(claim=elsewhere, quote="within hours")
    make_claim(statement="Six infusions are needed.")
    body = get_json(client, CLAIMS, q="within")
    assert slugs(body) == [in_statement.slug, elsewhere.slug]


def test_other_lists_filter_by_their_facets(client):
    trial = make_study(design=Study.Design.RANDOMIZED_TRIAL)
    make_study(design=Study.Design.CASE_SERIES)
    assert slugs(get_json(client, reverse("api:study-list"), design="randomized_trial")) == [
        trial.slug
    ]
    advert = make_document(kind=Document.Kind.ADVERTISEMENT)
    make_document()
    assert slugs(get_json(client, reverse("api:document-list"), kind="advertisement")) == [
        advert.slug
    ]


@pytest.mark.parametrize(
    "params", [{"verdict": "great"}, {"category": "x"}, {"sort": "price"}, {"q": "x" * 301}]
)
def test_a_bad_filter_gets_a_400_with_its_reason(client, params):
    response = client.get(CLAIMS, params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()["error"]


# Pagination


def test_the_next_links_walk_every_claim_once(client, settings):
    settings.API_PAGE_SIZE = 2
    claims = [make_claim(statement=f"Claim {n}.") for n in range(5)]
    seen, url, pages = [], CLAIMS, []
    while url:
        body = get_json(client, url)
        pages.append(body)
        seen += slugs(body)
        url = body["next"]
    assert sorted(seen) == sorted(claim.slug for claim in claims) and len(seen) == 5
    assert [len(page["results"]) for page in pages] == [2, 2, 1]
    assert pages[0]["previous"] is None
    assert slugs(get_json(client, pages[2]["previous"])) == slugs(pages[1])


def test_search_results_page_through_their_ranking(client, settings):
    settings.API_PAGE_SIZE = 2
    for n in range(3):
        make_claim(statement=f"Ketamine works within hours ({n}).")
    first = get_json(client, CLAIMS, q="within")
    second = get_json(client, first["next"])
    assert len(slugs(first) + slugs(second)) == 3 and second["next"] is None
    assert "q=within" in first["next"]


@pytest.mark.parametrize("cursor", ["garbage", "WyJ4Il0", "W1tdXQ"])
def test_a_page_link_not_made_by_the_api_gets_a_404(client, cursor):
    make_claim()
    response = client.get(CLAIMS, {"after": cursor})
    assert response.status_code == 404 and "not valid" in response.json()["error"]


# Query counts: a list costs the same with one row as with many; a detail is pinned.


@pytest.mark.parametrize(
    "name, make",
    [
        ("claim", reviewed_claim),
        ("document", lambda: make_excerpt().document),
        ("study", make_study),
        ("question", make_question),
        ("intervention", lambda: make_safety_fact().interventions.get()),
    ],
)
def test_a_lists_queries_do_not_grow_with_its_rows(client, name, make):
    make()
    url = reverse(f"api:{name}-list")
    one = count_queries(client, url)
    for _ in range(3):
        make()
    assert count_queries(client, url) == one


def test_a_claims_detail_queries_are_pinned(client):
    claim = reviewed_claim()
    for _ in range(3):
        make_evidence_link(claim=claim)
        make_excerpt(claim=claim, quote="six infusions")
    url = reverse("api:claim-detail", args=[claim.slug])
    # the claim; its published review; its quotes with their documents; its evidence with
    # the studies and citing documents; its questions
    assert count_queries(client, url) == 5


def test_a_questions_detail_queries_do_not_grow_with_its_findings(client):
    one = count_queries(client, reverse("api:question-detail", args=[make_question().slug]))
    many = make_question(findings=4)
    many.claims.add(make_claim(), make_claim())
    assert count_queries(client, reverse("api:question-detail", args=[many.slug])) == one


# HTTP: caching, conditional requests, rate limits, CORS


def test_a_read_carries_the_sites_etag_and_answers_a_conditional_request_with_304(client):
    make_claim()
    response = client.get(CLAIMS)
    assert response["ETag"] and "public" in response["Cache-Control"]
    again = client.get(CLAIMS, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    site_changed()  # what every service that changes public data calls on commit
    assert client.get(CLAIMS, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_reads_are_limited_per_address(client, settings):
    settings.API_READ_RATE = "2/m"
    for n in range(2):
        assert client.get(CLAIMS, {"category": "onset", "n": n}).status_code == 200
    response = client.get(CLAIMS, {"category": "safety"})
    assert response.status_code == 429 and response.json()["error"]
    assert response["Retry-After"] == "60"
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert other.get(CLAIMS, {"category": "safety"}).status_code == 200


def test_any_site_may_read_but_not_post(client):
    response = client.get(CLAIMS, HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        reverse("api:check"),
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    page = client.get(reverse("home"), HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in page


# The schema and its documentation page


def test_the_schema_is_openapi_3_and_names_every_operation(client):
    response = client.get(reverse("api:schema"))
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for name in ("question", "claim", "document", "study", "intervention"):
        assert reverse(f"api:{name}-list") in paths
    assert "post" in paths[reverse("api:check")]
    claim_list = paths[CLAIMS]["get"]
    assert {"q", "verdict", "certainty", "category", "design", "document", "after"} <= {
        parameter["name"] for parameter in claim_list["parameters"]
    }


def test_the_documentation_page_needs_no_outside_assets(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not medical advice" in html and "<style" not in html
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "name, make, grow",
    [
        ("document", lambda: make_excerpt().document,
         lambda document: make_excerpt(document=document, quote="six infusions")),
        ("intervention", lambda: make_safety_fact().interventions.get(),
         lambda intervention: make_safety_fact(interventions=[intervention])),
        ("study", make_study, lambda study: make_evidence_link(study=study)),
    ],
)  # fmt: skip
def test_a_details_queries_do_not_grow_with_its_related_rows(client, name, make, grow):
    row = make()
    url = reverse(f"api:{name}-detail", args=[row.slug])
    one = count_queries(client, url)
    for _ in range(1 if name == "document" else 3):
        grow(row)
    assert count_queries(client, url) == one
