from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from claims.models import SearchWord
from config.generation import site_changed
from questions.models import Question, QuestionStatus


def question_search_text(question: Question) -> str:
    """What the search reads for a question: its words, its PICO parts, its bottom lines
    and the outcomes of its findings."""
    parts = [
        question.question, question.get_topic_display(), question.population,
        question.intervention, question.comparator, question.outcome,
        question.bottom_line_clinicians, question.bottom_line_patients,
        *(finding.outcome for finding in question.findings.all()),
    ]  # fmt: skip
    return "\n".join(part for part in parts if part)


def questions_refresh_search(*, question_ids: Iterable[int]) -> None:
    """Rewrite the stored search text of these questions from what they now say."""
    questions = Question.objects.filter(pk__in=list(question_ids)).prefetch_related("findings")
    texts = []
    for question in questions:
        texts.append(text := question_search_text(question))
        if text != question.search_text:
            Question.objects.filter(pk=question.pk).update(search_text=text)
    SearchWord.objects.add_from(texts)


@transaction.atomic
def question_publish(*, question: Question, at: datetime) -> None:
    """Show a complete question to readers: both bottom lines and every finding graded."""
    if errors := question.publication_errors():
        raise ValidationError(" ".join(errors))
    question.status, question.published_at = QuestionStatus.PUBLISHED, at
    question.version += 1
    question.save(update_fields=["status", "published_at", "version", "updated_at"])
    questions_refresh_search(question_ids=[question.pk])
    site_changed()


@transaction.atomic
def question_unpublish(*, question: Question) -> None:
    question.status = QuestionStatus.DRAFT
    question.version += 1
    question.save(update_fields=["status", "version", "updated_at"])
    site_changed()
