import pytest
from django.urls import reverse

from reviews.models import Review
from safety.models import SafetyFact
from tests.factories import (
    make_claim,
    make_document,
    make_excerpt,
    make_intervention,
    make_review,
    make_safety_fact,
    make_study,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

LIST = reverse("safety:list")


def test_the_list_names_each_profile_with_its_drug_route_and_fact_count(client):
    spray = make_intervention(
        name="Esketamine nasal spray", drug="esketamine", route="nasal", slug="spray"
    )
    make_safety_fact(interventions=[spray])
    make_safety_fact(interventions=[spray], topic=SafetyFact.Topic.DRIVING)
    html = client.get(LIST).content.decode()
    assert (
        f'<a class="statement" href="{spray.get_absolute_url()}">Esketamine nasal spray</a>' in html
    )
    assert "<span>Esketamine</span><span>Nasal spray</span><span>2 facts</span>" in html
    assert "Not medical advice" in html


def test_a_profile_shows_its_facts_by_topic_with_sources_and_no_working_notes(client):
    label = make_study(title="Spravato prescribing information", authors="Janssen", year=2026)
    spray = make_intervention(name="Esketamine <nasal> spray", slug="spray")
    make_safety_fact(
        interventions=[spray],
        topic=SafetyFact.Topic.DRIVING,
        statement="Do not drive until the next day after a <b>session</b>.",
        sources=[label],
        checked="Section 5.6 says: not until the next day.",
    )
    make_safety_fact(interventions=[spray], topic=SafetyFact.Topic.DISSOCIATION, sources=[label])
    claim = make_claim(statement="The spray is gentle.")
    make_review(claim=claim, status=Review.Status.PUBLISHED)
    spray.claims.add(claim, make_claim(statement="A claim not yet reviewed."))
    html = client.get(spray.get_absolute_url()).content.decode()
    assert "<h1>Esketamine &lt;nasal&gt; spray</h1>" in html
    assert "Do not drive until the next day after a &lt;b&gt;session&lt;/b&gt;." in html
    assert f'<a href="{label.get_absolute_url()}">Janssen 2026: Spravato' in html
    assert html.index('id="topic-dissociation"') < html.index('id="topic-driving"')
    assert "Section 5.6 says" not in html
    # Its claims, each with its published verdict or none (never a draft's).
    assert "The spray is gentle." in html and "A claim not yet reviewed." in html
    assert "Not yet reviewed" in html


def test_profile_pages_queries_do_not_grow_with_facts(client):
    spray = make_intervention(slug="spray")
    make_safety_fact(interventions=[spray])
    few = count_queries(client, spray.get_absolute_url())
    for topic in list(SafetyFact.Topic)[:5]:
        make_safety_fact(interventions=[spray], topic=topic, sources=[make_study(), make_study()])
        claim = make_claim()
        make_review(claim=claim, status=Review.Status.PUBLISHED)
        spray.claims.add(claim)
    assert count_queries(client, spray.get_absolute_url()) == few
    # The profile; its facts; their sources; its claims.
    assert few == 4
    assert count_queries(client, LIST) == 1


def test_an_unknown_profile_is_not_found(client):
    assert client.get(reverse("safety:detail", args=["nothing-here"])).status_code == 404


def test_a_claim_page_shows_what_its_pages_leave_out_of_the_profile(client):
    claim = make_claim(statement="Side effects are minimal.")
    page = make_document(body="Side effects are minimal: a little dissociation, that is all.")
    make_excerpt(claim=claim, document=page, quote="Side effects are minimal")
    make_review(claim=claim, status=Review.Status.PUBLISHED)
    infusion = make_intervention(name="Racemic ketamine by IV infusion", slug="iv", claims=[claim])
    cystitis = make_study(title="Ketamine cystitis review", authors="Anderson", year=2022)
    make_safety_fact(
        interventions=[infusion],
        topic=SafetyFact.Topic.BLADDER_URINARY,
        statement="Repeated use can damage the bladder.",
        sources=[cystitis],
    )
    make_safety_fact(
        interventions=[infusion],
        topic=SafetyFact.Topic.DISSOCIATION,
        statement="Most patients dissociate during an infusion.",
    )
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "What this page leaves out: racemic ketamine by iv infusion" in html
    assert f'<a href="{infusion.get_absolute_url()}">safety and regulatory profile' in html
    assert "Repeated use can damage the bladder." in html
    assert f'<a href="{cystitis.get_absolute_url()}">Anderson 2022' in html
    # The page raises dissociation, so that fact is not listed as left out.
    assert "Most patients dissociate during an infusion." not in html


def test_a_claim_about_no_intervention_has_no_left_out_section(client):
    claim = make_claim()
    make_excerpt(claim=claim)
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "What this page leaves out" not in html
