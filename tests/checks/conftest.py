import pytest

from reviews.models import Review
from safety.models import SafetyFact
from tests.factories import (
    make_claim,
    make_intervention,
    make_question,
    make_review,
    make_safety_fact,
)

# A clinic's page as a reader pastes it: one sentence repeats a claim reviewed as
# misleading, one a claim not yet reviewed, one is checkable and unknown, one is red-flag
# language alone; it raises blood pressure but never abuse.
PAGE = (
    "Welcome to Calm Clinic.\n"
    "Ketamine relieves anxiety within hours of a single infusion. "
    "It is a miracle cure with no side effects.\n"
    "Most patients need a course of six infusions over two to three weeks.\n"
    "Ketamine works on the glutamate receptors in the brain.\n"
    "We check your blood pressure at every visit.\n"
    "Truly life-changing: guaranteed!"
)


@pytest.fixture
def known_page(db):
    """The claims, question and safety profile the PAGE is checked against."""
    hours = make_claim(
        slug="relief-within-hours",
        statement="Ketamine relieves anxiety within hours of a single infusion.",
    )
    make_review(claim=hours, verdict=Review.Verdict.MISLEADING, status=Review.Status.PUBLISHED,
                certainty=Review.Certainty.LOW)  # fmt: skip
    question = make_question(slug="how-fast", question="How fast does ketamine work?")
    question.claims.add(hours)
    course = make_claim(
        slug="six-infusions",
        statement="A course of six infusions over two to three weeks is standard.",
        category="dosing",
    )
    infusion = make_intervention(slug="racemic-ketamine-iv", name="Racemic ketamine by infusion",
                                 claims=[hours, course])  # fmt: skip
    facts = {
        SafetyFact.Topic.BLOOD_PRESSURE: "Blood pressure rises during an infusion.",
        SafetyFact.Topic.ABUSE_MISUSE: "Ketamine is a Schedule III drug because it is misused.",
    }
    for topic, statement in facts.items():
        make_safety_fact(interventions=[infusion], topic=topic, statement=statement)
    return {"hours": hours, "course": course, "question": question, "infusion": infusion}
