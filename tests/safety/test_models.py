import pytest

from safety.models import (
    Intervention,
    SafetyFact,
    SafetyTopic,
    facts_by_topic,
    facts_left_out,
    interventions_named_in,
    left_out,
    topics_mentioned,
    topics_raised_in,
)
from sources.models import Document
from tests.factories import (
    make_claim,
    make_document,
    make_excerpt,
    make_intervention,
    make_safety_fact,
)

pytestmark = pytest.mark.django_db


def test_every_topic_has_words_that_show_a_page_raises_it_and_a_group():
    for topic in SafetyTopic:
        assert topic.mention_terms and all(term == term.lower() for term in topic.mention_terms)
        assert topic.group in {"Harms", "Precautions", "Regulatory status"}
    assert SafetyTopic.BLADDER_URINARY.group == "Harms"
    assert SafetyTopic.DRIVING.group == "Precautions"


def test_topics_mentioned_reads_every_document_given_case_blind():
    make_document(body="Side effects: some DISSOCIATION and a rise in blood pressure.")
    make_document(body="Not for use in pregnancy.")
    make_document(body="Nothing about harms here at all.")
    found = topics_mentioned(Document.objects.all())
    assert found == {
        SafetyTopic.DISSOCIATION,
        SafetyTopic.BLOOD_PRESSURE,
        SafetyTopic.PREGNANCY_LACTATION,
    }
    assert topics_mentioned(Document.objects.filter(body__startswith="Nothing")) == set()


def test_facts_are_grouped_in_the_vocabularys_order():
    bladder = make_safety_fact(topic=SafetyTopic.BLADDER_URINARY)
    dissociation = make_safety_fact(topic=SafetyTopic.DISSOCIATION)
    second = make_safety_fact(topic=SafetyTopic.DISSOCIATION)
    grouped = facts_by_topic(SafetyFact.objects.order_by("pk"))
    assert grouped == [
        (SafetyTopic.DISSOCIATION, [dissociation, second]),
        (SafetyTopic.BLADDER_URINARY, [bladder]),
    ]


def test_left_out_gives_the_profiles_facts_on_topics_no_quoting_page_raises():
    claim = make_claim()
    make_excerpt(
        claim=claim,
        document=make_document(body="Mild dissociation; no harm at all."),
        quote="no harm",
    )
    infusion = make_intervention(claims=[claim])
    spray = make_intervention(slug="spray", name="Spray", claims=[claim])
    make_safety_fact(interventions=[infusion], topic=SafetyTopic.DISSOCIATION)  # raised
    bladder = make_safety_fact(interventions=[infusion, spray], topic=SafetyTopic.BLADDER_URINARY)
    driving = make_safety_fact(interventions=[spray], topic=SafetyTopic.DRIVING)
    make_safety_fact(topic=SafetyTopic.PSYCHOSIS)  # another intervention's
    result = {intervention.slug: topics for intervention, topics in left_out(claim)}
    assert result == {
        infusion.slug: [(SafetyTopic.BLADDER_URINARY, [bladder])],
        "spray": [(SafetyTopic.BLADDER_URINARY, [bladder]), (SafetyTopic.DRIVING, [driving])],
    }


def test_a_claim_about_no_intervention_or_whose_pages_raise_everything_leaves_nothing_out():
    assert left_out(make_claim()) == []
    claim = make_claim()
    make_excerpt(
        claim=claim,
        document=make_document(body="It can affect blood pressure."),
        quote="blood pressure",
    )
    make_safety_fact(interventions=[make_intervention(claims=[claim])])
    assert left_out(claim) == []


def test_topics_raised_in_a_text_are_read_by_their_words_case_blind():
    raised = topics_raised_in("We check your BLOOD PRESSURE. Ketamine is not addictive.")
    assert raised == {SafetyTopic.BLOOD_PRESSURE, SafetyTopic.ABUSE_MISUSE}
    assert topics_raised_in("Relief within hours.") == set()


def test_the_interventions_a_text_names_are_found_by_route_and_drug():
    iv = make_intervention(slug="iv", route=Intervention.Route.INTRAVENOUS)
    nasal = make_intervention(
        slug="nasal", drug=Intervention.Drug.ESKETAMINE, route=Intervention.Route.NASAL
    )
    oral = make_intervention(slug="oral", route=Intervention.Route.ORAL_SUBLINGUAL)
    assert interventions_named_in("Six infusions over two weeks.") == [iv]
    assert set(interventions_named_in("Spravato nasal spray, or a lozenge at home.")) == {
        nasal, oral,
    }  # fmt: skip
    assert interventions_named_in("A nasal spray of racemic ketamine.") == []  # not esketamine
    assert interventions_named_in("Relief within hours.") == []


def test_facts_left_out_are_those_on_topics_not_raised():
    iv = make_intervention()
    pressure = make_safety_fact(interventions=[iv], topic=SafetyFact.Topic.BLOOD_PRESSURE)
    abuse = make_safety_fact(interventions=[iv], topic=SafetyFact.Topic.ABUSE_MISUSE)
    [(intervention, topics)] = facts_left_out([iv], {SafetyTopic.BLOOD_PRESSURE})
    assert intervention == iv and topics == [(SafetyTopic.ABUSE_MISUSE, [abuse])]
    assert pressure not in [f for _, facts in topics for f in facts]
    assert facts_left_out([iv], {SafetyTopic.BLOOD_PRESSURE, SafetyTopic.ABUSE_MISUSE}) == []
    assert facts_left_out([], set()) == []
