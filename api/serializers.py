"""What the API says of each public row. A list gives each row's summary and the address of
its detail; a detail gives what the row's page shows, as data: a claim's quotes, verdict,
certainty with its GRADE path and the evidence with its numbers; a question's answer and
summary of findings; an intervention's safety profile."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from checks.page_check import MAX_CHARS
from claims.models import AnchorState, Claim, Excerpt
from claims.red_flags import RedFlag
from questions.models import Finding, Question, StudyResult
from reviews.models import EvidenceLink, GradeJudgment, Review
from safety.models import Intervention, SafetyFact, SafetyTopic
from sources.ingest import MIN_TEXT_CHARS
from sources.models import Document, Study


class StoredChoiceField(serializers.ChoiceField):
    """A claim's stored verdict or certainty: null, not an empty string, until a review
    is published."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class OptionalURLField(serializers.URLField):
    """An address the row may not have: null rather than an empty string."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


def slug_of(**kwargs) -> serializers.SlugRelatedField:
    """A related row named by its slug (null where there is none)."""
    return serializers.SlugRelatedField(slug_field="slug", read_only=True, **kwargs)


class LinksMixin(serializers.Serializer):
    """`url`: the row in this API; `page`: the row's page on the site. Both absolute."""

    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    api_view_name = ""
    api_lookup = "slug"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, row) -> str:
        key = getattr(row, self.api_lookup)
        return reverse(self.api_view_name, args=[key], request=self.context.get("request"))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, row) -> str:
        return self.context["request"].build_absolute_uri(row.get_absolute_url())


class GradeStepSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The starting level, a GRADE domain or an upgrade.")
    judgment = serializers.CharField(help_text="The design, the concern, or the upgrade.")
    change = serializers.IntegerField(help_text="Levels moved: 0 at the start, -1, -2 or +1.")
    reason = serializers.CharField()
    certainty = serializers.ChoiceField(choices=Review.Certainty.choices)


def grade_path(judgment: GradeJudgment) -> list[dict]:
    return GradeStepSerializer(judgment.grade_steps(), many=True).data


class StudyBriefSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:study-detail"

    class Meta:
        model = Study
        fields = ["slug", "title", "authors", "year", "url", "page"]


# Studies


class StudyListSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:study-detail"
    claim_count = serializers.IntegerField(help_text="Reviewed claims it bears on.")

    class Meta:
        model = Study
        fields = [
            "slug", "title", "authors", "year", "journal", "design", "sample_size",
            "is_retracted", "claim_count", "url", "page",
        ]  # fmt: skip


class StudySerializer(StudyListSerializer):
    class Meta(StudyListSerializer.Meta):
        fields = StudyListSerializer.Meta.fields + [
            "doi", "pmid", "pmcid", "registry_id", "label_version", "label_effective_date",
            "source_url", "population", "intervention",
            "comparator", "main_finding", "retraction_note", "updated_at",
        ]  # fmt: skip

    source_url = OptionalURLField(
        source="url", help_text="Where the study's record was read (its publisher or PubMed)."
    )


# Documents


class DocumentListSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:document-detail"

    class Meta:
        model = Document
        fields = [
            "slug", "title", "publisher", "kind", "excerpt_count", "claim_count", "created_at",
            "url", "page",
        ]  # fmt: skip


class DocumentExcerptSerializer(serializers.ModelSerializer):
    claim = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    claim_url = serializers.SerializerMethodField()

    class Meta:
        model = Excerpt
        fields = ["claim", "claim_url", "quote", "start", "end"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_claim_url(self, excerpt) -> str:
        request = self.context.get("request")
        return reverse("api:claim-detail", args=[excerpt.claim.slug], request=request)


class DocumentSerializer(DocumentListSerializer):
    annotations = serializers.SerializerMethodField(
        help_text="Its quotes with our verdicts, as a W3C Web Annotation collection."
    )
    source_url = OptionalURLField(source="url", help_text="The page's own address.")
    excerpts = DocumentExcerptSerializer(
        many=True, source="api_excerpts", help_text="Quotes of claims: code-point offsets."
    )
    supersedes = slug_of(allow_null=True, help_text="The older version of this page.")

    class Meta(DocumentListSerializer.Meta):
        fields = DocumentListSerializer.Meta.fields + [
            "source_url", "published_on", "retrieved_on", "supersedes", "updated_at", "body",
            "excerpts", "annotations",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.URI)
    def get_annotations(self, document) -> str:
        path = reverse("sources:annotations", args=[document.slug])
        return self.context["request"].build_absolute_uri(path)


# Claims


class ClaimListSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:claim-detail"
    verdict = StoredChoiceField(choices=Review.Verdict.choices)
    certainty = StoredChoiceField(choices=Review.Certainty.choices)

    class Meta:
        model = Claim
        fields = [
            "slug", "statement", "category", "verdict", "certainty", "published_at",
            "document_count", "url", "page",
        ]  # fmt: skip


class ClaimExcerptSerializer(serializers.ModelSerializer):
    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    document_title = serializers.CharField(source="document.title")
    document_url = OptionalURLField(source="document.url", help_text="The page's address.")
    anchor_state = StoredChoiceField(
        choices=AnchorState.choices, help_text="What a newer version of the page did to it."
    )

    class Meta:
        model = Excerpt
        fields = [
            "document", "document_title", "document_url", "quote", "start", "end", "prefix",
            "suffix", "anchor_state",
        ]  # fmt: skip


class EvidenceSerializer(serializers.ModelSerializer):
    study = StudyBriefSerializer()
    design = serializers.ChoiceField(source="study.design", choices=Study.Design.choices)
    cited_by = slug_of(allow_null=True, help_text="The document that cited the study.")

    class Meta:
        model = EvidenceLink
        fields = [
            "study", "design", "stance", "directness", "outcome", "timepoint", "participants",
            "effect_value", "effect_kind", "ci_low", "ci_high", "route_dose", "note", "cited_by",
        ]  # fmt: skip


class ReviewSerializer(serializers.ModelSerializer):
    grade = serializers.SerializerMethodField(help_text="The GRADE path, step by step.")

    class Meta:
        model = Review
        fields = [
            "verdict", "certainty", "summary", "rationale", "adjudication", "override_reason",
            "evidence_design", "published_at", "grade",
        ]  # fmt: skip

    @extend_schema_field(GradeStepSerializer(many=True))
    def get_grade(self, review) -> list[dict]:
        return grade_path(review)


class ClaimSerializer(ClaimListSerializer):
    review = ReviewSerializer(
        source="published_review", allow_null=True, help_text="Null until a review is published."
    )
    excerpts = ClaimExcerptSerializer(many=True, source="api_excerpts")
    evidence = EvidenceSerializer(many=True, source="api_evidence")
    questions = serializers.SerializerMethodField(help_text="The questions it bears on.")

    class Meta(ClaimListSerializer.Meta):
        fields = ClaimListSerializer.Meta.fields + [
            "value_low", "value_high", "unit", "review", "excerpts", "evidence", "questions",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_questions(self, claim) -> list[str]:
        return [question.slug for question in claim.api_questions]


# Questions


class QuestionListSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:question-detail"

    class Meta:
        model = Question
        fields = ["slug", "question", "topic", "bottom_line_patients", "url", "page"]


class StudyResultSerializer(serializers.ModelSerializer):
    study = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = StudyResult
        fields = [
            "study", "label", "participants", "effect_value", "effect_kind", "ci_low",
            "ci_high", "timepoint",
        ]  # fmt: skip


class FindingSerializer(serializers.ModelSerializer):
    studies = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    results = StudyResultSerializer(many=True)
    grade = serializers.SerializerMethodField(help_text="The GRADE path, step by step.")

    class Meta:
        model = Finding
        fields = [
            "outcome", "participants", "effect", "comment", "certainty", "evidence_design",
            "grade", "studies", "results",
        ]  # fmt: skip

    @extend_schema_field(GradeStepSerializer(many=True))
    def get_grade(self, finding) -> list[dict]:
        return grade_path(finding)


class QuestionSerializer(QuestionListSerializer):
    findings = FindingSerializer(many=True)
    claims = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    interventions = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta(QuestionListSerializer.Meta):
        fields = QuestionListSerializer.Meta.fields + [
            "bottom_line_clinicians", "population", "intervention", "comparator", "outcome",
            "published_at", "updated_at", "findings", "claims", "interventions",
        ]  # fmt: skip


# Interventions and their safety profiles


class InterventionListSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:intervention-detail"

    class Meta:
        model = Intervention
        fields = ["slug", "name", "drug", "route", "summary", "url", "page"]


class SafetyFactSerializer(serializers.ModelSerializer):
    sources = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = SafetyFact
        fields = ["topic", "statement", "sources"]


class InterventionSerializer(InterventionListSerializer):
    facts = SafetyFactSerializer(many=True)
    claims = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta(InterventionListSerializer.Meta):
        fields = InterventionListSerializer.Meta.fields + ["updated_at", "facts", "claims"]


# The page check: what it takes and what it gives (checks.serialize builds the answer).


class CheckRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        trim_whitespace=False,
        min_length=MIN_TEXT_CHARS,
        max_length=MAX_CHARS,
        help_text="The page's text, or its HTML or Markdown: at most 100,000 characters.",
    )


class CheckSummarySerializer(serializers.Serializer):
    checked = serializers.IntegerField()
    reviewed = serializers.IntegerField()
    false_misleading_or_unsupported = serializers.IntegerField()
    not_yet_reviewed = serializers.IntegerField()
    with_red_flags = serializers.IntegerField()


class RedFlagSerializer(serializers.Serializer):
    flag = serializers.ChoiceField(choices=RedFlag.choices)
    label = serializers.CharField()
    words = serializers.CharField()
    start = serializers.IntegerField(help_text="Code-point offset into the returned text.")
    end = serializers.IntegerField()
    reason = serializers.CharField()


class MatchedQuestionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    question = serializers.CharField()
    url = serializers.URLField()


class MatchSerializer(serializers.Serializer):
    claim = serializers.SlugField()
    statement = serializers.CharField()
    url = serializers.URLField()
    verdict = serializers.ChoiceField(choices=Review.Verdict.choices, allow_null=True)
    certainty = serializers.ChoiceField(choices=Review.Certainty.choices, allow_null=True)
    score = serializers.FloatField(min_value=0, max_value=1)
    strength = serializers.ChoiceField(choices=["strong", "fair"])
    question = MatchedQuestionSerializer(allow_null=True)


class CheckedSentenceSerializer(serializers.Serializer):
    start = serializers.IntegerField(help_text="Code-point offset into the returned text.")
    end = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=["reviewed", "known", "unreviewed", "flagged"])
    checkworthy = serializers.BooleanField()
    category = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())
    red_flags = RedFlagSerializer(many=True)
    matches = MatchSerializer(many=True)


class LeftOutTopicSerializer(serializers.Serializer):
    topic = serializers.ChoiceField(choices=SafetyTopic.choices)
    label = serializers.CharField()
    facts = serializers.ListField(child=serializers.CharField())


class LeftOutSerializer(serializers.Serializer):
    intervention = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()
    topics = LeftOutTopicSerializer(many=True)


class CheckResultSerializer(serializers.Serializer):
    notice = serializers.CharField()
    text = serializers.CharField(help_text="The text checked, as extracted from the page.")
    summary = CheckSummarySerializer()
    sentences = CheckedSentenceSerializer(many=True)
    left_out = LeftOutSerializer(
        many=True, help_text="Safety topics of the interventions concerned the page never raises."
    )
