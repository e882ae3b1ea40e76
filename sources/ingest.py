"""Turn an uploaded or pasted clinic page (plain text, Markdown or HTML) into document text.

The text is normalized once, here, before it is stored, so that every offset computed on
it later stays valid: Unicode NFC, one kind of line break, no control characters, single
spaces, and paragraphs separated by one blank line.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import trafilatura
from django.db import models
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

MAX_INPUT_BYTES = 2_000_000  # a clinic page is tens of kilobytes; refuse anything near 2 MB
MIN_TEXT_CHARS = 40
BLOCK_TAGS = "p|h1|h2|h3|h4|h5|h6|li|blockquote|pre|td|th|dt|dd"
NOT_PLAIN_ASCII = re.compile(r"[^\n\t\x20-\x7e]")  # the characters that may be controls


class IngestError(ValueError):
    """Input that cannot become a document; the message says why."""


def refusal(error: Exception) -> str:
    """Why a document was refused, in one line: an IngestError's message, or each of a
    ValidationError's messages."""
    return " ".join(getattr(error, "messages", [str(error)]))


class Format(models.TextChoices):
    TEXT = "text", "Plain text"
    MARKDOWN = "markdown", "Markdown"
    HTML = "html", "HTML"


@dataclass(frozen=True)
class ExtractedText:
    text: str
    title: str
    format: Format


def guess_format(name: str, text: str) -> Format:
    lowered = name.lower()
    if lowered.endswith((".html", ".htm", ".xhtml")):
        return Format.HTML
    if lowered.endswith((".md", ".markdown")):
        return Format.MARKDOWN
    if lowered.endswith(".txt"):
        return Format.TEXT
    head = text.lstrip()[:500].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(body|div|p|article)\b", head):
        return Format.HTML
    return Format.TEXT


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_INPUT_BYTES:
        raise IngestError(
            f"The input is {len(data):,} bytes; the limit is {MAX_INPUT_BYTES:,} bytes."
        )
    if b"\x00" in data[:8192]:
        raise IngestError("The input looks binary (it contains NUL bytes), not text or HTML.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(
            f"The input is not UTF-8 text (undecodable byte at position {error.start})."
        ) from None


def normalize_whitespace(text: str) -> str:
    """NFC; control characters become spaces; invisible format characters are removed.

    Format characters (Unicode category Cf) are dropped rather than kept or spaced out.
    Zero-width spaces and joiners and soft hyphens are invisible on the page, so the stored
    text reads as the page did ("keta\u00admine" stays one word for search and matching).
    Bidi controls (U+202A-U+202E, U+2066-U+2069, LRM/RLM/ALM) would make a page show its
    text in a different order from the characters stored, quoted and searched, and an
    unclosed override could reorder whatever follows it on our pages; dropping them once,
    here, keeps every page, feed and export safe without isolating each place that shows
    document text. Right-to-left scripts still display correctly without them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = NOT_PLAIN_ASCII.sub(lambda found: _without_controls(found.group()), text)
    text = unicodedata.normalize("NFC", text)  # after dropping what could split a character
    text = re.sub(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


@lru_cache(maxsize=4096)
def _without_controls(ch: str) -> str:
    if ch in "\n\t":
        return ch
    category = unicodedata.category(ch)
    return " " if category == "Cc" else "" if category == "Cf" else ch


def html_to_text(markup: str) -> tuple[str, str]:
    """Main text (boilerplate, scripts, navigation dropped) and title of an HTML page."""
    extracted = trafilatura.extract(
        markup, output_format="txt", include_comments=False, include_tables=True,
        favor_recall=True,
    )  # fmt: skip
    metadata = trafilatura.extract_metadata(markup)
    title = (metadata.title or "") if metadata else ""
    if extracted:
        return extracted.replace("\n", "\n\n"), title
    return _blocks_text(markup), title


def _blocks_text(markup: str) -> str:
    """Fallback for fragments too small for main-text extraction: each block on its own."""
    try:  # as UTF-8 bytes, so that an XML declaration naming an encoding is allowed
        tree = lxml_html.fromstring(
            markup.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8")
        )
    except etree.ParserError:  # nothing but white space, comments or a doctype
        return ""
    for dropped in tree.xpath("//script|//style|//nav|//noscript|//template"):
        dropped.drop_tree()
    blocks = [
        b.text_content()
        for b in tree.xpath(f"//*[self::{' or self::'.join(BLOCK_TAGS.split('|'))}]")
    ]
    return "\n\n".join(block for block in blocks if block.strip()) or tree.text_content()


def extract(data: bytes | str, *, name: str = "") -> ExtractedText:
    """Decode, extract and normalize; raise IngestError for input that cannot be a document."""
    raw = decode(data)
    kind = guess_format(name, raw)
    title = ""
    if kind == Format.HTML:
        raw, title = html_to_text(raw)
    elif kind == Format.MARKDOWN:
        raw = _blocks_text(MarkdownIt().render(raw))
    text = normalize_whitespace(raw)
    if len(text) < MIN_TEXT_CHARS:
        raise IngestError(
            f"Only {len(text)} characters of text were found; a document needs at least "
            f"{MIN_TEXT_CHARS}."
        )
    title = normalize_whitespace(title) or normalize_whitespace(text.split("\n", 1)[0][:200])
    return ExtractedText(text=text, title=title, format=kind)
