import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from claims.models import SearchWord
from config.generation import site_generation
from questions.models import Question
from questions.services import question_publish, question_unpublish, questions_refresh_search
from tests.factories import make_question

pytestmark = pytest.mark.django_db


def test_publishing_an_incomplete_question_is_refused_and_changes_nothing():
    question = make_question(findings=0, status="draft")
    with pytest.raises(ValidationError, match="Add at least one finding"):
        question_publish(question=question, at=timezone.now())
    question.refresh_from_db()
    assert question.status == Question.Status.DRAFT


def test_publishing_shows_the_question_and_retires_cached_pages(django_capture_on_commit_callbacks):
    question = make_question(status="draft")
    before = site_generation(fresh=True)
    with django_capture_on_commit_callbacks(execute=True):
        question_publish(question=question, at=timezone.now())
    assert Question.objects.public().filter(pk=question.pk).exists()
    assert site_generation(fresh=True) != before
    with django_capture_on_commit_callbacks(execute=True):
        question_unpublish(question=question)
    assert not Question.objects.public().filter(pk=question.pk).exists()


def test_the_search_text_holds_the_question_its_pico_bottom_lines_and_outcomes():
    question = make_question(population="Adults with obsessive-compulsive disorder")
    Question.objects.filter(pk=question.pk).update(search_text="")
    questions_refresh_search(question_ids=[question.pk])
    text = Question.objects.get(pk=question.pk).search_text
    assert question.question in text
    assert "obsessive-compulsive" in text
    assert "Some people feel less anxious" in text
    assert "Anxiety at 24 hours (0)" in text
    assert SearchWord.objects.filter(word="obsessive-compulsive").exists()
