import json

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from reviews.models import Certainty, Review, Verdict

register = template.Library()

# The characters that could end a <script> element or open markup inside it.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def as_verdict(value: str) -> Verdict | None:
    """Turn a stored verdict value (e.g. from an annotation) into its Verdict member."""
    return Verdict(value) if value else None


@register.filter
def as_certainty(value: str) -> Certainty | None:
    return Certainty(value) if value else None


@register.filter
def grade_domains(review: Review) -> list[tuple[str, str]]:
    """(domain, judgment) for each of the five GRADE domains."""
    return [
        (review._meta.get_field(name).verbose_name, review.get_concern_display(name))
        for name in Review.DOWNGRADING_DOMAINS
    ]


@register.filter
def json_ld(data: dict) -> SafeString:
    """A JSON-LD script element; the JSON is escaped so no text in it can close the tag."""
    encoded = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))


@register.simple_tag
def badges(verdict: str, certainty: str = "") -> SafeString:
    """A claim's verdict and certainty badges. Written in Python, not as an included
    template: lists show one per row, and an include per row cost more than the rows."""
    shown = as_verdict(verdict)
    if shown:
        html = format_html(
            '<span class="badge {}"><span class="visually-hidden">Verdict: </span>{}</span>',
            shown.css_class,
            shown.label,
        )
    else:
        html = mark_safe('<span class="badge not-reviewed">Not yet reviewed</span>')
    level = as_certainty(certainty)
    if level:
        html += format_html(
            ' <span class="badge {}"><span class="visually-hidden">Certainty: </span>'
            "{} certainty</span>",
            level.css_class,
            level.label,
        )
    return html


@register.simple_tag
def facet_control(field) -> SafeString:
    """A facet's search box or menu, rendered directly: on the claim list, Django's
    form-widget templates cost more than the rest of the page together."""
    widget, value = field.field.widget, field.value()
    attrs = {**widget.attrs, "id": field.id_for_label, "name": field.html_name}
    if field.errors:
        attrs |= {"aria-invalid": "true", "aria-describedby": f"{field.id_for_label}-error"}
    if isinstance(widget, forms.Select):
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (choice, " selected" if str(choice) == chosen else "", label)
                for choice, label in field.field.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)
    attrs = {"type": widget.input_type, **attrs, "value": value or None}
    return format_html("<input{}>", flatatt(attrs))
