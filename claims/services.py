from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils.text import slugify

from claims.candidates import Proposal, propose
from claims.matching import ClaimMatcher
from claims.models import Candidate
from sources.ingest import extract
from sources.models import Document, body_sha256


@dataclass
class IngestResult:
    document: Document | None
    created: bool
    text: str
    candidates: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"text": self.text, "candidates": self.candidates}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:80].strip("-") or "document"
    slug, n = base, 2
    while Document.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _proposals_with_matches(text: str) -> list[dict]:
    matcher = ClaimMatcher.from_database()
    rows = []
    for proposal in propose(text):
        row = asdict(proposal)
        row["matches"] = [asdict(m) for m in matcher.best(proposal.quote)]
        rows.append(row)
    return rows


def document_ingest(
    *,
    data: bytes | str,
    name: str = "",
    title: str = "",
    url: str = "",
    publisher: str = "",
    kind: str = Document.Kind.CLINIC_PAGE,
    dry_run: bool = False,
) -> IngestResult:
    """Extract a page's text, store it as a document (unless the same text is stored
    already) and propose its check-worthy sentences with the known claims they may repeat.
    Raises sources.ingest.IngestError or ValidationError; nothing is stored then."""
    extracted = extract(data, name=name)
    text = extracted.text
    existing = Document.objects.filter(sha256=body_sha256(text)).first()
    if existing:
        return IngestResult(existing, False, text, [])
    candidates = _proposals_with_matches(text)
    if dry_run:
        return IngestResult(None, False, text, candidates)
    with transaction.atomic():
        document = Document(
            title=(title or extracted.title)[:300],
            slug=_unique_slug(title or extracted.title),
            url=url,
            publisher=publisher,
            kind=kind,
            body=text,
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
    return IngestResult(document, True, text, candidates)


__all__ = ["IngestResult", "Proposal", "document_ingest"]
