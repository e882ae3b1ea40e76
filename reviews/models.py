from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from simple_history.models import HistoricalRecords

from claims.models import LIST_FIELDS, Claim, reviewed_condition
from sources.models import Document, Study


class EvidenceLinkQuerySet(models.QuerySet):
    def for_claim_page(self) -> "EvidenceLinkQuerySet":
        """Each study with what it found, and the document that cited it; newest first."""
        return self.select_related("study", "cited_by").order_by(
            "-study__year", "study__title", "pk"
        )

    def for_study_page(self) -> "EvidenceLinkQuerySet":
        """The reviewed claims a study bears on, by statement."""
        return (
            self.filter(reviewed_condition(through="claim__"))
            .select_related("claim", "cited_by")
            .only(
                "stance", "note", "claim_id", "cited_by_id", "study_id",
                *(f"claim__{name}" for name in LIST_FIELDS),
                "cited_by__title",
            )
            .order_by("claim__statement", "pk")
        )  # fmt: skip


class EvidenceLink(models.Model):
    """A study that bears on a claim, and how."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        PARTLY_SUPPORTS = "partly_supports", "Partly supports"
        DOES_NOT_ADDRESS = "does_not_address", "Does not address"
        CONTRADICTS = "contradicts", "Contradicts"
        MISREPRESENTED = "misrepresented", "Misrepresented by the source"

    class Directness(models.TextChoices):
        DIRECT = "direct", "Direct"
        PARTLY_INDIRECT = "partly_indirect", "Partly indirect"
        INDIRECT = "indirect", "Indirect"

    class EffectKind(models.TextChoices):
        PERCENT = "percent", "Per cent"
        MEAN_DIFFERENCE = "mean_difference", "Mean difference"
        STANDARDIZED_MEAN_DIFFERENCE = "standardized_mean_difference", "SMD"
        ODDS_RATIO = "odds_ratio", "Odds ratio"
        RISK_RATIO = "risk_ratio", "Risk ratio"
        COUNT = "count", "Count"
        OTHER = "other", "Other"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence_links")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="evidence_links")
    stance = models.CharField(max_length=20, choices=Stance)
    directness = models.CharField(
        max_length=20,
        choices=Directness,
        default=Directness.DIRECT,
        help_text="How closely the study's population, route, dose and outcome match the claim.",
    )
    cited_by = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cited_evidence",
        help_text="The document that cited this study for the claim, if one did.",
    )
    note = models.TextField(
        help_text="What the study shows for this claim and how directly it applies "
        "(population, route, dose, outcome)."
    )
    # What the study measured for this claim, set beside the figure the claim makes.
    outcome = models.CharField(max_length=200, blank=True, help_text="What was measured.")
    timepoint = models.CharField(max_length=100, blank=True, help_text="When, e.g. '1 h'.")
    participants = models.PositiveIntegerField(
        null=True, blank=True, help_text="Participants analysed for this figure."
    )
    effect_value = models.FloatField(null=True, blank=True)
    effect_kind = models.CharField(max_length=30, choices=EffectKind, blank=True)
    ci_low = models.FloatField("95% CI, lower", null=True, blank=True)
    ci_high = models.FloatField("95% CI, upper", null=True, blank=True)
    route_dose = models.CharField("route and dose", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvidenceLinkQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "-study__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "study"], name="reviews_evidencelink_unique_claim_study"
            ),
        ]

    def __str__(self):
        return f"{self.study} — {self.get_stance_display().lower()} — {self.claim}"

    MEASURED_FIELDS = (
        "outcome", "timepoint", "participants", "effect_value", "effect_kind", "ci_low",
        "ci_high", "route_dose",
    )  # fmt: skip

    def clean(self):
        if errors := figure_errors(self):
            raise ValidationError(errors)

    @property
    def is_measured(self) -> bool:
        """Does the link record a figure the study measured for the claim?"""
        return self.effect_value is not None or self.participants is not None

    @property
    def measured_figure(self) -> str:
        return figure_text(self)


def figure_errors(row) -> dict[str, str]:
    """What is wrong with a measured figure (effect_value, effect_kind, ci_low, ci_high):
    a value needs its kind, an interval both bounds and the effect inside them."""
    errors = {}
    if row.effect_value is not None and not row.effect_kind:
        errors["effect_kind"] = "Say what kind of figure the effect is."
    if (row.ci_low is None) != (row.ci_high is None):
        errors["ci_high"] = "Give both bounds of the confidence interval, or neither."
    elif row.ci_low is not None:
        if row.effect_value is None:
            errors["effect_value"] = "A confidence interval needs the effect it surrounds."
        elif not row.ci_low <= row.effect_value <= row.ci_high:
            errors["ci_low"] = "The effect must lie within its confidence interval."
    return errors


def figure_text(row) -> str:
    """A measured effect as text: '83%', '10 of 12', 'SMD −1.17 (95% CI −1.89 to −0.44)',
    or ''."""
    if row.effect_value is None:
        return ""
    value, kind = _number(row.effect_value), EvidenceLink.EffectKind(row.effect_kind)
    if kind == EvidenceLink.EffectKind.PERCENT:
        text = f"{value}%"
    elif kind == EvidenceLink.EffectKind.COUNT and row.participants:
        text = f"{value} of {row.participants}"
    elif kind in (EvidenceLink.EffectKind.COUNT, EvidenceLink.EffectKind.OTHER):
        text = value
    else:
        text = f"{kind.label} {value}"
    if row.ci_low is not None:
        text += f" (95% CI {_number(row.ci_low)} to {_number(row.ci_high)})"
    return text


def _number(value: float) -> str:
    """A figure as a reader writes it: no trailing zeros, a true minus sign."""
    return f"{value:g}".replace("-", "−")


class Verdict(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    PARTLY_SUPPORTED = "partly_supported", "Partly supported"
    UNSUPPORTED = "unsupported", "Unsupported"
    MISLEADING = "misleading", "Misleading"
    FALSE = "false", "False"
    NOT_CHECKABLE = "not_checkable", "Not checkable"

    @property
    def css_class(self) -> str:
        return f"verdict-{self.value.replace('_', '-')}"

    @property
    def rating(self) -> int | None:
        """The verdict on a 1 (false) to 5 (supported) scale; None when not checkable."""
        return VERDICT_RATINGS.get(self)

    @property
    def description(self) -> str:
        return VERDICT_DESCRIPTIONS[self]


VERDICT_RATINGS = {
    Verdict.SUPPORTED: 5,
    Verdict.PARTLY_SUPPORTED: 4,
    Verdict.UNSUPPORTED: 3,
    Verdict.MISLEADING: 2,
    Verdict.FALSE: 1,
}

VERDICT_DESCRIPTIONS = {
    Verdict.SUPPORTED: "The evidence backs the claim for the population, route and outcome "
    "it names.",
    Verdict.PARTLY_SUPPORTED: "True in part, or only for a narrower population, route or "
    "outcome, or the size or speed is overstated.",
    Verdict.UNSUPPORTED: "No adequate evidence either way: the claim asserts more than anyone "
    "has shown.",
    Verdict.MISLEADING: "Has true elements but leaves a false impression: omits decisive "
    "context, borrows evidence from another condition or route, or cites a study for what it "
    "did not show.",
    Verdict.FALSE: "Contradicted by the evidence or the documentary record.",
    Verdict.NOT_CHECKABLE: "Opinion, puffery or a vague promise with nothing testable. Graded "
    "with the reason, never skipped; no numeric rating.",
}


class Certainty(models.TextChoices):
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"
    VERY_LOW = "very_low", "Very low"

    @property
    def css_class(self) -> str:
        return f"certainty-{self.value.replace('_', '-')}"

    @property
    def description(self) -> str:
        return CERTAINTY_DESCRIPTIONS[self]


CERTAINTY_DESCRIPTIONS = {
    Certainty.HIGH: "Further research is very unlikely to change the picture.",
    Certainty.MODERATE: "Further research may well change it.",
    Certainty.LOW: "Further research is likely to change it.",
    Certainty.VERY_LOW: "Any estimate is very uncertain.",
}


class Concern(models.TextChoices):
    NOT_SERIOUS = "not_serious", "Not serious"
    SERIOUS = "serious", "Serious"
    VERY_SERIOUS = "very_serious", "Very serious"

    @property
    def levels(self) -> int:
        """How many levels GRADE rates the certainty down for this concern."""
        return {"not_serious": 0, "serious": 1, "very_serious": 2}[self.value]


class EvidenceDesign(models.TextChoices):
    """The design of the body of evidence a verdict rests on: where GRADE starts."""

    RANDOMIZED = "randomized", "Randomized trials"
    NON_RANDOMIZED = "non_randomized", "Non-randomized studies"
    DOCUMENTARY = "documentary", "The documentary record"

    @property
    def starting_certainty(self) -> "Certainty":
        """Randomized trials start high; open-label, uncontrolled, observational and
        preclinical studies start low; a claim of documentary fact (what a label or a
        regulator says) is judged on the record itself and starts high."""
        return Certainty.LOW if self == EvidenceDesign.NON_RANDOMIZED else Certainty.HIGH


@dataclass(frozen=True)
class GradeStep:
    """One step of the path from a review's starting certainty to its certainty."""

    name: str  # "Starting level", a domain, or an upgrade
    judgment: str  # the design, the concern, or "rated up"
    change: int  # levels: 0 for the start, -1 or -2 down, +1 up
    reason: str
    certainty: "Certainty"  # after this step


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


# The only moves a review can make; Review.transition_to() enforces them for admin and code.
ALLOWED_TRANSITIONS = {
    ReviewStatus.DRAFT: {ReviewStatus.SUBMITTED},
    ReviewStatus.SUBMITTED: {ReviewStatus.PUBLISHED},
    ReviewStatus.PUBLISHED: {ReviewStatus.SUPERSEDED},
    ReviewStatus.SUPERSEDED: set(),
}
CERTAINTY_ORDER = [Certainty.VERY_LOW, Certainty.LOW, Certainty.MODERATE, Certainty.HIGH]


def _moved(certainty: Certainty, change: int) -> Certainty:
    """`certainty` moved `change` levels, within very low … high."""
    index = CERTAINTY_ORDER.index(certainty) + change
    return CERTAINTY_ORDER[max(0, min(index, len(CERTAINTY_ORDER) - 1))]


class TransitionError(ValidationError):
    """A review was asked to move between statuses that are not connected."""


def can_adjudicate(user) -> bool:
    """Editors and superusers: they assign claims, see every review and adjudicate."""
    return user.has_perm("reviews.adjudicate_claim")


def reviewable_claims(user, claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """The claims `user` may write a review of: any for an editor; for a reviewer, only those
    an editor has assigned to them."""
    if can_adjudicate(user):
        return claims
    return claims.filter(pk__in=Assignment.objects.filter(reviewer=user).values("claim"))


class ReviewQuerySet(models.QuerySet):
    def published(self) -> "ReviewQuerySet":
        return self.filter(status=ReviewStatus.PUBLISHED)

    def history(self) -> "ReviewQuerySet":
        """Every review that was ever published, oldest first: for one claim, the one
        published now (if any) and those it superseded."""
        return self.filter(published_at__isnull=False).order_by("published_at", "pk")

    def latest_published(self) -> "ReviewQuerySet":
        """Newest first, with what the feed of new reviews shows of each."""
        return (
            self.published()
            .select_related("claim")
            .only(
                "verdict", "certainty", "summary", "published_at", "updated_at", "claim_id",
                "claim__statement", "claim__slug",
            )
            .order_by("-published_at", "-pk")
        )  # fmt: skip

    def verdict_counts(self) -> dict[str, int]:
        rows = self.values_list("verdict").annotate(n=Count("pk")).order_by()
        return dict(rows)

    def done(self) -> "ReviewQuerySet":
        """Reviews their author has finished: submitted, published or superseded."""
        return self.exclude(status=ReviewStatus.DRAFT)

    def visible_to(self, user) -> "ReviewQuerySet":
        """Blinding: a reviewer sees their own reviews and published ones, and the other
        finished reviews of a claim assigned to them once every reviewer assigned to it has
        submitted. Nobody else's draft. Editors see all."""
        if can_adjudicate(user):
            return self
        handed_in = Review.objects.done().filter(
            claim=OuterRef("claim"), reviewer=OuterRef("reviewer")
        )
        outstanding = Assignment.objects.filter(claim=OuterRef("claim")).filter(~Exists(handed_in))
        unblinded = Assignment.objects.filter(reviewer=user).filter(~Exists(outstanding))
        return self.filter(
            Q(reviewer=user)
            | Q(status=ReviewStatus.PUBLISHED)
            | (Q(claim__in=unblinded.values("claim")) & ~Q(status=ReviewStatus.DRAFT))
        )


def fragments_graded_above_their_sentence(claim_ids: Iterable[int]) -> list[str]:
    """Sentences are graded whole: a claim cut from a longer sentence (Claim.carried_by)
    may not have a better published verdict than the claim graded on the whole sentence.
    For these claims, as fragments or as carriers, one message per pair that breaks it."""
    ids = list(claim_ids)
    pairs = list(
        Claim.objects.filter(Q(pk__in=ids) | Q(carried_by__in=ids))
        .exclude(carried_by=None)
        .values_list("pk", "slug", "carried_by_id", "carried_by__slug")
    )
    involved = {pk for pair in pairs for pk in (pair[0], pair[2])}
    verdicts = dict(
        Review.objects.published().filter(claim_id__in=involved).values_list("claim_id", "verdict")
    )
    problems = []
    for fragment, fragment_slug, carrier, carrier_slug in pairs:
        part, whole = verdicts.get(fragment), verdicts.get(carrier)
        if not (part and whole):
            continue
        part_rating, whole_rating = Verdict(part).rating, Verdict(whole).rating
        if part_rating and whole_rating and part_rating > whole_rating:
            problems.append(
                f"“{fragment_slug}” is cut from the sentence graded as “{carrier_slug}”: its "
                f"verdict ({Verdict(part).label}) may not be better than the sentence's "
                f"({Verdict(whole).label})."
            )
    return problems


def verdict_changes(published: Sequence["Review"]) -> list[dict]:
    """Each date a claim's published verdict or certainty changed, from what to what, and
    each review an editor published alone (overriding the two-reviewer rule, with the
    reason), given every review of it that was ever published, oldest first (see
    Review.objects.history). `before` is None for the first review."""
    changes, previous = [], None
    for review in published:
        changed = previous is not None and (previous.verdict, previous.certainty) != (
            review.verdict,
            review.certainty,
        )
        if changed or review.override_reason:
            changes.append({"date": review.published_at, "before": previous, "after": review})
        previous = review
    return changes


class GradeJudgment(models.Model):
    """A GRADE judgment of a body of evidence: the design it starts from and the five
    domains that move it down (each with its reason), the upgrades GRADE allows, and the
    certainty computed from them. A claim's review and a question's finding both carry one."""

    DOWNGRADING_DOMAINS = (
        "risk_of_bias",
        "inconsistency",
        "indirectness",
        "imprecision",
        "publication_bias",
    )
    UPGRADING_FACTORS = ("large_effect", "dose_response", "opposing_confounding")
    # What a grader records; the certainty is computed from them.
    GRADE_FIELDS = (
        "evidence_design", "design_reason",
        *(field for name in DOWNGRADING_DOMAINS for field in (name, f"{name}_reason")),
        *UPGRADING_FACTORS, "upgrade_reason",
    )  # fmt: skip

    evidence_design = models.CharField(
        max_length=20,
        choices=EvidenceDesign,
        blank=True,
        help_text="GRADE's starting level: randomized trials and the documentary record start "
        "high; non-randomized studies start low.",
    )
    design_reason = models.TextField(
        blank=True, help_text="Which studies the verdict rests on, and their design."
    )
    risk_of_bias = models.CharField(max_length=20, choices=Concern, blank=True)
    risk_of_bias_reason = models.TextField(blank=True)
    inconsistency = models.CharField(max_length=20, choices=Concern, blank=True)
    inconsistency_reason = models.TextField(blank=True)
    indirectness = models.CharField(max_length=20, choices=Concern, blank=True)
    indirectness_reason = models.TextField(blank=True)
    imprecision = models.CharField(max_length=20, choices=Concern, blank=True)
    imprecision_reason = models.TextField(blank=True)
    publication_bias = models.CharField(max_length=20, choices=Concern, blank=True)
    publication_bias_reason = models.TextField(blank=True)
    large_effect = models.BooleanField(default=False, help_text="GRADE upgrade: large effect.")
    dose_response = models.BooleanField(default=False, help_text="GRADE upgrade: dose-response.")
    opposing_confounding = models.BooleanField(
        default=False,
        help_text="GRADE upgrade: plausible confounding would have reduced the effect.",
    )
    upgrade_reason = models.TextField(blank=True, help_text="Why the certainty is rated up.")

    class Meta:
        abstract = True

    @property
    def is_graded(self) -> bool:
        """Is a certainty called for? (A review of a claim that cannot be checked has none.)"""
        return True

    def grade_errors(self) -> dict[str, str]:
        """What GRADE still needs before a certainty can be computed: the starting level
        and every domain, each with its reason; a reason for any upgrade, and upgrades only
        where GRADE allows them (non-randomized evidence not rated down)."""
        if not self.is_graded:
            return {}
        needed = {"evidence_design": "Say what design of evidence the verdict rests on."}
        needed["design_reason"] = "Say which studies the verdict rests on, and their design."
        for name in self.DOWNGRADING_DOMAINS:
            label = self._meta.get_field(name).verbose_name
            needed[name] = f"Judge {label}: not serious, serious or very serious."
            needed[f"{name}_reason"] = f"Give the reason for the judgment of {label}."
        errors = {field: message for field, message in needed.items() if not getattr(self, field)}
        if self.upgrades and not self.upgrade_reason:
            errors["upgrade_reason"] = "Give the reason for rating the certainty up."
        if self.upgrades and (
            self.evidence_design != EvidenceDesign.NON_RANDOMIZED or self.downgrades
        ):
            errors[self.UPGRADING_FACTORS[0]] = (
                "GRADE rates up only non-randomized evidence with no reason to rate it down."
            )
        return errors

    def grade_steps(self) -> list[GradeStep]:
        """The path GRADE takes to this review's certainty: the starting level from the
        design, each domain's downgrade and each upgrade, with its reason. Empty while the
        review is not graded or not complete (grade_errors())."""
        if not self.is_graded or self.grade_errors():
            return []
        design = EvidenceDesign(self.evidence_design)
        certainty = design.starting_certainty
        steps = [GradeStep("Starting level", design.label, 0, self.design_reason, certainty)]
        for name in self.DOWNGRADING_DOMAINS:
            concern = Concern(getattr(self, name))
            certainty = _moved(certainty, -concern.levels)
            reason = getattr(self, f"{name}_reason")
            label = self._meta.get_field(name).verbose_name
            steps.append(GradeStep(label, concern.label, -concern.levels, reason, certainty))
        for name in self.UPGRADING_FACTORS:
            if getattr(self, name):
                certainty = _moved(certainty, 1)
                label = self._meta.get_field(name).help_text.removeprefix("GRADE upgrade: ")
                steps.append(GradeStep(label, "Rated up", 1, self.upgrade_reason, certainty))
        return steps

    def graded_certainty(self) -> str:
        """The certainty GRADE computes from the starting level, the domains and the
        upgrades ("" for 'not checkable' or an incomplete grading)."""
        steps = self.grade_steps()
        return steps[-1].certainty.value if steps else ""

    @property
    def downgrades(self) -> list[tuple[str, str]]:
        """(domain label, concern label) for each domain judged serious or very serious."""
        return [
            (self._meta.get_field(name).verbose_name, self.get_concern_display(name))
            for name in self.DOWNGRADING_DOMAINS
            if getattr(self, name) not in ("", Concern.NOT_SERIOUS)
        ]

    @property
    def upgrades(self) -> list[str]:
        return [
            self._meta.get_field(name).verbose_name
            for name in self.UPGRADING_FACTORS
            if getattr(self, name)
        ]

    def get_concern_display(self, domain: str) -> str:
        return Concern(getattr(self, domain)).label if getattr(self, domain) else ""


class Review(GradeJudgment):
    """A reviewer's grading of a claim: a verdict and, separately, a GRADE certainty."""

    Verdict = Verdict
    Certainty = Certainty
    Concern = Concern
    EvidenceDesign = EvidenceDesign
    Status = ReviewStatus

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reviews")
    verdict = models.CharField(max_length=20, choices=Verdict)
    certainty = models.CharField(
        max_length=20,
        choices=Certainty,
        blank=True,
        help_text="GRADE certainty of the evidence, computed from the starting level and the "
        "domains. Blank only for 'not checkable'.",
    )
    rationale = models.TextField(help_text="For clinicians: the studies, their size and design.")
    summary = models.TextField(help_text="For readers: plain language.")
    adjudication = models.TextField(
        blank=True,
        help_text="For an editor's consensus review: what the independent reviews disagreed "
        "on and how it was settled. Shown on the claim page.",
    )
    override_reason = models.TextField(
        blank=True,
        help_text="Why an editor published this review without assigned reviewers agreeing "
        "or an adjudication of their disagreement (the two-reviewer rule). Shown on the claim "
        "page.",
    )
    reviewer_notes = models.TextField(
        blank=True,
        help_text="The reviewer's working notes for the editor (a quote that is part of a "
        "longer sentence, say). Seen only in the admin.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="credited_reviews",
        help_text="Reviewers credited for a consensus review.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReviewQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-updated_at"]
        permissions = [
            ("publish_review", "Can publish and unpublish reviews"),
            ("adjudicate_claim", "Can assign claims, see all reviews and adjudicate"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status=ReviewStatus.PUBLISHED),
                name="reviews_review_one_published_per_claim",
                violation_error_message="This claim already has a published review.",
            ),
            models.CheckConstraint(
                condition=Q(verdict=Verdict.NOT_CHECKABLE) | ~Q(certainty=""),
                name="reviews_review_certainty_unless_not_checkable",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="reviews_review_published_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_verdict_display()} ({self.get_status_display().lower()}): {self.claim}"

    def clean(self):
        errors = self.grade_errors()
        if not errors:
            self.certainty = self.graded_certainty()
        if self.status == Review.Status.PUBLISHED and self.claim_id:
            rivals = Review.objects.filter(claim_id=self.claim_id, status=Review.Status.PUBLISHED)
            if rivals.exclude(pk=self.pk).exists():
                errors["status"] = "This claim already has a published review."
        if not self.author_may_review_claim():
            errors["claim"] = (
                f"This claim is not assigned to {self.reviewer}: a reviewer reviews only the "
                "claims an editor has assigned to them."
            )
        if errors:
            raise ValidationError(errors)

    def transition_to(self, status: ReviewStatus, *, by, at) -> None:
        """Move to `status` if the lifecycle allows it, stamping who and when. Each move is
        a new version, so a page opened before it cannot save its old status back."""
        if status not in ALLOWED_TRANSITIONS[ReviewStatus(self.status)]:
            raise TransitionError(
                f"A {self.get_status_display().lower()} review cannot become "
                f"{ReviewStatus(status).label.lower()}."
            )
        self.status = status
        self.version += 1
        if status == ReviewStatus.SUBMITTED:
            self.submitted_at = at
        elif status == ReviewStatus.PUBLISHED:
            self.published_at, self.published_by = at, by
        elif status == ReviewStatus.SUPERSEDED:
            self.superseded_at, self.superseded_by = at, by

    def author_may_review_claim(self) -> bool:
        """May the author write and submit this review (see reviewable_claims)? Asked while
        it is a draft and as it is submitted; publishing it is an editor's decision."""
        authors = (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)
        if self.reviewer is None or self.claim_id is None or self.status not in authors:
            return True
        return reviewable_claims(self.reviewer, Claim.objects.filter(pk=self.claim_id)).exists()

    @property
    def is_graded(self) -> bool:
        """Does the review carry a certainty (every verdict but 'not checkable')?"""
        return self.verdict != Verdict.NOT_CHECKABLE

    @property
    def is_editable(self) -> bool:
        """Only drafts change; a correction is a new review that supersedes the old."""
        return self.status == ReviewStatus.DRAFT

    def certainty_gap(self, other: "Review") -> int:
        """How many GRADE levels apart two reviews' certainties are (0 if either is blank)."""
        if not self.certainty or not other.certainty:
            return 0
        return abs(
            CERTAINTY_ORDER.index(Certainty(self.certainty))
            - CERTAINTY_ORDER.index(Certainty(other.certainty))
        )


class Assignment(models.Model):
    """An editor's request that a reviewer grade a claim independently."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "reviewer"], name="reviews_assignment_unique_claim_reviewer"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.claim}"
