"""The questions clinicians and patients ask, each with its PICO parts, bottom lines and a
GRADE summary of findings, and the marketing claims that make an assertion about it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.models import Claim
from reviews.models import Certainty, EvidenceLink, GradeJudgment, figure_errors, figure_text
from safety.models import Intervention
from sources.models import Study


class Topic(models.TextChoices):
    """What a question is about, in the order a clinician's questions usually come."""

    ONSET = "onset", "How fast it works"
    RESPONSE = "response", "Who it helps"
    DURATION = "duration", "How long relief lasts"
    COURSE = "course", "Sessions and schedule"
    ROUTES = "routes", "Ways it is given"
    CONDITION = "condition", "Anxiety disorders and depression"
    COMPARISON = "comparison", "Compared with other treatments"
    APPROVAL = "approval", "Approval status"
    HARMS = "harms", "Harms"
    COST = "cost", "Cost and insurance"


TOPIC_ORDER = list(Topic)


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class QuestionQuerySet(models.QuerySet):
    def public(self) -> "QuestionQuerySet":
        """Every question a reader may see: the published ones."""
        return self.filter(status=QuestionStatus.PUBLISHED)

    def for_list(self) -> "QuestionQuerySet":
        return self.only("slug", "question", "topic", "bottom_line_patients", "position")

    def for_claim_page(self) -> "QuestionQuerySet":
        return self.only("slug", "question", "bottom_line_clinicians").order_by("topic", "pk")

    def in_topic_order(self) -> list["Question"]:
        order = {topic.value: index for index, topic in enumerate(TOPIC_ORDER)}
        return sorted(self, key=lambda q: (order[q.topic], q.position, q.question))


class Question(models.Model):
    """A question as a patient asks it, answered for clinicians and for patients."""

    Topic = Topic
    Status = QuestionStatus

    slug = models.SlugField(max_length=100, unique=True)
    question = models.CharField(max_length=300, help_text="Plain words, as a patient asks it.")
    topic = models.CharField(max_length=20, choices=Topic)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order among the questions of its topic."
    )
    population = models.TextField(help_text="PICO: who the answer is about.")
    intervention = models.TextField(help_text="PICO: what is given, by which route and dose.")
    comparator = models.TextField(blank=True, help_text="PICO: compared with what, if anything.")
    outcome = models.TextField(help_text="PICO: what is measured.")
    bottom_line_clinicians = models.TextField(
        "bottom line for clinicians",
        help_text="The answer, its size and how sure we are, with the caveat that matters.",
    )
    bottom_line_patients = models.TextField(
        "bottom line for patients", help_text="The same answer in plain words."
    )
    claims = models.ManyToManyField(
        Claim,
        blank=True,
        related_name="questions",
        help_text="The marketing claims that make an assertion about this question.",
    )
    interventions = models.ManyToManyField(
        Intervention,
        blank=True,
        related_name="questions",
        help_text="The ways ketamine is given that the question concerns.",
    )
    status = models.CharField(max_length=20, choices=QuestionStatus, default=QuestionStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Written by questions.services.questions_refresh_search() alone.
    search_text = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = QuestionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "search_text"])

    class Meta:
        ordering = ["topic", "position", "question"]
        permissions = [("publish_question", "Can publish and unpublish questions")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=QuestionStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="questions_question_published_has_date",
            ),
        ]
        indexes = [
            # Question.objects.public(): the home page and the question list.
            models.Index(fields=["status", "topic", "position"], name="questions_public_order"),
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("questions:detail", args=[self.slug])

    def publication_errors(self) -> list[str]:
        """What a question needs before readers may see it: both bottom lines and at least
        one graded finding."""
        errors = []
        if not self.bottom_line_clinicians.strip() or not self.bottom_line_patients.strip():
            errors.append("Write both bottom lines.")
        findings = list(self.findings.all()) if self.pk else []
        if not findings:
            errors.append("Add at least one finding to the summary of findings.")
        errors += [
            f"Finding “{finding.outcome}”: grade it completely." for finding in findings
            if not finding.certainty
        ]  # fmt: skip
        return errors


class FindingQuerySet(models.QuerySet):
    def for_question_page(self) -> "FindingQuerySet":
        return self.prefetch_related(
            Prefetch("studies", queryset=Study.objects.only("pk", "title", "authors", "year")),
            Prefetch("results", queryset=StudyResult.objects.for_question_page()),
        ).order_by("position", "pk")


class Finding(GradeJudgment):
    """One row of a question's summary of findings: an outcome, the studies that measured
    it, their participants, the effect with its interval, and its GRADE certainty."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="findings")
    position = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=300, help_text="What was measured, and when.")
    studies = models.ManyToManyField(Study, related_name="findings")
    participants = models.PositiveIntegerField(
        null=True, blank=True, help_text="Participants analysed, where the studies state it."
    )
    effect = models.TextField(help_text="The effect in words, with its interval.")
    comment = models.TextField(blank=True, help_text="What a reader should make of it.")
    source_note = models.TextField(
        blank=True,
        help_text="Where a figure was read when that is a page (a table, a policy, a price "
        "list) rather than a cited study's abstract: the figure and the address.",
    )
    certainty = models.CharField(
        max_length=20,
        choices=Certainty,
        blank=True,
        editable=False,
        help_text="Computed from the starting level and the five domains.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FindingQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["question", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "outcome"], name="questions_finding_unique_outcome"
            ),
        ]

    def __str__(self):
        return f"{self.question}: {self.outcome}"

    def clean(self):
        if errors := self.grade_errors():
            raise ValidationError(errors)
        self.certainty = self.graded_certainty()

    def get_certainty(self) -> Certainty | None:
        return Certainty(self.certainty) if self.certainty else None


class StudyResultQuerySet(models.QuerySet):
    def for_question_page(self) -> "StudyResultQuerySet":
        return self.select_related("study").only(
            *StudyResult.FIGURE_FIELDS, "label", "finding_id", "position",
            "study__id", "study__title", "study__authors", "study__year",
        ).order_by("position", "pk")  # fmt: skip


class StudyResult(models.Model):
    """One study's figure for a finding: a row of the question's forest plot, and, where
    the study says when the effect was seen, a bar of its timeline."""

    FIGURE_FIELDS = (
        "participants", "effect_value", "effect_kind", "ci_low", "ci_high", "timepoint",
        "first_seen_hours", "last_seen_hours",
    )  # fmt: skip

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="results")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="question_results")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(
        max_length=100, blank=True, help_text="Which arm, dose or subgroup, if not the whole."
    )
    participants = models.PositiveIntegerField(null=True, blank=True)
    effect_value = models.FloatField(null=True, blank=True)
    effect_kind = models.CharField(max_length=30, choices=EvidenceLink.EffectKind, blank=True)
    ci_low = models.FloatField("95% CI, lower", null=True, blank=True)
    ci_high = models.FloatField("95% CI, upper", null=True, blank=True)
    timepoint = models.CharField(max_length=100, blank=True, help_text="As the study says it.")
    first_seen_hours = models.FloatField(
        null=True, blank=True, help_text="Hours after the dose when the effect was first seen."
    )
    last_seen_hours = models.FloatField(
        null=True, blank=True, help_text="Hours after the dose when it was last seen."
    )

    objects = StudyResultQuerySet.as_manager()

    class Meta:
        ordering = ["finding", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_seen_hours__isnull=True)
                | Q(last_seen_hours__isnull=True)
                | Q(first_seen_hours__lte=models.F("last_seen_hours")),
                name="questions_studyresult_seen_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.study}: {self.figure or self.timepoint}"

    def clean(self):
        errors = figure_errors(self)
        for name in ("first_seen_hours", "last_seen_hours"):
            if (getattr(self, name) or 0) < 0:
                errors[name] = "Hours after the dose cannot be negative."
        first, last = self.first_seen_hours, self.last_seen_hours
        if first is not None and last is not None and first > last:
            errors["last_seen_hours"] = "The effect cannot be last seen before it was first seen."
        if errors:
            raise ValidationError(errors)

    @property
    def figure(self) -> str:
        return figure_text(self)

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None

    @property
    def is_timed(self) -> bool:
        return self.first_seen_hours is not None
