import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import SEARCH_MAX_LENGTH
from questions.models import StudyResult
from reviews.models import EvidenceLink, Review
from tests.factories import (
    make_claim,
    make_document,
    make_excerpt,
    make_question,
    make_review,
    make_study,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def answered_question(**overrides):
    """A published question with two findings, one with results for the pictures, and a
    reviewed marketing claim about it quoted on a clinic page."""
    question = make_question(findings=2, **overrides)
    finding = question.findings.order_by("position").first()
    for study, value, low, high, first, last in [
        (make_study(authors="Glue P", year=2017), 28.94, 3.45, 242.57, 1.0, 168.0),
        (make_study(authors="Taylor JH", year=2018), 2.03, 0.67, 6.15, 24.0, None),
    ]:
        StudyResult.objects.create(
            finding=finding, study=study, effect_value=value, ci_low=low, ci_high=high,
            effect_kind=EvidenceLink.EffectKind.ODDS_RATIO, first_seen_hours=first,
            last_seen_hours=last, timepoint="24 h",
        )  # fmt: skip
    claim = make_claim(statement="Ketamine works <b>within</b> hours.")
    make_review(claim=claim, verdict=Review.Verdict.MISLEADING, status=Review.Status.PUBLISHED)
    document = make_document(
        title="Calm Clinic: ketamine", body=f"Ketamine works within hours. ({question.pk})"
    )
    make_excerpt(claim=claim, document=document, quote="Ketamine works within hours.")
    question.claims.add(claim)
    return question, claim, document


def test_a_question_page_answers_with_bottom_lines_findings_pictures_and_claims(client):
    question, claim, document = answered_question()
    html = client.get(question.get_absolute_url()).content.decode()
    assert f"<h1>{question.question}</h1>" in html
    assert "Bottom line for clinicians" in html and question.bottom_line_clinicians in html
    assert question.bottom_line_patients in html
    assert "<dt>Compared with</dt><dd>Placebo</dd>" in html
    # The summary of findings: every outcome, graded, with its GRADE path.
    for finding in question.findings.all():
        assert finding.outcome in html
    assert '<span class="badge certainty-low">Low</span>' in html
    assert "Starts low (non-randomized studies)" in html
    # The forest plot and the timeline, each an SVG with its words beside it.
    assert html.count('role="img"') == 2
    assert "Odds ratio 28.94 (95% CI 3.45 to 242.57)" in html
    assert "first seen at 1 hour, last seen at 7 days" in html
    # The claims about it, with their verdicts and where they appear, escaped.
    assert "Ketamine works &lt;b&gt;within&lt;/b&gt; hours." in html
    assert "verdict-misleading" in html
    assert f'<a href="{document.get_absolute_url()}">Calm Clinic: ketamine</a>' in html
    assert "Not medical advice" in html


def test_a_draft_question_is_not_public(client):
    question = make_question(status="draft")
    assert client.get(question.get_absolute_url()).status_code == 404
    assert question.question not in client.get(reverse("questions:list")).content.decode()
    assert question.question not in client.get(reverse("home")).content.decode()


def test_the_question_page_costs_the_same_queries_however_much_it_holds(client):
    small, _, _ = answered_question()
    question, claim, _ = answered_question()
    for _ in range(3):
        extra = make_claim()
        make_review(claim=extra, status=Review.Status.PUBLISHED)
        make_excerpt(claim=extra, document=make_document())
        question.claims.add(extra)
    # The question; its interventions; its findings with their studies and results; its
    # public claims; the documents quoting them.
    assert count_queries(client, small.get_absolute_url()) == 7
    assert count_queries(client, question.get_absolute_url()) == 7


def test_the_question_list_groups_questions_by_topic_in_one_query(client):
    onset = make_question(topic="onset", question="Does it work within an hour?")
    make_question(topic="cost", question="How much does it cost?")
    html = client.get(reverse("questions:list")).content.decode()
    assert html.index("How fast it works") < html.index("Cost and insurance")
    assert onset.bottom_line_patients in html
    assert count_queries(client, reverse("questions:list")) == 1


def test_the_home_page_leads_with_the_questions(client):
    question = make_question(question="Is ketamine addictive?", topic="harms")
    make_review(status=Review.Status.PUBLISHED)
    html = client.get(reverse("home")).content.decode()
    assert html.index("Questions patients ask") < html.index("Latest reviews")
    assert f'href="{question.get_absolute_url()}">Is ketamine addictive?</a>' in html
    assert f'action="{reverse("search")}"' in html


def test_a_claim_page_shows_the_question_behind_it_and_its_bottom_line(client):
    question, claim, _ = answered_question()
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "The question behind this claim" in html
    assert f'<a href="{question.get_absolute_url()}">{question.question}</a>' in html
    assert question.bottom_line_clinicians in html


def test_a_claim_page_never_shows_a_draft_question(client):
    question, claim, _ = answered_question(status="draft")
    assert (
        "The question behind this claim"
        not in client.get(claim.get_absolute_url()).content.decode()
    )


def test_the_search_page_answers_with_questions_first(client):
    question, claim, _ = answered_question(question="Does ketamine work within hours?")
    response = client.get(reverse("search"), {"q": "does it work within an hour"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(question.question) < html.index("Ketamine works &lt;b&gt;within")


def test_the_search_page_says_how_it_read_a_misspelt_word(client):
    answered_question()
    html = client.get(reverse("search"), {"q": "anxeity"}).content.decode()
    assert "Read as “anxiety”: anxeity → anxiety." in html


def test_a_search_that_finds_nothing_says_so(client):
    html = client.get(reverse("search"), {"q": "parking"}).content.decode()
    assert "Nothing we have reviewed mentions any word of this search" in html


def test_a_search_too_long_is_a_400_with_the_reason(client):
    response = client.get(reverse("search"), {"q": "x" * (SEARCH_MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert "at most 300 characters" in response.content.decode()


def test_an_empty_search_invites_a_question(client):
    html = client.get(reverse("search")).content.decode()
    assert "Type a question as a patient would ask it" in html


def test_the_search_page_costs_a_bounded_number_of_queries(client):
    answered_question()
    url = reverse("search") + "?q=is+ketamine+addictive+within+hours"
    assert count_queries(client, url) <= 7


def test_a_claim_list_search_that_finds_nothing_offers_the_question_search(client):
    html = client.get(reverse("claims:list"), {"q": "ketamin <anxeity>"}).content.decode()
    assert "No claims match." in html
    assert (
        f'<a href="{reverse("search")}?q=ketamin%20%3Canxeity%3E">'
        "Ask “ketamin &lt;anxeity&gt;” as a question</a>"
    ) in html


def test_a_warm_question_page_reads_the_question_alone(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    question, _, _ = answered_question()
    url = question.get_absolute_url()
    cold = count_queries(client, url)
    with CaptureQueriesContext(connection) as warm:
        html = client.get(url).content.decode()
    assert (cold, len(warm)) == (7, 1)
    assert "Odds ratio 28.94 (95% CI 3.45 to 242.57)" in html


def test_a_figure_read_on_a_page_names_that_page_escaped(client):
    question, _, _ = answered_question()
    question.findings.update(source_note="13.7 per 100 read on https://example.org/t?a=1&b=<2>")
    html = client.get(question.get_absolute_url()).content.decode()
    assert 'Read on: 13.7 per 100 read on <a href="https://example.org/t?a=1&amp;b=' in html
    assert "<2>" not in html
