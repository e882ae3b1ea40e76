import re
from dataclasses import dataclass
from html import unescape

from claims.highlight import Mark, render_highlighted, segments


@dataclass(frozen=True)
class S:
    pk: int
    start: int
    end: int


def mark(span):
    return Mark(href=f"/claims/c{span.pk}/", css_class="verdict-false", title=f"Claim {span.pk}")


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def links_of(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_segments_cut_at_every_boundary_and_know_their_spans():
    outer, inner = S(1, 0, 10), S(2, 3, 5)
    pieces = segments(12, [outer, inner])
    assert [(p.start, p.end) for p in pieces] == [(0, 3), (3, 5), (5, 10), (10, 12)]
    assert [tuple(s.pk for s in p.covering) for p in pieces] == [(1,), (2, 1), (1,), ()]


def test_plain_text_without_excerpts_is_escaped_and_unchanged():
    body = "5 < 6 & <b>bold</b>\nnext line"
    html = render_highlighted(body, [], mark)
    assert "<b>" not in html
    assert text_of(html) == body


def test_nested_and_overlapping_excerpts_keep_the_text_and_link_every_claim():
    body = "Ketamine works within hours, for most people, in most trials."
    a = S(1, 0, 27)  # Ketamine works within hours
    b = S(2, 15, 27)  # within hours
    c = S(3, 20, 44)  # hours, for most people (overlaps a and b)
    html = render_highlighted(body, [a, b, c], mark)
    assert text_of(html) == body
    assert links_of(html) == {"/claims/c1/", "/claims/c2/", "/claims/c3/"}
    for span in (a, b, c):
        assert f'id="excerpt-{span.pk}"' in html


def test_an_excerpt_covered_by_shorter_ones_gets_an_end_marker_link():
    body = "0123456789"
    whole, left, right = S(1, 0, 10), S(2, 0, 5), S(3, 5, 10)
    html = render_highlighted(body, [whole, left, right], mark)
    assert text_of(html) == body
    assert 'class="hl-end verdict-false" href="/claims/c1/" aria-label="Claim 1"' in html
    assert html.count("hl-end") == 1


def test_markup_inside_the_document_stays_inert():
    body = 'Try <script>alert(1)</script> and <a href="javascript:x">this</a> now'
    span = S(1, body.index("<script>"), body.index("</script>") + 9)
    html = render_highlighted(body, [span], mark)
    assert "<script>" not in html
    assert "javascript:x" not in links_of(html)
    assert text_of(html) == body


def test_a_title_holding_the_separator_used_for_escaping_is_escaped_alone():
    body = "one two"
    marks = {
        1: Mark(href="/claims/a/", css_class="verdict-false", title="a\x1fb <i>"),
        2: Mark(href="/claims/b/", css_class="verdict-false", title='"quoted" & more'),
    }
    html = render_highlighted(body, [S(1, 0, 3), S(2, 4, 7)], lambda s: marks[s.pk])
    assert 'title="a\x1fb &lt;i&gt;"' in html
    assert 'title="&quot;quoted&quot; &amp; more"' in html
    assert text_of(html) == body
