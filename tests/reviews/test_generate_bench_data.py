import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim, Excerpt
from reviews.management.commands.generate_bench_data import RARE_CLAIMS, RARE_WORD
from reviews.models import Review
from sources.models import Document, Study
from tests.factories import make_claim

# transaction=True: on PostgreSQL the command ends with VACUUM, which a test transaction
# would refuse.
pytestmark = pytest.mark.django_db(transaction=True)


def generate(**sizes):
    options = {"claims": 200, "excerpts": 600, "documents": 4, "studies": 40, **sizes}
    call_command("generate_bench_data", *(f"--{k}={v}" for k, v in options.items()), stdout=None)


def test_it_fills_an_empty_database_at_the_scale_asked():
    generate()
    assert Claim.objects.count() == 200
    assert Excerpt.objects.count() == 600
    assert Document.objects.count() == 4
    assert Study.objects.count() == 40
    published = Review.objects.published().count()
    assert 160 <= published <= 200  # about 90% reviewed
    assert Claim.objects.reviewed().count() == published
    # The derived columns the lists read are filled in, not left at their defaults.
    assert not Claim.objects.filter(document_count=0).exists()
    # Its reviews are graded as GRADE computes: each certainty follows from its judgments.
    for review in Review.objects.published():
        assert not review.grade_errors() and review.certainty == review.graded_certainty()


def test_its_rare_word_is_found_by_search_in_exactly_its_claims():
    generate()
    assert Claim.objects.search(RARE_WORD).count() == RARE_CLAIMS


def test_it_refuses_a_database_that_already_holds_claims():
    make_claim()
    with pytest.raises(CommandError, match="already holds claims"):
        generate()
    assert Claim.objects.count() == 1
