import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from questions.models import Finding, Question, StudyResult
from reviews.models import Certainty, EvidenceLink
from tests.factories import grading, make_question, make_study

pytestmark = pytest.mark.django_db


def finding_for(question, **values) -> Finding:
    return Finding(question=question, outcome="Anxiety at 1 hour", effect="Fell.", **values)


def test_a_findings_certainty_is_computed_by_grade_from_its_design_and_domains():
    question = make_question(findings=0, status="draft")
    finding = finding_for(question, **grading(Certainty.HIGH, imprecision="very_serious"))
    finding.full_clean()
    assert finding.certainty == Certainty.LOW
    assert [step.change for step in finding.grade_steps()] == [0, 0, 0, 0, -2, 0]


def test_a_finding_without_every_domain_and_its_reason_is_refused():
    question = make_question(findings=0, status="draft")
    values = grading(Certainty.HIGH)
    values["inconsistency_reason"] = ""
    with pytest.raises(ValidationError) as error:
        finding_for(question, **values).full_clean()
    assert "inconsistency_reason" in error.value.message_dict


def test_randomized_evidence_cannot_be_rated_up():
    question = make_question(findings=0, status="draft")
    values = grading(Certainty.HIGH, large_effect=True, upgrade_reason="Huge.")
    with pytest.raises(ValidationError) as error:
        finding_for(question, **values).full_clean()
    assert "GRADE rates up only non-randomized evidence" in str(error.value)


def result(**values) -> StudyResult:
    question = make_question()
    return StudyResult(finding=question.findings.get(), study=make_study(), **values)


@pytest.mark.parametrize(
    "values, field",
    [
        ({"effect_value": 2.0}, "effect_kind"),
        ({"effect_value": 2.0, "effect_kind": "odds_ratio", "ci_low": 1.0}, "ci_high"),
        (
            {"effect_value": 5.0, "effect_kind": "odds_ratio", "ci_low": 1.0, "ci_high": 3.0},
            "ci_low",
        ),
        ({"first_seen_hours": -1.0}, "first_seen_hours"),
        ({"first_seen_hours": 24.0, "last_seen_hours": 1.0}, "last_seen_hours"),
    ],
)
def test_a_study_result_must_be_a_coherent_figure(values, field):
    with pytest.raises(ValidationError) as error:
        result(**values).full_clean()
    assert field in error.value.message_dict


def test_a_study_result_reads_as_its_figure():
    row = result(effect_value=28.94, effect_kind=EvidenceLink.EffectKind.ODDS_RATIO,
                 ci_low=3.45, ci_high=242.57)  # fmt: skip
    assert row.figure == "Odds ratio 28.94 (95% CI 3.45 to 242.57)"


def test_the_database_refuses_an_effect_last_seen_before_it_was_first_seen():
    row = result(first_seen_hours=24.0, last_seen_hours=1.0)
    with pytest.raises(IntegrityError):
        row.save()


def test_a_question_needs_both_bottom_lines_and_a_graded_finding_to_be_published():
    empty = make_question(findings=0, status="draft", bottom_line_patients=" ")
    assert empty.publication_errors() == [
        "Write both bottom lines.",
        "Add at least one finding to the summary of findings.",
    ]
    assert make_question(status="draft").publication_errors() == []


def test_public_questions_are_the_published_ones_only():
    published = make_question()
    make_question(status="draft")
    assert list(Question.objects.public()) == [published]


def test_the_database_refuses_a_published_question_without_a_date():
    question = make_question(status="draft")
    with pytest.raises(IntegrityError):
        Question.objects.filter(pk=question.pk).update(status="published", published_at=None)


def test_questions_come_in_the_topics_order():
    cost = make_question(topic=Question.Topic.COST)
    onset = make_question(topic=Question.Topic.ONSET)
    harms = make_question(topic=Question.Topic.HARMS)
    assert Question.objects.public().for_list().in_topic_order() == [onset, harms, cost]
    assert cost.published_at <= timezone.now()
