import pytest

from claims.red_flags import RedFlag, red_flags


@pytest.mark.parametrize(
    "sentence, flags",
    [
        ("Ketamine can cure your depression.", [RedFlag.CURE]),
        ("A miracle treatment, a true breakthrough.", [RedFlag.MIRACLE, RedFlag.BREAKTHROUGH]),
        ("This revolutionary therapy is guaranteed to work.",
         [RedFlag.BREAKTHROUGH, RedFlag.GUARANTEED]),
        ("There are no lasting side effects.", [RedFlag.NO_SIDE_EFFECTS]),
        ("A side-effect-free option.", [RedFlag.NO_SIDE_EFFECTS]),
        ("100% of our patients improve.", [RedFlag.HUNDRED_PERCENT]),
        ("Feel instant relief, permanently.", [RedFlag.INSTANT, RedFlag.PERMANENT]),
        ("Ketamine is non-addictive at these doses.", [RedFlag.NOT_ADDICTIVE]),
        ("Ketamine is not physically addictive.", [RedFlag.NOT_ADDICTIVE]),
        ("Ketamine is FDA-approved for anxiety.", [RedFlag.FDA_APPROVED]),
    ],
)  # fmt: skip
def test_red_flag_words_are_found_with_their_reasons(sentence, flags):
    found = red_flags(sentence)
    assert [f.flag for f in found] == flags
    assert all(f.reason for f in found)
    assert all(sentence[f.start : f.end] for f in found)


@pytest.mark.parametrize(
    "sentence",
    [
        "Esketamine (Spravato) is FDA-approved for treatment-resistant depression.",
        "Ketamine has been FDA-approved as an anesthetic since 1970.",
        "Side effects include nausea and dizziness.",
        "Relief may last for days to weeks.",
        "Secure your appointment today.",
    ],
)
def test_true_or_plain_sentences_raise_no_flag(sentence):
    assert red_flags(sentence) == []
