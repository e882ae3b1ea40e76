from django.conf import settings
from django.contrib import admin, messages
from django.utils.html import format_html

from config.admin import PublicPagesAdminMixin
from sources.admin import HTTPS_URLS
from watching.models import Watch
from watching.services import Outcome, watch_check
from watching.tasks import watch_check_task

# What an editor sets; the rest of a watch is written by its checks alone.
EDITABLE = ["url", "interval_hours", "active", "next_check_at"]


@admin.register(Watch)
class WatchAdmin(PublicPagesAdminMixin, admin.ModelAdmin):
    """Pages fetched again from time to time; each new text becomes a newer version. The
    page's public page says it is watched, so a save retires the cached pages."""

    formfield_overrides = HTTPS_URLS
    list_display = [
        "url", "page", "interval_hours", "active", "last_checked_at", "last_changed_at",
        "failures", "next_check_at",
    ]  # fmt: skip
    list_filter = ["active"]
    list_select_related = ["document"]
    search_fields = ["url", "document__title"]
    autocomplete_fields = ["document"]
    readonly_fields = ["last_checked_at", "last_changed_at", "failures", "last_error"]
    fields = ["document", *EDITABLE, *readonly_fields]
    actions = ["check_now"]

    def get_readonly_fields(self, request, obj=None):
        # Once watched, the page follows its own versions: only a check moves it on.
        return [*self.readonly_fields, "document"] if obj else self.readonly_fields

    @admin.display(description="Newest version", ordering="document__title")
    def page(self, watch):
        return format_html(
            '<a href="{}">{}</a>', watch.document.get_absolute_url(), watch.document.title
        )

    def save_model(self, request, obj, form, change):
        if change:
            # A check may have moved the watch on while the form was open: keep what it wrote.
            obj.save(update_fields=EDITABLE)
        else:
            obj.save()

    @admin.action(description="Check the selected pages now", permissions=["change"])
    def check_now(self, request, queryset):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            for watch in queryset:
                watch_check_task.delay(watch.pk)
            self.message_user(
                request,
                f"{len(queryset)} check(s) queued: each watch shows its result once a worker "
                "has made it.",
                messages.SUCCESS,
            )
            return
        for watch in queryset:  # no workers: checked here, at once
            outcome = watch_check(watch=watch)
            level = messages.ERROR if outcome.outcome == Outcome.FAILED else messages.SUCCESS
            self.message_user(request, f"{watch.url}: {outcome.message}", level)
