"""'My work': what waits for one editor or reviewer, the admin's start page."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.urls import reverse

from claims.models import Candidate, Claim, IngestionItem
from corrections.models import Correction
from reviews.agreement import AGREED, IN_CONFLICT, claim_states
from reviews.models import Review, can_adjudicate
from sources.models import Document

TO_REVIEW = "to_review"  # the claims changelist's workflow filter: assigned, not handed in
SHOWN = 10  # rows listed under each heading; the count and the link give the rest


@dataclass
class WorkItem:
    """One heading of 'My work': how many, where to see them all, and the first few."""

    label: str
    count: int
    url: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (text, admin address)


def claims_to_review(user):
    """The claims assigned to `user` that they have not handed in a review of."""
    handed_in = Review.objects.done().filter(claim=OuterRef("pk"), reviewer=user)
    return Claim.objects.filter(assignments__reviewer=user).exclude(Exists(handed_in))


def my_work(user) -> list[WorkItem]:
    """What waits for `user`: a reviewer's assignments, drafts and assigned claims flagged
    for re-review; an editor's also the conflicts to adjudicate, agreed claims to publish,
    every flagged claim, pages sent by readers, readers' reports of errors and candidates to
    file."""
    claims = reverse("admin:claims_claim_changelist")
    items = [
        _claims(
            "Assigned to me, to review",
            claims_to_review(user),
            f"{claims}?workflow={TO_REVIEW}",
            lambda claim: f"{reverse('admin:reviews_review_add')}?claim={claim.pk}",
        ),
        _drafts(user),
    ]
    flagged = Claim.objects.exclude(rereview_reason="")
    if not can_adjudicate(user):
        mine = flagged.filter(assignments__reviewer=user)
        items.append(_claims("My claims flagged for re-review", mine, f"{claims}?workflow=mine"))
        return items
    states = claim_states()
    unpublished = Claim.objects.filter(verdict="")
    for state, label in [(IN_CONFLICT, "Conflicts to adjudicate"), (AGREED, "Agreed, to publish")]:
        ids = [pk for pk, found in states.items() if found == state]
        items.append(
            _claims(
                label,
                unpublished.filter(pk__in=ids),
                f"{claims}?workflow={state}",
                lambda claim: reverse("admin:reviews_review_adjudicate", args=[claim.pk]),
            )
        )
    items.append(_claims("Flagged for re-review", flagged, f"{claims}?workflow=rereview"))
    sent = Document.objects.filter(status=Document.Status.PROPOSED).order_by("-pk")
    items.append(
        WorkItem(
            "Pages sent by readers",
            sent.count(),
            _filtered("admin:sources_document_changelist", status__exact=Document.Status.PROPOSED),
            [
                (document.title, reverse("admin:claims_candidate_review", args=[document.pk]))
                for document in sent.only("pk", "title")[:SHOWN]
            ],
        )
    )
    reports = Correction.objects.open()
    items.append(
        WorkItem(
            "Corrections to handle",
            reports.count(),
            _filtered("admin:corrections_correction_changelist", status__in="received,checking"),
            [
                (
                    f"{c.page_title}: {c.report[:80]}",
                    reverse("admin:corrections_correction_change", args=[c.pk]),
                )
                for c in reports.only("pk", "page_title", "report").order_by("received_at")[:SHOWN]
            ],
        )
    )
    undecided = IngestionItem.objects.filter(status=IngestionItem.Status.NEEDS_DECISION)
    items.append(
        WorkItem(
            "Ingested pages much like stored ones, to decide",
            undecided.count(),
            reverse("admin:claims_ingestionjob_changelist"),
            [
                (str(item), item.job.get_absolute_url())
                for item in undecided.select_related("job").defer("data").order_by("pk")[:SHOWN]
            ],
        )
    )
    waiting = Candidate.objects.filter(status=Candidate.Status.PROPOSED)
    items.append(
        WorkItem(
            "Candidate sentences to file",
            waiting.count(),
            _filtered("admin:claims_candidate_changelist", status__exact=Candidate.Status.PROPOSED),
        )
    )
    return items


def _claims(label: str, claims, url: str, link=None) -> WorkItem:
    link = link or (lambda claim: reverse("admin:claims_claim_change", args=[claim.pk]))
    shown = claims.only("pk", "statement").order_by("pk")[:SHOWN]
    return WorkItem(label, claims.count(), url, [(c.statement, link(c)) for c in shown])


def _drafts(user) -> WorkItem:
    reviews = Review.objects.filter(reviewer=user, status=Review.Status.DRAFT)
    shown = reviews.select_related("claim").only("pk", "claim__statement").order_by("-pk")
    return WorkItem(
        "My drafts",
        reviews.count(),
        _filtered(
            "admin:reviews_review_changelist",
            status__exact=Review.Status.DRAFT,
            reviewer__id__exact=user.pk,
        ),
        [
            (r.claim.statement, reverse("admin:reviews_review_change", args=[r.pk]))
            for r in shown[:SHOWN]
        ],
    )


def _filtered(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


@dataclass
class ReviewWorkspace:
    """What a reviewer grades from, shown beside the review form: the claim, its quotes in
    context, the questions it bears on, and its evidence with the figures measured."""

    claim: Claim
    excerpts: list
    questions: list
    evidence_links: list


def review_workspace(claim: Claim | None) -> ReviewWorkspace | None:
    if claim is None:
        return None
    return ReviewWorkspace(
        claim=claim,
        excerpts=list(claim.excerpts.for_claim_page()),
        questions=list(claim.questions.only("pk", "question", "slug").order_by("pk")),
        evidence_links=list(claim.evidence_links.for_claim_page()),
    )
