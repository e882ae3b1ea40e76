import itertools
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.models import Claim
from reviews.models import Assignment, EvidenceLink, Review, verdict_changes
from tests.factories import grading, make_claim, make_evidence_link, make_review

pytestmark = pytest.mark.django_db


def test_a_claim_has_at_most_one_published_review():
    first = make_review(status=Review.Status.PUBLISHED)
    second = make_review(claim=first.claim, status=Review.Status.DRAFT)
    second.status = Review.Status.PUBLISHED
    second.published_at = first.published_at
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "already has a published review" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_drafts_and_superseded_reviews_do_not_count_against_the_rule():
    claim = make_claim()
    make_review(claim=claim, status=Review.Status.SUPERSEDED)
    make_review(claim=claim, status=Review.Status.DRAFT)
    published = make_review(claim=claim, status=Review.Status.PUBLISHED)
    published.full_clean()


def test_a_graded_verdict_needs_its_design_and_every_domain_with_its_reason():
    review = Review(claim=make_claim(), verdict=Review.Verdict.FALSE, rationale="r", summary="s")
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    required = {"evidence_design", "design_reason"}
    for name in Review.DOWNGRADING_DOMAINS:
        required |= {name, f"{name}_reason"}
    assert required <= set(error.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        review.save()  # and the database refuses a graded verdict without a certainty
    review.verdict = Review.Verdict.NOT_CHECKABLE
    review.full_clean()
    assert review.certainty == ""
    review.save()


def test_a_domain_judged_without_its_reason_is_refused():
    review = Review(
        claim=make_claim(), verdict="supported", rationale="r", summary="s", **grading()
    )
    review.certainty, review.imprecision_reason = "low", ""
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    assert list(error.value.message_dict) == ["imprecision_reason"]


CERTAINTY_LEVELS = ["very_low", "low", "moderate", "high"]
STARTS = {"randomized": 3, "non_randomized": 1, "documentary": 3}
CONCERN_LEVELS = {"not_serious": 0, "serious": 1, "very_serious": 2}


@pytest.mark.parametrize("design", list(STARTS))
def test_certainty_is_computed_for_every_design_and_combination_of_domains(design):
    review = Review(
        claim=make_claim(), verdict="supported", rationale="r", summary="s", **grading()
    )
    review.evidence_design = design
    for concerns in itertools.product(CONCERN_LEVELS, repeat=len(Review.DOWNGRADING_DOMAINS)):
        for name, concern in zip(Review.DOWNGRADING_DOMAINS, concerns, strict=True):
            setattr(review, name, concern)
        level = STARTS[design] - sum(CONCERN_LEVELS[c] for c in concerns)
        expected = CERTAINTY_LEVELS[max(0, min(level, 3))]
        assert review.graded_certainty() == expected, (design, concerns)
        review.certainty = "high"  # whatever was there before
        review.clean()
        assert review.certainty == expected


@pytest.mark.parametrize("upgrades", list(itertools.product([False, True], repeat=3)))
def test_non_randomized_evidence_not_rated_down_is_rated_up_one_level_a_factor(upgrades):
    review = Review(
        claim=make_claim(), verdict="supported", rationale="r", summary="s", **grading("low")
    )
    for name, upgrade in zip(Review.UPGRADING_FACTORS, upgrades, strict=True):
        setattr(review, name, upgrade)
    review.upgrade_reason = "Response rates far above any placebo rate reported." * any(upgrades)
    review.full_clean()
    assert review.certainty == CERTAINTY_LEVELS[min(3, 1 + sum(upgrades))]
    steps = review.grade_steps()
    assert [step.change for step in steps] == [0, 0, 0, 0, 0, 0] + [1] * sum(upgrades)


@pytest.mark.parametrize(
    "judgments",
    [
        {"evidence_design": "randomized"},  # randomized evidence starts high already
        {"evidence_design": "documentary"},
        {"imprecision": "serious"},  # rated down: GRADE does not rate it up as well
    ],
)
def test_grade_refuses_an_upgrade_it_does_not_allow(judgments):
    review = Review(
        claim=make_claim(), verdict="supported", rationale="r", summary="s", **grading("low")
    )
    review.large_effect, review.upgrade_reason = True, "A large effect."
    for name, value in judgments.items():
        setattr(review, name, value)
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    assert "rates up only non-randomized evidence" in str(error.value)


def test_an_upgrade_needs_its_reason():
    review = Review(
        claim=make_claim(), verdict="supported", rationale="r", summary="s", **grading("low")
    )
    review.certainty, review.dose_response = "low", True
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    assert list(error.value.message_dict) == ["upgrade_reason"]


def test_the_grade_path_names_each_step_its_reason_and_the_level_after_it():
    review = Review(
        claim=make_claim(),
        verdict="supported",
        rationale="r",
        summary="s",
        **grading(
            "low",
            design_reason="One open-label study.",
            imprecision="serious",
            imprecision_reason="12 patients.",
        ),
    )
    steps = review.grade_steps()
    assert [(s.name, s.judgment, s.change, s.certainty) for s in steps] == [
        ("Starting level", "Non-randomized studies", 0, "low"),
        ("risk of bias", "Not serious", 0, "low"),
        ("inconsistency", "Not serious", 0, "low"),
        ("indirectness", "Not serious", 0, "low"),
        ("imprecision", "Serious", -1, "very_low"),
        ("publication bias", "Not serious", 0, "very_low"),
    ]
    assert steps[0].reason == "One open-label study." and steps[4].reason == "12 patients."


def test_a_reviewer_writes_and_submits_reviews_only_of_claims_assigned_to_them(reviewer, editor):
    review = make_review(reviewer=reviewer)
    for status in (Review.Status.DRAFT, Review.Status.SUBMITTED):
        review.status = status
        with pytest.raises(ValidationError) as error:
            review.full_clean()
        assert error.value.message_dict["claim"] == [
            "This claim is not assigned to rita: a reviewer reviews only the claims an editor "
            "has assigned to them."
        ]
    Assignment.objects.create(claim=review.claim, reviewer=reviewer)
    review.full_clean()
    make_review(reviewer=editor).full_clean()  # editors review any claim
    make_review().full_clean()  # a review loaded from the corpus has no author


def test_publishing_a_review_is_not_its_authors_move(reviewer):
    review = make_review(reviewer=reviewer, status=Review.Status.PUBLISHED)
    review.full_clean()  # an editor decides, even if the assignment was since withdrawn


def test_a_published_review_needs_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            claim=make_claim(),
            verdict=Review.Verdict.FALSE,
            certainty=Review.Certainty.LOW,
            status=Review.Status.PUBLISHED,
            rationale="r",
            summary="s",
        )


def test_it_lists_the_grade_domains_that_lowered_or_raised_certainty():
    review = Review(
        **grading(risk_of_bias=Review.Concern.SERIOUS, imprecision=Review.Concern.VERY_SERIOUS),
        large_effect=True,
    )
    assert review.downgrades == [("risk of bias", "Serious"), ("imprecision", "Very serious")]
    assert review.upgrades == ["large effect"]


def test_one_evidence_link_per_claim_and_study():
    link = make_evidence_link()
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceLink.objects.create(
            claim=link.claim, study=link.study, stance=EvidenceLink.Stance.CONTRADICTS, note="n"
        )


def test_claims_carry_their_published_verdict_only():
    published = make_review(status=Review.Status.PUBLISHED, verdict=Review.Verdict.FALSE)
    make_review(status=Review.Status.DRAFT, verdict=Review.Verdict.SUPPORTED)
    verdicts = dict(Claim.objects.values_list("slug", "verdict"))
    assert verdicts[published.claim.slug] == Review.Verdict.FALSE
    assert sorted(verdicts.values()) == ["", Review.Verdict.FALSE]


def test_vocabularies_carry_their_css_class():
    assert Review.Verdict.PARTLY_SUPPORTED.css_class == "verdict-partly-supported"
    assert Review.Certainty.VERY_LOW.css_class == "certainty-very-low"


# What a study measured for a claim ----------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"effect_value": 1.2}, "effect_kind"),  # a number with no kind
        (
            {"effect_value": -1.17, "effect_kind": "standardized_mean_difference", "ci_low": -1.89},
            "ci_high",
        ),
        ({"ci_low": 0.1, "ci_high": 0.4}, "effect_value"),  # an interval around nothing
        (
            {"effect_value": 2.0, "effect_kind": "odds_ratio", "ci_low": 0.5, "ci_high": 1.5},
            "ci_low",
        ),
    ],
)
def test_a_measured_figure_must_be_whole_and_consistent(values, field):
    link = make_evidence_link()
    for name, value in values.items():
        setattr(link, name, value)
    with pytest.raises(ValidationError) as error:
        link.full_clean()
    assert list(error.value.message_dict) == [field]


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ({"effect_value": 83.0, "effect_kind": "percent"}, "83%"),
        ({"effect_value": 10.0, "effect_kind": "count", "participants": 12}, "10 of 12"),
        (
            {"effect_value": -1.17, "effect_kind": "standardized_mean_difference",
             "ci_low": -1.89, "ci_high": -0.44},
            "SMD −1.17 (95% CI −1.89 to −0.44)",
        ),
        ({"effect_value": 28.94, "effect_kind": "odds_ratio"}, "Odds ratio 28.94"),
        ({"participants": 12}, ""),
    ],
)  # fmt: skip
def test_a_measured_figure_reads_as_a_reader_writes_it(values, shown):
    link = EvidenceLink(**values)
    assert link.measured_figure == shown
    assert link.is_measured


def test_the_change_history_lists_new_verdicts_and_every_review_published_alone():
    def published(day, verdict, reason=""):
        return Review(
            verdict=verdict,
            certainty=Review.Certainty.LOW,
            override_reason=reason,
            published_at=datetime(2026, 1, day, tzinfo=UTC),
        )

    alone = published(1, Review.Verdict.FALSE, "Urgent.")
    same = published(2, Review.Verdict.FALSE)
    changed = published(3, Review.Verdict.MISLEADING)
    changes = verdict_changes([alone, same, changed])
    assert [(c["before"], c["after"]) for c in changes] == [(None, alone), (same, changed)]
