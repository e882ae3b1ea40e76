"""How the public pages show a review: verdict and certainty badges, GRADE steps, the
claim page's JSON-LD and HTML datetime attributes. Each builds its HTML with format_html,
escaping every value; none marks text from a document safe."""

import datetime
import json
from functools import cache

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from reviews.models import Certainty, Verdict

register = template.Library()

# The characters that could end a <script> element or open markup inside it.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
@cache
def badges(verdict: str, certainty: str = "") -> SafeString:
    """A claim's verdict and certainty badges, from the values stored on the claim. A list
    shows one a row, and there are few combinations: each is built once."""
    if verdict:
        shown = Verdict(verdict)
        html = format_html(
            '<span class="badge {}"><span class="visually-hidden">Verdict: </span>{}</span>',
            shown.css_class,
            shown.label,
        )
    else:
        html = mark_safe('<span class="badge not-reviewed">Not yet reviewed</span>')
    if certainty:
        level = Certainty(certainty)
        html += format_html(
            ' <span class="badge {}"><span class="visually-hidden">Certainty: </span>'
            "{} certainty</span>",
            level.css_class,
            level.label,
        )
    return html


@register.filter
def json_ld(data: dict) -> SafeString:
    """A JSON-LD script element; the JSON is escaped so no text in it can close the tag."""
    encoded = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))


@register.filter
def measured(links) -> list:
    """The evidence links that record a figure the study measured for the claim."""
    return [link for link in links if link.is_measured]


@register.filter
def grade_change(levels: int) -> str:
    """A GRADE step's change in levels, as the claim page writes it: "−1 level"."""
    if not levels:
        return "None"
    sign = "+" if levels > 0 else "−"
    return f"{sign}{abs(levels)} level{'s' if abs(levels) > 1 else ''}"


@register.filter
def html_datetime(value: datetime.date) -> str:
    """A moment as an HTML `datetime` attribute takes it: ISO 8601 in the current time zone,
    to the whole second, with its offset (isoformat() alone writes six fractional digits,
    and HTML allows at most three)."""
    if isinstance(value, datetime.datetime):
        return template_localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


@register.inclusion_tag("public/includes/sharing.html", takes_context=True)
def sharing(context, title: str, description: str, row) -> dict:
    """Open Graph and Twitter card tags for a page about `row`: what a link to it shows
    when it is shared (its address, title, summary and the site's picture)."""
    request = context["request"]
    return {
        "title": title,
        "description": description,
        "url": request.build_absolute_uri(row.get_absolute_url()),
        "image": request.build_absolute_uri(static("img/share.png")),
    }
