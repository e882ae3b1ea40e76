from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.models import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS, Claim, Excerpt
from tests.factories import make_claim, make_document, make_excerpt

pytestmark = pytest.mark.django_db

BODY = "Relief within hours. Six infusions, a week or two apart. Relief within hours, again."


def test_it_accepts_a_quote_that_is_the_text_at_its_offsets():
    document = make_document(body=BODY)
    excerpt = make_excerpt(document=document, quote="Six infusions")
    assert (excerpt.start, excerpt.end) == (21, 34)
    assert document.body[excerpt.start : excerpt.end] == excerpt.quote


def test_it_rejects_a_quote_that_is_not_the_text_at_its_offsets():
    document = make_document(body=BODY)
    excerpt = Excerpt(claim=make_claim(), document=document, quote="Six infusions", start=0, end=13)
    with pytest.raises(ValidationError) as error:
        excerpt.full_clean()
    message = error.value.message_dict["quote"][0]
    assert "which reads “Relief within”" in message
    assert "occurs at 21–34" in message


def test_it_rejects_a_quote_that_is_not_in_the_document_at_all():
    document = make_document(body=BODY)
    excerpt = Excerpt(claim=make_claim(), document=document, quote="Ten sessions", start=0, end=12)
    with pytest.raises(ValidationError) as error:
        excerpt.full_clean()
    assert "occurs at" not in error.value.message_dict["quote"][0]


def test_the_database_refuses_offsets_that_do_not_span_the_quote():
    document = make_document(body=BODY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Excerpt.objects.create(
            claim=make_claim(), document=document, quote="Six infusions", start=21, end=30
        )


def test_one_excerpt_per_span():
    excerpt = make_excerpt(quote="within hours")
    again = Excerpt(
        claim=make_claim(),
        document=excerpt.document,
        quote=excerpt.quote,
        start=excerpt.start,
        end=excerpt.end,
    )
    with pytest.raises(ValidationError):
        again.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_locate_finds_the_nth_occurrence():
    document = make_document(body=BODY)
    second = Excerpt.locate(document=document, quote="Relief within hours", occurrence=2)
    assert second.start == BODY.rindex("Relief within hours")
    with pytest.raises(ValidationError):
        Excerpt.locate(document=document, quote="Relief within hours", occurrence=3)


def test_it_keeps_the_text_around_the_quote():
    document = make_document(body="x" * 100 + "QUOTE" + "y" * 100)
    excerpt = make_excerpt(document=document, quote="QUOTE")
    assert excerpt.prefix == "x" * 48
    assert excerpt.suffix == "y" * 48


def test_a_claimed_figure_needs_a_unit_and_an_ordered_range():
    claim = Claim(statement="S", slug="s", category=Claim.Category.DOSING, value_low=Decimal(6))
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "unit" in error.value.message_dict
    claim.unit, claim.value_high = Claim.Unit.SESSIONS, Decimal(2)
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "value_high" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


@pytest.mark.parametrize(
    ("low", "high", "unit", "shown"),
    [
        ("40", "60", Claim.Unit.MINUTES, "40–60 minutes"),
        ("83", "83", Claim.Unit.PERCENT, "83%"),
        ("6", None, Claim.Unit.SESSIONS, "6 sessions"),
        ("0.5", None, Claim.Unit.MG_PER_KG, "0.5 mg/kg"),
        ("2", "3", Claim.Unit.FOLD, "2–3-fold"),
        (None, None, "", ""),
    ],
)
def test_it_shows_the_claimed_figure(low, high, unit, shown):
    claim = Claim(
        value_low=Decimal(low) if low else None,
        value_high=Decimal(high) if high else None,
        unit=unit,
    )
    assert claim.figure == shown


def test_contradiction_is_symmetrical():
    boosts, blocks = make_claim(), make_claim()
    boosts.contradicts.add(blocks)
    assert list(blocks.contradicts.all()) == [boosts]


def test_search_matches_statements_and_quotes_once_each():
    excerpt = make_excerpt(quote="within hours")
    make_excerpt(document=excerpt.document, claim=excerpt.claim, quote="six infusions")
    make_claim(statement="Ketamine is FDA approved.")
    assert list(Claim.objects.search("WITHIN HOURS")) == [excerpt.claim]
    assert [claim.statement for claim in Claim.objects.search("fda")] == [
        "Ketamine is FDA approved."
    ]
    assert Claim.objects.search("  ").count() == Claim.objects.count()


def test_search_refuses_more_words_than_a_reader_can_search_for():
    claim = make_claim()
    with pytest.raises(ValidationError, match="at most 32 words \\(this search has 1000\\)"):
        Claim.objects.search(" ".join(["ketamine"] * 1000))
    with pytest.raises(ValidationError, match=f"at most {SEARCH_MAX_LENGTH} characters"):
        Claim.objects.search("k" * (SEARCH_MAX_LENGTH + 1))
    longest = " ".join(["ketamine"] * SEARCH_MAX_WORDS)
    assert len(longest) <= SEARCH_MAX_LENGTH
    assert list(Claim.objects.search(longest)) == [claim]


def test_a_claim_is_cut_from_one_whole_sentence_not_from_itself_or_another_fragment():
    sentence = make_claim()
    fragment = make_claim(carried_by=sentence)
    fragment.full_clean()
    with pytest.raises(ValidationError, match="itself part of a longer sentence"):
        make_claim(carried_by=fragment).full_clean()
    with pytest.raises(ValidationError, match="carries a whole sentence itself"):
        sentence.carried_by = make_claim()
        sentence.full_clean()
    fragment.carried_by = fragment
    with pytest.raises(ValidationError, match="cannot carry its own sentence"):
        fragment.full_clean()
