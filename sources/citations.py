"""Import studies from the files reference tools export: RIS, BibTeX, PubMed/MEDLINE and
CSL-JSON. A file is imported whole or not at all; a bad entry is named in the error."""

import io
import json
import re
from dataclasses import dataclass, field

import bibtexparser
import rispy
from Bio import Medline
from django.core.exceptions import ValidationError
from django.db import models, transaction

from config.generation import site_changed
from sources.identifiers import normalize_doi, normalize_pmid
from sources.models import Study
from sources.slugs import unique_slug

MAX_CITATION_BYTES = 5_000_000
MEDLINE_LINE = re.compile(r"^(?:[A-Z][A-Z0-9]{1,3} {0,3}- |      |\s*$)")


class CitationError(ValueError):
    """A citation file that cannot be imported; the message names the entry or line."""


class CitationFormat(models.TextChoices):
    RIS = "ris", "RIS"
    BIBTEX = "bibtex", "BibTeX"
    MEDLINE = "medline", "PubMed/MEDLINE"
    CSL_JSON = "csl_json", "CSL-JSON"


@dataclass
class Citation:
    label: str  # where it came from, for messages: "entry 3"
    title: str
    authors: str = ""
    year: int | None = None
    journal: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""


@dataclass
class ImportReport:
    created: list[Study] = field(default_factory=list)
    updated: list[Study] = field(default_factory=list)
    skipped: list[Study] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.skipped)} skipped (already known)"
        )


def vancouver(family: str, given: str = "") -> str:
    """'Glue', 'Paul James' -> 'Glue PJ'."""
    initials = "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part)
    return f"{family.strip()} {initials.upper()}".strip()


def _split_name(name: str) -> str:
    if "," in name:
        family, given = name.split(",", 1)
        return vancouver(family, given)
    return name.strip()


def _year(value) -> int | None:
    found = re.search(r"\b(1[89]\d{2}|20\d{2})\b", str(value or ""))
    return int(found.group()) if found else None


def guess_format(name: str, text: str) -> CitationFormat:
    lowered = name.lower()
    if lowered.endswith(".ris"):
        return CitationFormat.RIS
    if lowered.endswith(".bib"):
        return CitationFormat.BIBTEX
    if lowered.endswith((".nbib", ".medline")):
        return CitationFormat.MEDLINE
    if lowered.endswith(".json"):
        return CitationFormat.CSL_JSON
    head = text.lstrip()[:200]
    if head.startswith(("[", "{")):
        return CitationFormat.CSL_JSON
    if head.startswith("@"):
        return CitationFormat.BIBTEX
    if re.match(r"TY  - ", head):
        return CitationFormat.RIS
    if re.match(r"PMID- ", head):
        return CitationFormat.MEDLINE
    raise CitationError("Unrecognized citation format: use RIS, BibTeX, MEDLINE or CSL-JSON.")


def _check_ris_entries_close(text: str) -> None:
    opened = None
    for number, line in enumerate(text.splitlines(), 1):
        tag = line[:6]
        if tag.startswith("TY  -"):
            if opened:
                raise CitationError(f"RIS: the entry at line {opened} has no 'ER  -' end line.")
            opened = number
        elif tag.startswith("ER  -"):
            opened = None
    if opened:
        raise CitationError(f"RIS: the entry at line {opened} has no 'ER  -' end line.")


def parse_ris(text: str) -> list[Citation]:
    _check_ris_entries_close(text)
    try:
        entries = rispy.loads(text)
    except Exception as error:  # rispy raises bare IOError/ParseError variants
        raise CitationError(f"RIS: {error}") from None
    return [
        Citation(
            label=f"entry {n}",
            title=entry.get("title") or entry.get("primary_title") or "",
            authors=", ".join(_split_name(a) for a in entry.get("authors", [])),
            year=_year(entry.get("year") or entry.get("date")),
            journal=entry.get("secondary_title") or entry.get("journal_name") or "",
            doi=entry.get("doi", ""),
            url=(entry.get("urls") or [""])[0],
        )
        for n, entry in enumerate(entries, 1)
    ]


def parse_bibtex(text: str) -> list[Citation]:
    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise CitationError(f"BibTeX: cannot parse the entry at line {block.start_line + 1}.")
    citations = []
    for n, entry in enumerate(library.entries, 1):
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        authors = [a for a in re.split(r"\s+and\s+", fields.get("author", "")) if a.strip()]
        citations.append(
            Citation(
                label=f"entry {n} ({entry.key})",
                title=re.sub(r"[{}]", "", fields.get("title", "")),
                authors=", ".join(_split_name(a) for a in authors),
                year=_year(fields.get("year")),
                journal=fields.get("journal", ""),
                doi=fields.get("doi", ""),
                pmid=fields.get("pmid", ""),
                url=fields.get("url", ""),
            )
        )
    return citations


def parse_medline(text: str) -> list[Citation]:
    in_field = False
    for number, line in enumerate(text.splitlines(), 1):
        if not MEDLINE_LINE.match(line):
            raise CitationError(f"MEDLINE: line {number} is not a 'TAG - value' line: {line[:60]}")
        continued = line.startswith("      ")
        if continued and not in_field:
            raise CitationError(f"MEDLINE: line {number} continues a field, but none is open.")
        in_field = continued or bool(line.strip())
    citations = []
    for n, record in enumerate(Medline.parse(io.StringIO(text)), 1):
        doi = next((a.split()[0] for a in record.get("AID", []) if a.endswith("[doi]")), "")
        authors = record.get("FAU") and [_split_name(a) for a in record["FAU"]]
        citations.append(
            Citation(
                label=f"record {n} (PMID {record.get('PMID', '?')})",
                title=record.get("TI", ""),
                authors=", ".join(authors or record.get("AU", [])),
                year=_year(record.get("DP")),
                journal=record.get("JT", "") or record.get("TA", ""),
                doi=doi,
                pmid=record.get("PMID", ""),
            )
        )
    return citations


def parse_csl_json(text: str) -> list[Citation]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise CitationError(f"CSL-JSON: line {error.lineno}: {error.msg}.") from None
    except RecursionError:
        raise CitationError("CSL-JSON: the data is nested too deeply.") from None
    except ValueError as error:  # a number too long to convert
        raise CitationError(f"CSL-JSON: {error}.") from None
    items = [items] if isinstance(items, dict) else items
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CitationError("CSL-JSON: expected a list of items.")
    citations = []
    for n, item in enumerate(items, 1):
        label = f"item {n} ({item.get('id', '?')})"
        people = item.get("author") or []
        if not isinstance(people, list):
            raise CitationError(f"CSL-JSON: {label}: 'author' is not a list of names.")
        authors = [
            vancouver(_csl_text(a, "family", label), _csl_text(a, "given", label))
            for a in people
            if isinstance(a, dict)
        ]
        citations.append(
            Citation(
                label=label,
                title=_csl_text(item, "title", label),
                authors=", ".join(authors),
                year=_csl_year(item),
                journal=_csl_text(item, "container-title", label),
                doi=_csl_text(item, "DOI", label),
                pmid=_csl_text(item, "PMID", label),
                url=_csl_text(item, "URL", label),
            )
        )
    return citations


def _csl_text(item: dict, key: str, label: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise CitationError(f"CSL-JSON: {label}: '{key}' is not text.")
    return str(value)


def _csl_year(item: dict) -> int | None:
    """The first year of 'issued', written {"date-parts": [[2020, 5, 1]]}."""
    issued = item.get("issued")
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    first = parts[0] if isinstance(parts, list) and parts else None
    return _year(first[0] if isinstance(first, list) and first else None)


PARSERS = {
    CitationFormat.RIS: parse_ris,
    CitationFormat.BIBTEX: parse_bibtex,
    CitationFormat.MEDLINE: parse_medline,
    CitationFormat.CSL_JSON: parse_csl_json,
}


def parse_citations(data: bytes | str, *, name: str = "") -> list[Citation]:
    if isinstance(data, bytes):
        if len(data) > MAX_CITATION_BYTES:
            raise CitationError(f"The file is larger than {MAX_CITATION_BYTES:,} bytes.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CitationError(f"The file is not UTF-8 (byte {error.start}).") from None
    if "\x00" in data:
        raise CitationError("The file looks binary (it contains NUL bytes).")
    citations = PARSERS[guess_format(name, data)](data)
    if not citations:
        raise CitationError("The file holds no citations.")
    for citation in citations:
        if not citation.title.strip():
            raise CitationError(f"{citation.label}: no title.")
        for name_, value in vars(citation).items():
            if isinstance(value, str) and not _storable(value):
                raise CitationError(
                    f"{citation.label}: the {name_} holds a NUL character or half a surrogate "
                    "pair, which cannot be stored as text."
                )
    return citations


def _storable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. from a JSON escape "\ud800"
        return False
    return "\x00" not in value


def _normal_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def _existing(citation: Citation) -> Study | None:
    doi, pmid = normalize_doi(citation.doi), normalize_pmid(citation.pmid)
    if doi and (study := Study.objects.filter(doi=doi).first()):
        return study
    if pmid and (study := Study.objects.filter(pmid=pmid).first()):
        return study
    wanted = _normal_title(citation.title)
    for study in Study.objects.filter(year=citation.year).only("pk", "title"):
        if _normal_title(study.title) == wanted:
            return Study.objects.get(pk=study.pk)
    return None


def _slug(citation: Citation) -> str:
    first_author = citation.authors.split(" ")[0] if citation.authors else "study"
    words = " ".join(_normal_title(citation.title).split()[:4])
    return unique_slug(Study, f"{first_author} {citation.year or 'nd'} {words}", fallback="study")


IMPORTED_FIELDS = ("title", "authors", "year", "journal", "doi", "pmid", "url")


@transaction.atomic
def citations_import(*, data: bytes | str, name: str = "", dry_run: bool = False) -> ImportReport:
    """Create or complete studies from a citation file, de-duplicated by DOI, then PMID,
    then normalized title and year. Existing values are never overwritten, only filled in."""
    report = ImportReport()
    for citation in parse_citations(data, name=name):
        study = _existing(citation)
        try:
            if study is None:
                study = Study(slug=_slug(citation), design=Study.Design.UNCLASSIFIED)
                for name_ in IMPORTED_FIELDS:
                    setattr(study, name_, getattr(citation, name_) or getattr(study, name_))
                study.full_clean()
                study.save()
                report.created.append(study)
                continue
            missing = [f for f in IMPORTED_FIELDS if not getattr(study, f) and getattr(citation, f)]
            for name_ in missing:
                setattr(study, name_, getattr(citation, name_))
            if missing:
                study.full_clean()
                study.save()
                report.updated.append(study)
            else:
                report.skipped.append(study)
        except ValidationError as error:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CitationError(f"{citation.label}: {details}") from None
    if dry_run:
        transaction.set_rollback(True)
    elif report.created or report.updated:
        site_changed()  # the study pages; no count changes: no study gained or lost a link
    return report
