from django.contrib import admin
from django.db import models
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from sources.models import Document, Study

# Django 6.0 makes https the default scheme for typed-in URLs; adopt it now.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "kind", "excerpt_count", "retrieved_on", "updated_at"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "publisher", "url", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["sha256", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    formfield_overrides = HTTPS_URLS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(excerpt_count=Count("excerpts"))

    @admin.display(description="Excerpts", ordering="excerpt_count")
    def excerpt_count(self, document):
        return document.excerpt_count


@admin.register(Study)
class StudyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "design", "year", "sample_size", "doi", "pmid", "is_retracted"]
    list_filter = ["design", "is_retracted", "year"]
    search_fields = ["title", "authors", "journal", "doi", "pmid", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = HTTPS_URLS
    fieldsets = [
        (None, {"fields": ["title", "slug", "authors", "year", "journal", "design"]}),
        ("Identifiers", {"fields": ["doi", "pmid", "url", "verified_from", "unverified"]}),
        (
            "What the study did and found",
            {
                "fields": [
                    "sample_size",
                    "population",
                    "intervention",
                    "comparator",
                    "main_finding",
                ]
            },
        ),
        ("Retraction", {"fields": ["is_retracted", "retraction_note"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]
