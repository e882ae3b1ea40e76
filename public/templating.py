"""What the public templates call to show a review: badges, facet controls, GRADE domains
and the claim page's JSON-LD. Registered in the Jinja2 environment (config/templating.py);
each returns escaped HTML built piece by piece, never text marked safe as a whole."""

import json
from functools import cache, lru_cache

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup, escape

from reviews.models import Certainty, Review, Verdict

# The characters that could end a <script> element or open markup inside it.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def grade_domains(review: Review) -> list[tuple[str, str]]:
    """(domain, judgment) for each of the five GRADE domains."""
    return [
        (review._meta.get_field(name).verbose_name, review.get_concern_display(name))
        for name in Review.DOWNGRADING_DOMAINS
    ]


def json_ld(data: dict) -> SafeString:
    """A JSON-LD script element; the JSON is escaped so no text in it can close the tag."""
    encoded = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))


@cache
def badges(verdict: str, certainty: str = "") -> Markup:
    """A claim's verdict and certainty badges, from the values stored on the claim. A list
    shows one per row and there are few combinations, so each is built once."""
    shown = Verdict(verdict) if verdict else None
    if shown:
        html = Markup(
            '<span class="badge {}"><span class="visually-hidden">Verdict: </span>{}</span>'
        ).format(shown.css_class, shown.label)
    else:
        html = Markup('<span class="badge not-reviewed">Not yet reviewed</span>')
    level = Certainty(certainty) if certainty else None
    if level:
        html += Markup(
            ' <span class="badge {}"><span class="visually-hidden">Certainty: </span>'
            "{} certainty</span>"
        ).format(level.css_class, level.label)
    return html


def facet_control(field: forms.BoundField) -> Markup:
    """A facet's search box or menu, written directly rather than through Django's
    form-widget templates, which cost more than the rest of the claim list together."""
    widget, value = field.field.widget, field.value()
    attrs = {**widget.attrs, "id": field.id_for_label, "name": field.html_name}
    if field.errors:
        attrs |= {"aria-invalid": "true", "aria-describedby": f"{field.id_for_label}-error"}
    if isinstance(widget, forms.Select):
        chosen = "" if value is None else str(value)
        # A fixed list of choices is written once per choice made; choices read from the
        # database (a ModelChoiceField's) are read afresh.
        fixed = isinstance(field.field.choices, list)
        options = (_options if fixed else _options.__wrapped__)(field.field, chosen)
        return Markup(f"<select{_attributes(attrs)}>{options}</select>")
    attrs = {"type": widget.input_type, **attrs, "value": value or None}
    return Markup(f"<input{_attributes(attrs)}>")


@lru_cache(maxsize=256)
def _options(field: forms.ChoiceField, chosen: str) -> str:
    """A menu's options with one chosen: the same few for every request, as the list's
    form fields are (see public.filters.FieldsSharedPerRequest)."""
    return "".join(
        f'<option value="{escape(choice)}"'
        f"{' selected' if str(choice) == chosen else ''}>{escape(label)}</option>"
        for choice, label in field.choices
    )


def _attributes(attrs: dict) -> str:
    """HTML attributes, escaped; True gives a bare attribute, False or None none at all."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not None and value is not False
    )
