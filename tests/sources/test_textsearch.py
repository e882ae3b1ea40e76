import pytest

from sources.models import Study
from sources.textsearch import contains_condition, prefix_tsquery
from tests.factories import make_study


def test_a_tsquery_holds_each_concepts_keys_as_prefixes_and_nothing_typed_as_an_operator():
    concepts = [("blood pressur", "hypertens"), ("ketamin",)]
    assert prefix_tsquery(concepts, every=True) == (
        "(blood:* <-> pressur:* | hypertens:*) & (ketamin:*)"
    )
    assert prefix_tsquery([("a&b|!c",)], every=False) == "(abc:*)"
    assert prefix_tsquery([("&|!",)], every=False) == "('')"


def test_the_contains_condition_asks_for_any_key_of_each_concept():
    condition = contains_condition(("title",), [("abus", "misus")], every=True)
    assert str(condition) == "(OR: ('title__icontains', 'abus'), ('title__icontains', 'misus'))"


@pytest.mark.django_db
def test_studies_are_found_by_the_start_of_a_word_in_any_searched_field():
    misuse = make_study(title="Misuse of esketamine", population="Adults")
    bladder = make_study(title="Urinary tract effects", main_finding="Cystitis in heavy users")
    make_study(title="Cost of care")
    assert list(Study.objects.matching([("misus", "abus")])) == [misuse]
    assert list(Study.objects.matching([("cystit",)])) == [bladder]
    assert set(Study.objects.matching([("misus",), ("cystit",)])) == {misuse, bladder}
    assert not Study.objects.matching([("misus",), ("cystit",)], every=True).exists()
    assert not Study.objects.matching([]).exists()
