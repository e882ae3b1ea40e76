from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.models import SEARCH_CONFIG, AnchorState, Candidate, Claim, Excerpt, SearchWord
from claims.reanchoring import reanchor
from claims.services import REFRESH_BATCH, documents_refresh_counts
from config.generation import site_changed
from reviews.agreement import AGREED, IN_CONFLICT, claim_states, finished_reviews_by_claim
from reviews.models import (
    EvidenceLink,
    Review,
    can_adjudicate,
    fragments_graded_above_their_sentence,
)
from sources.models import Document, Study
from sources.slugs import unique_slug


def review_submit(*, review: Review, by=None, at=None) -> Review:
    """The author hands in a draft: it can no longer change. Once every reviewer assigned to
    the claim has handed in theirs, they can read each other's (ReviewQuerySet.visible_to).
    Nothing public changes: a submitted review is seen only in the admin. `at` is when it
    was handed in (now unless a record of an earlier review is being loaded)."""
    with transaction.atomic():
        _lock_latest(review)
        review.transition_to(Review.Status.SUBMITTED, by=by, at=at or timezone.now())
        review.full_clean()
        review.save()
    return review


def review_publish(
    *, review: Review, by=None, adjudicating: bool = False, override_reason: str = ""
) -> Review:
    """Publish a submitted review, superseding the claim's previously published one, and
    clear the claim's re-review flag. The claim's stored verdict, certainty and search text,
    the counts of the studies it cites and every cached page follow.

    The two-reviewer rule holds (see publication_refusal): `adjudicating` when an editor
    chooses this review to settle its reviewers' disagreement, `override_reason` when an
    editor publishes it alone, which the claim page shows."""
    with transaction.atomic():
        _lock_latest(review)
        review.override_reason = override_reason.strip()
        if refusal := publication_refusal(review, by=by, adjudicating=adjudicating):
            raise ValidationError(refusal, code="two_reviewer_rule")
        review_publish_write(review, by=by, override_reason=review.override_reason)
        _check_sentences_graded_whole(review.claim_id)
        claims_refresh_derived(claim_ids=[review.claim_id])
        studies_refresh_counts(study_ids=studies_cited(claim_ids=[review.claim_id]))
        site_changed()
    return review


def review_publish_write(review: Review, *, by, at=None, override_reason: str = "") -> None:
    """The write of review_publish() alone; its caller refreshes what it changed. `at` is
    when it was published (now unless a record of an earlier publication is being loaded)."""
    _lock_latest(review)
    review.override_reason = override_reason
    now = at or timezone.now()
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


def publication_refusal(review: Review, *, by, adjudicating: bool = False) -> str:
    """Why the two-reviewer rule forbids publishing this review now ('' when it allows it).

    A claim's review is published once its assigned reviewers (REVIEWERS_REQUIRED of them
    at least) have all handed in their reviews and they agree, or when an editor who is not
    one of them adjudicates: chooses one of the reviews, or writes a consensus crediting
    them. An editor may publish a review alone only with a written reason (its
    override_reason). The rule holds for every account, superusers included."""
    required = settings.REVIEWERS_REQUIRED
    if review.override_reason:
        if by is None or not by.has_perm("reviews.publish_review"):
            return "Only an editor may publish a review alone."
        return ""
    if required <= 1:
        return ""
    finished = finished_reviews_by_claim([review.claim_id]).get(review.claim_id, {})
    alone = "; or an editor publishes it alone, giving the reason."
    if len(finished) < required:
        return (
            f"Not published: {required} assigned reviewers must hand in their reviews of this "
            f"claim first ({len(finished)} so far){alone}"
        )
    state = claim_states([review.claim_id]).get(review.claim_id)
    if state not in (AGREED, IN_CONFLICT):
        return f"Not published: not every reviewer assigned to this claim has handed in{alone}"
    consensus = review.pk is not None and review.contributors.exists()
    if not consensus and review.pk not in {r.pk for r in finished.values()}:
        return (
            "Not published: this is not an assigned reviewer's latest review of the claim. "
            f"Publish one of theirs, or adjudicate{alone}"
        )
    if consensus or state == IN_CONFLICT:
        if not adjudicating:
            return (
                "Not published: its reviewers disagree. An editor adjudicates it (the "
                f"claim's Adjudicate page){alone}"
            )
        if by is None or not can_adjudicate(by):
            return "Only an editor may adjudicate."
        if by.pk in finished:
            return (
                "Not published: you reviewed this claim yourself, so another editor "
                f"adjudicates it{alone}"
            )
    return ""


def _check_sentences_graded_whole(claim_id: int) -> None:
    """Refuse (rolling the publication back) a verdict that would rate a fragment of a
    sentence above the sentence, or a sentence below a fragment already published."""
    if problems := fragments_graded_above_their_sentence([claim_id]):
        raise ValidationError(problems)


def review_unpublish(*, review: Review, by=None) -> Review:
    """Withdraw a published review; the claim shows as not reviewed and needs a new one."""
    with transaction.atomic():
        _lock_latest(review)
        review.transition_to(Review.Status.SUPERSEDED, by=by, at=timezone.now())
        review.save()
        claims_flag_write(
            Claim.objects.filter(pk=review.claim_id),
            reason=f"Its published review was withdrawn by {by or 'an editor'}.",
        )
        claims_refresh_derived(claim_ids=[review.claim_id])
        studies_refresh_counts(study_ids=studies_cited(claim_ids=[review.claim_id]))
        site_changed()
    return review


def _lock_latest(review: Review) -> None:
    """Lock a saved review's row until the transaction ends and read it afresh, so a move
    of its status saves what is stored now (a draft edit committed a moment ago, say), not
    what the caller read earlier."""
    if review.pk is not None:
        review.refresh_from_db(from_queryset=Review.objects.select_for_update())


def review_publish_consensus(*, claim: Claim, by, values: dict, contributors) -> Review:
    """Publish an editor's consensus review, crediting the reviewers it draws on. It
    adjudicates their reviews, so the two-reviewer rule wants them handed in; without them
    `values` must carry the editor's override_reason."""
    with transaction.atomic():
        review = Review(claim=claim, reviewer=by, **values)
        review.override_reason = review.override_reason.strip()
        review.full_clean()
        review.save()
        review.contributors.set(contributors)
        if refusal := publication_refusal(review, by=by, adjudicating=True):
            raise ValidationError(refusal, code="two_reviewer_rule")
        review_submit(review=review, by=by)
        review_publish_write(review, by=by, override_reason=review.override_reason)
        _check_sentences_graded_whole(claim.pk)
        claims_refresh_derived(claim_ids=[claim.pk])
        studies_refresh_counts(study_ids=studies_cited(claim_ids=[claim.pk]))
        site_changed()
    return review


def claims_flag_for_rereview(*, claims, reason: str) -> int:
    """Mark claims as needing a new review; their pages say so."""
    with transaction.atomic():
        flagged = claims_flag_write(claims, reason=reason)
        site_changed()
    return flagged


def claims_flag_write(claims, *, reason: str) -> int:
    """The write of claims_flag_for_rereview() alone (saved one by one so history records
    it); nothing a claim stores is derived from the flag."""
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


def document_version_follow(*, older: Document, newer: Document) -> dict[str, int]:
    """Find each quote of a page's older version again in its newer version
    (claims.reanchoring). A quote there verbatim, unchanged or moved, is carried over: the
    newer version gets the same excerpt of the same claim, and the older one points to it. A
    quote changed or gone stays where it was, marked so, and flags its claim for re-review,
    with what the page says now. Returns how many quotes ended in each state."""
    if newer.supersedes_id != older.pk:
        raise ValueError(f"“{newer}” is not the newer version of “{older}”.")
    now = timezone.now()
    counts = dict.fromkeys(AnchorState.values, 0)
    with transaction.atomic():
        excerpts = list(
            Excerpt.objects.select_for_update()
            .filter(document=older, anchor_state="")
            .select_related("claim")
            .order_by("start", "pk")
        )
        to_flag: dict[Claim, list[str]] = defaultdict(list)
        for excerpt in excerpts:
            anchor = reanchor(
                quote=excerpt.quote, prefix=excerpt.prefix, suffix=excerpt.suffix,
                start=excerpt.start, text=newer.body,
            )  # fmt: skip
            excerpt.anchor_state, excerpt.anchored_at = anchor.state, now
            if anchor.state in (AnchorState.UNCHANGED, AnchorState.MOVED):
                # Where the newer version files that sentence under another claim, the
                # quote stays current where it was.
                _excerpt_carry(
                    excerpt, newer, start=anchor.start, end=anchor.end, quote=excerpt.quote, at=now
                )
            else:
                excerpt.anchor_text = anchor.text
                to_flag[excerpt.claim].append(_version_change(excerpt, newer))
            excerpt.save(update_fields=["anchor_state", "anchor_text", "anchored_at", "carried_to"])
            counts[anchor.state] += 1
        for claim, changes in to_flag.items():
            _claim_save_rereview(claim, reason=" ".join(changes), at=now)
        claims_refresh_derived(claim_ids={excerpt.claim_id for excerpt in excerpts})
        documents_refresh_counts(document_ids=[older.pk, newer.pk])
        site_changed()
    return counts


def excerpt_accept_new_wording(*, excerpt: Excerpt) -> Excerpt:
    """An editor confirms that a quote the page changed still makes the same claim in its
    new wording: the newer version gets that sentence as an excerpt of the claim, and the
    old quote points to it (the claim page then shows the new wording and what it replaced).
    The claim stays flagged: its review graded the old wording."""
    with transaction.atomic():
        excerpt = Excerpt.objects.select_for_update().select_related("document").get(pk=excerpt.pk)
        newer = excerpt.document.newer_version
        if excerpt.anchor_state != AnchorState.CHANGED or excerpt.carried_to_id or newer is None:
            raise ValidationError(
                f"{excerpt} is not a quote its page changed, waiting for an editor."
            )
        start = newer.body.find(excerpt.anchor_text)
        if not excerpt.anchor_text or start < 0:
            raise ValidationError(f"The newer version of “{newer}” no longer holds that wording.")
        end = start + len(excerpt.anchor_text)
        carried = _excerpt_carry(
            excerpt, newer, start=start, end=end, quote=excerpt.anchor_text, at=timezone.now()
        )
        if carried is None:
            raise ValidationError(f"That sentence of “{newer}” is filed under another claim.")
        excerpt.save(update_fields=["carried_to"])
        claims_refresh_derived(claim_ids=[excerpt.claim_id])
        documents_refresh_counts(document_ids=[excerpt.document_id, newer.pk])
        site_changed()
    return carried


def _excerpt_carry(
    excerpt: Excerpt, newer: Document, *, start: int, end: int, quote: str, at
) -> Excerpt | None:
    """Point `excerpt` at the newer version's excerpt of its claim at start..end, found or
    made, and mark the sentence proposed for filing there as filed. None, and nothing
    changed, when the newer version files that sentence under another claim."""
    carried = Excerpt.objects.filter(document=newer, start=start, end=end).first()
    if carried is not None and carried.claim_id != excerpt.claim_id:
        return None
    if carried is None:
        carried = Excerpt(claim_id=excerpt.claim_id, document=newer, quote=quote,
                          start=start, end=end)  # fmt: skip
        carried.full_clean()
        carried.save()
    excerpt.carried_to = carried
    Candidate.objects.filter(
        document=newer, start=start, end=end, status=Candidate.Status.PROPOSED
    ).update(status=Candidate.Status.ACCEPTED, excerpt=carried, decided_at=at)
    return carried


def _version_change(excerpt: Excerpt, newer: Document) -> str:
    if excerpt.anchor_state == AnchorState.CHANGED:
        return (
            f"“{newer}” now says “{excerpt.anchor_text}” where it said “{excerpt.quote}”; "
            "an editor must confirm the new wording."
        )
    return f"“{newer}” no longer says “{excerpt.quote}”."


def study_flag_dependent_claims(*, study: Study, reason: str) -> int:
    """Flag every claim whose evidence includes this study."""
    return claims_flag_for_rereview(claims=claims_relying_on(study), reason=reason)


def retraction_reason(study: Study) -> str:
    """Why a claim needs a new review once a study it relies on is retracted."""
    return f"A study it relies on was retracted: {study}."


def claims_relying_on(study: Study):
    return Claim.objects.filter(evidence_links__study=study).distinct()


def candidate_accept(
    *,
    candidate: Candidate,
    claim: Claim | None = None,
    statement: str = "",
    category: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Excerpt:
    """File a candidate as an excerpt of an existing claim, or of a new one: the claim's
    stored quotes, document count and search text, its document's counts and the cached
    pages change.

    The span may be adjusted (start/end) before filing; the quote is always re-read from the
    document so it is exact. Raises ValidationError with a readable message on bad input."""
    if candidate.status != Candidate.Status.PROPOSED:
        raise ValidationError("This candidate has already been decided.")
    start = candidate.start if start is None else start
    end = candidate.end if end is None else end
    body = candidate.document.body
    if not (0 <= start < end <= len(body)):
        raise ValidationError(f"The span {start}–{end} is outside the document (0–{len(body)}).")
    with transaction.atomic():
        if claim is None:
            if not statement.strip():
                raise ValidationError("Choose a known claim or write the new claim's statement.")
            claim = Claim(
                statement=statement.strip(),
                slug=unique_slug(Claim, statement, fallback="claim"),
                category=category or candidate.category,
            )
            claim.full_clean()
            claim.save()
        excerpt = Excerpt(
            claim=claim, document=candidate.document, quote=body[start:end], start=start, end=end
        )
        excerpt.full_clean()
        excerpt.save()
        candidate.status, candidate.excerpt = Candidate.Status.ACCEPTED, excerpt
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["status", "excerpt", "decided_at"])
        # A quote filed from a page a reader sent takes the page into the collection.
        Document.objects.filter(pk=candidate.document_id).update(status=Document.Status.PUBLISHED)
        claims_refresh_derived(claim_ids=[claim.pk])
        documents_refresh_counts(document_ids=[candidate.document_id])
        site_changed()
    return excerpt


def derived_refresh(
    *,
    claim_ids: Iterable[int | None] = (),
    document_ids: Iterable[int | None] = (),
    study_ids: Iterable[int | None] = (),
) -> None:
    """After an editor's edit of claims, their quotes or their evidence (the admin's forms
    and deletions): refresh what the claims store, recount the documents and studies the
    edit touched (before and after it), and retire the cached pages."""
    claims_refresh_derived(claim_ids=claim_ids)
    documents_refresh_counts(document_ids=document_ids)
    studies_refresh_counts(study_ids=study_ids)
    site_changed()


def studies_cited(*, claim_ids: Iterable[int]) -> list[int]:
    """The studies in these claims' evidence, whose counts follow the claims' verdicts."""
    links = EvidenceLink.objects.filter(claim_id__in=list(claim_ids)).order_by()
    return list(links.values_list("study_id", flat=True).distinct())


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
        batch = Study.objects.filter(pk__in=ids[first : first + REFRESH_BATCH])
        batch.update(claim_count=Coalesce(Subquery(reviewed), 0))
        SearchWord.objects.add_from(batch.values_list("title", flat=True))


def claims_refresh_derived(*, claim_ids: Iterable[int]) -> None:
    """Rebuild what a claim stores about its quotes and reviews: the published verdict,
    certainty and date, how many documents make it, and its search text and vector. (The
    counts of the studies it cites follow its verdict: see studies_refresh_counts.)"""
    ids = sorted({pk for pk in claim_ids if pk is not None})
    for first in range(0, len(ids), REFRESH_BATCH):
        batch = ids[first : first + REFRESH_BATCH]
        _refresh_published_state(batch)
        _refresh_search(batch)


def _refresh_published_state(ids: Sequence[int]) -> None:
    published = Review.objects.published().filter(claim=OuterRef("pk"))
    documents = (
        Excerpt.objects.current()
        .filter(claim=OuterRef("pk"))
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
    changed_at = timezone.now()  # the moment of writing, not the transaction's start
    for claim in claims:
        claim.search_text = "\n".join([claim.statement, *texts[claim.pk]])
        claim.texts_changed_at = changed_at
    Claim.objects.bulk_update(claims, ["search_text", "texts_changed_at"], batch_size=500)
    SearchWord.objects.add_from(claim.search_text for claim in claims)
    if connection.vendor == "postgresql":
        Claim.objects.filter(pk__in=ids).update(
            search_vector=SearchVector("statement", weight="A", config=SEARCH_CONFIG)
            + SearchVector("search_text", weight="B", config=SEARCH_CONFIG)
        )
