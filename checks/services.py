"""Sending a checked page to the editors: the one write the page check makes."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from claims.services import NearDuplicateError, document_ingest
from sources.models import Document

TITLE_WORDS = 12


@dataclass
class Sent:
    document: Document | None  # the page the editors now have
    already: bool  # True when they had it (or a page much like it) before


def page_send_to_editors(*, text: str, url: str = "") -> Sent:
    """Store a page a reader checked as a document sent by a reader (not public until an
    editor takes it in), with its proposed sentences for the editors' review. Nothing but
    the page and its address is kept. A page the editors have, or one much like it, is not
    stored twice."""
    try:
        result = document_ingest(
            data=text,
            name="page.txt",
            title=_title(text, url),
            url=url,
            publisher=urlsplit(url).hostname or "",
            status=Document.Status.PROPOSED,
        )
    except NearDuplicateError as near:
        return Sent(near.latest or near.near_duplicates[0].document, already=True)
    return Sent(result.document, already=not result.created)


def _title(text: str, url: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    words = first_line.split()
    opening = " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
    where = urlsplit(url).hostname
    return f"Sent by a reader: {opening}" + (f" ({where})" if where else "")
