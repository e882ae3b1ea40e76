"""Properties of the highlighter and of the quote rules, for any text and any spans.

Texts mix arbitrary Unicode (control characters, bidi controls, astral characters) with
fragments of markup; spans overlap, nest, repeat, touch or stand apart."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from claims.highlight import Mark, render_highlighted
from claims.models import Excerpt
from sources.models import Document
from tests.factories import make_claim
from tests.fuzzing import Markup, examples

FRAGMENTS = [
    "<", ">", "&", '"', "'", "&amp;", "&lt;", "&#60;", "&#x3C;", "<script>alert(1)</script>",
    "</a>", '<a href="javascript:alert(1)">', "<img src=x onerror=alert(1)>", "<!--", "-->",
    "<![CDATA[", "]]>", "\x00", "\r\n", "\r", "\n", "\t", "\x0b", "\x85", "\u2028", "\u202e",
    "\u2066", "\u200b", "\ufeff", "e\u0301", "\U0001f600", " ", "ketamine",
]  # fmt: skip
texts = st.one_of(
    st.text(),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=30).map("".join),
)
CSS_CLASSES = ["verdict-false", "verdict-supported", "not-reviewed"]


@dataclass(frozen=True)
class S:
    pk: int
    start: int
    end: int


def draw_marks(draw, spans) -> dict[int, Mark]:
    return {
        span.pk: Mark(
            href=f"/claims/claim-{span.pk}/",
            css_class=draw(st.sampled_from(CSS_CLASSES)),
            title=draw(texts),
        )
        for span in spans
    }


@st.composite
def bodies_with_spans(draw, min_spans=0):
    body = draw(texts.filter(bool))
    bounds = st.integers(0, len(body))
    pairs = draw(
        st.lists(st.tuples(bounds, bounds).filter(lambda p: p[0] != p[1]), min_size=min_spans)
    )
    pairs += draw(st.lists(st.sampled_from(pairs), max_size=2)) if pairs else []  # identical
    spans = [S(pk, min(pair), max(pair)) for pk, pair in enumerate(pairs, 1)]
    marks = draw_marks(draw, spans)
    return body, spans, marks


def covering(spans, start, end):
    """The spans covering [start, end), shortest first, as the highlighter orders them."""
    found = [s for s in spans if s.start <= start and end <= s.end]
    return [s.pk for s in sorted(found, key=lambda s: (s.end - s.start, s.start, s.pk))]


@settings(max_examples=examples(200))
@given(bodies_with_spans())
def test_the_page_text_is_the_document_text_and_nothing_in_it_becomes_markup(case):
    body, spans, marks = case
    page = Markup.parse(render_highlighted(body, spans, lambda s: marks[s.pk]))
    assert page.text == body
    assert page.others == [] and page.unclosed == []
    for element in page.elements:
        assert element.tag in ("a", "span"), element
        if element.tag == "span":
            assert element.attrs.keys() == {"class", "id"} and element.attrs["class"] == "anchor"
        elif element.attrs["class"].startswith("hl "):
            assert element.attrs.keys() == {"class", "href", "title", "data-excerpts"}
        else:
            assert element.attrs["class"].startswith("hl-end ")
            assert element.attrs.keys() == {"class", "href", "aria-label", "title"}
    links = page.named("a")
    assert all(a.end <= b.start for a, b in zip(links, links[1:], strict=False))  # not nested


@settings(max_examples=examples(200))
@given(bodies_with_spans(min_spans=1))
def test_every_excerpt_is_anchored_at_its_start_and_linked_to_its_claim(case):
    body, spans, marks = case
    page = Markup.parse(render_highlighted(body, spans, lambda s: marks[s.pk]))
    anchors = {e.attrs["id"]: e.start for e in page.named("span")}
    assert anchors == {f"excerpt-{s.pk}": s.start for s in spans}
    highlights = [a for a in page.named("a") if a.attrs["class"].startswith("hl ")]
    end_markers = [a for a in page.named("a") if a.attrs["class"].startswith("hl-end ")]
    for span in spans:
        mark = marks[span.pk]
        in_highlight = any(
            str(span.pk) in a.attrs["data-excerpts"].split() and a.attrs["href"] == mark.href
            for a in highlights
        )
        at_end = [a for a in end_markers if a.attrs["href"] == mark.href]
        assert in_highlight or at_end, span
        for marker in at_end:
            assert marker.start == marker.end == span.end
            assert marker.attrs["title"] == marker.attrs["aria-label"] == mark.title
            assert marker.attrs["class"] == f"hl-end {mark.css_class}"
    assert len(end_markers) == len({m.attrs["href"] for m in end_markers})


@settings(max_examples=examples(200))
@given(bodies_with_spans())
def test_each_highlight_links_the_shortest_excerpt_covering_it_and_lists_all_of_them(case):
    body, spans, marks = case
    page = Markup.parse(render_highlighted(body, spans, lambda s: marks[s.pk]))
    highlighted = [False] * len(body)
    for link in (a for a in page.named("a") if a.attrs["class"].startswith("hl ")):
        assert link.start < link.end
        pks = covering(spans, link.start, link.end)
        assert link.attrs["data-excerpts"] == " ".join(map(str, pks))
        first = marks[pks[0]]
        assert link.attrs["href"] == first.href and link.attrs["title"] == first.title
        assert link.attrs["class"] == f"hl {first.css_class}"
        highlighted[link.start : link.end] = [True] * (link.end - link.start)
    covered = [any(s.start <= i < s.end for s in spans) for i in range(len(body))]
    assert highlighted == covered


def stored_document(body: str) -> Document:
    """An unsaved document that excerpts can point at without touching the database."""
    return Document(pk=1, title="A page", slug="a-page", body=body)


@st.composite
def bodies_with_a_span(draw, texts=texts):
    body = draw(texts.filter(bool))
    start = draw(st.integers(0, len(body) - 1))
    return body, start, draw(st.integers(start + 1, len(body)))


@settings(max_examples=examples(200))
@given(bodies_with_a_span(), texts)
def test_a_quote_is_accepted_exactly_when_it_is_the_text_at_its_offsets(case, other):
    body, start, end = case
    document = stored_document(body)
    Excerpt(document=document, quote=body[start:end], start=start, end=end).clean()
    assume(other != body[start:end])
    with pytest.raises(ValidationError) as raised:
        Excerpt(document=document, quote=other, start=start, end=end).clean()
    message = raised.value.message_dict["quote"][0]
    assert f"at {start}–{end}, which reads “{body[start:end]}”" in message
    if other and other in body:
        assert f"occurs at {body.find(other)}–" in message


@settings(max_examples=examples(200))
@given(bodies_with_a_span())
def test_locate_finds_the_nth_occurrence_of_a_quote(case):
    body, start, end = case
    quote = body[start:end]
    occurrences = [i for i in range(len(body)) if body.startswith(quote, i)]
    nth = occurrences.index(start) + 1
    excerpt = Excerpt.locate(document=stored_document(body), quote=quote, occurrence=nth)
    assert (excerpt.start, excerpt.end, excerpt.quote) == (start, end, quote)
    excerpt.clean()
    with pytest.raises(ValidationError, match=f"does not occur {len(occurrences) + 1}×"):
        Excerpt.locate(document=excerpt.document, quote=quote, occurrence=len(occurrences) + 1)


# NUL cannot be stored in PostgreSQL text, and ingestion turns it into a space.
storable_texts = texts.map(lambda text: text.replace("\x00", " ")).filter(str.strip)


class RolledBack(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies_with_a_span(storable_texts))
def test_the_database_keeps_the_quote_at_its_offsets_and_refuses_one_of_another_length(case):
    body, start, end = case
    try:
        with transaction.atomic():  # each example starts from the same empty tables
            document = Document.objects.create(title="A page", slug="a-page", body=body)
            claim = make_claim()
            wrong = Excerpt(claim=claim, document=document, quote=body[start:end] + "x")
            wrong.start, wrong.end = start, end
            with pytest.raises(IntegrityError, match="span_matches_quote_length"):
                with transaction.atomic():
                    wrong.save()
            excerpt = Excerpt.locate(document=document, quote=body[start:end])
            excerpt.claim = claim
            excerpt.full_clean()
            excerpt.save()
            stored = Excerpt.objects.get(pk=excerpt.pk)
            assert stored.quote == body[stored.start : stored.end]
            assert stored.prefix == body[max(0, stored.start - 48) : stored.start]
            assert stored.suffix == body[stored.end : stored.end + 48]
            raise RolledBack
    except RolledBack:
        pass


@st.composite
def bodies_with_disjoint_spans(draw):
    """Spans that neither overlap nor are empty, as most documents' excerpts are."""
    body = draw(texts.filter(bool))
    cuts = sorted(draw(st.sets(st.integers(0, len(body)), min_size=2, max_size=12)))
    pairs = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    spans = [S(pk, start, end) for pk, (start, end) in enumerate(draw(st.permutations(chosen)), 1)]
    marks = draw_marks(draw, spans)
    return body, spans, marks


@settings(max_examples=examples(200))
@given(bodies_with_disjoint_spans())
def test_disjoint_spans_each_link_exactly_their_own_text(case):
    body, spans, marks = case
    page = Markup.parse(render_highlighted(body, spans, lambda s: marks[s.pk]))
    assert page.text == body and page.others == [] and page.unclosed == []
    links = {a.attrs["data-excerpts"]: page.text_of(a) for a in page.named("a")}
    assert links == {str(s.pk): body[s.start : s.end] for s in spans}
