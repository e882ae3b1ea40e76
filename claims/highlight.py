"""Render a document body with its excerpts highlighted in place.

Excerpts may overlap or nest. The body is cut at every excerpt boundary into segments;
each covered segment becomes one link, to the claim of the shortest excerpt covering it.
An excerpt that no segment links to (it is wholly covered by shorter ones) gets an empty
end marker link, named for assistive technology, so every excerpt is reachable while the
page's text stays exactly the document's text.

Nothing here is marked safe by hand. The page is one `format_html` call: its format
string is put together, segment by segment, only from this module's markup constants
(ANCHOR, HIGHLIGHT, END_MARKER and a bare "{}"), and every value that fills it (each
piece of the document's text, braces and all, and each excerpt's id) is an argument,
which `format_html` escapes. A mark's href, CSS class and title are escaped beforehand,
once per distinct mark rather than once per segment, and arrive already safe. A long page
has a few thousand values, and each Django escaping call costs mostly its own overhead:
one call for the page rather than one per segment, and each mark escaped once, keep the
document page within a few milliseconds.
"""

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import NamedTuple, Protocol

from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString

ANCHOR = '<span class="anchor" id="excerpt-{}"></span>'
HIGHLIGHT = '<a class="hl {}" href="{}" title="{}" data-excerpts="{}">{}</a>'
END_MARKER = '<a class="hl-end {}" href="{}" aria-label="{}" title="{}"></a>'
# Markup put together only from the constants above, and the values that fill it, which
# format_html escapes.
Piece = tuple[str, tuple]
NOTHING: Piece = ("", ())


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


class Mark(NamedTuple):
    """How one span is shown: where its highlight links, its CSS class and its title (a
    plain tuple: a long page has hundreds)."""

    href: str
    css_class: str
    title: str


def segments(length: int, spans: Sequence[Span]) -> list[Segment]:
    """Cut [0, length) at every span boundary; each piece knows which spans cover it."""
    starting: dict[int, list[Span]] = {}
    for span in spans:
        starting.setdefault(span.start, []).append(span)
    ending = {span.end for span in spans}
    cuts = sorted({0, length, *starting, *ending})
    active: list[Span] = []
    covering: tuple = ()
    result = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        # The covering spans only change at a boundary of one of them.
        if start in starting:
            active.extend(starting[start])
        if start in ending:
            active = [s for s in active if s.end > start]
        if start in starting or start in ending:
            covering = tuple(sorted(active, key=_shortest_first))
        result.append(Segment(start, end, covering))
    return result


def _shortest_first(span: Span) -> tuple[int, int, int]:
    return (span.end - span.start, span.start, span.pk)


def render_highlighted(
    body: str, spans: Sequence[Span], mark: Callable[[Span], Mark]
) -> SafeString:
    """The body as HTML: its text escaped, each excerpt anchored at its start and linked
    to its claim as `mark` shows that span."""
    cut = segments(len(body), spans)
    marks = _escaped_marks(spans, mark)
    linked = {segment.covering[0].pk for segment in cut if segment.covering}
    anchors = _by_offset(ANCHOR, ((span.start, (span.pk,)) for span in spans))
    end_markers = _by_offset(
        END_MARKER,
        ((span.end, _end_marker_values(marks[span.pk])) for span in spans if span.pk not in linked),
    )
    markup: list[str] = []
    values: list = []
    for segment in cut:
        segment_markup, segment_values = _segment_markup(body, segment, marks, anchors, end_markers)
        markup.append(segment_markup)
        values.extend(segment_values)
    if not values:  # an empty body: format_html wants a value to escape
        return conditional_escape(body)
    return format_html("".join(markup), *values)


def _escaped_marks(spans: Sequence[Span], mark: Callable[[Span], Mark]) -> dict[int, Mark]:
    """Each span's mark, keyed by the span's pk, with its fields escaped as text (even a
    SafeString: a mark is text, as a page title is), once per distinct mark or field: a
    claim quoted several times shares one mark, and a page has a handful of CSS classes."""
    escaped: dict[Mark, Mark] = {}
    escaped_field = cache(escape)
    marks = {}
    for span in spans:
        shown = mark(span)
        if shown not in escaped:
            escaped[shown] = Mark(*map(escaped_field, shown))
        marks[span.pk] = escaped[shown]
    return marks


def _end_marker_values(mark: Mark) -> tuple[str, ...]:
    return (mark.css_class, mark.href, mark.title, mark.title)


def _by_offset(markup: str, items: Iterable[tuple[int, tuple]]) -> dict[int, Piece]:
    """For each body offset, `markup` once for each item placed there (in the order given),
    and the values that fill it."""
    placed: dict[int, Piece] = {}
    for offset, values in items:
        markup_before, values_before = placed.get(offset, NOTHING)
        placed[offset] = (markup_before + markup, (*values_before, *values))
    return placed


def _segment_markup(
    body: str,
    segment: Segment,
    marks: dict[int, Mark],
    anchors: dict[int, Piece],
    end_markers: dict[int, Piece],
) -> Piece:
    """One segment's markup and the values that fill it: the anchors of the spans starting
    there, its text (linked if a span covers it), the end markers of the unlinked spans
    ending there."""
    start, end, covering = segment
    anchor_markup, anchor_values = anchors.get(start, NOTHING)
    text_markup, text_values = _text_markup(body[start:end], covering, marks)
    end_markup, end_values = end_markers.get(end, NOTHING)
    return anchor_markup + text_markup + end_markup, (*anchor_values, *text_values, *end_values)


def _text_markup(text: str, covering: tuple, marks: dict[int, Mark]) -> Piece:
    """A segment's text, linked to the shortest span covering it if any, listing them all."""
    if not covering:
        return "{}", (text,)
    first = marks[covering[0].pk]
    excerpts = " ".join([str(span.pk) for span in covering])
    return HIGHLIGHT, (first.css_class, first.href, first.title, excerpts, text)
