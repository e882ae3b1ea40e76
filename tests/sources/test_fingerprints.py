from sources.fingerprints import NEAR_DUPLICATE, PERMUTATIONS, fingerprint, similarity
from tests.factories import edited, seed_page


def test_a_signature_is_a_fixed_number_of_32_bit_integers():
    signature = fingerprint(seed_page(0))
    assert len(signature) == PERMUTATIONS
    assert all(isinstance(value, int) and 0 <= value < 2**32 for value in signature)
    assert fingerprint(seed_page(0)) == signature  # the same in every process


def test_a_page_edited_a_little_is_near_its_original():
    page = seed_page(0)
    assert edited(page) != page
    assert similarity(fingerprint(page), fingerprint(edited(page))) >= 0.9


def test_different_pages_are_not_near_each_other():
    signatures = [fingerprint(seed_page(n)) for n in range(5)]
    for i, first in enumerate(signatures):
        for second in signatures[i + 1 :]:
            assert similarity(first, second) < NEAR_DUPLICATE / 2


def test_case_spacing_and_punctuation_do_not_count():
    page = seed_page(1)
    respaced = page.upper().replace(" ", "  ").replace(",", "")
    assert similarity(fingerprint(page), fingerprint(respaced)) == 1.0


def test_signatures_of_other_sizes_are_not_compared():
    assert similarity(fingerprint("Some words here."), []) == 0.0
    assert similarity([1, 2, 3], [1, 2]) == 0.0
