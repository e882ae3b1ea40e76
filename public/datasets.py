"""The whole public dataset as downloads: one CSV file per table in a ZIP archive with its
data dictionary, licence and how to cite it, and the same tables as one JSON file.

The files are made once per change to the public data, not per request: an export is
named by the site generation it was made in (config/generation.py), and the data page
asks for a new one (a background task, public.tasks) when the site's generation has moved
on, serving the last export meanwhile. Every table starts from its model's one public
queryset, as every page does."""

import csv
import hashlib
import io
import json
import secrets
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db.models import Prefetch

from claims.models import Claim, Excerpt
from config.generation import site_generation
from public.models import DatasetExport
from questions.models import Finding, Question
from reviews.models import EvidenceLink, GradeJudgment, Review
from safety.models import Intervention, SafetyFact
from sources.models import Document, Study

CSV_ARCHIVE = "ketamine-claims-csv.zip"
JSON_FILE = "ketamine-claims.json"
CHUNK = 2_000


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    value: Callable | None = None  # of the row; the attribute of the same name if None

    def of(self, row):
        value = self.value(row) if self.value else getattr(row, self.name)
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return "" if value is None else value


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    rows: Callable[[], Iterable]
    columns: tuple[Column, ...]


def slugs(related: str) -> Callable:
    """The related rows' slugs, joined by "; " (prefetched by the table's query)."""
    return lambda row: "; ".join(item.slug for item in getattr(row, related).all())


def grade_columns() -> tuple[Column, ...]:
    """A GRADE judgment: the design it starts from and each domain, with its reason."""
    columns = [
        Column("evidence_design", "The design the certainty starts from."),
        Column("design_reason", "Why that design."),
    ]
    for name in GradeJudgment.DOWNGRADING_DOMAINS:
        label = name.replace("_", " ")
        columns += [
            Column(name, f"GRADE domain, {label}: not serious, serious or very serious."),
            Column(f"{name}_reason", f"Why, for {label}."),
        ]
    columns += [
        Column(name, f"GRADE upgrade, {name.replace('_', ' ')}: true or false.")
        for name in GradeJudgment.UPGRADING_FACTORS
    ]
    columns.append(Column("upgrade_reason", "Why the certainty is rated up, if it is."))
    return tuple(columns)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


TABLES = (
    Table(
        "questions",
        "The questions patients ask, each answered from the evidence (PICO and bottom lines).",
        lambda: Question.objects.public().defer("search_text").order_by("slug"),
        (
            Column("slug", "The question's key."),
            Column("question", "The question, as a patient asks it."),
            Column("topic", "Its topic."),
            Column("population", "PICO: who the answer is about."),
            Column("intervention", "PICO: what is given."),
            Column("comparator", "PICO: compared with what."),
            Column("outcome", "PICO: what is measured."),
            Column("bottom_line_clinicians", "The answer for clinicians."),
            Column("bottom_line_patients", "The answer for patients."),
            Column("published_at", "When it was published (UTC)."),
            Column("url", "Its page.", lambda row: site_url(row.get_absolute_url())),
        ),
    ),
    Table(
        "findings",
        "Each question's summary of findings: an outcome, its effect and GRADE certainty.",
        lambda: (
            Finding.objects.filter(question__in=Question.objects.public())
            .select_related("question")
            .prefetch_related(Prefetch("studies", queryset=Study.objects.only("slug")))
            .order_by("question__slug", "position", "pk")
        ),
        (
            Column("question", "The question's slug.", lambda row: row.question.slug),
            Column("outcome", "What was measured, and when."),
            Column("participants", "Participants analysed, where stated."),
            Column("effect", "The effect in words, with its interval."),
            Column("comment", "What a reader should make of it."),
            Column("certainty", "GRADE certainty: high, moderate, low or very low."),
            *grade_columns(),
            Column("studies", "The studies' slugs, separated by '; '.", slugs("studies")),
        ),
    ),
    Table(
        "claims",
        "Every claim: a neutral, checkable statement of what clinics' pages say.",
        lambda: Claim.objects.public().defer("search_text", "search_vector").order_by("slug"),
        (
            Column("slug", "The claim's key."),
            Column("statement", "What would have to be true."),
            Column("category", "Its category."),
            Column("value_low", "The figure it states (lower end), if any."),
            Column("value_high", "The figure it states (upper end), if any."),
            Column("unit", "The figure's unit."),
            Column("verdict", "The published verdict; empty until a review is published."),
            Column("certainty", "GRADE certainty of the evidence behind the verdict."),
            Column("published_at", "When its review was published (UTC)."),
            Column("document_count", "How many documents quote it."),
            Column("url", "Its page.", lambda row: site_url(row.get_absolute_url())),
        ),
    ),
    Table(
        "reviews",
        "The published review of each reviewed claim, with its GRADE judgments.",
        lambda: Review.objects.published().select_related("claim").order_by("claim__slug"),
        (
            Column("claim", "The claim's slug.", lambda row: row.claim.slug),
            Column("verdict", "Supported, partly supported, unsupported, misleading, false..."),
            Column("certainty", "GRADE certainty, computed from the judgments below."),
            Column("summary", "For readers, in plain language."),
            Column("rationale", "For clinicians: the studies, their size and design."),
            Column("adjudication", "How reviewers' disagreement was settled, if it was."),
            Column("override_reason", "Why an editor published without two reviewers."),
            *grade_columns(),
            Column("published_at", "When it was published (UTC)."),
        ),
    ),
    Table(
        "excerpts",
        "Where each claim is quoted: the words of a document, verbatim, with their place.",
        lambda: (
            Excerpt.objects.current()
            .filter(document__in=Document.objects.public())
            .select_related("claim", "document")
            .only("quote", "start", "end", "anchor_state", "claim__slug", "document__slug")
            .order_by("document__slug", "start", "pk")
        ),
        (
            Column("claim", "The claim's slug.", lambda row: row.claim.slug),
            Column("document", "The document's slug.", lambda row: row.document.slug),
            Column("quote", "The words, verbatim."),
            Column("start", "Where they start in the document's text (code points)."),
            Column("end", "Where they end."),
            Column("anchor_state", "What a newer version of the page did to them, if any."),
        ),
    ),
    Table(
        "evidence",
        "The studies each reviewed claim rests on, how each bears on it, and its numbers.",
        lambda: (
            EvidenceLink.objects.filter(claim__published_at__isnull=False)
            .select_related("claim", "study", "cited_by")
            .order_by("claim__slug", "study__slug", "pk")
        ),
        (
            Column("claim", "The claim's slug.", lambda row: row.claim.slug),
            Column("study", "The study's slug.", lambda row: row.study.slug),
            Column("stance", "How the study bears on the claim."),
            Column("directness", "How directly."),
            Column("outcome", "What was measured."),
            Column("timepoint", "When."),
            Column("participants", "How many took part."),
            Column("effect_value", "The effect."),
            Column("effect_kind", "Its kind (per cent, mean difference, odds ratio...)."),
            Column("ci_low", "Its 95% confidence interval, lower end."),
            Column("ci_high", "Its 95% confidence interval, upper end."),
            Column("route_dose", "Route and dose."),
            Column("note", "What the study found, as it bears on the claim."),
            Column(
                "cited_by",
                "The document that cited the study, if one did.",
                lambda row: row.cited_by.slug if row.cited_by else "",
            ),
        ),
    ),
    Table(
        "documents",
        "The clinics' pages and articles, with their text as it was retrieved.",
        lambda: (
            Document.objects.public().for_detail().select_related("supersedes").order_by("slug")
        ),
        (
            Column("slug", "The document's key."),
            Column("title", "Its title."),
            Column("source_url", "Its own address.", lambda row: row.url),
            Column("publisher", "The clinic or site."),
            Column("kind", "Clinic page, blog post, article, advertisement..."),
            Column("published_on", "When it was published, if known."),
            Column("retrieved_on", "When this text was retrieved."),
            Column(
                "supersedes",
                "The older version of the page, if this is a newer one.",
                lambda row: row.supersedes.slug if row.supersedes else "",
            ),
            Column("body", "The full text, verbatim."),
            Column("url", "Its page.", lambda row: site_url(row.get_absolute_url())),
        ),
    ),
    Table(
        "studies",
        "The studies, labels, guidelines and statistics the reviews cite.",
        lambda: Study.objects.public().defer("unverified", "verified_from").order_by("slug"),
        (
            Column("slug", "The study's key."),
            Column("title", "Its title."),
            Column("authors", "Its authors."),
            Column("year", "Its year."),
            Column("journal", "Its journal, or the issuing body."),
            Column("doi", "Its DOI."),
            Column("pmid", "Its PubMed ID."),
            Column("pmcid", "Its PubMed Central ID."),
            Column("registry_id", "Its trial registration."),
            Column("design", "Its design."),
            Column("sample_size", "How many took part."),
            Column("population", "Who."),
            Column("intervention", "Route, dose, schedule."),
            Column("comparator", "Compared with what."),
            Column("main_finding", "What it found."),
            Column("is_retracted", "Whether it has been retracted."),
            Column("retraction_note", "About the retraction."),
            Column("label_version", "For a drug label: its version."),
            Column("label_effective_date", "For a drug label: when that version took effect."),
            Column("source_url", "Where its record was read.", lambda row: row.url),
            Column("url", "Its page.", lambda row: site_url(row.get_absolute_url())),
        ),
    ),
    Table(
        "interventions",
        "The treatments whose safety profiles the site keeps.",
        lambda: (
            Intervention.objects.public()
            .prefetch_related(Prefetch("claims", queryset=Claim.objects.public().only("slug")))
            .order_by("slug")
        ),
        (
            Column("slug", "The intervention's key."),
            Column("name", "Its name."),
            Column("drug", "The drug."),
            Column("route", "How it is given."),
            Column("summary", "What it is and how it is given."),
            Column("claims", "The claims about it, separated by '; '.", slugs("claims")),
            Column("url", "Its page.", lambda row: site_url(row.get_absolute_url())),
        ),
    ),
    Table(
        "safety_facts",
        "What a clinician should know about each intervention, with the sources read.",
        lambda: SafetyFact.objects.prefetch_related(
            Prefetch("interventions", queryset=Intervention.objects.only("slug")),
            Prefetch("sources", queryset=Study.objects.only("slug")),
        ).order_by("topic", "pk"),
        (
            Column("topic", "Its topic (abuse and misuse, blood pressure...)."),
            Column("statement", "The fact, in plain words with figures."),
            Column("interventions", "The interventions' slugs.", slugs("interventions")),
            Column("sources", "The studies' slugs.", slugs("sources")),
        ),
    ),
    Table(
        "question_claims",
        "Which claims bear on which question.",
        lambda: (
            Question.claims.through.objects.filter(question__in=Question.objects.public())
            .select_related("question", "claim")
            .order_by("question__slug", "claim__slug")
        ),
        (
            Column("question", "The question's slug.", lambda row: row.question.slug),
            Column("claim", "The claim's slug.", lambda row: row.claim.slug),
        ),
    ),
)


def about(made_at: datetime) -> dict:
    """What the dataset is, its licence and how to cite it."""
    return {
        "title": f"{settings.SITE_NAME}: the public dataset",
        "description": (
            "Claims that ketamine clinics make, quoted verbatim from their pages, graded "
            "against the studies with a verdict and a GRADE certainty. Not medical advice: "
            "it reviews marketing claims and does not recommend or discourage any treatment."
        ),
        "version": made_at.isoformat(),
        "license": settings.DATA_LICENSE_URL,
        "how_to_cite": (
            f"{settings.SITE_NAME}. Reviews of ketamine-therapy marketing claims, dataset of "
            f"{made_at.day} {made_at:%B %Y}. {site_url('/data/')} "
            f"(licence: {settings.DATA_LICENSE_URL})."
        ),
        "url": site_url("/data/"),
    }


def dictionary_rows() -> list[dict]:
    return [
        {"table": table.name, "column": column.name, "description": column.description}
        for table in TABLES
        for column in table.columns
    ]


def table_rows(table: Table) -> Iterable[dict]:
    queryset = table.rows()
    # Prefetching needs chunks to be read (Django 4.1+); plain rows stream.
    for row in queryset.iterator(chunk_size=CHUNK):
        yield {column.name: column.of(row) for column in table.columns}


def csv_text(header: list[str], rows: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def readme(meta: dict) -> str:
    return (
        f"{meta['title']}\n\n{meta['description']}\n\n"
        f"Version: {meta['version']}\nLicence: {meta['license']}\n\n"
        f"How to cite:\n{meta['how_to_cite']}\n\n"
        "Files: one CSV file per table (UTF-8, a header row, RFC 4180 quoting); "
        "data-dictionary.csv describes every column. Lists of keys within a cell are "
        "separated by '; '. Times are UTC, in ISO 8601.\n"
    )


def latest_export() -> DatasetExport | None:
    return DatasetExport.objects.order_by("-made_at", "-pk").first()


def dataset_export() -> DatasetExport:
    """Write the dataset's files as the public data stands now, record them (the last
    step, so a reader never finds a half-written export), then remove the exports this
    one replaces. Reads every table once for the CSV files and once for the JSON."""
    storage = storages["datasets"]
    generation = site_generation(fresh=True)
    made_at = datetime.now(UTC).replace(microsecond=0)
    meta = about(made_at)
    folder = f"{made_at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("README.txt", readme(meta))
        dictionary = csv_text(["table", "column", "description"], dictionary_rows())
        zipped.writestr("data-dictionary.csv", dictionary)
        for table in TABLES:
            header = [column.name for column in table.columns]
            zipped.writestr(f"{table.name}.csv", csv_text(header, table_rows(table)))
    document = {
        "about": meta,
        "dictionary": dictionary_rows(),
        "tables": {table.name: list(table_rows(table)) for table in TABLES},
    }
    files = {
        CSV_ARCHIVE: _store(storage, f"{folder}/{CSV_ARCHIVE}", archive.getvalue()),
        JSON_FILE: _store(
            storage,
            f"{folder}/{JSON_FILE}",
            json.dumps(document, ensure_ascii=False, default=str).encode(),
        ),
    }
    export = DatasetExport.objects.create(generation=generation, made_at=made_at, files=files)
    for replaced in DatasetExport.objects.exclude(pk=export.pk):
        for name in replaced.files:
            storage.delete(replaced.path(name))
        replaced.delete()
    return export


def _store(storage, path: str, data: bytes) -> dict:
    saved = storage.save(path, ContentFile(data))
    return {"path": saved, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
