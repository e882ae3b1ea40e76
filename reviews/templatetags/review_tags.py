from django import template

from reviews.models import Certainty, Verdict

register = template.Library()


@register.filter
def as_verdict(value: str) -> Verdict | None:
    """Turn a stored verdict value (e.g. from an annotation) into its Verdict member."""
    return Verdict(value) if value else None


@register.filter
def as_certainty(value: str) -> Certainty | None:
    return Certainty(value) if value else None
