from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from claims.admin import ClaimAdmin as BaseClaimAdmin
from claims.models import Claim
from reviews.models import EvidenceLink, Review
from reviews.services import review_publish
from sources.admin_widgets import PreloadedAutocompleteInline


class EvidenceLinkInline(PreloadedAutocompleteInline):
    model = EvidenceLink
    fields = ["study", "stance", "directness", "cited_by", "note"]
    autocomplete_fields = ["study", "cited_by"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "study", "cited_by")


class ReviewInline(admin.TabularInline):
    model = Review
    fields = ["verdict", "certainty", "status", "reviewer", "updated_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "reviewer")


admin.site.unregister(Claim)


@admin.register(Claim)
class ClaimAdmin(BaseClaimAdmin):
    """The claim page with its evidence and reviews, which live in this app."""

    inlines = [*BaseClaimAdmin.inlines, EvidenceLinkInline, ReviewInline]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ["claim", "study", "stance", "directness", "cited_by"]
    list_filter = ["stance", "directness", "study__design"]
    list_select_related = ["claim", "study", "cited_by"]
    search_fields = ["claim__statement", "study__title", "study__authors", "note"]
    autocomplete_fields = ["claim", "study", "cited_by"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["claim", "verdict", "certainty", "status", "reviewer", "updated_at"]
    list_filter = ["status", "verdict", "certainty", "claim__category"]
    list_select_related = ["claim", "reviewer"]
    search_fields = ["claim__statement", "rationale", "summary"]
    autocomplete_fields = ["claim"]
    readonly_fields = ["status", "reviewer", "published_at", "created_at", "updated_at"]
    actions = ["publish"]
    fieldsets = [
        (None, {"fields": ["claim", "verdict", "certainty", "status"]}),
        (
            "GRADE: reasons to rate down",
            {"fields": list(Review.DOWNGRADING_DOMAINS)},
        ),
        ("GRADE: reasons to rate up", {"fields": list(Review.UPGRADING_FACTORS)}),
        ("Write-up", {"fields": ["rationale", "summary"]}),
        ("Record", {"fields": ["reviewer", "published_at", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if obj.reviewer_id is None:
            obj.reviewer = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected reviews", permissions=["change"])
    def publish(self, request, queryset):
        for review in queryset.select_related("claim"):
            try:
                review_publish(review=review)
            except ValidationError as error:
                self.message_user(request, f"{review.claim}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Published: {review.claim}", messages.SUCCESS)
