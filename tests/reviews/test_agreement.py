import pytest
from django.urls import reverse

from reviews.agreement import (
    AGREED,
    AWAITING,
    IN_CONFLICT,
    agreement_table,
    claim_states,
    cohen_kappa,
)
from reviews.models import Assignment, Review
from tests.factories import make_claim, make_review

V, C, S = Review.Verdict, Review.Certainty, Review.Status
CERTAINTIES = ["very_low", "low", "moderate", "high"]


def test_cohen_kappa_matches_a_hand_computed_example():
    # 10 claims: agree supported x4, agree false x3, disagree x3.
    # p_o = 0.7; rater A: 6 supported, 4 false; rater B: 5 and 5; p_e = 0.5; kappa = 0.4.
    pairs = [("s", "s")] * 4 + [("f", "f")] * 3 + [("s", "f")] * 2 + [("f", "s")]
    assert cohen_kappa(pairs, ["s", "f"]) == pytest.approx(0.4)


def test_weighted_kappa_matches_a_hand_computed_example():
    # Linear disagreement weights |i-j|/3. Observed: (0 + 1/3 + 0 + 1/3) / 4 = 1/6.
    # Expected: 6 / 16 = 0.375 (from the marginals). kappa_w = 1 - (1/6) / 0.375 = 5/9.
    pairs = [("low", "low"), ("low", "moderate"), ("high", "high"), ("very_low", "low")]
    assert cohen_kappa(pairs, CERTAINTIES, weighted=True) == pytest.approx(5 / 9)


def test_kappa_is_one_for_perfect_agreement_and_undefined_without_variation():
    assert cohen_kappa([("a", "a"), ("b", "b")], ["a", "b"]) == pytest.approx(1.0)
    assert cohen_kappa([("a", "a"), ("a", "a")], ["a", "b"]) is None
    assert cohen_kappa([], ["a", "b"]) is None


@pytest.fixture
def pair(django_user_model):
    return [
        django_user_model.objects.create_user(username=name, password="x")
        for name in ("ana", "ben")
    ]


def double_review(pair, first, second, *, status=S.SUBMITTED):
    claim = make_claim()
    for person, (verdict, certainty) in zip(pair, (first, second), strict=True):
        Assignment.objects.create(claim=claim, reviewer=person)
        if verdict:
            make_review(
                claim=claim, reviewer=person, verdict=verdict, certainty=certainty, status=status
            )
    return claim


@pytest.mark.django_db
def test_conflict_is_a_different_verdict_or_certainty_more_than_one_level_apart(pair):
    agreed = double_review(pair, (V.FALSE, C.LOW), (V.FALSE, C.MODERATE))
    verdicts_differ = double_review(pair, (V.MISLEADING, C.LOW), (V.FALSE, C.LOW))
    too_far_apart = double_review(pair, (V.SUPPORTED, C.HIGH), (V.SUPPORTED, C.LOW))
    awaiting = double_review(pair, (V.SUPPORTED, C.HIGH), (None, None))
    drafts_only = double_review(pair, (V.SUPPORTED, C.HIGH), (V.FALSE, C.LOW), status=S.DRAFT)
    single = make_claim()
    Assignment.objects.create(claim=single, reviewer=pair[0])
    states = claim_states()
    assert states[agreed.pk] == AGREED
    assert states[verdicts_differ.pk] == IN_CONFLICT
    assert states[too_far_apart.pk] == IN_CONFLICT
    assert states[awaiting.pk] == AWAITING
    assert states[drafts_only.pk] == AWAITING
    assert single.pk not in states


@pytest.mark.django_db
def test_agreement_table_overall_and_per_pair(pair, django_user_model):
    for _ in range(4):
        double_review(pair, (V.SUPPORTED, C.LOW), (V.SUPPORTED, C.LOW))
    for _ in range(3):
        double_review(pair, (V.FALSE, C.LOW), (V.FALSE, C.MODERATE))
    for _ in range(2):
        double_review(pair, (V.SUPPORTED, C.LOW), (V.FALSE, C.LOW))
    double_review(pair, (V.FALSE, C.LOW), (V.SUPPORTED, C.LOW))
    carl = django_user_model.objects.create_user(username="carl", password="x")
    double_review([pair[0], carl], (V.NOT_CHECKABLE, ""), (V.NOT_CHECKABLE, ""))
    overall, *pairs = agreement_table()
    assert overall.label == "All reviewer pairs" and overall.claims == 11
    by_label = {row.label: row for row in pairs}
    ana_ben = by_label["ana and ben"]
    assert ana_ben.claims == 10
    assert ana_ben.verdict_kappa == pytest.approx(0.4)
    assert ana_ben.certainty_claims == 10
    assert by_label["ana and carl"].claims == 1
    assert by_label["ana and carl"].certainty_claims == 0  # not checkable: no certainty
    assert by_label["ana and carl"].verdict_kappa is None


@pytest.mark.django_db
def test_a_review_by_someone_not_assigned_to_the_claim_counts_nowhere(pair, django_user_model):
    agreed = double_review(pair, (V.FALSE, C.LOW), (V.FALSE, C.LOW))
    awaiting = double_review(pair, (V.FALSE, C.LOW), (None, None))
    stranger = django_user_model.objects.create_user(username="sam", password="x")
    for claim in (agreed, awaiting):
        make_review(
            claim=claim,
            reviewer=stranger,
            verdict=V.SUPPORTED,
            certainty=C.HIGH,
            status=S.SUBMITTED,
        )
    states = claim_states()
    assert (states[agreed.pk], states[awaiting.pk]) == (AGREED, AWAITING)
    overall, *pairs = agreement_table()
    assert overall.claims == 1
    assert [row.label for row in pairs] == ["ana and ben"]


@pytest.mark.django_db
def test_agreement_page_shows_the_figures(client, editor, pair):
    for _ in range(2):
        double_review(pair, (V.SUPPORTED, C.LOW), (V.SUPPORTED, C.LOW))
    double_review(pair, (V.SUPPORTED, C.LOW), (V.FALSE, C.HIGH))
    client.force_login(editor)
    html = client.get(reverse("admin:reviews_review_agreement")).content.decode()
    assert "ana and ben" in html and "All reviewer pairs" in html
    assert "Verdict κ" in html
