import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters
from simple_history.admin import SimpleHistoryAdmin

from claims.admin import CandidateAdmin as BaseCandidateAdmin
from claims.admin import ClaimAdmin as BaseClaimAdmin
from claims.admin import ExcerptAdmin as BaseExcerptAdmin
from claims.models import Candidate, Claim, Excerpt
from config.admin import VersionGuardAdminMixin, VersionGuardForm
from config.generation import site_changed
from reviews.agreement import AGREED, AWAITING, IN_CONFLICT, agreement_table, claim_states
from reviews.models import Assignment, EvidenceLink, Review, can_adjudicate, reviewable_claims
from reviews.roles import ROLES
from reviews.services import (
    candidate_accept,
    claims_flag_for_rereview,
    derived_refresh,
    excerpt_accept_new_wording,
    publication_refusal,
    retraction_reason,
    review_publish,
    review_publish_consensus,
    review_submit,
    review_unpublish,
    studies_cited,
    study_flag_dependent_claims,
)
from reviews.work import TO_REVIEW, claims_to_review, review_workspace
from sources.admin import StudyAdmin as BaseStudyAdmin
from sources.admin_widgets import PreloadedAutocompleteStackedInline
from sources.models import Study

User = get_user_model()
STATE_LABELS = {AGREED: "Agreed", IN_CONFLICT: "In conflict", AWAITING: "Awaiting reviews"}
NOT_ASSIGNED = (
    "This claim is not assigned to you: a reviewer reviews only the claims an editor has "
    "assigned to them."
)


# What an edit in the admin touched, for the refresh after it -------------------------------


def touched(forms, name: str) -> set[int | None]:
    """The `name` foreign key of each form's row as stored before the edit and as saved:
    every row whose stored counts the edit may have changed."""
    before = {form.initial.get(name) for form in forms}
    return before | {getattr(form.instance, f"{name}_id") for form in forms}


def inline_forms(formsets, model) -> list:
    return [form for formset in formsets if formset.model is model for form in formset.forms]


def column(rows, name: str) -> list[int]:
    """The `name` foreign keys of these rows, read before they are deleted."""
    return list(rows.values_list(f"{name}_id", flat=True))


# Claims ---------------------------------------------------------------------------------


class EvidenceLinkInline(PreloadedAutocompleteStackedInline):
    """Each study a claim rests on, one above another, its figures grouped below it: a row of
    all its fields would be three windows wide."""

    model = EvidenceLink
    fieldsets = [
        (None, {"fields": [("study", "stance", "directness"), "cited_by", "note"]}),
        (
            "What the study measured (for the forest plot)",
            {
                "fields": [
                    ("outcome", "timepoint", "participants"),
                    ("effect_kind", "effect_value", "ci_low", "ci_high"),
                    "route_dose",
                ]
            },
        ),
    ]
    autocomplete_fields = ["study", "cited_by"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "study", "cited_by")


class ReviewInline(admin.TabularInline):
    """The claim's reviews that the viewer may see (ReviewQuerySet.visible_to)."""

    model = Review
    fields = ["verdict", "certainty", "status", "reviewer", "updated_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        reviews = super().get_queryset(request).select_related("claim", "reviewer")
        return reviews.visible_to(request.user)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ["reviewer", "assigned_by", "assigned_at"]
    readonly_fields = ["assigned_by", "assigned_at"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "reviewer", "assigned_by")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            kwargs["queryset"] = User.objects.filter(groups__name__in=ROLES).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VerdictFilter(admin.SimpleListFilter):
    title = "published verdict"
    parameter_name = "verdict"

    def lookups(self, request, model_admin):
        return [*Review.Verdict.choices, ("none", "Not reviewed")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(verdict="")
        if self.value() in Review.Verdict.values:
            return queryset.filter(verdict=self.value())
        return queryset


class WorkflowFilter(admin.SimpleListFilter):
    title = "workflow"
    parameter_name = "workflow"

    def lookups(self, request, model_admin):
        return [
            ("mine", "Assigned to me"),
            (TO_REVIEW, "Assigned to me, not yet handed in"),
            (IN_CONFLICT, "In conflict"),
            (AGREED, "Agreed, awaiting publication"),
            ("rereview", "Needs re-review"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.filter(assignments__reviewer=request.user)
        if value == TO_REVIEW:
            return queryset.filter(pk__in=claims_to_review(request.user).values("pk"))
        if value == "rereview":
            return queryset.exclude(rereview_reason="")
        if value in (IN_CONFLICT, AGREED):
            if not can_adjudicate(request.user):
                return queryset.none()  # agreement reveals others' verdicts
            states = claim_states()
            unpublished = queryset.filter(verdict="")
            return unpublished.filter(pk__in=[pk for pk, s in states.items() if s == value])
        return queryset


@admin.register(Claim)
class ClaimAdmin(BaseClaimAdmin):
    """The claim page with its evidence, assignments and reviews, which live in this app."""

    list_display = ["statement", "category", "verdict_badge", "needs_rereview", "excerpt_count"]
    list_filter = [WorkflowFilter, VerdictFilter, "category"]
    actions = ["export_csv", "flag_for_rereview"]

    def get_inlines(self, request, obj):
        inlines = [*BaseClaimAdmin.inlines, EvidenceLinkInline, ReviewInline]
        if can_adjudicate(request.user):
            inlines.append(AssignmentInline)
        return inlines

    def get_queryset(self, request):
        return super().get_queryset(request).defer("search_text", "search_vector")

    def get_search_results(self, request, queryset, search_term):
        """The review form's claim autocomplete offers a reviewer only their assigned claims."""
        claims, duplicates = super().get_search_results(request, queryset, search_term)
        asked = [request.GET.get(name) for name in ("app_label", "model_name", "field_name")]
        if asked == ["reviews", "review", "claim"]:
            claims = reviewable_claims(request.user, claims)
        return claims, duplicates

    def save_formset(self, request, form, formset, change):
        if formset.model is Assignment:
            for assignment in formset.save(commit=False):
                assignment.assigned_by = assignment.assigned_by or request.user
                assignment.save()
            for removed in formset.deleted_objects:
                removed.delete()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        """After the claim, its contradictions, quotes and evidence are saved: its search
        text and counts, the documents and studies it was or is linked to, the pages."""
        super().save_related(request, form, formsets, change)
        derived_refresh(
            claim_ids=[form.instance.pk],
            document_ids=touched(inline_forms(formsets, Excerpt), "document"),
            study_ids=touched(inline_forms(formsets, EvidenceLink), "study"),
        )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Claim.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """The claims go with their quotes and evidence: recount what those were linked to."""
        documents = column(Excerpt.objects.filter(claim__in=queryset), "document")
        studies = studies_cited(claim_ids=queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        derived_refresh(document_ids=documents, study_ids=studies)

    @admin.display(description="Published verdict", ordering="verdict")
    def verdict_badge(self, claim):
        if not claim.verdict:
            return "—"
        return Review.Verdict(claim.verdict).label

    @admin.display(description="Re-review", boolean=True)
    def needs_rereview(self, claim):
        return claim.needs_rereview

    @admin.action(description="Export selected claims with their published reviews (CSV)")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["slug", "statement", "category", "verdict", "certainty", "published_at",
             "summary", "rationale", "needs_rereview", "url"]
        )  # fmt: skip
        published = {
            review.claim_id: review
            for review in Review.objects.published().filter(claim__in=queryset)
        }
        for claim in queryset.order_by("slug"):
            review = published.get(claim.pk)
            writer.writerow(
                [
                    claim.slug,
                    claim.statement,
                    claim.get_category_display(),
                    review.get_verdict_display() if review else "",
                    review.get_certainty_display() if review else "",
                    review.published_at.isoformat() if review else "",
                    review.summary if review else "",
                    review.rationale if review else "",
                    claim.rereview_reason,
                    request.build_absolute_uri(claim.get_absolute_url()),
                ]
            )
        return response

    @admin.action(description="Mark as needing re-review", permissions=["adjudicate"])
    def flag_for_rereview(self, request, queryset):
        count = claims_flag_for_rereview(
            claims=queryset, reason=f"An editor ({request.user}) asked for a re-review."
        )
        self.message_user(request, f"{count} claim(s) marked as needing re-review.")

    def has_adjudicate_permission(self, request):
        return can_adjudicate(request.user)


# Studies --------------------------------------------------------------------------------


@admin.register(Study)
class StudyAdmin(BaseStudyAdmin):
    actions = ["flag_dependent_claims"]

    def save_related(self, request, form, formsets, change):
        """A study just marked retracted flags every claim relying on it (and so retires
        the cached pages); any other change retires them."""
        super().save_related(request, form, formsets, change)
        study = form.instance
        if change and "is_retracted" in form.changed_data and study.is_retracted:
            study_flag_dependent_claims(study=study, reason=retraction_reason(study))
        else:
            site_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)  # only an unlinked study can go: no counts change
        site_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        site_changed()

    @admin.action(
        description="Mark every claim relying on these studies as needing re-review",
        permissions=["adjudicate"],
    )
    def flag_dependent_claims(self, request, queryset):
        total = sum(
            study_flag_dependent_claims(
                study=study, reason=f"An editor ({request.user}) asked to re-check {study}."
            )
            for study in queryset
        )
        self.message_user(request, f"{total} claim(s) marked as needing re-review.")

    def has_adjudicate_permission(self, request):
        return can_adjudicate(request.user)


# Evidence links ---------------------------------------------------------------------------


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "study", "stance", "directness", "cited_by"]
    list_filter = ["stance", "directness", "study__design"]
    list_select_related = ["claim", "study", "cited_by"]
    search_fields = ["claim__statement", "study__title", "study__authors", "note"]
    autocomplete_fields = ["claim", "study", "cited_by"]
    readonly_fields = ["created_at", "updated_at"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        derived_refresh(study_ids=touched([form], "study"))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        derived_refresh(study_ids=[obj.study_id])

    def delete_queryset(self, request, queryset):
        studies = column(queryset, "study")
        super().delete_queryset(request, queryset)
        derived_refresh(study_ids=studies)


# Excerpts and candidates ------------------------------------------------------------------


@admin.register(Excerpt)
class ExcerptAdmin(BaseExcerptAdmin):
    list_filter = ["anchor_state", *BaseExcerptAdmin.list_filter]
    actions = ["accept_new_wording"]

    @admin.action(
        description="Accept the new wording of quotes the page changed", permissions=["change"]
    )
    def accept_new_wording(self, request, queryset):
        for excerpt in queryset:
            try:
                carried = excerpt_accept_new_wording(excerpt=excerpt)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request, f"{excerpt} now reads {carried} in “{carried.document}”."
                )

    def save_related(self, request, form, formsets, change):
        """The claims and documents the quote was and is in: their text and counts."""
        super().save_related(request, form, formsets, change)
        claims, documents = touched([form], "claim"), touched([form], "document")
        derived_refresh(claim_ids=claims, document_ids=documents)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        derived_refresh(claim_ids=[obj.claim_id], document_ids=[obj.document_id])

    def delete_queryset(self, request, queryset):
        claims, documents = column(queryset, "claim"), column(queryset, "document")
        super().delete_queryset(request, queryset)
        derived_refresh(claim_ids=claims, document_ids=documents)


@admin.register(Candidate)
class CandidateAdmin(BaseCandidateAdmin):
    def accept(self, **arguments) -> Excerpt:
        return candidate_accept(**arguments)


# Reviews ----------------------------------------------------------------------------------


class ConsensusForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = [
            "verdict", *Review.GRADE_FIELDS, "rationale", "summary", "adjudication",
            "override_reason",
        ]  # fmt: skip
        labels = {"override_reason": "Reason for publishing without two reviewers (override)"}
        help_texts = {
            "override_reason": "Only when the claim's assigned reviewers have not all handed "
            "in their reviews: why it is published now. Shown on the claim page."
        }


class OverrideForm(forms.Form):
    """An editor publishes one review alone, overriding the two-reviewer rule, and says why."""

    review = forms.ModelChoiceField(queryset=Review.objects.none(), widget=forms.RadioSelect)
    override_reason = forms.CharField(
        label="Why it is published without two reviewers agreeing",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Shown on the claim page, beside the review and in its change history.",
    )

    def __init__(self, *args, claim: Claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = claim.reviews.filter(status=Review.Status.SUBMITTED)
        self.fields["review"].label_from_instance = lambda review: (
            f"{review.reviewer or 'Editorial team'}: {review.get_verdict_display()}"
        )


SUBMITTED_SINCE_OPENED = (
    "Not saved: this review was submitted after you opened it, and a submitted review no "
    "longer changes (a correction is a new review). Your text is still in the form below."
)


class ReviewForm(VersionGuardForm):
    """A new review is its writer's from the start, so that the model's rules about who may
    review which claim are checked, and shown as form errors, before it is saved."""

    writer = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.reviewer = self.writer

    def clean(self):
        cleaned = super().clean()  # locks the row: the status read next stays true
        if self.instance.pk and self.stored_status() != Review.Status.DRAFT:
            raise ValidationError(SUBMITTED_SINCE_OPENED, code="submitted")
        return cleaned

    def stored_status(self) -> str | None:
        return Review.objects.filter(pk=self.instance.pk).values_list("status", flat=True).first()

    def changed_elsewhere_message(self) -> str:
        if self.stored_status() != Review.Status.DRAFT:
            return SUBMITTED_SINCE_OPENED
        return super().changed_elsewhere_message()


@admin.register(Review)
class ReviewAdmin(VersionGuardAdminMixin, SimpleHistoryAdmin):
    form = ReviewForm
    list_display = ["claim", "verdict", "certainty", "status", "reviewer", "updated_at"]
    list_filter = ["status", "verdict", "certainty", "claim__category"]
    list_select_related = ["claim", "reviewer"]
    search_fields = ["claim__statement", "rationale", "summary"]
    autocomplete_fields = ["claim"]
    readonly_fields = [
        "certainty", "status", "reviewer", "contributors", "created_at", "updated_at",
        "submitted_at", "published_at", "published_by", "override_reason", "superseded_at",
        "superseded_by",
    ]  # fmt: skip
    actions = ["submit", "publish", "unpublish"]
    change_form_template = "admin/reviews/review/change_form.html"
    fieldsets = [
        (None, {"fields": ["claim", "verdict", "status", "seen_version"]}),
        (
            "GRADE certainty (computed from these judgments when saved)",
            {
                "fields": [
                    "certainty",
                    ("evidence_design", "design_reason"),
                    *((name, f"{name}_reason") for name in Review.DOWNGRADING_DOMAINS),
                    (*Review.UPGRADING_FACTORS, "upgrade_reason"),
                ]
            },
        ),
        ("Write-up", {"fields": ["rationale", "summary", "reviewer_notes", "adjudication"]}),
        (
            "Record",
            {
                "fields": [
                    "reviewer",
                    "contributors",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "published_at",
                    "published_by",
                    "override_reason",
                    "superseded_at",
                    "superseded_by",
                ]
            },
        ),  # fmt: skip
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"writer": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "claim" and not can_adjudicate(request.user):
            kwargs["queryset"] = reviewable_claims(request.user, Claim.objects.all())
            kwargs["error_messages"] = {"invalid_choice": NOT_ASSIGNED}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _require_visible(self, request, object_id) -> None:
        """History pages fall back to past versions of missing objects; blinding must not."""
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404("No such review.")

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        if obj.reviewer_id != request.user.pk:
            return False
        # A draft's page may post after the review was submitted from another tab: the
        # form refuses the save (ReviewForm.clean) and shows the writer their text again.
        return obj.is_editable or request.method == "POST"

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.is_editable)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.reviewer = request.user
        super().save_model(request, obj, form, change)

    def _each(self, request, queryset, label: str, move) -> None:
        for review in queryset.select_related("claim"):
            try:
                move(review)
            except (ValidationError, PermissionDenied) as error:
                reason = error.messages[0] if hasattr(error, "messages") else str(error)
                self.message_user(request, f"{review.claim}: {reason}", messages.ERROR)
            else:
                self.message_user(request, f"{label}: {review.claim}", messages.SUCCESS)

    @admin.action(description="Submit selected reviews (yours, drafts)", permissions=["change"])
    def submit(self, request, queryset):
        def move(review):
            if review.reviewer_id != request.user.pk:
                raise PermissionDenied("only its author can submit a review.")
            review_submit(review=review, by=request.user)

        self._each(request, queryset, "Submitted", move)

    @admin.action(description="Publish selected reviews", permissions=["publish"])
    def publish(self, request, queryset):
        self._each(
            request, queryset, "Published", lambda r: review_publish(review=r, by=request.user)
        )

    @admin.action(description="Unpublish (withdraw) selected reviews", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._each(
            request, queryset, "Withdrawn", lambda r: review_unpublish(review=r, by=request.user)
        )

    def has_publish_permission(self, request):
        return request.user.has_perm("reviews.publish_review")

    # The review form as a workspace: its buttons, and the claim beside it ---------------

    def moves_allowed(self, request, review: Review | None) -> list[str]:
        """The buttons this person has on this review's page: submit (its author, a draft),
        publish (an editor, a submitted review), withdraw (an editor, a published one)."""
        if review is None or review.pk is None:
            return []
        status, publisher = review.status, self.has_publish_permission(request)
        return [
            move
            for move, allowed in [
                ("submit", status == Review.Status.DRAFT and review.reviewer_id == request.user.pk),
                ("publish", status == Review.Status.SUBMITTED and publisher),
                ("withdraw", status == Review.Status.PUBLISHED and publisher),
            ]
            if allowed
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        claim = obj.claim if obj is not None else self._claim_asked_for(request)
        moves = self.moves_allowed(request, obj)
        context.update(
            moves=moves,
            publication_refusal=(
                publication_refusal(obj, by=request.user) if "publish" in moves else ""
            ),
            workspace=review_workspace(claim),
            grade=self._grade_from(context["adminform"].form, obj),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _claim_asked_for(self, request) -> Claim | None:
        key = request.GET.get("claim") or request.POST.get("claim")
        return Claim.objects.filter(pk=key).first() if str(key).isdigit() else None

    @staticmethod
    def _grade_from(form, obj) -> Review:
        """An unsaved review carrying the GRADE judgments the form shows now (what was
        typed, on a form sent back), for the GRADE path beside it."""
        review = Review()
        source = form.data if form.is_bound else None
        for name in Review.GRADE_FIELDS:
            if source is not None and name in Review.UPGRADING_FACTORS:
                value = bool(source.get(name))
            elif source is not None:
                value = source.get(name, "")
            else:
                value = getattr(obj, name) if obj is not None else form.initial.get(name, "")
            setattr(review, name, value if value is not None else "")
        return review

    def grade_path_view(self, request):
        """The GRADE path of the judgments in the query, as the HTML the review form shows
        beside its fields: the form's script asks for it as the judgments change."""
        review = Review()
        for name in Review.GRADE_FIELDS:
            value = request.GET.get(name, "")
            setattr(review, name, value == "on" if name in Review.UPGRADING_FACTORS else value)
        valid = {f.name: dict(f.choices) for f in Review._meta.fields if f.choices}
        for name, choices in valid.items():
            if name in Review.GRADE_FIELDS and getattr(review, name) not in ("", *choices):
                return HttpResponseBadRequest(f"Unknown {name}.")
        response = TemplateResponse(
            request, "admin/reviews/review/grade_path.html", {"grade": review}
        )
        patch_cache_control(response, private=True, no_store=True)
        return response

    def response_add(self, request, obj, post_url_continue=None):
        if "_submit" in request.POST:
            return self._move(request, obj, "submit")
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_submit" in request.POST:
            return self._move(request, obj, "submit")
        return super().response_change(request, obj)

    def move_view(self, request, object_id, move):
        """A button of the review's page that moves it on: publish or withdraw (their page
        may be read-only, so they post here), or submit."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        review = get_object_or_404(self.get_queryset(request), pk=object_id)
        return self._move(request, review, move)

    def _move(self, request, review: Review, move: str):
        back = redirect(reverse("admin:reviews_review_change", args=[review.pk]))
        if move not in self.moves_allowed(request, review):
            raise PermissionDenied
        services = {
            "submit": lambda: review_submit(review=review, by=request.user),
            "publish": lambda: review_publish(review=review, by=request.user),
            "withdraw": lambda: review_unpublish(review=review, by=request.user),
        }
        try:
            services[move]()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            done = {"submit": "Submitted", "publish": "Published", "withdraw": "Withdrawn"}
            self.message_user(request, f"{done[move]}: {review.claim}", messages.SUCCESS)
        return back

    # Adjudication and agreement pages ----------------------------------------------------

    def get_urls(self):
        extra = [
            path(
                "agreement/",
                self.admin_site.admin_view(self.agreement_view),
                name="reviews_review_agreement",
            ),
            path(
                "adjudicate/<int:claim_id>/",
                self.admin_site.admin_view(self.adjudicate_view),
                name="reviews_review_adjudicate",
            ),
            path(
                "grade-path/",
                self.admin_site.admin_view(self.grade_path_view),
                name="reviews_review_grade_path",
            ),
            path(
                "<path:object_id>/move/<str:move>/",
                self.admin_site.admin_view(self.move_view),
                name="reviews_review_move",
            ),
        ]
        return extra + super().get_urls()

    def agreement_view(self, request):
        if not can_adjudicate(request.user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Agreement between reviewers",
            "rows": agreement_table(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/reviews/agreement.html", context)

    def adjudicate_view(self, request, claim_id):
        if not (can_adjudicate(request.user) and request.user.has_perm("reviews.publish_review")):
            raise PermissionDenied
        claim = get_object_or_404(Claim, pk=claim_id)
        reviews = list(
            claim.reviews.done()
            .select_related("reviewer")
            .prefetch_related("contributors")
            .order_by("status", "-submitted_at")
        )
        posted = request.POST if request.method == "POST" else None
        form = ConsensusForm(posted if "consensus" in request.POST else None)
        override = OverrideForm(posted if "override" in request.POST else None, claim=claim)
        if request.method == "POST":
            if "publish" in request.POST:
                chosen = get_object_or_404(Review, pk=request.POST["publish"], claim=claim)
                try:
                    review_publish(review=chosen, by=request.user, adjudicating=True)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                else:
                    self.message_user(request, f"Published {chosen.reviewer}'s review.")
                    return redirect(reverse("admin:claims_claim_change", args=[claim.pk]))
            elif "override" in request.POST:
                if override.is_valid():
                    try:
                        review_publish(
                            review=override.cleaned_data["review"],
                            by=request.user,
                            override_reason=override.cleaned_data["override_reason"],
                        )
                    except ValidationError as error:
                        override.add_error(None, error)
                    else:
                        self.message_user(request, "Published the review alone (override).")
                        return redirect(reverse("admin:claims_claim_change", args=[claim.pk]))
            elif form.is_valid():
                contributors = [
                    r.reviewer for r in reviews if r.reviewer and not r.contributors.all()
                ]
                try:
                    review_publish_consensus(
                        claim=claim,
                        by=request.user,
                        values=form.cleaned_data,
                        contributors=contributors,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(request, "Published the consensus review.")
                    return redirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Adjudicate: {claim}",
            "claim": claim,
            "reviews": reviews,
            "state": STATE_LABELS.get(
                claim_states([claim.pk]).get(claim.pk), "Not double-reviewed"
            ),
            "form": form,
            "override": override,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/reviews/adjudicate.html", context)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["claim", "reviewer", "assigned_by", "assigned_at", "adjudicate_link"]
    list_select_related = ["claim", "reviewer", "assigned_by"]
    list_filter = ["reviewer"]
    autocomplete_fields = ["claim"]
    readonly_fields = ["assigned_by", "assigned_at"]

    def get_queryset(self, request):
        assignments = super().get_queryset(request)
        if can_adjudicate(request.user):
            return assignments
        return assignments.filter(reviewer=request.user)

    def save_model(self, request, obj, form, change):
        obj.assigned_by = obj.assigned_by or request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="")
    def adjudicate_link(self, assignment):
        url = reverse("admin:reviews_review_adjudicate", args=[assignment.claim_id])
        return format_html('<a href="{}">Adjudicate</a>', url)


# Users: editors manage roles, nothing more -------------------------------------------------

# contrib.auth registers its own UserAdmin; replacing it is Django's documented way to
# extend it ("Extending the existing User model": unregister, then register a subclass).
# There is no other hook for a site-wide change of contrib.auth's user pages.
admin.site.unregister(User)


@admin.register(User)
class EditorialUserAdmin(UserAdmin):
    """Superusers get Django's full user admin; editors may only set a non-superuser's
    name, e-mail, active and staff flags, and editorial role. Only a superuser sets
    another person's password."""

    ROLE_FIELDS = [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "groups",
    ]

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return [(None, {"fields": self.ROLE_FIELDS})]

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["username"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        """Anyone else changes only their own password, on the admin's own page, which asks
        for the current one first."""
        if request.user.is_superuser:
            return super().user_change_password(request, id, form_url)
        if unquote(id) == str(request.user.pk):
            return redirect(f"{self.admin_site.name}:password_change")
        raise PermissionDenied

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            from django.contrib.auth.models import Group

            kwargs["queryset"] = Group.objects.filter(name__in=ROLES)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
