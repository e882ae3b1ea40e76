from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from config.admin import PublicPagesAdminMixin
from config.generation import site_changed
from sources.citations import MAX_CITATION_BYTES, CitationError, citations_import
from sources.models import Document

# Django 6.0 makes https the default scheme for typed-in URLs; adopt it now.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Document)
class DocumentAdmin(PublicPagesAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "title", "publisher", "kind", "status", "excerpt_count", "retrieved_on", "updated_at",
    ]  # fmt: skip
    list_filter = ["status", "kind", "publisher"]
    search_fields = ["title", "publisher", "url", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["candidates", "newer_version", "sha256", "created_at", "updated_at"]
    autocomplete_fields = ["supersedes"]
    date_hierarchy = "created_at"
    formfield_overrides = HTTPS_URLS
    actions = ["take_into_the_collection"]

    def get_queryset(self, request):
        # Explicitly ordered: the autocomplete view paginates this queryset.
        return super().get_queryset(request).order_by("title", "pk")

    @admin.action(description="Take the selected pages into the collection (make them public)",
                  permissions=["change"])  # fmt: skip
    def take_into_the_collection(self, request, queryset):
        """Pages readers sent from the page check become public; a simple update of one
        field, so the cached pages are retired here."""
        taken = queryset.filter(status=Document.Status.PROPOSED).update(
            status=Document.Status.PUBLISHED
        )
        if taken:
            site_changed()
        self.message_user(request, f"{taken} page(s) taken into the collection.", messages.SUCCESS)

    @admin.display(description="Candidate claims")
    def candidates(self, document):
        if document.pk is None:
            return "—"
        url = reverse("admin:claims_candidate_review", args=[document.pk])
        return format_html('<a href="{}">Review the sentences proposed as claims</a>', url)

    @admin.display(description="Newer version")
    def newer_version(self, document):
        newer = document.newer_version if document.pk else None
        if newer is None:
            return "—"
        url = reverse("admin:sources_document_change", args=[newer.pk])
        return format_html('<a href="{}">{}</a>', url, newer)


class StudyAdmin(SimpleHistoryAdmin):
    """The study pages; registered by reviews/admin.py, whose subclass flags the claims
    relying on a study when it is retracted."""

    list_display = ["__str__", "design", "year", "sample_size", "doi", "pmid", "is_retracted"]
    list_filter = ["design", "is_retracted", "year"]
    search_fields = ["title", "authors", "journal", "doi", "pmid", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = HTTPS_URLS
    change_list_template = "admin/sources/study/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: import_citations_view(self, request))
        return [path("import/", view, name="sources_study_import"), *super().get_urls()]

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


class CitationUploadForm(forms.Form):
    file = forms.FileField(
        help_text=f"RIS, BibTeX, PubMed/MEDLINE (.nbib) or CSL-JSON, up to "
        f"{MAX_CITATION_BYTES:,} bytes. Imported whole or not at all."
    )


def import_citations_view(model_admin, request):
    if not request.user.has_perm("sources.add_study"):
        raise PermissionDenied
    form = CitationUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_CITATION_BYTES:
                raise CitationError(f"The file is larger than {MAX_CITATION_BYTES:,} bytes.")
            report = citations_import(data=upload.read(), name=upload.name)
        except CitationError as error:
            form.add_error("file", f"Nothing was imported. {error}")
        else:
            model_admin.message_user(request, f"Imported: {report.summary()}.", messages.SUCCESS)
            return redirect("admin:sources_study_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import citations",
        "form": form,
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/sources/study/import.html", context)
