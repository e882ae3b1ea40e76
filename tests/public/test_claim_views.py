import base64
import json
import re
from datetime import date, timedelta
from html import unescape

import extruct
import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from claims.models import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS, Claim
from reviews.models import EvidenceLink, Review
from reviews.services import document_version_follow, excerpt_accept_new_wording
from safety.models import SafetyFact
from sources.models import Study
from tests.factories import (
    make_claim,
    make_document,
    make_evidence_link,
    make_excerpt,
    make_intervention,
    make_review,
    make_safety_fact,
    make_study,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

LIST = reverse("claims:list")
# An HTML valid global date and time: no more than three fractional digits, and we give none.
DATETIME_ATTRIBUTE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def graded(statement="Ketamine relieves anxiety within an hour.", quote="Ketamine works", **review):
    claim = make_claim(statement=statement)
    make_excerpt(claim=claim, quote=quote)
    review.setdefault("verdict", Review.Verdict.MISLEADING)
    make_review(claim=claim, status=Review.Status.PUBLISHED, **review)
    return claim


def statements(response) -> list[str]:
    """The statements the page lists, in order, as a reader sees them."""
    html = response.content.decode()
    return [
        unescape(text)
        for text in re.findall(r'<a class="statement" href="[^"]*">([^<]*)</a>', html)
    ]


def result_heading(response) -> str:
    match = re.search(r'<h2 id="results-heading"[^>]*>([^<]*)</h2>', response.content.decode())
    return unescape(match.group(1))


# The list ----------------------------------------------------------------------------


def test_list_shows_each_claim_with_badges_and_document_count(client):
    claim = graded()
    html = client.get(LIST).content.decode()
    assert claim.statement in html
    assert "verdict-misleading" in html and "Low certainty" in html
    assert "Made by 1 document" in html


def test_list_searches_statements_quotes_and_rationales(client):
    quoted = graded(statement="Ketamine acts fast.", quote="within hours")
    reasoned = graded(statement="Six sessions are needed.", rationale="Murrough 2013, n=24.")
    graded(statement="Unrelated claim.")
    assert statements(client.get(LIST, {"q": "within hours"})) == [quoted.statement]
    assert statements(client.get(LIST, {"q": "Murrough"})) == [reasoned.statement]


def test_list_filters_by_every_facet_and_keeps_them_in_the_url(client):
    document = make_document(body="Esketamine is approved. Ketamine works within hours.")
    target = make_claim(category=Claim.Category.REGULATORY, statement="Esketamine is approved.")
    make_excerpt(claim=target, document=document, quote="Esketamine is approved.")
    make_review(
        claim=target,
        status=Review.Status.PUBLISHED,
        verdict=Review.Verdict.SUPPORTED,
        certainty=Review.Certainty.HIGH,
    )
    make_evidence_link(claim=target, study=make_study(design=Study.Design.REGULATORY))
    graded()  # misleading, low, onset, another document, randomized trial nowhere
    query = {
        "category": "regulatory",
        "verdict": "supported",
        "certainty": "high",
        "document": document.slug,
        "design": "regulatory",
    }
    response = client.get(LIST, query)
    assert statements(response) == [target.statement]
    html = response.content.decode()
    assert 'option value="regulatory" selected' in html
    for key in query:
        assert statements(client.get(LIST, {key: query[key]})) == [target.statement]


def test_list_rejects_an_unknown_facet_value_with_a_field_error(client):
    graded()
    response = client.get(LIST, {"verdict": "amazing"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def link(response, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    assert found, f"no {rel} link"
    return LIST + found.group(1).replace("&amp;", "&")


def test_list_pages_follow_a_cursor_keeping_the_sort_and_filters(client):
    for n in range(27):
        graded(statement=f"Claim {n:02d} about ketamine.")
    graded(statement="Unrelated claim about nasal spray labels.", quote="six infusions")
    first = client.get(LIST, {"sort": "statement", "q": "ketamine"})
    assert statements(first) == [f"Claim {n:02d} about ketamine." for n in range(25)]
    assert result_heading(first) == "27 claims match"
    assert 'rel="prev"' not in first.content.decode()
    second = client.get(link(first, "next"))
    assert statements(second) == ["Claim 25 about ketamine.", "Claim 26 about ketamine."]
    assert "sort=statement" in link(second, "prev") and "q=ketamine" in link(second, "prev")
    assert 'rel="next"' not in second.content.decode()
    assert statements(client.get(link(second, "prev"))) == statements(first)
    reverse_order = client.get(LIST, {"sort": "-statement", "q": "ketamine"})
    assert statements(client.get(link(reverse_order, "next"))) == [
        "Claim 01 about ketamine.",
        "Claim 00 about ketamine.",
    ]


@pytest.mark.parametrize(
    "sort", ["", "category", "statement", "-statement", "-published", "-documents"]
)
def test_every_sort_pages_through_every_claim_once(client, sort):
    for n in range(30):
        claim = graded(statement=f"Claim {n:02d} on ketamine.", quote="Ketamine works")
        if n % 3:
            make_excerpt(claim=claim, quote="six infusions")
    make_claim(statement="Claim never reviewed, on ketamine.")
    seen, response = [], client.get(LIST, {"sort": sort} if sort else {})
    while True:
        seen += statements(response)
        if 'rel="next"' not in response.content.decode():
            break
        response = client.get(link(response, "next"))
    assert sorted(seen) == sorted(Claim.objects.values_list("statement", flat=True))


def test_a_search_pages_by_relevance_without_repeats(client):
    for n in range(30):
        graded(statement=f"Ketamine claim {n:02d}.", quote="Ketamine works")
    response = client.get(LIST, {"q": "ketamine"})
    seen = statements(response) + statements(client.get(link(response, "next")))
    assert len(seen) == len(set(seen)) == 30


def test_a_search_pages_back_to_the_same_first_page(client):
    for n in range(30):
        graded(statement=f"Ketamine claim {n:02d}.", quote="Ketamine works")
    first = client.get(LIST, {"q": "ketamine"})
    second = client.get(link(first, "next"))
    assert statements(client.get(link(second, "prev"))) == statements(first)


def test_a_search_with_facets_ranks_only_claims_that_pass_them(client, monkeypatch):
    monkeypatch.setattr("public.views.SEARCH_CANDIDATES", 5)
    for n in range(8):
        graded(statement=f"Ketamine claim {n}.", verdict=Review.Verdict.MISLEADING)
    supported = [
        graded(statement=f"Ketamine supported {n}.", verdict=Review.Verdict.SUPPORTED)
        for n in range(3)
    ]
    response = client.get(LIST, {"q": "ketamine", "verdict": Review.Verdict.SUPPORTED})
    assert sorted(statements(response)) == sorted(claim.statement for claim in supported)
    assert result_heading(response) == "3 claims match"


def test_a_tampered_search_page_link_is_not_found(client):
    graded()
    for cursor in ("not-a-cursor", "WyJhIiwgMV0", "WzEuMF0"):
        assert client.get(LIST, {"q": "ketamine", "after": cursor}).status_code == 404


def test_a_tampered_page_link_is_not_found(client):
    graded()
    for cursor in ("not-a-cursor", "WzEsMl0", "W251bGwsIDFd"):
        assert client.get(LIST, {"after": cursor}).status_code == 404


def encoded(json_text: str) -> str:
    return base64.urlsafe_b64encode(json_text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "params, json_text",
    [
        ({}, "[" * 100_000 + "]" * 100_000),
        ({"q": "ketamine"}, "[" * 100_000 + "]" * 100_000),
        ({"sort": "statement"}, json.dumps(["a", 10**30])),
        ({"sort": "statement"}, '["a", Infinity]'),
        ({"sort": "category"}, '["onset", "a", Infinity]'),
        ({"sort": "statement"}, json.dumps(["a\x00b", 1])),
        ({"sort": "category"}, json.dumps(["onset", "a\x00b", 1])),
        ({"sort": "-documents"}, json.dumps([1, 10**30])),
        ({"sort": "-published"}, json.dumps(["0001-01-01", 1])),
    ],
    ids=[
        "deep nesting",
        "deep nesting, searching",
        "beyond bigint",
        "Infinity",
        "Infinity, third key",
        "NUL byte",
        "NUL byte, second key",
        "count beyond bigint",
        "a date without a time zone",
    ],
)
def test_a_page_link_whose_cursor_no_page_could_carry_is_not_found(client, params, json_text):
    graded()
    for direction in ("after", "before"):
        response = client.get(LIST, {**params, direction: encoded(json_text)})
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()  # the site's page, no traceback


def test_a_search_longer_than_the_limit_is_refused_with_a_field_error(client):
    graded(statement="Ketamine relieves anxiety within an hour.")
    words = " ".join(f"word{n}" for n in range(1000))
    response = client.get(LIST, {"q": words})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert f"Search for at most {SEARCH_MAX_WORDS} words (this search has 1000)." in html
    assert statements(response) == []
    long_word = "k" * (SEARCH_MAX_LENGTH + 1)
    html = unescape(client.get(LIST, {"q": long_word}).content.decode())
    assert f"Search for at most {SEARCH_MAX_LENGTH} characters" in html
    assert f'maxlength="{SEARCH_MAX_LENGTH}"' in html


def test_the_header_search_box_carries_the_lists_search(client):
    graded()
    html = client.get(LIST, {"q": "within <hour>"}).content.decode()
    assert 'name="q" placeholder="Ask or search" value="within &lt;hour&gt;"' in html
    assert f'<form class="site-search" role="search" action="{reverse("search")}"' in html
    html = client.get(reverse("methodology"), {"q": "ketamine"}).content.decode()
    assert 'name="q" placeholder="Ask or search" value=""' in html


def test_a_search_of_the_most_words_allowed_runs(client):
    words = [f"word{n}" for n in range(SEARCH_MAX_WORDS)]
    claim = graded(statement=" ".join(words) + ".")
    response = client.get(LIST, {"q": " ".join(words)})
    assert statements(response) == [claim.statement]


def test_list_filtered_by_document_names_it_and_can_drop_it(client):
    inside = graded(statement="Inside the document.")
    graded(statement="Elsewhere.")
    document = inside.excerpts.get().document
    response = client.get(LIST, {"document": document.slug})
    assert statements(response) == ["Inside the document."]
    html = response.content.decode()
    assert document.title in html and 'aria-label="Remove the document filter"' in html
    assert statements(client.get(LIST, {"document": "no-such-document"})) == []


def test_list_shows_unreviewed_claims_without_any_draft_verdict(client):
    claim = make_claim()
    make_excerpt(claim=claim)
    make_review(claim=claim, status=Review.Status.DRAFT, verdict=Review.Verdict.SUPPORTED)
    html = client.get(LIST).content.decode()
    assert "Not yet reviewed" in html
    assert "verdict-supported" not in html.split('class="results"')[1]


def test_list_queries_do_not_grow_with_rows(client):
    graded()
    few = count_queries(client, LIST + "?q=ketamine&verdict=misleading")
    for n in range(6):
        graded(statement=f"Ketamine claim {n}.")
    assert count_queries(client, LIST + "?q=ketamine&verdict=misleading") == few


@pytest.mark.parametrize(
    "query, expected",
    [
        # The count of the list (kept until the claims change); the page of rows.
        ("", 2),
        ("?verdict=misleading&sort=statement", 2),
        # The ranking of the matches (kept likewise); the page's claims by key.
        ("?q=ketamine", 2),
        # The document chosen, named above the list; the count; the page.
        ("?document={document}", 3),
    ],
)
def test_a_list_page_runs_a_fixed_number_of_queries(client, query, expected):
    claim = graded()
    query = query.format(document=claim.excerpts.get().document.slug)
    assert count_queries(client, LIST + query) == expected
    for n in range(30):
        graded(statement=f"Ketamine claim {n}.")
    assert count_queries(client, LIST + query) == expected


# The detail page ----------------------------------------------------------------------


def detailed_claim():
    claim = graded(
        rationale="Glue 2017, open-label, n=12.",
        summary="A small study, no control group.",
        design_reason="One open-label study (Glue 2017).",
        risk_of_bias=Review.Concern.VERY_SERIOUS,
        risk_of_bias_reason="No control group, no blinding.",
    )
    study = make_study(title="Dose-related effects", doi="10.1177/0269881117705089")
    make_evidence_link(
        claim=claim,
        study=study,
        stance=EvidenceLink.Stance.MISREPRESENTED,
        note="Subcutaneous, not IV.",
    )
    other = graded(statement="Ketamine blocks glutamate.", verdict=Review.Verdict.FALSE)
    claim.contradicts.add(other)
    return claim


def test_detail_shows_verdict_certainty_evidence_sources_and_contradictions(client):
    claim = detailed_claim()
    html = client.get(claim.get_absolute_url()).content.decode()
    excerpt = claim.excerpts.get()
    assert "Verdict" in html and "Certainty of the evidence" in html
    assert "Misleading" in html and ">Very low</span>" in html
    assert "A small study, no control group." in html
    assert "Glue 2017, open-label, n=12." in html
    assert f"<mark>{excerpt.quote}</mark>" in html
    assert f"{excerpt.document.get_absolute_url()}#excerpt-{excerpt.pk}" in html
    assert "Dose-related effects" in html and "Misrepresented by the source" in html
    assert "Subcutaneous, not IV." in html
    # The GRADE path: where certainty starts, each step with its reason, where it ends.
    assert (
        "Starts low: non-randomized studies; −2 levels for risk of bias → "
        "<strong>very low</strong>." in html
    )
    assert (
        '<tr><th scope="row" data-label="Step">Starting level</th>'
        '<td data-label="Judgment">Non-randomized studies</td>'
        '<td data-label="Change" class="num">None</td>'
        '<td data-label="Why">One open-label study (Glue 2017).</td>'
        '<td data-label="Certainty after">Low</td></tr>'
    ) in html
    assert (
        '<tr><th scope="row" data-label="Step">Risk of bias</th>'
        '<td data-label="Judgment">Very serious</td>'
        '<td data-label="Change" class="num">−2 levels</td>'
        '<td data-label="Why">No control group, no blinding.</td>'
        '<td data-label="Certainty after">Very low</td></tr>'
    ) in html
    assert "Ketamine blocks glutamate." in html
    assert "Not medical advice" in html


def test_detail_says_who_reviewed_it_blind_and_how_the_editor_settled_it(client, django_user_model):
    first = django_user_model.objects.create(username="reviewer-a")
    second = django_user_model.objects.create(username="reviewer-b", first_name="Bea")
    editor = django_user_model.objects.create(username="editor")
    claim = graded(reviewer=editor, adjudication="A said <b>partly</b>; B said misleading.")
    claim.reviews.get().contributors.set([first, second])
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Reviewed independently and blind by reviewer-a and Bea; adjudicated by editor." in html
    assert "How their disagreement was settled: A said &lt;b&gt;partly&lt;/b&gt;;" in html
    # A review with no credited reviewers names only its writer.
    single = graded(statement="Another claim.", reviewer=first)
    assert "Written by reviewer-a." in client.get(single.get_absolute_url()).content.decode()


def test_a_fragment_links_the_sentence_it_is_cut_from_and_its_verdict(client):
    sentence = graded(statement="83% felt relief within an hour.", verdict=Review.Verdict.FALSE)
    fragment = graded(statement="Relief within an hour.", verdict=Review.Verdict.FALSE)
    fragment.carried_by = sentence
    fragment.save()
    html = client.get(fragment.get_absolute_url()).content.decode()
    assert (
        f'graded whole as <a href="{sentence.get_absolute_url()}">83% felt relief within an '
        'hour.</a> <span class="badge verdict-false">' in html
    )
    assert (
        "cut from a longer sentence" not in client.get(sentence.get_absolute_url()).content.decode()
    )


def test_detail_sets_the_claimed_figure_beside_the_measured_ones(client):
    claim = graded(statement="83% of patients improve.")
    Claim.objects.filter(pk=claim.pk).update(value_low=83, unit=Claim.Unit.PERCENT)
    measured = make_evidence_link(
        claim=claim,
        study=make_study(title="Dose-related effects"),
        outcome="responders",
        timepoint="1 week",
        participants=12,
        effect_value=10,
        effect_kind="count",
        route_dose="subcutaneous 0.5–1 mg/kg",
    )
    make_evidence_link(claim=claim, study=make_study(title="A review without figures"))
    html = client.get(claim.get_absolute_url()).content.decode()
    table = html.split('id="figures-heading"')[1].split("</table>")[0]
    assert (
        '<th scope="row" data-label="Source">The claim</th><td data-label="Figure">83%</td>'
        in table
    )
    assert (
        f'<a href="{measured.study.get_absolute_url()}">{measured.study}</a></th>'
        '<td data-label="Figure">10 of 12</td><td data-label="Outcome">responders</td>'
        '<td data-label="When">1 week</td><td data-label="Participants" class="num">12</td>'
        '<td data-label="Route and dose">subcutaneous 0.5–1 mg/kg</td>'
    ) in table
    assert "A review without figures" not in table


def test_a_claim_with_no_figure_and_nothing_measured_has_no_figures_table(client):
    claim = graded()
    make_evidence_link(claim=claim)
    assert 'id="figures-heading"' not in client.get(claim.get_absolute_url()).content.decode()


def test_detail_carries_claimreview_json_ld(client):
    claim = detailed_claim()
    html = client.get(claim.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == claim.statement
    assert data["url"] == f"http://testserver{claim.get_absolute_url()}"
    assert data["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Misleading",
        "name": "Misleading",
        "bestRating": 5,
        "worstRating": 1,
        "ratingValue": 2,
    }
    document = claim.excerpts.get().document
    assert data["itemReviewed"]["@type"] == "Claim"
    assert data["itemReviewed"]["firstAppearance"]["name"] == document.title
    assert data["datePublished"]


def claim_review(client, claim) -> dict:
    """The ClaimReview that a structured-data consumer reads from the claim's page."""
    html = client.get(claim.get_absolute_url()).content.decode()
    found = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])
    [review] = [item for item in found["json-ld"] if item.get("@type") == "ClaimReview"]
    return review


def assert_organization(value):
    assert value["@type"] == "Organization"
    assert isinstance(value["name"], str) and value["name"]
    if "url" in value:
        assert value["url"].startswith(("http://", "https://"))


@pytest.mark.parametrize("verdict", list(Review.Verdict))
def test_claim_review_has_the_fields_google_requires_and_recommends(client, verdict):
    claim = graded(verdict=verdict)
    data = claim_review(client, claim)
    # Required: the claim, the page reviewing it, and the rating in words.
    assert data["claimReviewed"] == claim.statement
    assert data["url"] == f"http://testserver{claim.get_absolute_url()}"
    rating = data["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == verdict.label
    # Recommended: who reviewed it and when, and the claim itself with who made it.
    assert_organization(data["author"])
    assert date.fromisoformat(data["datePublished"])
    item = data["itemReviewed"]
    assert item["@type"] == "Claim"
    assert_organization(item["author"])
    assert item["author"]["name"] == "Example Clinic"
    for work in (*item["appearance"], item["firstAppearance"]):
        assert work["@type"] == "CreativeWork" and work["url"].startswith("http")


@pytest.mark.parametrize("verdict", [v for v in Review.Verdict if v.rating is not None])
def test_a_numeric_verdict_is_rated_on_a_one_to_five_scale(client, verdict):
    rating = claim_review(client, graded(verdict=verdict))["reviewRating"]
    assert (rating["worstRating"], rating["bestRating"]) == (1, 5)
    assert isinstance(rating["ratingValue"], int)
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]


def test_a_not_checkable_verdict_is_rated_in_words_alone(client):
    rating = claim_review(client, graded(verdict=Review.Verdict.NOT_CHECKABLE))["reviewRating"]
    assert rating == {"@type": "Rating", "alternateName": "Not checkable", "name": "Not checkable"}


def test_the_claim_is_credited_to_each_clinic_whose_documents_make_it(client):
    claim = graded(quote="Ketamine works")
    claim.excerpts.all().delete()
    # Listed by title, as the page lists them.
    dated = make_document(
        title="B",
        publisher="Calm Clinic",
        url="https://calm.example/ketamine?ref=1",
        published_on=date(2022, 3, 1),
    )
    documents = [
        make_document(title="A", publisher="Calm Clinic", published_on=date(2023, 1, 1)),
        dated,
        make_document(title="C", publisher="Bright Clinic"),
        make_document(title="D", publisher="", url="https://www.unnamed.example/page"),
        make_document(title="E", publisher=""),
    ]
    for document in documents:
        make_excerpt(claim=claim, document=document, quote="Ketamine works")
    item = claim_review(client, claim)["itemReviewed"]
    # One Organization a publisher, at its site where a document gives its address; a
    # document naming no publisher names its site by address, or no one.
    assert item["author"] == [
        {"@type": "Organization", "name": "Calm Clinic", "url": "https://calm.example/"},
        {"@type": "Organization", "name": "Bright Clinic"},
        {
            "@type": "Organization",
            "name": "www.unnamed.example",
            "url": "https://www.unnamed.example/",
        },
    ]
    assert len(item["appearance"]) == len(documents)
    assert item["firstAppearance"]["url"] == "https://calm.example/ketamine?ref=1"
    assert item["datePublished"] == "2022-03-01"


def test_a_claim_whose_documents_name_no_publisher_says_so_rather_than_guess(client):
    claim = graded(quote="Ketamine works")
    claim.excerpts.all().delete()
    make_excerpt(claim=claim, document=make_document(publisher="", url=""), quote="Ketamine works")
    item = claim_review(client, claim)["itemReviewed"]
    assert item["author"] == {"@type": "Organization", "name": "Publisher not identified"}


def test_json_ld_cannot_be_broken_out_of(client):
    claim = graded(statement="</script><script>alert(1)</script>")
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E" in html


def test_detail_of_an_unreviewed_claim_shows_no_draft(client):
    claim = make_claim()
    make_excerpt(claim=claim)
    make_review(claim=claim, rationale="SECRET DRAFT RATIONALE", verdict=Review.Verdict.FALSE)
    make_evidence_link(claim=claim, note="SECRET DRAFT NOTE")
    response = client.get(claim.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not yet reviewed" in html
    assert "SECRET DRAFT" not in html
    assert "application/ld+json" not in html


def test_detail_of_an_unknown_claim_is_not_found(client):
    graded(statement="A claim that exists.")
    assert client.get(reverse("claims:detail", args=["no-such-claim"])).status_code == 404


def test_a_slug_longer_than_any_claims_matches_no_page(client):
    claim = graded(statement="A claim with the longest slug.")
    claim.slug = "c" * 100
    claim.save()
    assert client.get(claim.get_absolute_url()).status_code == 200
    with pytest.raises(Resolver404):
        resolve(f"/claims/{'c' * 101}/")
    response = client.get(f"/claims/{'c' * 5000}/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_detail_of_a_claim_whose_review_was_withdrawn_shows_it_unreviewed(client):
    claim = graded(statement="Withdrawn, then flagged.")
    claim.reviews.update(status=Review.Status.SUPERSEDED)  # published once, nothing now
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Withdrawn, then flagged." in html and "Not yet reviewed" in html


def test_detail_shows_the_current_review_not_the_superseded_one(client):
    claim = graded(summary="Current summary.")
    make_review(claim=claim, status=Review.Status.SUPERSEDED, summary="Old summary.")
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Current summary." in html and "Old summary." not in html


def test_detail_queries_do_not_grow_with_rows(client):
    claim = detailed_claim()
    profile = make_intervention(claims=[claim])
    make_safety_fact(interventions=[profile], topic=SafetyFact.Topic.BLADDER_URINARY)
    few = count_queries(client, claim.get_absolute_url())
    for quote, topic in zip(
        ("Ketamine works", "six infusions", "Side effects are minimal"),
        (
            SafetyFact.Topic.DRIVING,
            SafetyFact.Topic.PREGNANCY_LACTATION,
            SafetyFact.Topic.COGNITION,
        ),
        strict=True,
    ):
        make_excerpt(claim=claim, quote=quote)
        make_evidence_link(claim=claim)
        claim.contradicts.add(graded(statement=f"Opposite of {quote}."))
        make_safety_fact(interventions=[profile, make_intervention(claims=[claim])], topic=topic)
        # An earlier published review: one more row in the page's list of verdict changes.
        make_review(
            claim=claim,
            status=Review.Status.SUPERSEDED,
            verdict=Review.Verdict.UNSUPPORTED,
            published_at=timezone.now() - timedelta(days=len(quote)),
        )
    assert count_queries(client, claim.get_absolute_url()) == few
    # The claim; every review of it ever published, with its writer, and the reviewers it
    # credits; its excerpts with their documents; the studies with the documents citing
    # them; the claims contradicting it; what it leaves out of its interventions' profiles
    # (the interventions, the topics its pages raise, the facts with their sources and
    # interventions); the questions behind it.
    assert few == 12


def test_every_facet_has_a_readable_label(client):
    html = client.get(LIST).content.decode()
    for label in ("Search claims", "Category", "Verdict", "Certainty", "Study design"):
        assert f">{label}</label>" in html
    assert "[invalid name]" not in html


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_detail_lists_when_the_verdict_changed_and_says_a_re_review_is_under_way(client):
    from reviews.services import claims_flag_for_rereview, review_publish

    claim = graded(verdict=Review.Verdict.SUPPORTED, certainty=Review.Certainty.LOW)
    review_publish(
        review=make_review(
            claim=claim,
            status=Review.Status.SUBMITTED,
            verdict=Review.Verdict.MISLEADING,
            certainty=Review.Certainty.MODERATE,
        )
    )
    claims_flag_for_rereview(claims=[claim], reason="A study was retracted.")
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Changes to this review" in html
    assert "Supported (low certainty) → Misleading (moderate certainty)" in html
    assert "This review is being updated." in html


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_detail_dates_in_a_form_html_accepts(client):
    from reviews.services import review_publish

    claim = graded(
        verdict=Review.Verdict.SUPPORTED, published_at=timezone.now() - timedelta(days=3)
    )
    review_publish(review=make_review(claim=claim, status=Review.Status.SUBMITTED))
    Review.objects.filter(claim=claim, status=Review.Status.PUBLISHED).update(
        updated_at=timezone.now() + timedelta(days=2)
    )
    html = client.get(claim.get_absolute_url()).content.decode()
    datetimes = re.findall(r'<time datetime="([^"]*)"', html)
    # Published, last changed, and the change of verdict; each to the second, with offset.
    assert len(datetimes) == 3
    for value in datetimes:
        assert DATETIME_ATTRIBUTE.fullmatch(value), value


def test_a_search_matching_too_many_claims_ranks_a_bounded_set_and_says_so(client, monkeypatch):
    monkeypatch.setattr("public.views.SEARCH_CANDIDATES", 5)
    for n in range(8):
        graded(statement=f"Ketamine claim {n}.")
    response = client.get(LIST, {"q": "ketamine"})
    assert len(statements(response)) == 5
    html = response.content.decode()
    assert "More than 5 claims match" in html and "Add a word to narrow the search" in html
    narrow = client.get(LIST, {"q": "claim 3"})
    assert "More than" not in narrow.content.decode()


def test_a_claim_page_tells_readers_a_quote_was_changed_or_removed_in_a_newer_version(client):
    body = (
        "Ketamine infusions help 83% of our patients feel better. "
        "Ketamine is completely safe and non-addictive. Most notice relief within hours."
    )
    older = make_document(title="Sunrise page", publisher="Sunrise Clinic", body=body)
    rate = make_excerpt(
        document=older, quote="Ketamine infusions help 83% of our patients feel better."
    )
    safety = make_excerpt(document=older, quote="Ketamine is completely safe and non-addictive.")
    onset = make_excerpt(document=older, quote="Most notice relief within hours.")
    new_body = body.replace("83%", "<b>90%</b>").replace(
        " Ketamine is completely safe and non-addictive.", ""
    )
    newer = make_document(title="Sunrise page", body=new_body, supersedes=older)
    document_version_follow(older=older, newer=newer)
    today = timezone.now()
    html = client.get(rate.claim.get_absolute_url()).content.decode()
    assert (
        f"on {today:%-d %B %Y} Sunrise Clinic changed this sentence to "
        "“Ketamine infusions help &lt;b&gt;90%&lt;/b&gt; of our patients feel better.”"
    ) in html
    html = client.get(safety.claim.get_absolute_url()).content.decode()
    assert f"on {today:%-d %B %Y} Sunrise Clinic removed this sentence from the page." in html
    # A quote carried into the newer version is shown once, from the newer version.
    html = client.get(onset.claim.get_absolute_url()).content.decode()
    assert html.count("<mark>Most notice relief within hours.</mark>") == 1
    assert newer.get_absolute_url() in html and "version-change" not in html


def test_a_claim_page_shows_an_accepted_new_wording_and_what_it_replaced(client):
    body = "Ketamine infusions help 83% of our patients feel better. Call us today."
    older = make_document(title="Sunrise page", publisher="Sunrise Clinic", body=body)
    rate = make_excerpt(
        document=older, quote="Ketamine infusions help 83% of our patients feel better."
    )
    newer = make_document(title="Sunrise page", body=body.replace("83%", "90%"), supersedes=older)
    document_version_follow(older=older, newer=newer)
    excerpt_accept_new_wording(excerpt=rate)
    html = client.get(rate.claim.get_absolute_url()).content.decode()
    assert "<mark>Ketamine infusions help 90% of our patients feel better.</mark>" in html
    assert "which read “Ketamine infusions help 83% of our patients feel better.”" in html
    assert "<mark>Ketamine infusions help 83%" not in html
