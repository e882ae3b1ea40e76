from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.models import SEARCH_CONFIG, Claim, Excerpt
from reviews.models import EvidenceLink, Review
from sources.models import Document, Study


def review_submit(*, review: Review, by=None) -> Review:
    """The author hands in a draft: it can no longer change. Once every reviewer assigned to
    the claim has handed in theirs, they can read each other's (ReviewQuerySet.visible_to)."""
    with transaction.atomic():
        _lock_latest(review)
        review.transition_to(Review.Status.SUBMITTED, by=by, at=timezone.now())
        review.full_clean()
        review.save()
    return review


def review_publish(*, review: Review, by=None) -> Review:
    """Publish a submitted review, superseding the claim's previously published one, and
    clear the claim's re-review flag."""
    with transaction.atomic():
        _lock_latest(review)
        now = timezone.now()
        earlier = Review.objects.select_for_update().filter(
            claim_id=review.claim_id, status=Review.Status.PUBLISHED
        )
        for old in earlier.exclude(pk=review.pk):
            old.transition_to(Review.Status.SUPERSEDED, by=by, at=now)
            old.save()
        review.transition_to(Review.Status.PUBLISHED, by=by, at=now)
        review.full_clean()
        review.save()
        claim = review.claim
        if claim.rereview_reason:
            _claim_save_rereview(claim, reason="", at=None)
    return review


def review_unpublish(*, review: Review, by=None) -> Review:
    """Withdraw a published review; the claim shows as not reviewed and needs a new one."""
    with transaction.atomic():
        _lock_latest(review)
        now = timezone.now()
        review.transition_to(Review.Status.SUPERSEDED, by=by, at=now)
        review.save()
        claims_flag_for_rereview(
            claims=Claim.objects.filter(pk=review.claim_id),
            reason=f"Its published review was withdrawn by {by or 'an editor'}.",
        )
    return review


def _lock_latest(review: Review) -> None:
    """Lock a saved review's row until the transaction ends and read it afresh, so a move
    of its status saves what is stored now (a draft edit committed a moment ago, say), not
    what the caller read earlier."""
    if review.pk is not None:
        review.refresh_from_db(from_queryset=Review.objects.select_for_update())


def review_publish_consensus(*, claim: Claim, by, values: dict, contributors) -> Review:
    """Publish an editor's consensus review, crediting the reviewers it draws on."""
    with transaction.atomic():
        review = Review(claim=claim, reviewer=by, **values)
        review.full_clean()
        review.save()
        review.contributors.set(contributors)
        review_submit(review=review, by=by)
        return review_publish(review=review, by=by)


def claims_flag_for_rereview(*, claims, reason: str) -> int:
    """Mark claims as needing a new review (saved one by one so history records it)."""
    now = timezone.now()
    flagged = 0
    for claim in claims:
        _claim_save_rereview(claim, reason=reason, at=now)
        flagged += 1
    return flagged


def _claim_save_rereview(claim: Claim, *, reason: str, at) -> None:
    """Store why the claim needs a new review ("" once it has one) as a new version of the
    claim, so that a change page opened before cannot save its stale flag over this."""
    claim.rereview_reason, claim.rereview_requested_at = reason, at
    claim.version = F("version") + 1
    claim.save(update_fields=["rereview_reason", "rereview_requested_at", "version", "updated_at"])
    claim.refresh_from_db(fields=["version"])


def study_flag_dependent_claims(*, study, reason: str) -> int:
    """Flag every claim whose evidence includes this study."""
    claims = Claim.objects.filter(evidence_links__study=study).distinct()
    return claims_flag_for_rereview(claims=claims, reason=reason)


# Claims, documents and studies whose derived state a derived_refresh_deferred() block
# will refresh at its end (None outside such a block).
_pending: ContextVar[dict[str, set[int]] | None] = ContextVar("pending_refresh", default=None)
REFRESH_BATCH = 2000


@contextmanager
def derived_refresh_deferred() -> Iterator[None]:
    """Within the block, collect the claims, documents and studies whose derived state is
    stale and refresh each once at the end, instead of after every save (bulk loads save
    thousands of rows)."""
    pending: dict[str, set[int]] = {"claims": set(), "documents": set(), "studies": set()}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    claims_refresh_derived(claim_ids=pending["claims"])  # recounts the studies they cite
    documents_refresh_counts(document_ids=pending["documents"])
    studies_refresh_counts(study_ids=pending["studies"])


def _refresh_or_defer(kind: str, ids: Iterable[int], refresh: Callable[[list[int]], None]):
    pending = _pending.get()
    if pending is None:
        refresh(list(ids))
    else:
        pending[kind].update(pk for pk in ids if pk is not None)


def claims_schedule_refresh(*, claim_ids: Iterable[int]) -> None:
    """Refresh now, or at the end of the enclosing derived_refresh_deferred() block."""
    _refresh_or_defer("claims", claim_ids, lambda ids: claims_refresh_derived(claim_ids=ids))


def documents_schedule_refresh(*, document_ids: Iterable[int]) -> None:
    """Recount now, or at the end of the enclosing derived_refresh_deferred() block."""
    _refresh_or_defer(
        "documents", document_ids, lambda ids: documents_refresh_counts(document_ids=ids)
    )


def studies_schedule_refresh(*, study_ids: Iterable[int]) -> None:
    """Recount now, or at the end of the enclosing derived_refresh_deferred() block."""
    _refresh_or_defer("studies", study_ids, lambda ids: studies_refresh_counts(study_ids=ids))


def studies_refresh_counts(*, study_ids: Iterable[int]) -> None:
    """Recount how many claims with a published review each study bears on."""
    ids = sorted({pk for pk in study_ids if pk is not None})
    reviewed = (
        EvidenceLink.objects.filter(study=OuterRef("pk"))
        .exclude(claim__verdict="")
        .order_by()
        .values("study")
        .annotate(n=Count("pk"))
        .values("n")
    )
    for first in range(0, len(ids), REFRESH_BATCH):
        Study.objects.filter(pk__in=ids[first : first + REFRESH_BATCH]).update(
            claim_count=Coalesce(Subquery(reviewed), 0)
        )


def documents_refresh_counts(*, document_ids: Iterable[int]) -> None:
    """Recount each document's excerpts and the distinct claims they quote, as stored on
    the document for the lists that show them."""
    ids = sorted({pk for pk in document_ids if pk is not None})
    excerpts = Excerpt.objects.filter(document=OuterRef("pk")).order_by().values("document")
    for first in range(0, len(ids), REFRESH_BATCH):
        Document.objects.filter(pk__in=ids[first : first + REFRESH_BATCH]).update(
            excerpt_count=Coalesce(Subquery(excerpts.annotate(n=Count("pk")).values("n")), 0),
            claim_count=Coalesce(
                Subquery(excerpts.annotate(n=Count("claim", distinct=True)).values("n")), 0
            ),
        )


def claims_refresh_derived(*, claim_ids: Iterable[int]) -> None:
    """Rebuild what a claim stores about its quotes and reviews: the published verdict,
    certainty and date, how many documents make it, and its search text and vector."""
    ids = sorted({pk for pk in claim_ids if pk is not None})
    for first in range(0, len(ids), REFRESH_BATCH):
        batch = ids[first : first + REFRESH_BATCH]
        _refresh_published_state(batch)
        _refresh_search(batch)
        # A claim gaining or losing its published review changes its studies' counts.
        cited = EvidenceLink.objects.filter(claim_id__in=batch).values_list("study_id", flat=True)
        studies_refresh_counts(study_ids=cited.distinct())


def _refresh_published_state(ids: Sequence[int]) -> None:
    published = Review.objects.published().filter(claim=OuterRef("pk"))
    documents = (
        Excerpt.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(n=Count("document", distinct=True))
        .values("n")
    )
    Claim.objects.filter(pk__in=ids).update(
        verdict=Coalesce(Subquery(published.values("verdict")[:1]), Value("")),
        certainty=Coalesce(Subquery(published.values("certainty")[:1]), Value("")),
        published_at=Subquery(published.values("published_at")[:1]),
        document_count=Coalesce(Subquery(documents), Value(0)),
    )


def _refresh_search(ids: Sequence[int]) -> None:
    """The search text holds the statement, every quote and the published review's
    rationale and summary, so a search finds a claim by any words a clinic or a reviewer
    used; on PostgreSQL it is also stored as a weighted vector for the GIN index."""
    texts: dict[int, list[str]] = defaultdict(list)
    quotes = Excerpt.objects.filter(claim_id__in=ids).values_list("claim_id", "quote")
    for claim_id, quote in quotes:
        texts[claim_id].append(quote)
    published = Review.objects.published().filter(claim_id__in=ids)
    for claim_id, rationale, summary in published.values_list("claim_id", "rationale", "summary"):
        texts[claim_id] += [rationale, summary]
    claims = list(Claim.objects.filter(pk__in=ids).only("pk", "statement"))
    for claim in claims:
        claim.search_text = "\n".join([claim.statement, *texts[claim.pk]])
    Claim.objects.bulk_update(claims, ["search_text"], batch_size=500)
    if connection.vendor == "postgresql":
        Claim.objects.filter(pk__in=ids).update(
            search_vector=SearchVector("statement", weight="A", config=SEARCH_CONFIG)
            + SearchVector("search_text", weight="B", config=SEARCH_CONFIG)
        )
