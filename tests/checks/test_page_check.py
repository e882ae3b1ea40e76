import pytest

from checks.page_check import MAX_CHARS, check_page
from claims.red_flags import RedFlag
from tests.checks.conftest import PAGE

pytestmark = pytest.mark.django_db


def by_text(result, start: str):
    return next(s for s in result.sentences if s.text.startswith(start))


def test_a_sentence_repeating_a_reviewed_claim_shows_its_verdict_and_question(known_page):
    result = check_page(PAGE)
    sentence = by_text(result, "Ketamine relieves anxiety")
    assert sentence.status == "reviewed"
    assert sentence.warns
    assert sentence.best.claim == known_page["hours"]
    assert sentence.best.claim.verdict == "misleading"
    assert sentence.best.question == known_page["question"]
    assert sentence.best.strength == "strong"


def test_a_claim_without_a_published_review_is_known_not_reviewed(known_page):
    sentence = by_text(check_page(PAGE), "Most patients need")
    assert sentence.status == "known"
    assert sentence.best.claim == known_page["course"]
    assert not sentence.warns


def test_a_checkable_sentence_matching_nothing_is_not_yet_reviewed(known_page):
    sentence = by_text(check_page(PAGE), "Ketamine works on the glutamate")
    assert sentence.status == "unreviewed"
    assert sentence.checkworthy and sentence.reasons and not sentence.matches


def test_red_flag_words_are_marked_with_their_reasons(known_page):
    result = check_page(PAGE)
    miracle = by_text(result, "It is a miracle cure")
    assert [f.flag for f in miracle.flags] == [
        RedFlag.MIRACLE, RedFlag.CURE, RedFlag.NO_SIDE_EFFECTS,
    ]  # fmt: skip
    assert [piece for piece, flag in miracle.segments() if flag] == [
        "miracle", "cure", "no side effects",
    ]  # fmt: skip
    shout = by_text(result, "Truly life-changing")
    assert shout.status == "flagged" and not shout.checkworthy
    assert [f.flag for f in shout.flags] == [RedFlag.GUARANTEED]


def test_plain_sentences_are_not_marked(known_page):
    result = check_page(PAGE)
    assert not [s for s in result.sentences if s.text.startswith("Welcome")]


def test_the_summary_counts_what_was_checked(known_page):
    result = check_page(PAGE)
    assert result.checked == sum(s.checkworthy for s in result.sentences) >= 4
    assert (result.reviewed, result.warnings) == (1, 1)
    assert result.flagged == 2
    assert result.unreviewed == result.checked - 2


def test_what_the_page_leaves_out_is_the_profile_s_topics_it_never_raises(known_page):
    [(intervention, topics)] = check_page(PAGE).left_out
    assert intervention == known_page["infusion"]
    assert [(topic.value, [f.statement for f in facts]) for topic, facts in topics] == [
        ("abuse_misuse", ["Ketamine is a Schedule III drug because it is misused."])
    ]


def test_a_page_naming_no_treatment_and_repeating_no_claim_leaves_nothing_out(known_page):
    assert check_page("The weather was lovely today and we all went for a walk.").left_out == []


def test_the_paragraphs_rebuild_the_whole_text_with_numbered_sentences(known_page):
    result = check_page(PAGE)
    paragraphs = result.paragraphs()
    assert "\n".join("".join(text for text, _, _ in pieces) for pieces in paragraphs) == PAGE
    numbers = [number for pieces in paragraphs for _, number, s in pieces if s]
    assert numbers == list(range(1, len(result.sentences) + 1))


def test_offsets_point_into_the_checked_text(known_page):
    result = check_page(PAGE)
    for sentence in result.sentences:
        assert PAGE[sentence.start : sentence.end] == sentence.text


def test_too_long_a_text_is_refused():
    with pytest.raises(ValueError, match="limit"):
        check_page("a" * (MAX_CHARS + 1))


def test_a_check_with_no_claims_at_all_marks_sentences_unreviewed(db):
    result = check_page(PAGE)
    assert result.reviewed == 0 and result.unreviewed == result.checked > 0
