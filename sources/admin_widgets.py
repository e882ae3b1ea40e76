"""Autocomplete inlines whose rows render without one query each.

Django's autocomplete widget looks up the label of its selected value with a query per
widget, so an inline of N rows costs N queries. The inline below hands each row's
already-loaded related object to its widget instead.
"""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.forms.models import BaseInlineFormSet


class PreloadedAutocompleteSelect(AutocompleteSelect):
    preloaded: dict = {}

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not selected or not all(pk in self.preloaded for pk in selected):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for index, pk in enumerate(selected, start=len(options)):
            label = self.choices.field.label_from_instance(self.preloaded[pk])
            options.append(self.create_option(name, pk, label, True, index))
        return [(None, options, 0)]


class PreloadedAutocompleteFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form in self.forms:
            if form.instance.pk is None:
                continue
            for name, field in form.fields.items():
                widget = getattr(field.widget, "widget", field.widget)
                if isinstance(widget, PreloadedAutocompleteSelect):
                    related = getattr(form.instance, name)
                    widget.preloaded = {str(related.pk): related} if related else {}


class PreloadedAutocompleteMixin:
    """For an inline whose autocomplete fields reuse the rows' select_related objects."""

    formset = PreloadedAutocompleteFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PreloadedAutocompleteInline(PreloadedAutocompleteMixin, admin.TabularInline):
    """A tabular inline whose autocomplete fields reuse the rows' select_related objects."""


class PreloadedAutocompleteStackedInline(PreloadedAutocompleteMixin, admin.StackedInline):
    """The same, one row above another: for rows with more fields than a window is wide."""
