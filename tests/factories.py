"""Small make_* helpers: a valid row with sensible defaults, any field overridable. Each
refreshes what its row changes (as the services do), but leaves the cached pages alone: a
test that changes data under a cached page goes through a service or the admin."""

import itertools
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from claims.models import Claim, Excerpt
from claims.services import documents_refresh_counts
from reviews.models import EvidenceLink, Review
from reviews.services import claims_refresh_derived, studies_cited, studies_refresh_counts
from safety.models import Intervention, SafetyFact
from sources.models import Document, Study

_sequence = itertools.count(1)

DEFAULT_BODY = (
    "Ketamine works within hours. Most patients need six infusions, "
    "a week or two apart. Side effects are minimal."
)


def make_document(**overrides) -> Document:
    n = next(_sequence)
    values = {
        "title": f"Clinic page {n}",
        "slug": f"clinic-page-{n}",
        "publisher": "Example Clinic",
        "body": f"{DEFAULT_BODY} (page {n})",
    }
    values.update(overrides)
    return Document.objects.create(**values)


def make_study(**overrides) -> Study:
    n = next(_sequence)
    values = {
        "slug": f"author-2020-study-{n}",
        "title": f"A trial of ketamine {n}",
        "authors": "Author A, Writer B",
        "year": 2020,
        "design": Study.Design.RANDOMIZED_TRIAL,
        "sample_size": 40,
    }
    values.update(overrides)
    return Study.objects.create(**values)


def make_claim(**overrides) -> Claim:
    n = next(_sequence)
    values = {
        "statement": f"Ketamine relieves anxiety within hours ({n}).",
        "slug": f"ketamine-relieves-anxiety-{n}",
        "category": Claim.Category.ONSET,
    }
    values.update(overrides)
    claim = Claim.objects.create(**values)
    claims_refresh_derived(claim_ids=[claim.pk])
    return claim


def make_excerpt(*, quote: str = "within hours", **overrides) -> Excerpt:
    document = overrides.pop("document", None) or make_document()
    claim = overrides.pop("claim", None) or make_claim()
    excerpt = Excerpt.locate(document=document, quote=quote)
    excerpt.claim = claim
    for name, value in overrides.items():
        setattr(excerpt, name, value)
    excerpt.full_clean()
    excerpt.save()
    claims_refresh_derived(claim_ids=[claim.pk])
    documents_refresh_counts(document_ids=[document.pk])
    return excerpt


def make_evidence_link(**overrides) -> EvidenceLink:
    values = {"stance": EvidenceLink.Stance.SUPPORTS, "note": "Direct evidence."}
    values.update(overrides)
    if "claim" not in values:
        values["claim"] = make_claim()
    if "study" not in values:
        values["study"] = make_study()
    link = EvidenceLink.objects.create(**values)
    studies_refresh_counts(study_ids=[link.study_id])
    return link


def make_intervention(**overrides) -> Intervention:
    n = next(_sequence)
    values = {
        "slug": f"racemic-ketamine-iv-{n}",
        "name": f"Racemic ketamine by intravenous infusion {n}",
        "drug": Intervention.Drug.RACEMIC_KETAMINE,
        "route": Intervention.Route.INTRAVENOUS,
        "summary": "Given into a vein at a clinic.",
    }
    claims = overrides.pop("claims", [])
    values.update(overrides)
    intervention = Intervention.objects.create(**values)
    intervention.claims.set(claims)
    return intervention


def make_safety_fact(*, interventions=(), sources=(), **overrides) -> SafetyFact:
    n = next(_sequence)
    values = {
        "topic": SafetyFact.Topic.BLOOD_PRESSURE,
        "statement": f"Blood pressure rises during an infusion ({n}).",
        "checked": "Label section 5.1 says so.",
    }
    values.update(overrides)
    fact = SafetyFact.objects.create(**values)
    fact.interventions.set(interventions or [make_intervention()])
    fact.sources.set(sources or [make_study(design=Study.Design.REGULATORY)])
    return fact


# Judgments from which GRADE computes each certainty.
GRADINGS = {
    Review.Certainty.HIGH: (Review.EvidenceDesign.RANDOMIZED, {}),
    Review.Certainty.MODERATE: (Review.EvidenceDesign.RANDOMIZED, {"imprecision": "serious"}),
    Review.Certainty.LOW: (Review.EvidenceDesign.NON_RANDOMIZED, {}),
    Review.Certainty.VERY_LOW: (Review.EvidenceDesign.NON_RANDOMIZED, {"imprecision": "serious"}),
}


def grading(certainty: str = Review.Certainty.LOW, **judgments) -> dict:
    """A complete GRADE grading (design and every domain, with reasons) that computes
    `certainty`, with `judgments` (domain: concern) on top."""
    design, concerns = GRADINGS[Review.Certainty(certainty)]
    values = {"evidence_design": design, "design_reason": f"{design.label} (test data)."}
    for name in Review.DOWNGRADING_DOMAINS:
        values[name] = concerns.get(name, Review.Concern.NOT_SERIOUS)
        values[f"{name}_reason"] = f"Judged {values[name]} (test data)."
    values.update(judgments)
    return values


def make_review(**overrides) -> Review:
    """A review graded as GRADE computes: its certainty follows from its design and
    domains (a certainty asked for picks judgments that give it)."""
    values = {
        "verdict": Review.Verdict.PARTLY_SUPPORTED,
        "rationale": "One small open-label trial.",
        "summary": "Some people felt better quickly; the evidence is thin.",
    }
    verdict = overrides.get("verdict", values["verdict"])
    if verdict != Review.Verdict.NOT_CHECKABLE:
        values.update(grading(overrides.get("certainty") or Review.Certainty.LOW))
    values.update(overrides)
    review = Review(**values)
    values["certainty"] = review.graded_certainty()
    if "claim" not in values:
        values["claim"] = make_claim()
    if values.get("status") == Review.Status.PUBLISHED:
        values.setdefault("published_at", timezone.now())
    review = Review.objects.create(**values)
    if review.status == Review.Status.PUBLISHED:
        claims_refresh_derived(claim_ids=[review.claim_id])
        studies_refresh_counts(study_ids=studies_cited(claim_ids=[review.claim_id]))
    return review


def seed_page(number: int) -> str:
    """The text of one of the corpus's clinic pages, as an editor would paste it."""
    pages = sorted((Path(settings.CORPUS_DIR) / "documents").glob("*.txt"))
    return pages[number].read_text(encoding="utf-8")


def edited(text: str) -> str:
    """The same page a little later: one character changed and one sentence added."""
    position = text.index("a", len(text) // 2)
    changed = text[:position] + "e" + text[position + 1 :]
    return changed + "\n\nEvening appointments are now available on Thursdays."


def make_question(*, findings: int = 1, status: str = "published", **overrides):
    """A question with `findings` graded findings (each resting on a new study), published
    through the service unless `status` says draft."""
    from questions.models import Finding, Question
    from questions.services import question_publish, questions_refresh_search

    n = next(_sequence)
    values = {
        "slug": f"does-it-work-{n}",
        "question": f"Does ketamine relieve anxiety within hours ({n})?",
        "topic": Question.Topic.ONSET,
        "population": "Adults with an anxiety disorder",
        "intervention": "Racemic ketamine, one dose",
        "comparator": "Placebo",
        "outcome": "Anxiety within 24 hours",
        "bottom_line_clinicians": "Small trials suggest some relief within hours.",
        "bottom_line_patients": "Some people feel less anxious within hours.",
    }
    values.update(overrides)
    question = Question.objects.create(**values)
    for index in range(findings):
        finding = Finding(
            question=question,
            position=index,
            outcome=f"Anxiety at 24 hours ({index})",
            effect="Anxiety scores fell more than with placebo.",
            **grading(Review.Certainty.LOW),
        )
        finding.full_clean(exclude=["question"])
        finding.save()
        finding.studies.add(make_study())
    questions_refresh_search(question_ids=[question.pk])
    if status == Question.Status.PUBLISHED:
        question_publish(question=question, at=timezone.now())
    return question
