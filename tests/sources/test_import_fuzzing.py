"""Fuzzing the importers: whatever bytes or near-valid records come in, citation import and
document ingestion either succeed or raise their own error with a message, and when they
refuse, nothing is stored."""

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from claims.models import Candidate, Claim, Excerpt
from claims.services import document_ingest
from sources.citations import CitationError, citations_import
from sources.ingest import IngestError, normalize_whitespace
from sources.models import Document, Study
from tests.fuzzing import examples

pytestmark = pytest.mark.django_db


def with_db(n: int) -> settings:
    """n examples sharing one test database (each import cleans up after itself or not)."""
    return settings(
        max_examples=examples(n),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


JUNK = [
    "\x00", "\x01", "\x1b[31m", "\r", "\r\n", "\n", "\t", "\x0c", "\x85", "\u2028", "\u202e",
    "\u200b", "\ufeff", "\ud7ff", "\U0001f600", "{", "}", "[", "]", "@", "%", "\\", '"', "'",
    ",", "=", "#", "<", ">", "&", "  - ", "      ", "TY  - ", "ER  - ", "PMID- ", "AU  - ",
    "@article{", "@comment{", "@string{", "\\u0000", "\\ud800", "null", "[[", "]]", "1e999",
    "-", "99999999999999999999", "<script>", "</p>", "<!--", "<![CDATA[", "<?xml ", "&#0;",
]  # fmt: skip
junk = st.lists(st.sampled_from(JUNK) | st.text(max_size=3), max_size=6).map("".join)
WORDS = ["Ketamine", "for", "anxiety", "in", "a", "randomized", "trial", "Glue", "Paul", "é"]
plain = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
wild = st.text(st.characters(codec="utf-8"), max_size=40)
words = st.one_of(plain, plain, plain, wild)  # mostly valid, so that imports also succeed
years = st.one_of(st.integers(1800, 2100).map(str), st.sampled_from(["", "2020 Jan", "20xx"]))
dois = st.one_of(
    st.tuples(st.integers(1000, 99999), plain).map(lambda d: f"10.{d[0]}/{d[1]}".replace(" ", "-")),
    st.sampled_from(["doi:10.1177/0269881117705089", "https://doi.org/10.1000/X", "", "10.1/x"]),
)
pmids = st.integers(1, 10**9)  # the largest has one digit too many
urls = st.one_of(st.sampled_from(["https://example.org/a?b=1", "", "javascript:alert(1)"]), wild)


@st.composite
def mutated(draw, text: str) -> str:
    """A valid file with a few random edits: cut, repeat, insert junk, or truncate."""
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 20)))
        edit = draw(st.sampled_from(["cut", "repeat", "insert", "truncate"]))
        if edit == "cut":
            text = text[:i] + text[j:]
        elif edit == "repeat":
            text = text[:j] + text[i:j] + text[j:]
        elif edit == "insert":
            text = text[:i] + draw(junk) + text[i:]
        else:
            text = text[:i]
    return text


@st.composite
def ris_files(draw):
    records = []
    for _ in range(draw(st.integers(1, 3))):
        lines = ["TY  - JOUR", f"TI  - {draw(words)}", f"AU  - {draw(words)}, {draw(words)}"]
        lines += [f"PY  - {draw(years)}", f"T2  - {draw(words)}", f"DO  - {draw(dois)}"]
        lines += [f"UR  - {draw(urls)}", "ER  - "]
        records.append("\n".join(lines))
    return draw(mutated("\n\n".join(records) + "\n"))


@st.composite
def bibtex_files(draw):
    entries = []
    for n in range(draw(st.integers(1, 3))):
        fields = {
            "title": draw(words), "author": f"{draw(words)} and {draw(words)}",
            "year": draw(years), "journal": draw(words), "doi": draw(dois), "url": draw(urls),
        }  # fmt: skip
        body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items())
        entries.append(f"@article{{key{n},\n{body}\n}}")
    return draw(mutated("\n\n".join(entries)))


@st.composite
def medline_files(draw):
    records = []
    for _ in range(draw(st.integers(1, 3))):
        pmid = draw(pmids)
        lines = [f"PMID- {pmid}", f"TI  - {draw(words)}", f"      {draw(words)}"]
        lines += [f"FAU - {draw(words)}, {draw(words)}", f"AU  - {draw(words)}"]
        lines += [f"DP  - {draw(years)}", f"JT  - {draw(words)}", f"AID - {draw(dois)} [doi]"]
        records.append("\n".join(lines))
    return draw(mutated("\n\n".join(records) + "\n"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@st.composite
def csl_files(draw, edits=True):
    def field(valid):
        return draw(valid | json_values) if draw(st.booleans()) else draw(valid)

    items = [
        {
            "id": field(st.text(max_size=8)),
            "title": field(words),
            "author": field(st.lists(st.fixed_dictionaries({"family": words, "given": words}))),
            "issued": field(st.fixed_dictionaries({"date-parts": st.just([[2021, 11]])})),
            "container-title": field(words),
            "DOI": field(dois),
            "PMID": field(pmids.map(str)),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    text = json.dumps(items, ensure_ascii=draw(st.booleans()))
    return draw(mutated(text)) if edits else text


def stored_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Study, Document, Candidate, Excerpt, Claim)}


def import_or_refuse(data, name: str) -> None:
    before = stored_counts()
    try:
        report = citations_import(data=data, name=name)
    except CitationError as error:
        event(f"refused: {str(error)[:20]}")
        assert str(error).strip()
        assert stored_counts() == before
    else:
        event("imported")
        assert stored_counts()["Study"] == before["Study"] + len(report.created)


def ingest_or_refuse(data, name: str) -> None:
    before = stored_counts()
    try:
        result = document_ingest(data=data, name=name)
    except IngestError as error:
        event(f"refused: {str(error)[:20]}")
        assert str(error).strip()
        assert stored_counts() == before
    else:
        event("stored" if result.created else "already stored")
        document = result.document
        assert document.body == result.text and document.title.strip()
        for candidate in document.candidates.all():
            assert document.body[candidate.start : candidate.end] == candidate.quote
        assert stored_counts()["Document"] == before["Document"] + result.created


CITATION_NAMES = ["x.ris", "x.bib", "x.nbib", "x.medline", "x.json", "refs.txt"]
DOCUMENT_NAMES = ["x.txt", "x.md", "x.html", "page"]


@with_db(100)
@given(st.binary(max_size=400) | st.text(max_size=400) | junk, st.sampled_from(CITATION_NAMES))
@example("      continues nothing\n", "x.nbib")  # crashed Bio.Medline with a KeyError
@example("PMID- 1\nTI  - A title\n\n      after a blank line\n", "x.nbib")
@example("[" * 100_000 + "]" * 100_000, "x.json")  # RecursionError
@example('[{"title": "x", "PMID": ' + "1" * 5000 + "}]", "x.json")  # int too long: ValueError
@example('[{"title": "x", "issued": "2020"}]', "x.json")  # AttributeError
@example('[{"title": "x", "issued": {"date-parts": [2020]}}]', "x.json")  # TypeError
@example('[{"title": "x", "author": [{"family": null, "given": 5}]}]', "x.json")
@example('[{"title": "x", "author": "Glue, Paul"}]', "x.json")
@example('[{"title": "NUL \\u0000 in a title"}]', "x.json")  # PostgreSQL cannot store NUL
@example('[{"title": "half a pair \\ud800"}]', "x.json")  # UnicodeEncodeError on saving
def test_any_bytes_import_or_are_refused_with_a_message(data, name):
    import_or_refuse(data, name)


@with_db(100)
@given(
    st.one_of(
        st.tuples(ris_files(), st.just("x.ris")),
        st.tuples(bibtex_files(), st.just("x.bib")),
        st.tuples(medline_files(), st.just("x.nbib")),
        st.tuples(csl_files(), st.just("x.json")),
    ),
    st.booleans(),
)
def test_near_valid_citation_files_import_or_are_refused_with_a_message(case, as_bytes):
    text, name = case
    import_or_refuse(text.encode("utf-8", "surrogatepass") if as_bytes else text, name)


@with_db(60)
@given(csl_files(edits=False))
def test_csl_json_with_values_of_any_type_imports_or_is_refused(text):
    import_or_refuse(text, "x.json")


@with_db(60)
@given(st.binary(max_size=600) | st.text(max_size=600) | junk, st.sampled_from(DOCUMENT_NAMES))
@example(b"  \n ", "x.html")  # lxml: "Document is empty"
@example(b"<!-- nothing but a comment -->", "x.html")
@example(b"<!doctype html>", "page")
@example(b'<?xml version="1.0" encoding="utf-8"?><p>' + b"It works within hours. " * 3, "x.html")
@example(b"<title>\xe2\x80\x8b</title><p>" + b"Ketamine works within hours. " * 3, "x.html")
def test_any_bytes_ingest_or_are_refused_with_a_message(data, name):
    ingest_or_refuse(data, name)


sentences = st.sampled_from(
    [
        "Ketamine relieves anxiety within hours for most of our patients.",
        "A course is usually six infusions, given a week apart.",
        "It is 100% safe & FDA approved <really>.",
        "Call us at (555) 867-5309.",
    ]
)


@st.composite
def html_pages(draw):
    paragraphs = draw(st.lists(sentences | words, min_size=1, max_size=5))
    title = draw(words | st.sampled_from(["", "\u200b", " \x00 "]))
    prolog = draw(st.sampled_from(["<!doctype html>", '<?xml version="1.0" encoding="utf-8"?>']))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = f"{prolog}<html><head><title>{title}</title></head><body>{body}</body></html>"
    return draw(mutated(page))


@st.composite
def markdown_pages(draw):
    paragraphs = draw(st.lists(sentences | words, min_size=1, max_size=5))
    page = "# " + "\n\n".join(paragraphs) + "\n\n* a [link](javascript:alert(1))\n\n<b>x</b>"
    return draw(mutated(page))


@with_db(60)
@given(
    st.one_of(
        st.tuples(html_pages(), st.sampled_from(["x.html", "page"])),
        st.tuples(markdown_pages(), st.just("x.md")),
        st.tuples(markdown_pages(), st.just("x.txt")),
    ),
    st.booleans(),
)
def test_near_valid_pages_ingest_or_are_refused_with_a_message(case, as_bytes):
    text, name = case
    ingest_or_refuse(text.encode("utf-8", "surrogatepass") if as_bytes else text, name)


@settings(max_examples=examples(300))
@given(st.text() | junk)
def test_normalized_text_is_stable_and_has_no_controls_or_invisible_characters(text):
    normal = normalize_whitespace(text)
    assert normalize_whitespace(normal) == normal
    assert unicodedata.is_normalized("NFC", normal)
    assert all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in normal.replace("\n", ""))
    assert "  " not in normal and "\n\n\n" not in normal and normal == normal.strip()
