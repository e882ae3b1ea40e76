from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from config.admin import PublicPagesAdminMixin, VersionGuardAdminMixin
from questions.models import Finding, Question, StudyResult
from questions.services import question_publish, question_unpublish, questions_refresh_search

GRADE_FIELDSET = (
    "GRADE certainty (computed from these judgments when saved)",
    {
        "fields": [
            "certainty",
            ("evidence_design", "design_reason"),
            *((name, f"{name}_reason") for name in Finding.DOWNGRADING_DOMAINS),
            (*Finding.UPGRADING_FACTORS, "upgrade_reason"),
        ]
    },
)


class RefreshSearchMixin:
    """A save in the admin rewrites what the search reads for the question it touches."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        questions_refresh_search(question_ids=[self.question_of(form.instance).pk])


@admin.register(Question)
class QuestionAdmin(
    RefreshSearchMixin, VersionGuardAdminMixin, PublicPagesAdminMixin, SimpleHistoryAdmin
):
    list_display = ["question", "topic", "status", "finding_count", "updated_at"]
    list_filter = ["status", "topic"]
    search_fields = ["question", "slug", "bottom_line_clinicians"]
    prepopulated_fields = {"slug": ["question"]}
    autocomplete_fields = ["claims", "interventions"]
    readonly_fields = ["status", "published_at", "findings_list"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["question", "slug", "topic", "position", "status", "seen_version"]}),
        ("PICO", {"fields": ["population", "intervention", "comparator", "outcome"]}),
        ("Bottom lines", {"fields": ["bottom_line_clinicians", "bottom_line_patients"]}),
        ("Summary of findings", {"fields": ["findings_list"]}),
        ("Links", {"fields": ["claims", "interventions", "published_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("findings").order_by("topic", "pk")

    @staticmethod
    def question_of(question):
        return question

    @admin.display(description="Findings")
    def finding_count(self, question):
        return len(question.findings.all())

    @admin.display(description="Findings (edit each on its own page)")
    def findings_list(self, question):
        findings = question.findings.all() if question.pk else []
        return (
            "; ".join(
                f"{f.outcome} ({f.get_certainty_display() or 'not graded'})" for f in findings
            )
            or "None yet."
        )

    @admin.action(description="Publish selected questions", permissions=["publish"])
    def publish(self, request, queryset):
        for question in queryset:
            try:
                question_publish(question=question, at=timezone.now())
            except ValidationError as error:
                self.message_user(
                    request, f"{question}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"Published: {question}", messages.SUCCESS)

    @admin.action(description="Unpublish selected questions", permissions=["publish"])
    def unpublish(self, request, queryset):
        for question in queryset:
            question_unpublish(question=question)
        self.message_user(request, f"Unpublished {len(queryset)} question(s).", messages.SUCCESS)

    def has_publish_permission(self, request):
        return request.user.has_perm("questions.publish_question")


class StudyResultInline(admin.TabularInline):
    model = StudyResult
    extra = 0
    autocomplete_fields = ["study"]
    fields = ["position", "study", "label", *StudyResult.FIGURE_FIELDS]


@admin.register(Finding)
class FindingAdmin(
    RefreshSearchMixin, VersionGuardAdminMixin, PublicPagesAdminMixin, SimpleHistoryAdmin
):
    list_display = ["outcome", "question", "certainty"]
    list_filter = ["certainty", "question__topic"]
    list_select_related = ["question"]
    search_fields = ["outcome", "question__question", "effect"]
    autocomplete_fields = ["question", "studies"]
    readonly_fields = ["certainty"]
    inlines = [StudyResultInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "question",
                    "position",
                    "outcome",
                    "studies",
                    "participants",
                    "effect",
                    "comment",
                    "source_note",
                    "seen_version",
                ]
            },
        ),  # fmt: skip
        GRADE_FIELDSET,
    ]

    @staticmethod
    def question_of(finding):
        return finding.question
