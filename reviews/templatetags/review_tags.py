import json

from django import template
from django.utils.html import format_html
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
