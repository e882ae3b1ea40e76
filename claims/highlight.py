"""Render a document body with its excerpts highlighted in place.

Excerpts may overlap or nest. The body is cut at every excerpt boundary into segments;
each covered segment becomes one link, to the claim of the shortest excerpt covering it.
An excerpt that no segment links to (it is wholly covered by shorter ones) gets an empty
end marker link, named for assistive technology, so every excerpt is reachable while the
page's text stays exactly the document's text. Every piece of text is escaped.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class Span(Protocol):
    pk: int
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    covering: tuple  # the spans covering this segment, shortest first


@dataclass(frozen=True)
class Mark:
    """How one span is shown: where its highlight links, its CSS class and its title."""

    href: str
    css_class: str
    title: str


def segments(length: int, spans: Sequence[Span]) -> list[Segment]:
    """Cut [0, length) at every span boundary; each piece knows which spans cover it."""
    cuts = sorted({0, length, *(s.start for s in spans), *(s.end for s in spans)})
    by_start = sorted(spans, key=lambda s: s.start)
    active: list[Span] = []
    result, next_span = [], 0
    for start, end in zip(cuts, cuts[1:], strict=False):
        while next_span < len(by_start) and by_start[next_span].start <= start:
            active.append(by_start[next_span])
            next_span += 1
        active = [s for s in active if s.end > start]
        covering = tuple(sorted(active, key=lambda s: (s.end - s.start, s.start, s.pk)))
        result.append(Segment(start, end, covering))
    return result


def render_highlighted(
    body: str, spans: Sequence[Span], mark: Callable[[Span], Mark]
) -> SafeString:
    pieces = segments(len(body), spans)
    linked = {segment.covering[0].pk for segment in pieces if segment.covering}
    marks = {span.pk: mark(span) for span in spans}
    starts: dict[int, list[Span]] = {}
    ends: dict[int, list[Span]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span)
        ends.setdefault(span.end, []).append(span)
    html = []
    for segment in pieces:
        for span in starts.get(segment.start, []):
            html.append(format_html('<span class="anchor" id="excerpt-{}"></span>', span.pk))
        text = body[segment.start : segment.end]
        if segment.covering:
            chosen = marks[segment.covering[0].pk]
            html.append(
                format_html(
                    '<a class="hl {}" href="{}" title="{}" data-excerpts="{}">{}</a>',
                    chosen.css_class,
                    chosen.href,
                    chosen.title,
                    " ".join(str(s.pk) for s in segment.covering),
                    text,
                )
            )
        else:
            html.append(format_html("{}", text))
        for span in ends.get(segment.end, []):
            if span.pk not in linked:
                shown = marks[span.pk]
                html.append(
                    format_html(
                        '<a class="hl-end {}" href="{}" aria-label="{}" title="{}"></a>',
                        shown.css_class,
                        shown.href,
                        shown.title,
                        shown.title,
                    )
                )
    return mark_safe("".join(html))  # noqa: S308 - every piece above went through format_html
