from django import forms
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ValidationError
from django.utils.timezone import localtime


class EditorialAdminSite(admin.AdminSite):
    site_header = "Ketamine claims: editorial"
    site_title = "Ketamine claims editorial"
    index_title = "Evidence review"

    def has_permission(self, request):
        from reviews.roles import is_editorial

        return is_editorial(request.user)


class EditorialAdminConfig(AdminConfig):
    default_site = "config.admin.EditorialAdminSite"


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
        if self.instance.pk:
            model = type(self.instance)
            stored = model.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            if cleaned.get("seen_version") != stored.first():
                raise ValidationError(self.changed_elsewhere_message(), code="stale")
        return cleaned

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
