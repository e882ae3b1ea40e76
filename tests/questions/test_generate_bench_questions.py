import pytest
from django.core.management import call_command

from claims.models import SearchWord
from questions.models import Question
from questions.search import site_search

# transaction=True: on PostgreSQL generate_bench_data ends with VACUUM, which a test
# transaction would refuse.
pytestmark = pytest.mark.django_db(transaction=True)


def test_synthetic_questions_are_published_graded_and_found_by_the_search():
    call_command("generate_bench_data", "--claims=60", "--excerpts=120", "--documents=3",
                 "--studies=20", stdout=None)  # fmt: skip
    call_command("generate_bench_questions", "--questions=4", "--claims-each=5", stdout=None)
    questions = Question.objects.public()
    assert questions.count() == 4
    for question in questions:
        assert question.publication_errors() == []
        assert {f.certainty for f in question.findings.all()} == {"moderate"}
        assert question.claims.count() == 5
    assert SearchWord.objects.filter(word="ketamine").exists()
    assert site_search("does ketamin work within hours").questions
    call_command("generate_bench_questions", stdout=None)
    assert Question.objects.count() == 4
