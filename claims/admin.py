from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from claims.models import Candidate, Claim, Excerpt
from config.admin import VersionGuardAdminMixin
from sources.admin_widgets import PreloadedAutocompleteInline


def quote_in_context(excerpt: Excerpt) -> str:
    """The quote highlighted between its prefix and suffix, every piece escaped."""
    if excerpt.pk is None:
        return "—"
    return format_html(
        '<span class="excerpt-context">…{}<mark>{}</mark>{}…</span>',
        excerpt.prefix,
        excerpt.quote,
        excerpt.suffix,
    )


class ExcerptInline(PreloadedAutocompleteInline):
    model = Excerpt
    fields = ["document", "quote", "start", "end", "in_context"]
    readonly_fields = ["in_context"]
    autocomplete_fields = ["document"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document")

    @admin.display(description="In context")
    def in_context(self, excerpt):
        return quote_in_context(excerpt)


@admin.register(Claim)
class ClaimAdmin(VersionGuardAdminMixin, SimpleHistoryAdmin):
    list_display = ["statement", "category", "figure", "excerpt_count", "updated_at"]
    list_filter = ["category", "unit"]
    search_fields = ["statement", "slug", "excerpts__quote"]
    prepopulated_fields = {"slug": ["statement"]}
    autocomplete_fields = ["contradicts"]
    readonly_fields = ["rereview_requested_at", "created_at", "updated_at"]
    inlines = [ExcerptInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(excerpt_count=Count("excerpts"))

    @admin.display(description="Excerpts", ordering="excerpt_count")
    def excerpt_count(self, claim):
        return claim.excerpt_count


@admin.register(Excerpt)
class ExcerptAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "claim", "document", "start", "end"]
    list_filter = ["document", "claim__category"]
    list_select_related = ["claim", "document"]
    search_fields = ["quote", "claim__statement", "document__title"]
    autocomplete_fields = ["claim", "document"]
    readonly_fields = ["in_context", "prefix", "suffix", "created_at"]
    fields = ["claim", "document", "quote", "start", "end", "in_context", "created_at"]

    @admin.display(description="In context")
    def in_context(self, excerpt):
        return quote_in_context(excerpt)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    """Sentences proposed when a document is ingested, awaiting an editor's decision."""

    list_display = ["__str__", "document", "category", "status", "best_match"]
    list_filter = ["status", "category", "document"]
    list_select_related = ["document"]
    search_fields = ["quote", "document__title"]
    readonly_fields = [
        "document", "start", "end", "quote", "category", "reasons", "matches", "excerpt",
        "decided_at", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    @admin.display(description="Best match")
    def best_match(self, candidate):
        if not candidate.matches:
            return "—"
        best = candidate.matches[0]
        return f"{best['claim']} ({best['score']:.2f})"
