"""Agreement between independent reviewers: conflict detection and Cohen's kappa."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from sklearn.metrics import cohen_kappa_score

from reviews.models import CERTAINTY_ORDER, Assignment, Review, Verdict

AGREED = "agreed"
IN_CONFLICT = "in_conflict"
AWAITING = "awaiting"


def cohen_kappa(
    pairs: Sequence[tuple[str, str]], categories: Sequence[str], *, weighted: bool = False
) -> float | None:
    """Cohen's kappa for two raters' labels (scikit-learn), linearly weighted over ordered
    categories when `weighted`. None when it is undefined: no pairs, or both raters gave
    every item one and the same label (no disagreement is possible by chance)."""
    if not pairs:
        return None
    first, second = zip(*pairs, strict=True)
    if len(set(first) | set(second)) == 1:
        return None
    return float(
        cohen_kappa_score(
            first, second, labels=list(categories), weights="linear" if weighted else None
        )
    )


def finished_reviews_by_claim(claim_ids=None) -> dict[int, dict[int, Review]]:
    """{claim: {reviewer: their latest finished independent review}} for assigned reviewers.

    Consensus reviews (those crediting contributors) are the editor's, not a rating."""
    assigned = Assignment.objects.all()
    if claim_ids is not None:
        assigned = assigned.filter(claim_id__in=claim_ids)
    wanted = set(assigned.values_list("claim_id", "reviewer_id"))
    reviews = (
        Review.objects.done()
        .filter(claim_id__in={c for c, _ in wanted}, contributors=None)
        .select_related("reviewer")
        .order_by("claim_id", "reviewer_id", "submitted_at", "pk")
    )
    found: dict[int, dict[int, Review]] = defaultdict(dict)
    for review in reviews:
        if (review.claim_id, review.reviewer_id) in wanted:
            found[review.claim_id][review.reviewer_id] = review  # the latest wins
    return found


def claim_states(claim_ids=None) -> dict[int, str]:
    """For each claim assigned to two or more reviewers: agreed, in conflict or awaiting.

    In conflict: different verdicts, or certainties more than one GRADE level apart."""
    assigned = defaultdict(set)
    rows = Assignment.objects.values_list("claim_id", "reviewer_id")
    if claim_ids is not None:
        rows = rows.filter(claim_id__in=claim_ids)
    for claim_id, reviewer_id in rows:
        assigned[claim_id].add(reviewer_id)
    finished = finished_reviews_by_claim(claim_ids)
    states = {}
    for claim_id, reviewers in assigned.items():
        if len(reviewers) < 2:
            continue
        done = finished.get(claim_id, {})
        if not reviewers <= set(done):
            states[claim_id] = AWAITING
            continue
        reviews = [done[r] for r in reviewers]
        conflict = any(
            a.verdict != b.verdict or a.certainty_gap(b) > 1 for a, b in combinations(reviews, 2)
        )
        states[claim_id] = IN_CONFLICT if conflict else AGREED
    return states


@dataclass
class AgreementRow:
    label: str
    claims: int
    verdict_kappa: float | None
    certainty_claims: int
    certainty_kappa: float | None


def agreement_table() -> list[AgreementRow]:
    """Kappa on verdict and weighted kappa on certainty, overall and per reviewer pair."""
    pairs: dict[tuple, list[tuple[Review, Review]]] = defaultdict(list)
    for reviews in finished_reviews_by_claim().values():
        ordered = sorted(reviews.values(), key=lambda r: r.reviewer_id)
        for a, b in combinations(ordered, 2):
            pairs[(a.reviewer, b.reviewer)].append((a, b))
    rows = [_row(f"{a} and {b}", found) for (a, b), found in sorted(pairs.items(), key=str)]
    everything = [pair for found in pairs.values() for pair in found]
    return [_row("All reviewer pairs", everything), *rows]


def _row(label: str, found: list[tuple[Review, Review]]) -> AgreementRow:
    verdicts = [(a.verdict, b.verdict) for a, b in found]
    certainties = [(a.certainty, b.certainty) for a, b in found if a.certainty and b.certainty]
    return AgreementRow(
        label=label,
        claims=len(verdicts),
        verdict_kappa=cohen_kappa(verdicts, Verdict.values),
        certainty_claims=len(certainties),
        certainty_kappa=cohen_kappa(certainties, [c.value for c in CERTAINTY_ORDER], weighted=True),
    )
