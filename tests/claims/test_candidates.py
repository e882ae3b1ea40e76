import pytest

from claims.candidates import judge, propose, sentences

# Hand-written sentences in the style of clinic pages the corpus has never seen.
PROPOSED = [
    ("Most clients feel better within 24 hours of their first infusion.", "onset"),
    ("Patients report relief in minutes, not weeks.", "onset"),
    ("92% of our patients see a reduction in depressive symptoms.", "efficacy"),
    ("Each infusion lasts about 45 minutes and is dosed at 0.5 mg/kg.", "dosing"),
    ("Ketamine is completely safe and non-addictive at therapeutic doses.", "safety"),
    ("Ketamine has been FDA approved since 1970.", "regulatory"),
    ("Unlike SSRIs, ketamine does not cause weight gain.", "comparison"),
    ("Depression affects more than 17 million adults in the United States.", "prevalence"),
    ("A 2019 study in the American Journal of Psychiatry confirmed these results.", "efficacy"),
    ("This revolutionary treatment is a true miracle for depression.", "efficacy"),
    ("Ketamine repairs the synapses that chronic stress destroys.", "mechanism"),
    ("Most insurance plans do not cover ketamine infusions.", "cost"),
    ("Treatment is given through an IV in our comfortable lounge.", "administration"),
]
NOT_PROPOSED = [
    "Call us at (555) 867-5309 to schedule a consultation.",
    "Email hello@calmclinic.example for more information.",
    "Is ketamine right for you?",
    "Read more about our team.",
    "123 Main Street, Suite 400, Austin, TX 78701",
    "Thank you for visiting.",
    "We look forward to meeting you.",
]


@pytest.mark.parametrize(("sentence", "category"), PROPOSED)
def test_check_worthy_sentences_are_proposed_with_a_category_and_reasons(sentence, category):
    proposals = propose(sentence)
    assert len(proposals) == 1, sentence
    assert proposals[0].category == category
    assert proposals[0].reasons


@pytest.mark.parametrize("sentence", NOT_PROPOSED)
def test_navigation_contact_details_and_calls_to_action_are_not(sentence):
    assert propose(sentence) == []


def test_red_flag_words_are_named_as_the_reason():
    (proposal,) = propose("Our guaranteed cure ends anxiety for good.")
    assert "promotional red flag" in proposal.reasons


def test_offsets_point_at_the_sentence_in_the_text():
    text = "Welcome.\n\nKetamine works within hours. Six infusions, a week apart, are typical."
    for proposal in propose(text):
        assert text[proposal.start : proposal.end] == proposal.quote
    assert [text[s:e] for s, e in sentences(text)] == [
        "Welcome.",
        "Ketamine works within hours.",
        "Six infusions, a week apart, are typical.",
    ]


def test_a_long_sentence_is_kept_whole_and_a_list_marker_stays_with_its_item():
    long_sentence = "Ketamine helps with " + ", ".join(f"symptom {n}" for n in range(600)) + "."
    assert len(long_sentence) > 5_000
    text = f"{long_sentence} It works.\n\n2. Rapid relief: most feel better. Dr. Lee agrees."
    assert [text[s:e] for s, e in sentences(text)] == [
        long_sentence,
        "It works.",
        "2. Rapid relief: most feel better.",
        "Dr. Lee agrees.",
    ]


def test_every_rule_is_found_however_far_into_a_long_sentence_it_comes():
    filler = "and other words " * 100_000  # 1.6 MB without a full stop
    (proposal,) = propose(f"Patients {filler} say it is FDA approved")
    assert proposal.category == "regulatory" and "regulatory language" in proposal.reasons
    assert propose(f"Patients {filler} will call us at (555) 867-5309") == []


def test_a_clinic_page_written_for_testing_is_proposed_well():
    """A page in another clinic's style, labelled by hand, kept out of rule-writing."""
    from pathlib import Path

    from sources.ingest import normalize_whitespace

    data = Path(__file__).resolve().parent.parent / "data"
    text = normalize_whitespace((data / "heldout_clinic.txt").read_text(encoding="utf-8"))
    labels = (data / "heldout_clinic_labels.txt").read_text(encoding="utf-8").splitlines()
    proposed = {proposal.quote for proposal in propose(text)}
    recall = sum(label in proposed for label in labels) / len(labels)
    precision = sum(quote in labels for quote in proposed) / len(proposed)
    assert recall >= 0.9 and precision >= 0.6, (recall, precision)
    assert not any("(555)" in quote or "Instagram" in quote for quote in proposed)


@pytest.mark.parametrize(
    "sentence",
    [
        "Patients may feel nausea for an hour or so.",
        "Your blood pressure can rise during the session.",
        "The mechanism is not fully understood yet.",
    ],
)
def test_adverse_effects_and_mechanism_are_check_worthy(sentence):
    assert judge(sentence) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        "Tiredness is also not uncommon after treatments.",
        "Most people find the experience calming, relaxing and pleasant.",
        "During treatment, individuals may experience altered perceptions and thoughts.",
    ],
)
def test_how_often_an_effect_occurs_makes_a_sentence_checkable(sentence):
    judged = judge(sentence)
    assert judged and "how often an effect occurs" in judged[0]


def test_frequency_words_alone_do_not():
    assert judge("We often have coffee in the waiting room.") is None
