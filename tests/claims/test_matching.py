import pytest

from claims.claim_index import claim_index
from claims.matching import ClaimMatcher, disagreements, specifics
from tests.factories import make_claim, make_document, make_excerpt

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_claims():
    document = make_document(
        body="Patients can experience relief from anxiety symptoms within hours of treatment. "
        "Most patients benefit from a series of six ketamine infusions. "
        "Ketamine is a potent glutamate blocker."
    )
    claims = {
        "hours": make_claim(slug="relief-within-hours", statement="Ketamine relieves anxiety "
                            "within hours of a treatment."),
        "six": make_claim(slug="six-infusions", statement="Most patients need six infusions."),
        "glutamate": make_claim(slug="glutamate-blocker", statement="Ketamine blocks glutamate."),
    }  # fmt: skip
    make_excerpt(document=document, claim=claims["hours"],
                 quote="relief from anxiety symptoms within hours of treatment")  # fmt: skip
    make_excerpt(document=document, claim=claims["six"],
                 quote="Most patients benefit from a series of six ketamine infusions")  # fmt: skip
    return claims


@pytest.mark.parametrize(
    ("paraphrase", "expected"),
    [
        ("Clients feel near immediate relief from their anxiety symptoms.", "relief-within-hours"),
        ("A full course is six infusions for most patients.", "six-infusions"),
        ("Ketamine works by blocking glutamate in the brain.", "glutamate-blocker"),
    ],
)
def test_a_paraphrase_finds_the_claim_it_repeats(known_claims, paraphrase, expected):
    matches = claim_index().matcher.best(paraphrase)
    assert matches and matches[0].claim == expected
    assert 0 < matches[0].score <= 1


def test_unrelated_text_matches_nothing_strongly(known_claims):
    matches = claim_index().matcher.best("Parking is free on weekends.")
    assert all(match.score < 0.6 for match in matches)


def test_no_known_claims_means_no_matches():
    assert claim_index().matcher.best("Ketamine relieves anxiety within hours.") == []


def test_many_sentences_are_matched_at_once_as_each_would_be_alone(known_claims):
    matcher = claim_index().matcher
    sentences = [
        "Clients feel near immediate relief from their anxiety symptoms.",
        "Parking is free on weekends.",
        "A full course is six infusions for most patients.",
    ] * 700  # more than one batch
    together = matcher.best_for_each(sentences)
    assert len(together) == len(sentences)
    assert together[:3] == [matcher.best(sentence) for sentence in sentences[:3]]
    assert together[-1] == together[2] and together[-1][0].claim == "six-infusions"


def test_a_word_most_texts_use_is_left_out():
    entries = [(f"claim-{n}", f"Ketamine helps condition{n} patients.") for n in range(60)]
    matcher = ClaimMatcher(entries)
    assert matcher.best("Ketamine ketamine ketamine.") == []
    assert [m.claim for m in matcher.best("It helps condition7 patients")][:1] == ["claim-7"]


def test_texts_set_after_the_fit_are_matched_and_replaced():
    matcher = ClaimMatcher([("bladder", "Ketamine can damage the bladder.")])
    matcher.replace({"pressure": ["Blood pressure rises during the infusion."]})
    assert [m.claim for m in matcher.best("blood pressure rises")] == ["pressure"]
    matcher.replace({"pressure": ["Nausea is common after a session."]})
    assert matcher.best("blood pressure rises") == []
    assert [m.claim for m in matcher.best("nausea after a session")] == ["pressure"]
    matcher.remove("bladder")
    assert matcher.best("damage the bladder") == []
    assert "bladder" not in matcher and "pressure" in matcher


def test_a_matcher_fitted_on_nothing_cannot_take_texts():
    with pytest.raises(ValueError, match="fitted on nothing"):
        ClaimMatcher([]).replace({"a": ["text"]})


def test_a_statement_s_figures_and_condition_must_be_shared():
    """The editors name no claim for another number, timeframe or condition."""
    matcher = ClaimMatcher(
        [
            ("six", "Most patients need a series of six infusions."),
            ("anxiety-hours", "Ketamine relieves anxiety within hours."),
        ]
    )
    assert matcher.best("Most patients need a series of six infusions.")[0].score > 0.9
    other_number = matcher.best("Most patients need a series of eight infusions.")
    assert other_number[0].score < 0.65
    other_condition = matcher.best("Ketamine relieves depression within hours.")
    same_condition = matcher.best("Ketamine relieves anxiety within hours.")
    assert other_condition[0].score < 0.6 * same_condition[0].score + 0.01


def test_a_replaced_claim_is_matched_by_its_new_statement_and_specifics():
    matcher = ClaimMatcher([("a", "Relief comes within hours."), ("b", "It is an anesthetic.")])
    matcher.replace({"a": ["Relief comes within two weeks."]})
    assert matcher.best("Relief comes within two weeks.")[0].claim == "a"
    assert matcher.best("Relief comes within two weeks.")[0].score > 0.9
    assert matcher.best("Relief comes within hours.")[0].score < 0.65


def test_specifics_are_read_from_numbers_number_words_units_conditions_and_the_drug():
    assert specifics("Six infusions over 2 weeks relieve 70% of PTSD; Spravato too.") == {
        ("number", "6"), ("number", "2"), ("number", "70"), ("unit", "week"),
        ("condition", "ptsd"), ("drug", "esketamine"),
    }  # fmt: skip
    assert disagreements(specifics("within hours"), specifics("within two hours")) == 1
    assert disagreements(specifics("two days"), specifics("within two hours")) == 1
    assert disagreements(specifics("within 2 hours"), specifics("within two hours")) == 0


def test_esketamine_and_ketamine_are_told_apart_both_ways():
    esketamine, ketamine = specifics("Esketamine is approved."), specifics("Ketamine is approved.")
    assert disagreements(esketamine, ketamine) == 1
    assert disagreements(ketamine, esketamine) == 1
    assert disagreements(specifics("Spravato is approved."), esketamine) == 0
