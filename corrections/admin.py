from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from config.admin import VersionGuardAdminMixin
from corrections.models import Correction
from corrections.services import correction_settle


@admin.register(Correction)
class CorrectionAdmin(VersionGuardAdminMixin, SimpleHistoryAdmin):
    """The corrections queue: readers' reports, newest first, settled by editors."""

    list_display = ["received_at", "page", "status", "report_start", "handled_by"]
    list_filter = ["status", "content_type"]
    list_select_related = ["handled_by", "content_type"]
    search_fields = ["report", "page_title", "what_changed"]
    readonly_fields = [
        "page", "report", "email", "received_at", "handled_by", "handled_at", "corrected_at",
    ]  # fmt: skip
    fieldsets = [
        ("Reported", {"fields": ["page", "report", "email", "received_at"]}),
        ("Settled", {"fields": ["status", "what_changed", "editor_notes", "seen_version"]}),
        ("Record", {"fields": ["handled_by", "handled_at", "corrected_at"]}),
    ]

    def has_add_permission(self, request):
        return False  # readers report from the public pages

    @admin.display(description="Page")
    def page(self, correction):
        return format_html('<a href="{}">{}</a>', correction.page_path, correction.page_title)

    @admin.display(description="Report")
    def report_start(self, correction):
        return correction.report[:120]

    def save_model(self, request, obj, form, change):
        obj.version = (form.cleaned_data.get("seen_version") or obj.version) + 1
        correction_settle(
            correction=obj,
            by=request.user,
            status=obj.status,
            what_changed=obj.what_changed,
            editor_notes=obj.editor_notes,
        )
