import json
import re

import pytest
from django import forms
from django.template import engines
from markupsafe import Markup

from public.templating import badges, facet_control, grade_domains, json_ld
from reviews.models import Certainty, Review, Verdict
from sources.models import Document
from tests.factories import make_document, make_review

HOSTILE = '<b>&"'


class FacetForm(forms.Form):
    verdict = forms.ChoiceField(
        required=False,
        choices=[("", "Any verdict"), ("false", "False"), ('a"b&c', f"Odd {HOSTILE}")],
    )
    q = forms.CharField(required=False, max_length=20)


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


def test_badges_are_markup_so_the_page_does_not_escape_them_again():
    html = engines["jinja2"].env.from_string("{{ badges('false', 'low') }}").render()
    assert html == str(badges(Verdict.FALSE, Certainty.LOW))
    assert "&lt;" not in html
    assert isinstance(badges(Verdict.FALSE), Markup)


@pytest.mark.parametrize(("verdict", "certainty"), [("bogus", ""), ("<b>", "low")])
def test_badges_refuse_an_unknown_verdict(verdict, certainty):
    with pytest.raises(ValueError):
        badges(verdict, certainty)


def test_badges_refuse_an_unknown_certainty():
    with pytest.raises(ValueError):
        badges(Verdict.SUPPORTED, "somewhat")


def test_facet_control_marks_only_the_chosen_option_selected():
    form = FacetForm(data={"verdict": "false"})
    html = facet_control(form["verdict"])
    assert html.startswith('<select id="id_verdict" name="verdict">')
    assert '<option value="false" selected>False</option>' in html
    assert '<option value="">Any verdict</option>' in html
    assert html.count(" selected") == 1


def test_facet_control_selects_the_blank_choice_in_an_unbound_form():
    # As Django's Select does: no value is the "" choice.
    html = facet_control(FacetForm()["verdict"])
    assert '<option value="" selected>Any verdict</option>' in html
    assert html.count(" selected") == 1


def test_facet_control_escapes_every_option_value_and_label():
    form = FacetForm(data={"verdict": 'a"b&c'})
    html = facet_control(form["verdict"])
    assert '<option value="a&#34;b&amp;c" selected>Odd &lt;b&gt;&amp;&#34;</option>' in html
    assert HOSTILE not in html
    assert "<b>" not in html


def test_facet_control_marks_a_menu_with_errors_invalid():
    form = FacetForm(data={"verdict": "nonsense"})
    assert form["verdict"].errors
    html = facet_control(form["verdict"])
    assert html.startswith(
        '<select id="id_verdict" name="verdict" aria-invalid="true"'
        ' aria-describedby="id_verdict-error">'
    )
    assert " selected" not in html


def test_facet_control_writes_a_text_input_with_its_value_escaped():
    form = FacetForm(data={"q": '"><b>&'})
    assert not form["q"].errors
    html = facet_control(form["q"])
    assert html == (
        '<input type="text" maxlength="20" id="id_q" name="q" value="&#34;&gt;&lt;b&gt;&amp;">'
    )
    assert "aria-invalid" not in html


def test_facet_control_leaves_out_the_value_of_an_empty_text_input():
    html = facet_control(FacetForm(data={"q": ""})["q"])
    assert html == '<input type="text" maxlength="20" id="id_q" name="q">'


def test_facet_control_marks_a_text_input_with_errors_invalid():
    form = FacetForm(data={"q": "<script>" + "x" * 20})
    assert form["q"].errors
    html = facet_control(form["q"])
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_q-error"' in html
    assert 'value="&lt;script&gt;xxxxxxxxxxxxxxxxxxxx"' in html
    assert "<script>" not in html


def test_facet_control_uses_the_form_prefix_for_name_and_id():
    form = FacetForm(data={"f-q": "ketamine"}, prefix="f")
    html = facet_control(form["q"])
    assert 'id="id_f-q" name="f-q" value="ketamine"' in html


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
    env = engines["jinja2"].env
    html = env.from_string("{{ data|json_ld }}").render(data={"name": "a < b"})
    assert html == '<script type="application/ld+json">{"name": "a \\u003C b"}</script>'


def test_grade_domains_name_each_domain_with_its_judgment():
    review = Review(risk_of_bias=Review.Concern.SERIOUS, imprecision="very_serious")
    assert grade_domains(review) == [
        ("risk of bias", "Serious"),
        ("inconsistency", "Not serious"),
        ("indirectness", "Not serious"),
        ("imprecision", "Very serious"),
        ("publication bias", "Not serious"),
    ]


@pytest.mark.django_db
def test_grade_domains_of_a_saved_review():
    review = make_review(publication_bias=Review.Concern.SERIOUS)
    review.refresh_from_db()
    assert dict(grade_domains(review))["publication bias"] == "Serious"
    assert [judgment for _, judgment in grade_domains(review)].count("Not serious") == 4


@pytest.mark.django_db
def test_facet_control_reads_choices_from_the_database_afresh():
    class DocumentForm(forms.Form):
        document = forms.ModelChoiceField(Document.objects.order_by("title"), required=False)

    form = DocumentForm()
    make_document(title="First page")
    assert "First page" in facet_control(form["document"])
    make_document(title="Second page")
    assert "Second page" in facet_control(form["document"])


def test_facet_control_writes_a_fixed_menu_once_per_choice_made():
    form = FacetForm(data={"verdict": "false"})
    assert facet_control(form["verdict"]) == facet_control(form["verdict"])
    other = facet_control(FacetForm(data={"verdict": ""})["verdict"])
    assert '<option value="" selected>' in other and '"false" selected' not in other
