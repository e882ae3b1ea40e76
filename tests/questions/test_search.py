import pytest
from django.core.exceptions import ValidationError

from claims.models import SearchWord
from questions.search import site_search
from reviews.models import Review
from tests.factories import make_claim, make_document, make_question, make_review, make_study

pytestmark = pytest.mark.django_db


def test_questions_come_first_then_claims_studies_and_documents():
    question = make_question(question="Is ketamine addictive?", slug="addictive")
    claim = make_claim(statement="Ketamine carries a risk of abuse and dependence.")
    make_review(claim=claim, status=Review.Status.PUBLISHED)
    study = make_study(title="Abuse potential of esketamine")
    document = make_document(title="Dependence: a clinic answers")
    results = site_search("is ketamine addictive")
    assert results.in_page_order() == [question, claim, study, document]


def test_a_kind_that_answers_the_search_better_comes_before_the_claims():
    make_question(question="Is ketamine addictive?", slug="addictive")
    claim = make_claim(statement="Ketamine can be addictive for some.")
    study = make_study(title="Glue 2017: dose-related effects on anxiety")
    results = site_search("glue 2017 dose related anxiety")
    assert results.kinds()[:2] == ["questions", "studies"]
    assert results.in_page_order()[0] == study
    assert claim not in results.in_page_order()


def test_a_search_missing_one_word_still_finds_what_matches_the_rest():
    claim = make_claim(statement="A series of six ketamine infusions is standard.")
    results = site_search("how many infusions for panic disorder")
    assert [found.row for found in results.claims] == [claim]


def test_a_misspelt_word_is_corrected_against_the_sites_words():
    claim = make_claim(statement="Ketamine relieves anxiety within hours.")
    assert SearchWord.objects.filter(word="anxiety").exists()
    results = site_search("anxeity")
    assert results.reading.corrections == [("anxeity", "anxiety")]
    assert [found.row for found in results.claims] == [claim]


def test_a_search_never_shows_a_draft_question():
    make_question(question="Is ketamine addictive?", status="draft")
    assert site_search("is ketamine addictive").questions == []


def test_a_question_that_answers_too_little_of_the_search_is_not_offered():
    make_question(question="How much does ketamine cost?", bottom_line_patients="A lot.")
    results = site_search("ketamine bladder damage pregnancy cost")
    assert results.questions == []


def test_a_search_of_stopwords_alone_finds_nothing_and_a_long_one_is_refused():
    assert site_search("is it the").total == 0
    with pytest.raises(ValidationError):
        site_search("word " * 40)
