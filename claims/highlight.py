"""Render a document body with its excerpts highlighted in place.

Excerpts may overlap or nest. The body is cut at every excerpt boundary into segments;
each covered segment becomes one link, to the claim of the shortest excerpt covering it.
An excerpt that no segment links to (it is wholly covered by shorter ones) gets an empty
end marker link, named for assistive technology, so every excerpt is reachable while the
page's text stays exactly the document's text. Every piece of text and every attribute
value is escaped (with the standard library's escape, quotes included: the same output as
Django's, without its per-call overhead on pages with thousands of pieces).
"""

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from html import escape
from itertools import accumulate
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
    if not _disjoint(spans, len(body)):
        in_order = sorted(spans, key=_in_body_order)
        if not _disjoint(in_order, len(body)):
            return _render_segments(body, spans, mark)
        spans = in_order
    return _render_disjoint(body, spans, mark)


def _disjoint(spans: Sequence[Span], length: int) -> bool:
    """Whether spans lie within the body in its order, are not empty and do not overlap."""
    if spans and (spans[0].start < 0 or spans[-1].end > length):
        return False
    return all(s.start < s.end for s in spans) and all(
        a.end <= b.start for a, b in zip(spans, spans[1:], strict=False)
    )


def _render_segments(body: str, spans: Sequence[Span], mark: Callable[[Span], Mark]) -> SafeString:
    """Any spans, overlapping or nested: the body cut at every span boundary."""
    pieces = segments(len(body), spans)
    linked = {segment.covering[0].pk for segment in pieces if segment.covering}
    # Each span's link is written once, not once per segment: a long page has thousands
    # of segments, and a claim quoted several times is escaped once.
    shown = [mark(span) for span in spans]
    escaped = _escaped_marks(shown)
    opening: dict[int, str] = {}  # span pk -> its link's opening tag, up to data-excerpts
    closing: dict[int, str] = {}  # span pk -> its end marker, for a span left unlinked
    anchors: dict[int, str] = {}  # start offset -> the anchors of the spans starting there
    ends: dict[int, list[int]] = {}
    for span, link in zip(spans, map(escaped.__getitem__, shown), strict=True):
        pk = int(span.pk)
        opening[pk] = _opening(*link)
        if pk not in linked:
            href, css_class, title = link
            closing[pk] = (
                f'<a class="hl-end {css_class}" href="{href}" '
                f'aria-label="{title}" title="{title}"></a>'
            )
            ends.setdefault(span.end, []).append(pk)
        anchors[span.start] = anchors.get(span.start, "") + _anchor(pk)
    covering_text: dict[int, str] = {}  # id of a covering tuple -> its pks, space-separated
    escaped_body, escaped_offset = _escaped(body)
    html = []
    for start, end, covering in pieces:
        if start in anchors:
            html.append(anchors[start])
        text = escaped_body[escaped_offset(start) : escaped_offset(end)]
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


# The characters escape() replaces, and what each grows into, less the character itself.
_MARKUP_CHARACTERS = "&<>\"'"
_ESCAPE_GROWTH = {char: len(escape(char)) - 1 for char in _MARKUP_CHARACTERS}


def _escaped(body: str) -> tuple[str, Callable[[int], int]]:
    """The body escaped at once, and where an offset into the body falls in it: cheaper
    than escaping each of a long page's thousands of pieces on its own."""
    positions = sorted(
        position for char in _MARKUP_CHARACTERS for position in _positions(body, char)
    )
    if not positions:
        return body, int
    growth = [0, *accumulate(_ESCAPE_GROWTH[body[position]] for position in positions)]
    return escape(body), lambda offset: offset + growth[bisect_left(positions, offset)]


def _positions(text: str, char: str) -> Iterator[int]:
    """Where `char` occurs in `text`: str.find() scans far faster than a regular
    expression, and most characters a page escapes are rare in it."""
    position = text.find(char)
    while position != -1:
        yield position
        position = text.find(char, position + 1)


def _escape(text: str) -> str:
    """escape(), for text that mostly holds nothing to escape: looking costs less than
    replacing."""
    if any(char in text for char in _MARKUP_CHARACTERS):
        return escape(text)
    return text


def _in_body_order(span: Span) -> tuple[int, int]:
    return (span.start, span.end)


def _render_disjoint(body: str, spans: Sequence[Span], mark: Callable[[Span], Mark]) -> SafeString:
    """render_highlighted() for spans in body order that neither overlap nor are empty, as
    most documents' are: the same HTML, written span by span instead of cut by cut."""
    shown = [mark(span) for span in spans]
    openings = {
        link: _opening(href, css_class, title)
        for link, href, css_class, title in zip(*_escaped_fields(shown), strict=True)
    }
    escaped_body, escaped_offset = _escaped(body)
    html = []
    position = 0
    for span, link in zip(spans, shown, strict=True):
        pk = int(span.pk)
        start, end = escaped_offset(span.start), escaped_offset(span.end)
        # The anchor is _anchor(pk) written out: this runs once per excerpt of a long page.
        html.append(
            f'{escaped_body[position:start]}<span class="anchor" id="excerpt-{pk}"></span>'
            f'{openings[link]}{pk}">{escaped_body[start:end]}</a>'
        )
        position = end
    html.append(escaped_body[position:])
    return mark_safe("".join(html))  # noqa: S308 - every piece above is escaped or an int


def _anchor(pk: int) -> str:
    """Where an excerpt starts, for links to #excerpt-<pk>."""
    return f'<span class="anchor" id="excerpt-{pk}"></span>'


def _opening(href: str, css_class: str, title: str) -> str:
    """A highlight's opening tag, up to its data-excerpts value, from a mark's escaped
    fields."""
    return f'<a class="hl {css_class}" href="{href}" title="{title}" data-excerpts="'


def _escaped_marks(marks: Sequence[Mark]) -> dict[Mark, tuple[str, str, str]]:
    """Each distinct mark's href, CSS class and title, escaped for an attribute value."""
    distinct, *fields = _escaped_fields(marks)
    return dict(zip(distinct, zip(*fields, strict=True), strict=True))


def _escaped_fields(marks: Sequence[Mark]) -> tuple[list[Mark], list[str], list[str], list[str]]:
    """The distinct marks, and their hrefs, CSS classes and titles escaped for an
    attribute value: in bulk, as plain lists, since a page has hundreds."""
    distinct = list(dict.fromkeys(marks))
    hrefs = _escaped_each([mark.href for mark in distinct])
    titles = _escaped_each([mark.title for mark in distinct])
    # A page has a handful of classes and hundreds of marks.
    escaped_class = {css_class: escape(css_class) for css_class in {m.css_class for m in distinct}}
    classes = [escaped_class[mark.css_class] for mark in distinct]
    return distinct, hrefs, classes, titles


# A character escape() leaves alone, to escape many texts in one call: a page has hundreds.
_SEPARATOR = "\x1f"


def _escaped_each(texts: list[str]) -> list[str]:
    joined = _SEPARATOR.join(texts)
    escaped = _escape(joined)
    if escaped is joined:
        return texts
    pieces = escaped.split(_SEPARATOR)
    if len(pieces) != len(texts):  # a text holds the separator itself
        return [escape(text) for text in texts]
    return pieces
