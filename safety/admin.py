from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from config.admin import PublicPagesAdminMixin, VersionGuardAdminMixin
from safety.models import Intervention, SafetyFact


@admin.register(Intervention)
class InterventionAdmin(VersionGuardAdminMixin, PublicPagesAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "drug", "route", "updated_at"]
    list_filter = ["drug", "route"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["claims"]
    fields = ["name", "slug", "drug", "route", "summary", "claims", "seen_version"]

    def get_queryset(self, request):
        # Explicitly ordered: the autocomplete view paginates this queryset.
        return super().get_queryset(request).order_by("name", "pk")


@admin.register(SafetyFact)
class SafetyFactAdmin(VersionGuardAdminMixin, PublicPagesAdminMixin, SimpleHistoryAdmin):
    list_display = ["topic", "statement", "source_count"]
    list_filter = ["topic", "interventions"]
    search_fields = ["statement", "checked"]
    autocomplete_fields = ["interventions", "sources"]
    fields = ["interventions", "topic", "statement", "sources", "checked", "seen_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sources")

    @admin.display(description="Sources")
    def source_count(self, fact):
        return len(fact.sources.all())
