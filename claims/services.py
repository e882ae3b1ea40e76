from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.candidates import propose
from claims.claim_index import claim_index
from claims.models import Candidate, Excerpt, IngestionItem, IngestionJob, SearchWord
from config.generation import site_changed
from sources.fetching import FetchRefused, fetch_page
from sources.fingerprints import fingerprint
from sources.ingest import IngestError, extract, refusal
from sources.models import Document, NearDuplicate, body_sha256
from sources.slugs import unique_slug

REFRESH_BATCH = 2000  # rows a refresh updates per statement


class NearDuplicateError(IngestError):
    """The text is much like a stored page: it may be a new version of it or another page."""

    def __init__(self, near_duplicates: list[NearDuplicate]):
        self.near_duplicates = near_duplicates
        alike = ", ".join(
            f"“{near.document}” ({near.document.slug}, {near.similarity:.0%} alike)"
            for near in near_duplicates
        )
        super().__init__(f"This text is much like a page already stored: {alike}.")

    @property
    def latest(self) -> Document | None:
        """The most alike page that has no newer version yet: the one to supersede."""
        current = (n.document for n in self.near_duplicates if n.document.newer_version is None)
        return next(current, None)


@dataclass
class IngestResult:
    document: Document | None
    created: bool
    text: str
    candidates: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"text": self.text, "candidates": self.candidates}


def _proposals_with_matches(text: str) -> list[dict]:
    proposals = propose(text)
    matches = claim_index().best_for_each([p.quote for p in proposals])
    return [
        {**vars(proposal), "matches": [dict(vars(match)) for match in found]}
        for proposal, found in zip(proposals, matches, strict=True)
    ]


def document_ingest(
    *,
    data: bytes | str,
    name: str = "",
    title: str = "",
    url: str = "",
    publisher: str = "",
    kind: str = Document.Kind.CLINIC_PAGE,
    status: str = Document.Status.PUBLISHED,
    dry_run: bool = False,
    supersedes: Document | None = None,
    different_page: bool = False,
) -> IngestResult:
    """Extract a page's text, store it as a document (unless the same text is stored
    already) and propose its check-worthy sentences with the known claims they may repeat.

    A text much like a stored page is stored only as a new version of a page
    (`supersedes`) or, with `different_page`, as a page of its own; otherwise
    NearDuplicateError names the pages it is like. Raises sources.ingest.IngestError or
    ValidationError; nothing is stored then."""
    if supersedes is not None and different_page:
        raise ValueError("A text is either a new version of a page or a different page.")
    extracted = extract(data, name=name)
    text = extracted.text
    sha256 = body_sha256(text)
    existing = Document.objects.filter(sha256=sha256).first()
    if existing:
        return IngestResult(existing, False, text, [])
    signature = fingerprint(text)
    if supersedes is None and not different_page:
        if near := Document.objects.near_duplicates(signature):
            raise NearDuplicateError(near)
    candidates = _proposals_with_matches(text)
    if dry_run:
        return IngestResult(None, False, text, candidates)
    with transaction.atomic():
        document = Document(
            title=(title or extracted.title)[:300],
            slug=unique_slug(Document, title or extracted.title, fallback="document"),
            url=url,
            publisher=publisher,
            kind=kind,
            status=status,
            body=text,
            sha256=sha256,
            fingerprint=signature,
            supersedes=supersedes,
        )
        document.full_clean()
        document.save()
        Candidate.objects.bulk_create(
            Candidate(
                document=document,
                start=row["start"],
                end=row["end"],
                quote=row["quote"],
                category=row["category"],
                reasons=row["reasons"],
                matches=row["matches"],
            )
            for row in candidates
        )
        # A new page and its proposals: no excerpts yet, so no count or claim changes.
        site_changed()
    return IngestResult(document, True, text, candidates)


def candidate_dismiss(*, candidate: Candidate) -> None:
    if candidate.status != Candidate.Status.PROPOSED:
        raise ValidationError("This candidate has already been decided.")
    candidate.status, candidate.decided_at = Candidate.Status.DISMISSED, timezone.now()
    candidate.save(update_fields=["status", "decided_at"])


def candidate_split(*, candidate: Candidate, at: int) -> tuple[Candidate, Candidate]:
    """Split a compound sentence's candidate in two at document position `at`: the text
    before it and the text from it, each trimmed of spaces and matched anew, so that each
    part can be filed under its own claim. The candidate split is replaced by its parts."""
    if candidate.status != Candidate.Status.PROPOSED:
        raise ValidationError("This candidate has already been decided.")
    if not candidate.start < at < candidate.end:
        raise ValidationError(
            f"Split at a position inside the candidate ({candidate.start + 1}–"
            f"{candidate.end - 1}); {at} is not."
        )
    body = candidate.document.body
    spans = [_trimmed(body, candidate.start, at), _trimmed(body, at, candidate.end)]
    if any(start == end for start, end in spans):
        raise ValidationError("Both parts of a split must have some text.")
    quotes = [body[start:end] for start, end in spans]
    found = claim_index().best_for_each(quotes)
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().filter(
            pk=candidate.pk, status=Candidate.Status.PROPOSED
        )
        if not locked.exists():
            raise ValidationError("This candidate has already been decided.")
        same_span = Q()
        for start, end in spans:
            same_span |= Q(start=start, end=end)
        taken = Candidate.objects.filter(same_span, document_id=candidate.document_id)
        if taken.exists():
            raise ValidationError("A candidate with that span exists already.")
        locked.delete()
        parts = tuple(
            Candidate.objects.create(
                document_id=candidate.document_id,
                start=start,
                end=end,
                quote=quote,
                category=candidate.category,
                reasons=candidate.reasons,
                matches=[dict(vars(match)) for match in matches],
            )
            for (start, end), quote, matches in zip(spans, quotes, found, strict=True)
        )
    return parts


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the spaces at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def documents_refresh_counts(*, document_ids: Iterable[int | None]) -> None:
    """Recount each document's excerpts and the distinct claims they quote, as stored on
    the document for the lists that show them."""
    ids = sorted({pk for pk in document_ids if pk is not None})
    excerpts = Excerpt.objects.filter(document=OuterRef("pk")).order_by().values("document")
    for first in range(0, len(ids), REFRESH_BATCH):
        batch = Document.objects.filter(pk__in=ids[first : first + REFRESH_BATCH])
        SearchWord.objects.add_from(batch.values_list("title", flat=True))
        batch.update(
            excerpt_count=Coalesce(Subquery(excerpts.annotate(n=Count("pk")).values("n")), 0),
            claim_count=Coalesce(
                Subquery(excerpts.annotate(n=Count("claim", distinct=True)).values("n")), 0
            ),
        )


# Ingestion in the background (claims.tasks runs ingestion_item_run for each item).


def ingestion_job_create(
    *, by, items: list[dict], publisher: str = "", kind: str = Document.Kind.CLINIC_PAGE
) -> IngestionJob:
    """A job of pages to ingest, each item a dict of IngestionItem's fields (an address to
    fetch, or a text given with its file name). Nothing is ingested yet: queue its items
    (claims.tasks.ingestion_job_queue) once this has returned."""
    if not items:
        raise ValidationError("Give at least one page: an address, a file or a text.")
    with transaction.atomic():
        job = IngestionJob.objects.create(
            created_by=by, publisher=publisher, kind=kind, total=len(items)
        )
        IngestionItem.objects.bulk_create(
            IngestionItem(job=job, position=position, **item)
            for position, item in enumerate(items, start=1)
        )
    return job


def ingestion_item_run(*, item_id: int) -> IngestionItem:
    """Ingest one item of a job, if it is still waiting: fetch it (outside any transaction),
    then store it and count it finished in one transaction. Run twice, it does nothing the
    second time; interrupted, it leaves the item waiting."""
    item = IngestionItem.objects.select_related("job").get(pk=item_id)
    if item.status != IngestionItem.Status.QUEUED:
        return item
    data, name, url, refusal = item.data, item.name, item.url, ""
    if item.fetch:
        try:
            page = fetch_page(item.url)
        except FetchRefused as error:
            refusal = str(error)
        else:
            data, name, url = page.body, page.file_name, page.url
    with transaction.atomic():
        item = IngestionItem.objects.select_for_update().select_related("job").get(pk=item_id)
        if item.status != IngestionItem.Status.QUEUED:
            return item
        if refusal:
            _item_finish(item, IngestionItem.Status.FAILED, refusal)
        else:
            _item_ingest(item, bytes(data or b""), name, url)
    return item


def _item_ingest(item: IngestionItem, data: bytes, name: str, url: str) -> None:
    Status = IngestionItem.Status
    try:
        result = document_ingest(
            data=data, name=name, title=item.title, url=url, publisher=item.job.publisher,
            kind=item.job.kind, supersedes=item.supersedes, different_page=item.different_page,
        )  # fmt: skip
    except NearDuplicateError as error:
        item.near_duplicates = [
            {"pk": near.document.pk, "title": near.document.title, "slug": near.document.slug,
             "similarity": round(near.similarity, 2),
             "has_newer_version": near.document.newer_version is not None}
            for near in error.near_duplicates
        ]  # fmt: skip
        _item_finish(item, Status.NEEDS_DECISION, str(error))
    except (IngestError, ValidationError) as error:
        _item_finish(item, Status.FAILED, refusal(error))
    else:
        item.document, item.candidate_count = result.document, len(result.candidates)
        if result.created:
            _item_finish(item, Status.STORED, f"Stored with {len(result.candidates)} candidates.")
        else:
            _item_finish(item, Status.ALREADY_STORED, "This text is already stored.")


def _item_finish(item: IngestionItem, status: str, message: str) -> None:
    now = timezone.now()
    item.status, item.message, item.finished_at = status, message, now
    item.save()
    jobs = IngestionJob.objects.filter(pk=item.job_id)
    jobs.update(finished=F("finished") + 1)
    jobs.filter(finished=F("total")).update(finished_at=now)


def ingestion_item_decide(
    *, item: IngestionItem, supersedes: Document | None = None, different_page: bool = False
) -> IngestionItem:
    """The editor's answer for a text much like a stored page: a newer version of one of
    those pages, or a different page. The item waits to be ingested again (queue it)."""
    if (supersedes is None) == (not different_page):
        raise ValidationError("Choose one of the pages offered, or a different page.")
    with transaction.atomic():
        item = IngestionItem.objects.select_for_update().get(pk=item.pk)
        if item.status != IngestionItem.Status.NEEDS_DECISION:
            raise ValidationError("This page has been decided already.")
        offered = {near["pk"] for near in item.near_duplicates if not near["has_newer_version"]}
        if supersedes is not None and supersedes.pk not in offered:
            raise ValidationError("Choose one of the pages offered, or a different page.")
        item.supersedes, item.different_page = supersedes, different_page
        item.status, item.message, item.finished_at = IngestionItem.Status.QUEUED, "", None
        item.save()
        IngestionJob.objects.filter(pk=item.job_id).update(
            finished=F("finished") - 1, finished_at=None
        )
    return item
