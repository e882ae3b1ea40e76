"""Synthetic questions for the benchmark (`make bench`), over the synthetic claims and
studies generate_bench_data made: each published, with findings, study results and
claims. Everything it makes is labelled synthetic; it adds nothing if questions exist."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from claims.models import Claim, SearchWord
from config.generation import site_changed
from questions.models import Finding, Question, StudyResult
from questions.services import question_publish, questions_refresh_search
from reviews.models import Concern, EvidenceDesign, EvidenceLink
from sources.models import Study

QUESTIONS = [
    ("onset", "Does ketamine relieve anxiety within hours?"),
    ("response", "How many people with anxiety respond to ketamine?"),
    ("duration", "How long does relief from a ketamine infusion last?"),
    ("course", "How many ketamine sessions does a course take?"),
    ("harms", "Is ketamine addictive?"),
    ("harms", "Does ketamine raise blood pressure?"),
    ("approval", "Is ketamine approved for anxiety?"),
    ("cost", "Does insurance pay for ketamine treatment?"),
]


class Command(BaseCommand):
    help = "Add synthetic published questions for the benchmark (if none exist)."

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=50)
        parser.add_argument("--claims-each", type=int, default=30)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, questions, claims_each, seed, **options):
        if Question.objects.exists():
            self.stdout.write("Questions exist already; nothing added.")
            return
        rng = random.Random(seed)
        claim_ids = list(Claim.objects.reviewed().values_list("pk", flat=True)[:20_000])
        study_ids = list(Study.objects.values_list("pk", flat=True)[:5_000])
        with transaction.atomic():
            made = [
                self.make_question(n, rng, claim_ids, study_ids, claims_each)
                for n in range(questions)
            ]
            questions_refresh_search(question_ids=[q.pk for q in made])
            for question in made:
                question_publish(question=question, at=timezone.now())
            # Words of texts written before the search kept its vocabulary.
            for first in range(0, len(claim_ids), 5_000):
                batch = claim_ids[first : first + 5_000]
                statements = Claim.objects.filter(pk__in=batch).values_list("statement", flat=True)
                SearchWord.objects.add_from(statements)
            site_changed()
        self.stdout.write(f"Added {len(made)} synthetic questions.")

    def make_question(self, n, rng, claim_ids, study_ids, claims_each) -> Question:
        topic, text = QUESTIONS[n % len(QUESTIONS)]
        question = Question.objects.create(
            slug=f"synthetic-question-{n}",
            question=f"{text} (synthetic {n})",
            topic=topic,
            population="Synthetic adults with an anxiety disorder",
            intervention="Synthetic racemic ketamine infusions",
            comparator="Synthetic placebo",
            outcome="Synthetic anxiety scores",
            bottom_line_clinicians="Synthetic benchmark data: not an answer.",
            bottom_line_patients="Synthetic benchmark data: not an answer.",
        )
        question.claims.set(rng.sample(claim_ids, min(claims_each, len(claim_ids))))
        for position in range(3):
            finding = Finding.objects.create(
                question=question,
                position=position,
                outcome=f"Synthetic outcome {position}",
                effect="Synthetic effect.",
                evidence_design=EvidenceDesign.RANDOMIZED,
                design_reason="Synthetic.",
                certainty="moderate",
                **{
                    field: value
                    for domain in Finding.DOWNGRADING_DOMAINS
                    for field, value in (
                        (domain, Concern.SERIOUS if domain == "imprecision" else "not_serious"),
                        (f"{domain}_reason", "Synthetic."),
                    )
                },
            )
            chosen = rng.sample(study_ids, min(5, len(study_ids)))
            finding.studies.set(chosen)
            StudyResult.objects.bulk_create(
                StudyResult(
                    finding=finding, study_id=study, position=index,
                    effect_value=(value := round(rng.uniform(0.5, 5), 2)),
                    effect_kind=EvidenceLink.EffectKind.ODDS_RATIO,
                    ci_low=round(value / 2, 2), ci_high=round(value * 2, 2),
                    first_seen_hours=1.0, last_seen_hours=float(rng.choice([24, 168, 720])),
                )
                for index, study in enumerate(chosen)
            )  # fmt: skip
        return question
