"""Fill an empty database with synthetic claims, documents, studies and reviews at scale,
for the benchmark (`make bench`). Everything it makes is labelled synthetic; it refuses to
touch a database that already holds claims."""

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from claims.models import Claim, Excerpt
from claims.services import documents_refresh_counts
from config.generation import site_changed
from reviews.models import EvidenceLink, Review
from reviews.services import claims_refresh_derived, studies_refresh_counts
from sources.models import Document, Study, body_sha256

# Words a clinic page uses, most common first; drawn with Zipf-like weights so that a
# search for "ketamine" matches most claims and a rare word only a handful.
VOCABULARY = (
    "ketamine therapy depression relief patients infusion treatment anxiety within hours "
    "symptoms clinic effective safe minutes session results study research week dose brain "
    "mood pain suicidal thoughts rapid lasting response rate improve percent trials doctors "
    "nasal spray esketamine approved fda glutamate receptor neurons connections plasticity "
    "ptsd ocd bipolar chronic resistant medication antidepressants ssri side effects mild "
    "dissociation nausea blood pressure monitoring trained staff comfortable room music "
    "integration psychotherapy booster maintenance schedule series six infusions two weeks "
    "insurance cost affordable consultation evaluation screening eligible adults veterans "
    "migraine fibromyalgia neuropathic inflammation sleep appetite energy focus memory "
    "addiction alcohol opioid cravings withdrawal relapse remission durable months years"
).split()
RARE_WORD = "zygomorphic"  # in exactly RARE_CLAIMS claims: the benchmark's rare search
RARE_CLAIMS = 12
QUOTE_PREFIXES = (
    "Our patients find that",
    "Studies show",
    "Many people notice",
    "Research suggests",
    "We have seen that",
    "",
)
BATCH = 5000


class Command(BaseCommand):
    help = "Generate synthetic data at scale for the benchmark (an empty database only)."

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, default=100_000)
        parser.add_argument("--excerpts", type=int, default=300_000)
        parser.add_argument("--documents", type=int, default=1_000)
        parser.add_argument("--studies", type=int, default=20_000)
        parser.add_argument("--reviewed", type=float, default=0.9, help="Share reviewed.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options):
        if Claim.objects.exists() or Document.objects.exists():
            raise CommandError("This database already holds claims; use an empty one.")
        if options["excerpts"] < options["claims"] or options["documents"] < 1:
            raise CommandError("Give at least one excerpt per claim and one document.")
        self.random = random.Random(options["seed"])
        self.weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
        started = time.monotonic()
        with transaction.atomic():
            self.step("studies", started)
            studies = self.make_studies(options["studies"])
            self.step("claims", started)
            claims = self.make_claims(options["claims"])
            self.step("documents and excerpts", started)
            self.make_documents_and_excerpts(claims, options["documents"], options["excerpts"])
            self.step("reviews and evidence", started)
            self.make_reviews_and_evidence(claims, studies, options["reviewed"])
        self.step("derived state and search vectors", started)
        claims_refresh_derived(claim_ids=[claim.pk for claim in claims])
        documents_refresh_counts(document_ids=Document.objects.values_list("pk", flat=True))
        studies_refresh_counts(study_ids=[study.pk for study in studies])
        self.step("compacting and analysing", started)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Filling in the derived columns rewrote every claim row; compact the table
                # and set the visibility map, as a settled database would have them.
                cursor.execute("VACUUM FULL claims_claim")
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
        site_changed()
        self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")

    def step(self, what: str, started: float) -> None:
        self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {what}…")

    def words(self, low: int, high: int) -> list[str]:
        return self.random.choices(VOCABULARY, self.weights, k=self.random.randint(low, high))

    def make_studies(self, count: int) -> list[Study]:
        designs = [d for d in Study.Design if d != Study.Design.UNCLASSIFIED]
        studies = [
            Study(
                slug=f"synthetic-study-{n}",
                title=f"Synthetic study {n}: " + " ".join(self.words(5, 10)),
                authors="Synthetic A, Synthetic B",
                year=self.random.randint(1990, 2025),
                journal="Synthetic Journal",
                design=self.random.choice(designs),
                sample_size=self.random.randint(10, 2000),
                unverified="Synthetic benchmark data: not a real study.",
            )
            for n in range(count)
        ]
        return Study.objects.bulk_create(studies, batch_size=BATCH)

    def make_claims(self, count: int) -> list[Claim]:
        categories = list(Claim.Category)
        claims, rare = [], set(self.random.sample(range(count), min(RARE_CLAIMS, count)))
        for n in range(count):
            words = self.words(6, 14)
            if n in rare:
                words.append(RARE_WORD)
            statement = " ".join(words).capitalize() + f" (synthetic {n})."
            claims.append(
                Claim(
                    statement=statement,
                    slug=f"synthetic-claim-{n}",
                    category=self.random.choice(categories),
                )
            )
        return Claim.objects.bulk_create(claims, batch_size=BATCH)

    def make_documents_and_excerpts(self, claims, document_count: int, excerpt_count: int):
        """Each document is a run of sentences, each sentence the quote of one excerpt; every
        claim is quoted at least once, the rest spread at random."""
        quoted = [claim for claim in claims]
        quoted += self.random.choices(claims, k=excerpt_count - len(claims))
        self.random.shuffle(quoted)
        per_document = -(-len(quoted) // document_count)
        excerpts = []
        for n in range(document_count):
            chunk = quoted[n * per_document : (n + 1) * per_document]
            body, spans = self.document_text(chunk)
            document = Document.objects.create(
                title=f"Synthetic clinic page {n}",
                slug=f"synthetic-clinic-page-{n}",
                publisher=f"Synthetic Clinic {n % 97}",
                body=body,
                sha256=body_sha256(body),
            )
            for claim, (start, end) in zip(chunk, spans, strict=True):
                excerpts.append(
                    Excerpt(
                        claim=claim,
                        document=document,
                        quote=body[start:end],
                        start=start,
                        end=end,
                        prefix=body[max(0, start - 48) : start],
                        suffix=body[end : end + 48],
                    )
                )
            if len(excerpts) >= BATCH:
                Excerpt.objects.bulk_create(excerpts, batch_size=BATCH)
                excerpts = []
        Excerpt.objects.bulk_create(excerpts, batch_size=BATCH)

    def document_text(self, claims) -> tuple[str, list[tuple[int, int]]]:
        parts, spans, position = [], [], 0
        for claim in claims:
            prefix = self.random.choice(QUOTE_PREFIXES)
            sentence = f"{prefix} {claim.statement[0].lower()}{claim.statement[1:]}".strip()
            sentence = sentence[0].upper() + sentence[1:]
            spans.append((position, position + len(sentence)))
            parts.append(sentence)
            position += len(sentence) + 1
        return " ".join(parts), spans

    def make_reviews_and_evidence(self, claims, studies, reviewed_share: float):
        now = timezone.now()
        verdicts, designs = list(Review.Verdict), list(Review.EvidenceDesign)
        concerns = [Review.Concern.NOT_SERIOUS] * 3 + [Review.Concern.SERIOUS] * 2
        concerns += [Review.Concern.VERY_SERIOUS]
        stances = list(EvidenceLink.Stance)
        reviews, links = [], []
        for n, claim in enumerate(claims):
            if self.random.random() < reviewed_share:
                verdict = self.random.choice(verdicts)
                published_at = now - timedelta(minutes=len(claims) - n)
                review = Review(
                    claim=claim,
                    verdict=verdict,
                    rationale="Synthetic rationale: " + " ".join(self.words(20, 40)),
                    summary="Synthetic summary: " + " ".join(self.words(10, 20)),
                    status=Review.Status.PUBLISHED,
                    submitted_at=published_at,
                    published_at=published_at,
                )
                if verdict != Review.Verdict.NOT_CHECKABLE:
                    # Judgments from which GRADE computes the certainty, as a reviewer's are.
                    review.evidence_design = self.random.choice(designs)
                    review.design_reason = "Synthetic: " + " ".join(self.words(8, 16))
                    for name in Review.DOWNGRADING_DOMAINS:
                        setattr(review, name, self.random.choice(concerns))
                        setattr(
                            review, f"{name}_reason", "Synthetic: " + " ".join(self.words(6, 12))
                        )
                    review.certainty = review.graded_certainty()
                reviews.append(review)
            for study in self.random.sample(studies, k=self.random.randint(1, 3)):
                links.append(
                    EvidenceLink(
                        claim=claim,
                        study=study,
                        stance=self.random.choice(stances),
                        note="Synthetic note: " + " ".join(self.words(8, 16)),
                    )
                )
        Review.objects.bulk_create(reviews, batch_size=BATCH)
        EvidenceLink.objects.bulk_create(links, batch_size=BATCH)
