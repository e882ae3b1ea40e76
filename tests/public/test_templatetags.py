import datetime
import json
import re

import pytest
from django.http import QueryDict
from django.template import engines
from django.utils import timezone
from django.utils.safestring import SafeString

from public.filters import ClaimFilter
from public.templatetags.public_tags import badges, grade_change, html_datetime, json_ld
from reviews.models import Certainty, Verdict


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load public_tags %}" + source).render(context)


def test_badges_show_the_verdict_and_the_certainty():
    html = badges(Verdict.PARTLY_SUPPORTED, Certainty.VERY_LOW)
    assert html == (
        '<span class="badge verdict-partly-supported">'
        '<span class="visually-hidden">Verdict: </span>Partly supported</span>'
        ' <span class="badge certainty-very-low">'
        '<span class="visually-hidden">Certainty: </span>Very low certainty</span>'
    )


def test_badges_take_the_stored_strings():
    assert badges("supported", "high") == badges(Verdict.SUPPORTED, Certainty.HIGH)


def test_badges_without_certainty_show_only_the_verdict():
    html = badges(Verdict.NOT_CHECKABLE)
    assert html == (
        '<span class="badge verdict-not-checkable">'
        '<span class="visually-hidden">Verdict: </span>Not checkable</span>'
    )
    assert "certainty" not in html.lower()
    assert badges(Verdict.NOT_CHECKABLE, "") == html


def test_badges_for_no_verdict_say_not_yet_reviewed():
    assert badges("") == '<span class="badge not-reviewed">Not yet reviewed</span>'


def test_badges_are_safe_so_the_page_does_not_escape_them_again():
    html = render("{% badges 'false' 'low' %}")
    assert html == str(badges(Verdict.FALSE, Certainty.LOW))
    assert "&lt;" not in html
    assert isinstance(badges(Verdict.FALSE), SafeString)


@pytest.mark.parametrize(("verdict", "certainty"), [("bogus", ""), ("<b>", "low")])
def test_badges_refuse_an_unknown_verdict(verdict, certainty):
    with pytest.raises(ValueError):
        badges(verdict, certainty)


def test_badges_refuse_an_unknown_certainty():
    with pytest.raises(ValueError):
        badges(Verdict.SUPPORTED, "somewhat")


def facet(query: str, name: str) -> str:
    """The claim list's control for one facet, as Django renders it for this request."""
    filterset = ClaimFilter(QueryDict(query))
    filterset.is_valid()
    return str(filterset.form[name])


@pytest.mark.django_db
def test_a_facet_marks_only_the_chosen_option_selected():
    html = facet("verdict=false", "verdict")
    assert html.startswith('<select name="verdict" id="id_verdict">')
    assert '<option value="false" selected>False</option>' in html
    assert '<option value="">Any</option>' in html
    assert html.count(" selected") == 1


@pytest.mark.django_db
def test_a_facet_with_an_error_is_marked_invalid_and_names_its_message():
    html = facet("verdict=nonsense", "verdict")
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_verdict_error"' in html
    assert " selected" not in html
    errors = ClaimFilter(QueryDict("verdict=nonsense")).form["verdict"].errors.as_ul()
    assert 'id="id_verdict_error"' in errors


@pytest.mark.django_db
def test_the_search_box_escapes_its_value():
    html = facet("q=%22%3E%3Cb%3E%26", "q")
    assert 'type="search"' in html and html.count("type=") == 1
    assert 'value="&quot;&gt;&lt;b&gt;&amp;"' in html
    assert "<b>" not in html and "aria-invalid" not in html


@pytest.mark.django_db
def test_a_search_box_with_an_error_keeps_its_value_escaped():
    html = facet("q=" + "%3Cscript%3E" + "+x" * 40, "q")
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_q_error"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_empty_search_box_has_no_value():
    assert "value=" not in facet("q=", "q")


def script_body(html: str) -> str:
    match = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', html, re.S)
    assert match, html
    return match.group(1)


def test_json_ld_is_a_script_element_holding_the_data():
    data = {"@context": "https://schema.org", "@type": "ClaimReview", "name": "Café"}
    html = json_ld(data)
    assert json.loads(script_body(html)) == data
    assert "Café" in html


def test_json_ld_text_cannot_close_the_script_element():
    data = {"claimReviewed": "</script><script>alert(1)</script>", "note": "<!-- & -->"}
    html = json_ld(data)
    assert html.count("</script>") == 1
    assert html.endswith("</script>")
    body = script_body(html)
    assert "<" not in body and ">" not in body and "&" not in body
    assert "\\u003C/script\\u003E" in body
    assert json.loads(body) == data


def test_json_ld_is_not_escaped_again_by_the_page():
    html = render("{{ data|json_ld }}", data={"name": "a < b"})
    assert html == '<script type="application/ld+json">{"name": "a \\u003C b"}</script>'


@pytest.mark.parametrize(
    ("levels", "shown"), [(0, "None"), (-1, "−1 level"), (-2, "−2 levels"), (1, "+1 level")]
)
def test_a_grade_change_is_written_in_levels(levels, shown):
    assert grade_change(levels) == shown


def test_html_datetime_gives_whole_seconds_and_the_offset():
    moment = datetime.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=datetime.UTC)
    assert html_datetime(moment) == "2024-03-05T14:07:09+00:00"


def test_html_datetime_is_in_the_current_time_zone():
    moment = datetime.datetime(2024, 3, 5, 14, 7, 9, 999999, tzinfo=datetime.UTC)
    with timezone.override("America/New_York"):
        assert html_datetime(moment) == "2024-03-05T09:07:09-05:00"


def test_html_datetime_gives_a_date_as_a_date():
    assert html_datetime(datetime.date(2024, 3, 5)) == "2024-03-05"
