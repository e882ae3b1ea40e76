"""Render a document body with its excerpts highlighted in place.

Excerpts may overlap or nest. The body is cut at every excerpt boundary into segments;
each covered segment becomes one link, to the claim of the shortest excerpt covering it.
An excerpt that no segment links to (it is wholly covered by shorter ones) gets an empty
end marker link, named for assistive technology, so every excerpt is reachable while the
page's text stays exactly the document's text. Every piece of text and every attribute
value is escaped (with the standard library's escape, quotes included: the same output as
Django's, without its per-call overhead on pages with thousands of pieces).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import NamedTuple, Protocol

from django.utils.safestring import SafeString, mark_safe


class Span(Protocol):
    pk: int
    start: int
    end: int


class Segment(NamedTuple):
    """A piece of the body between two consecutive span boundaries (a plain tuple: a long
    page has thousands)."""

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
    covering: tuple = ()
    result, next_span = [], 0
    for start, end in zip(cuts, cuts[1:], strict=False):
        changed = False
        while next_span < len(by_start) and by_start[next_span].start <= start:
            active.append(by_start[next_span])
            next_span += 1
            changed = True
        if any(s.end <= start for s in active):
            active = [s for s in active if s.end > start]
            changed = True
        if changed:  # the covering spans only change at a boundary of one of them
            covering = tuple(sorted(active, key=_shortest_first))
        result.append(Segment(start, end, covering))
    return result


def _shortest_first(span: Span) -> tuple[int, int, int]:
    return (span.end - span.start, span.start, span.pk)


def render_highlighted(
    body: str, spans: Sequence[Span], mark: Callable[[Span], Mark]
) -> SafeString:
    pieces = segments(len(body), spans)
    linked = {segment.covering[0].pk for segment in pieces if segment.covering}
    # Each span's link is written once, not once per segment: a long page has thousands
    # of segments, and a claim quoted several times is escaped once.
    escaped: dict[Mark, _EscapedMark] = {}
    opening: dict[int, str] = {}  # span pk -> its link's opening tag, up to data-excerpts
    closing: dict[int, str] = {}  # span pk -> its end marker, for a span left unlinked
    anchors: dict[int, str] = {}  # start offset -> the anchors of the spans starting there
    ends: dict[int, list[int]] = {}
    for span in spans:
        shown = mark(span)
        if shown not in escaped:
            escaped[shown] = _EscapedMark(shown)
        link = escaped[shown]
        pk = int(span.pk)
        opening[pk] = (
            f'<a class="hl {link.css_class}" href="{link.href}" title="{link.title}" '
            'data-excerpts="'
        )
        if pk not in linked:
            closing[pk] = (
                f'<a class="hl-end {link.css_class}" href="{link.href}" '
                f'aria-label="{link.title}" title="{link.title}"></a>'
            )
            ends.setdefault(span.end, []).append(pk)
        anchors[span.start] = (
            anchors.get(span.start, "") + f'<span class="anchor" id="excerpt-{pk}"></span>'
        )
    covering_text: dict[int, str] = {}  # id of a covering tuple -> its pks, space-separated
    html = []
    for start, end, covering in pieces:
        if start in anchors:
            html.append(anchors[start])
        text = escape(body[start:end])
        if covering:
            key = id(covering)
            if key not in covering_text:
                covering_text[key] = " ".join(str(int(s.pk)) for s in covering)
            html.append(f'{opening[int(covering[0].pk)]}{covering_text[key]}">{text}</a>')
        else:
            html.append(text)
        if end in ends:
            html.extend(closing[pk] for pk in ends[end])
    return mark_safe("".join(html))  # noqa: S308 - every piece above is escaped or an int


class _EscapedMark:
    """A Mark with each field escaped for use in an attribute value."""

    __slots__ = ("href", "css_class", "title")

    def __init__(self, mark: Mark):
        self.href, self.css_class, self.title = (
            escape(mark.href),
            escape(mark.css_class),
            escape(mark.title),
        )
