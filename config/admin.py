from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.timezone import localtime

from config.generation import site_changed


class VersionGuardForm(forms.ModelForm):
    """Refuses a save when someone else saved the object after this form was opened.

    The model carries a `version` that each admin save increments; the form carries the
    version it was opened at. The refused form keeps everything the user typed."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("seen_version") != self.stored_version():
            raise ValidationError(self.changed_elsewhere_message(), code="stale")
        return cleaned

    def stored_version(self) -> int | None:
        """The saved version, read under a lock on the row that lasts until the enclosing
        transaction ends. The admin validates and saves a POST in one transaction, so a
        concurrent save of the same object waits here until this one is committed, then
        sees the version it wrote. (SQLite has no row locks; there each transaction takes
        the database's write lock when it begins: see the SQLite options in settings.)"""
        rows = type(self.instance).objects.select_for_update().filter(pk=self.instance.pk)
        # A lock needs a transaction; inside the admin's this is a savepoint, and the lock
        # outlives it.
        with transaction.atomic():
            return rows.values_list("version", flat=True).first()

    def changed_elsewhere_message(self) -> str:
        latest = self.instance.history.select_related("history_user").first()
        who = "someone else"
        if latest is not None:
            when = localtime(latest.history_date)
            who = f"{latest.history_user or 'someone else'} at {when:%H:%M:%S on %d %b %Y}"
        return (
            f"Not saved: this {self.instance._meta.verbose_name} was changed by {who} after "
            "you opened it. Your edits are still in the form below; open the page again in "
            "another tab to see the other changes, then re-apply yours."
        )


class VersionGuardAdminMixin:
    form = VersionGuardForm

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = (form.cleaned_data.get("seen_version") or obj.version) + 1
        super().save_model(request, obj, form, change)


class PublicPagesAdminMixin:
    """For rows the public pages show and nothing else stores: a save (with its inlines and
    many-to-many fields) or a deletion in the admin retires the cached pages."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        site_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        site_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        site_changed()
