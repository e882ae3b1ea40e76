"""Load the curated corpus: YAML data files that are reviewed like code.

Layout of a corpus folder (see docs/corpus.md):
    studies.yaml               a list of studies
    safety.yaml                the safety and regulatory profile of each intervention
    claims.yaml                a list of claims, each with its evidence and published review
    reviews-*.yaml             one reviewer's independent reviews, loaded through the
                               workflow (assignment, then a submitted review)
    documents/NNN-*.yaml       one per document: metadata, the text file it uses, excerpts
    documents/*.txt            the document texts, verbatim

Loading is idempotent (an unchanged corpus changes nothing) and atomic (any bad entry
raises CorpusError naming the file and entry, and nothing is stored).
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from claims.models import Claim, Excerpt
from claims.services import documents_refresh_counts
from config.generation import site_changed
from reviews.models import (
    Assignment,
    EvidenceLink,
    GradeJudgment,
    Review,
    fragments_graded_above_their_sentence,
)
from reviews.roles import EDITOR, REVIEWER
from reviews.services import (
    claims_flag_write,
    claims_refresh_derived,
    claims_relying_on,
    retraction_reason,
    review_publish_write,
    review_submit,
    studies_refresh_counts,
)
from safety.models import Intervention, SafetyFact
from sources.models import Document, Study

STUDY_KEYS = {
    "slug", "title", "authors", "year", "journal", "doi", "pmid", "pmcid", "registry_id",
    "label_version", "label_effective_date", "url", "verified_from",
    "design", "sample_size", "population", "intervention", "comparator", "main_finding",
    "unverified", "is_retracted", "retraction_note",
}  # fmt: skip
DOCUMENT_KEYS = {
    "text", "slug", "title", "url", "publisher", "kind", "published", "retrieved", "excerpts",
}  # fmt: skip
EXCERPT_KEYS = {"claim", "quote", "start"}
CLAIM_KEYS = {
    "slug", "statement", "category", "value_low", "value_high", "unit", "contradicts",
    "carried_by", "interventions", "evidence", "review",
}  # fmt: skip
SAFETY_KEYS = {"interventions", "facts"}
INTERVENTION_KEYS = {"slug", "name", "drug", "route", "summary"}
FACT_KEYS = {"interventions", "topic", "statement", "sources", "checked"}
EVIDENCE_KEYS = {"study", "stance", "directness", "cited_by", "note", *EvidenceLink.MEASURED_FIELDS}
REVIEW_KEYS = {"verdict", "certainty", "rationale", "summary", *Review.GRADE_FIELDS}
PUBLISHED_REVIEW_KEYS = {*REVIEW_KEYS, "written", "adjudicated_by", "adjudication"}
REVIEWER_FILE_KEYS = {"reviewer", "assigned_by", "written", "reviews"}
INDEPENDENT_REVIEW_KEYS = {"claim", "reviewer_notes", *REVIEW_KEYS}
DOCUMENT_FIELDS = {"published": "published_on", "retrieved": "retrieved_on"}
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class CorpusError(Exception):
    """A corpus entry that cannot be loaded; the message names the file and entry."""


@dataclass
class CorpusReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def count(self, model: type[models.Model], outcome: str) -> None:
        getattr(self, outcome)[model._meta.verbose_name_plural] += 1

    def lines(self) -> list[str]:
        names = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{name}: {self.created[name]} created, {self.updated[name]} updated, "
            f"{self.unchanged[name]} unchanged"
            for name in names
        ]


def corpus_load(
    *, directory: Path, dry_run: bool = False, loader_class: type["CorpusLoader"] | None = None
) -> CorpusReport:
    """Load every file of the corpus in one transaction; roll back on the first error. What
    the rows loaded store is refreshed once, at the end. An app above this one loads its
    own files with a subclass of CorpusLoader (see questions.corpus)."""
    loader = (loader_class or CorpusLoader)(Path(directory))
    with transaction.atomic():
        loader.load()
        loader.refresh()
        site_changed()
        if dry_run:
            transaction.set_rollback(True)
    return loader.report


class CorpusLoader:
    def __init__(self, directory: Path):
        self.directory = directory
        self.report = CorpusReport()
        self.studies: dict[str, Study] = {}
        self.documents: dict[str, Document] = {}
        self.claims: dict[str, Claim] = {}
        self.interventions: dict[str, Intervention] = {}
        self.users: dict[str, Any] = {}
        # The reviewers whose independent review of a claim the corpus holds, by claim slug.
        self.reviewers_of: dict[str, list] = defaultdict(list)

    def load(self) -> None:
        if not self.directory.is_dir():
            raise CorpusError(f"{self.directory}: no such corpus folder.")
        study_file = self.directory / "studies.yaml"
        claim_file = self.directory / "claims.yaml"
        document_files = sorted((self.directory / "documents").glob("*.yaml"))
        claim_entries = self._read_list(claim_file) if claim_file.exists() else []
        if study_file.exists():
            retracted_before = dict(Study.objects.values_list("slug", "is_retracted"))
            for index, entry in enumerate(self._read_list(study_file), 1):
                with self._entry(study_file, index, entry):
                    self._load_study(entry)
            self._flag_newly_retracted(retracted_before)
        safety_file = self.directory / "safety.yaml"
        if safety_file.exists():
            self._load_safety(safety_file)
        document_entries = {}
        for path in document_files:
            with self._entry(path, None, None):
                document_entries[path] = self._read_mapping(path)
                self._check_keys(document_entries[path], DOCUMENT_KEYS, "document")
                self._load_document(path, document_entries[path])
        for index, entry in enumerate(claim_entries, 1):
            with self._entry(claim_file, index, entry):
                self._load_claim(entry)
        for path, entry in document_entries.items():
            self._load_excerpts(path, self.documents[path.name], entry.get("excerpts") or [])
        for path in sorted(self.directory.glob("reviews-*.yaml")):
            self._load_reviewer_file(path)
        for index, entry in enumerate(claim_entries, 1):
            with self._entry(claim_file, index, entry):
                self._load_claim_links(entry)
        claim_ids = [claim.pk for claim in self.claims.values()]
        if problems := fragments_graded_above_their_sentence(claim_ids):
            raise CorpusError(f"{self._name(claim_file)}: {' '.join(problems)}")

    def refresh(self) -> None:
        """What the loaded claims, documents and studies store, refreshed once."""
        claims_refresh_derived(claim_ids=[claim.pk for claim in self.claims.values()])
        documents_refresh_counts(document_ids=[d.pk for d in self.documents.values()])
        studies_refresh_counts(study_ids=[study.pk for study in self.studies.values()])

    # Reading files -------------------------------------------------------------------

    def _read(self, path: Path) -> Any:
        try:
            return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
        except yaml.YAMLError as error:
            raise CorpusError(f"{self._name(path)}: not valid YAML: {error}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CorpusError(f"{self._name(path)}: cannot be read: {error}") from None

    def _read_list(self, path: Path) -> list[dict]:
        data = self._read(path) or []
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise CorpusError(f"{self._name(path)}: must be a list of mappings.")
        return data

    def _read_mapping(self, path: Path) -> dict:
        data = self._read(path)
        if not isinstance(data, dict):
            raise CorpusError(f"{self._name(path)}: must be a mapping.")
        return data

    def _name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.directory.parent))
        except ValueError:
            return str(path)

    @contextmanager
    def _entry(self, path: Path, index: int | None, entry: dict | None) -> Iterator[None]:
        """Turn any failure inside into a CorpusError naming the file and the entry."""
        where = self._name(path)
        if index is not None:
            label = (entry or {}).get("slug") or (entry or {}).get("claim") or "?"
            where += f", entry {index} ({label})"
        try:
            yield
        except CorpusError as error:
            raise CorpusError(f"{where}: {error}") from None
        except ValidationError as error:
            raise CorpusError(f"{where}: {_describe(error)}") from None
        except (IntegrityError, TypeError, ValueError) as error:
            raise CorpusError(f"{where}: {error}") from None

    @staticmethod
    def _check_keys(entry: dict, allowed: set[str], what: str) -> None:
        unknown = set(entry) - allowed
        if unknown:
            raise CorpusError(f"unknown {what} field(s): {', '.join(sorted(unknown))}")

    # Rows ----------------------------------------------------------------------------

    def _upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        """Create or update one row; count it; leave an identical row untouched."""
        instance = model.objects.filter(**lookup).first()
        outcome = "unchanged"
        if instance is None:
            instance = model(**lookup)
            outcome = "created"
        for name, value in values.items():
            model_field = model._meta.get_field(name)
            if model_field.is_relation:
                stored, wanted = getattr(instance, model_field.attname), value and value.pk
            else:
                stored = wanted = value = model_field.to_python(value)
                stored = getattr(instance, name)
            if stored != wanted:
                setattr(instance, name, value)
                if outcome == "unchanged":
                    outcome = "updated"
        if outcome != "unchanged":
            instance.full_clean()
            instance.save()
        self.report.count(model, outcome)
        return instance

    def _load_study(self, entry: dict) -> None:
        self._check_keys(entry, STUDY_KEYS, "study")
        slug = required_field(entry, "slug")
        if slug in self.studies:
            raise CorpusError(f"duplicate study slug {slug!r}")
        values = {key: _blank_to_default(Study, key, entry[key]) for key in entry if key != "slug"}
        if isinstance(values.get("verified_from"), list):
            values["verified_from"] = "\n".join(values["verified_from"])
        self.studies[slug] = self._upsert(Study, {"slug": slug}, values)

    def _flag_newly_retracted(self, retracted_before: dict[str, bool]) -> None:
        """A stored study the corpus now marks retracted: its claims need a new review."""
        for slug, study in self.studies.items():
            if study.is_retracted and retracted_before.get(slug) is False:
                claims_flag_write(claims_relying_on(study), reason=retraction_reason(study))

    def _load_safety(self, path: Path) -> None:
        """The profiles and their facts. A fact is known by its topic and statement: one the
        file no longer holds is deleted, so a corrected statement replaces the old."""
        with self._entry(path, None, None):
            data = self._read_mapping(path)
            self._check_keys(data, SAFETY_KEYS, "safety file")
        for index, entry in enumerate(data.get("interventions") or [], 1):
            with self._entry(path, index, entry):
                self._check_keys(entry, INTERVENTION_KEYS, "intervention")
                slug = required_field(entry, "slug")
                if slug in self.interventions:
                    raise CorpusError(f"duplicate intervention slug {slug!r}")
                values = {key: entry.get(key, "") for key in INTERVENTION_KEYS - {"slug"}}
                self.interventions[slug] = self._upsert(Intervention, {"slug": slug}, values)
        kept = set()
        for index, entry in enumerate(data.get("facts") or [], 1):
            with self._entry(path, index, entry):
                kept.add(self._load_fact(entry))
        stale = SafetyFact.objects.exclude(pk__in=kept)
        if removed := stale.count():
            stale.delete()
            self.report.updated["safety facts"] += removed

    def _load_fact(self, entry: dict) -> int:
        self._check_keys(entry, FACT_KEYS, "fact")
        lookup = {
            "topic": required_field(entry, "topic"),
            "statement": required_field(entry, "statement"),
        }
        fact = self._upsert(SafetyFact, lookup, {"checked": entry.get("checked") or ""})
        interventions = [
            self._intervention(slug) for slug in required_field(entry, "interventions")
        ]
        sources = []
        for slug in required_field(entry, "sources"):
            if slug not in self.studies:
                raise CorpusError(f"fact cites unknown study {slug!r}")
            sources.append(self.studies[slug])
        self._set(fact.interventions, interventions)
        self._set(fact.sources, sources)
        return fact.pk

    @staticmethod
    def _set(related, rows: list) -> None:
        """Set a many-to-many relation, leaving it untouched when it already holds `rows`."""
        if {row.pk for row in related.all()} != {row.pk for row in rows}:
            related.set(rows)

    def _load_document(self, path: Path, entry: dict) -> None:
        text_path = self.directory / "documents" / required_field(entry, "text")
        try:
            body = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CorpusError(f"text file {text_path.name}: {error}") from None
        slug = required_field(entry, "slug")
        if any(document.slug == slug for document in self.documents.values()):
            raise CorpusError(f"duplicate document slug {slug!r}")
        values = {"body": body}
        for key in DOCUMENT_KEYS - {"text", "slug", "excerpts"}:
            if key in entry:
                name = DOCUMENT_FIELDS.get(key, key)
                values[name] = _blank_to_default(Document, name, entry[key])
        self.documents[path.name] = self._upsert(Document, {"slug": slug}, values)

    def _load_claim(self, entry: dict) -> None:
        self._check_keys(entry, CLAIM_KEYS, "claim")
        slug = required_field(entry, "slug")
        if slug in self.claims:
            raise CorpusError(f"duplicate claim slug {slug!r}")
        values = {
            key: _blank_to_default(Claim, key, entry[key])
            for key in ("statement", "category", "value_low", "value_high", "unit")
            if key in entry
        }
        self.claims[slug] = self._upsert(Claim, {"slug": slug}, values)

    def _load_excerpts(self, path: Path, document: Document, entries: list) -> None:
        spans = set()
        for index, entry in enumerate(entries, 1):
            with self._entry(path, index, entry if isinstance(entry, dict) else None):
                if not isinstance(entry, dict):
                    raise CorpusError("an excerpt must be a mapping")
                self._check_keys(entry, EXCERPT_KEYS, "excerpt")
                quote, start = required_field(entry, "quote"), required_field(entry, "start")
                if not isinstance(start, int) or start < 0:
                    raise CorpusError(f"start must be a whole number ≥ 0, not {start!r}")
                span = (start, start + len(quote))
                if span in spans:
                    raise CorpusError(f"duplicate excerpt at {span[0]}–{span[1]}")
                spans.add(span)
                claim = self._claim(required_field(entry, "claim"))
                lookup = {"document": document, "start": span[0], "end": span[1]}
                self._upsert(Excerpt, lookup, {"claim": claim, "quote": quote})

    def _load_claim_links(self, entry: dict) -> None:
        claim = self.claims[entry["slug"]]
        wanted = {self._claim(slug).pk for slug in entry.get("contradicts") or []}
        present = set(claim.contradicts.values_list("pk", flat=True))
        if wanted - present:
            claim.contradicts.add(*(wanted - present))
            self.report.created["contradiction links"] += len(wanted - present)
        carrier = self._claim(entry["carried_by"]) if entry.get("carried_by") else None
        if claim.carried_by_id != (carrier and carrier.pk):
            claim.carried_by = carrier
            claim.full_clean()
            claim.save(update_fields=["carried_by", "updated_at"])
            self.report.updated["claims' sentences"] += 1
        wanted = {self._intervention(slug).pk for slug in entry.get("interventions") or []}
        if set(claim.interventions.values_list("pk", flat=True)) != wanted:
            claim.interventions.set(wanted)
            self.report.updated["claims' interventions"] += 1
        for evidence in entry.get("evidence") or []:
            self._load_evidence(claim, evidence)
        if entry.get("review"):
            self._load_review(claim, entry["review"])

    def _load_evidence(self, claim: Claim, entry: dict) -> None:
        self._check_keys(entry, EVIDENCE_KEYS, "evidence")
        study_slug = required_field(entry, "study")
        if study_slug not in self.studies:
            raise CorpusError(f"evidence names unknown study {study_slug!r}")
        values = {
            "stance": required_field(entry, "stance"),
            "note": required_field(entry, "note"),
            "directness": entry.get("directness") or EvidenceLink.Directness.DIRECT,
            "cited_by": self._document(entry["cited_by"]) if entry.get("cited_by") else None,
        }
        for name in EvidenceLink.MEASURED_FIELDS:
            values[name] = _blank_to_default(EvidenceLink, name, entry.get(name))
        lookup = {"claim": claim, "study": self.studies[study_slug]}
        self._upsert(EvidenceLink, lookup, values)

    def _load_reviewer_file(self, path: Path) -> None:
        """One reviewer's independent reviews, as the workflow makes them: the claim is
        assigned to the reviewer, who hands in a review of it on the day written."""
        with self._entry(path, None, None):
            data = self._read_mapping(path)
            self._check_keys(data, REVIEWER_FILE_KEYS, "reviewer file")
            reviewer = self._user(required_field(data, "reviewer"), REVIEWER)
            assigner = self._user(data["assigned_by"], EDITOR) if data.get("assigned_by") else None
            written = _moment(required_field(data, "written"))
            entries = data.get("reviews") or []
            if not isinstance(entries, list):
                raise CorpusError("reviews must be a list of mappings")
        for index, entry in enumerate(entries, 1):
            with self._entry(path, index, entry if isinstance(entry, dict) else None):
                if not isinstance(entry, dict):
                    raise CorpusError("a review must be a mapping")
                self._check_keys(entry, INDEPENDENT_REVIEW_KEYS, "review")
                claim = self._claim(required_field(entry, "claim"))
                if reviewer in self.reviewers_of[claim.slug]:
                    raise CorpusError(f"a second review of {claim.slug!r} by {reviewer}")
                self.reviewers_of[claim.slug].append(reviewer)
                self._assign(claim, reviewer, assigner)
                self._load_independent_review(claim, reviewer, entry, written)

    def _assign(self, claim: Claim, reviewer, assigner) -> None:
        _, created = Assignment.objects.get_or_create(
            claim=claim, reviewer=reviewer, defaults={"assigned_by": assigner}
        )
        self.report.count(Assignment, "created" if created else "unchanged")

    def _load_independent_review(self, claim: Claim, reviewer, entry: dict, written) -> None:
        fields = {name: value for name, value in entry.items() if name != "claim"}
        candidate = self._review(claim, fields, reviewer=reviewer)
        current = (
            claim.reviews.done()
            .filter(reviewer=reviewer, contributors=None)
            .order_by("submitted_at", "pk")
            .last()
        )
        if current and _same_review(current, candidate, ["reviewer_notes"]):
            self.report.count(Review, "unchanged")
            return
        review_submit(review=candidate, by=reviewer, at=written)
        self.report.count(Review, "created")

    def _load_review(self, claim: Claim, entry: dict) -> None:
        """The published review: where the corpus holds independent reviews of the claim,
        it is the adjudicating editor's consensus and credits them."""
        self._check_keys(entry, PUBLISHED_REVIEW_KEYS, "review")
        fields = {name: entry[name] for name in entry if name in REVIEW_KEYS | {"adjudication"}}
        adjudicated_by = entry.get("adjudicated_by")
        editor = self._user(adjudicated_by, EDITOR) if adjudicated_by else None
        contributors = self.reviewers_of[claim.slug]
        if contributors and not editor:
            raise CorpusError("a claim reviewed independently needs adjudicated_by: its editor")
        candidate = self._review(claim, fields, reviewer=editor)
        current = claim.reviews.published().first()
        if (
            current
            and _same_review(current, candidate, ["adjudication", "reviewer_id"])
            and {user.pk for user in current.contributors.all()} == {u.pk for u in contributors}
        ):
            self.report.count(Review, "unchanged")
            return
        written = _moment(entry["written"]) if entry.get("written") else None
        review_submit(review=candidate, by=editor, at=written)
        candidate.contributors.set(contributors)
        # The write alone: corpus_load refreshes what it loaded once, at the end.
        review_publish_write(candidate, by=editor, at=written)
        self.report.count(Review, "created")

    def _review(self, claim: Claim, fields: dict, *, reviewer) -> Review:
        """An unsaved review with these corpus fields, its certainty checked against GRADE."""
        review = Review(claim=claim, reviewer=reviewer)
        for name, value in fields.items():
            value = _blank_to_default(Review, name, value)
            setattr(review, name, Review._meta.get_field(name).to_python(value))
        check_stated_certainty(review)
        return review

    def _user(self, username: Any, role: str):
        """The account a corpus file names as reviewer or editor, created on first use with
        the role's group and no password (an administrator sets one to let its owner in)."""
        if not isinstance(username, str) or not username.strip():
            raise CorpusError(f"a reviewer or editor must be a user name, not {username!r}")
        if username not in self.users:
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get_or_create(name=role)[0])
            self.report.created["users"] += created
            self.users[username] = user
        return self.users[username]

    # Look-ups ------------------------------------------------------------------------

    def _claim(self, slug: str) -> Claim:
        if slug not in self.claims:
            raise CorpusError(f"unknown claim {slug!r}")
        return self.claims[slug]

    def _intervention(self, slug: str) -> Intervention:
        if slug not in self.interventions:
            raise CorpusError(f"unknown intervention {slug!r}")
        return self.interventions[slug]

    def _document(self, slug: str) -> Document:
        for document in self.documents.values():
            if document.slug == slug:
                return document
        raise CorpusError(f"unknown document {slug!r}")


def _same_review(stored: Review, candidate: Review, extra: list[str]) -> bool:
    return all(getattr(stored, n) == getattr(candidate, n) for n in [*REVIEW_KEYS, *extra])


def _moment(day: Any) -> datetime:
    """The moment recorded for a review written on `day` (noon UTC: a date alone says no
    more)."""
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            pass
    if not isinstance(day, date):
        raise CorpusError(f"written must be a date (YYYY-MM-DD), not {day!r}")
    return datetime.combine(day, time(12), tzinfo=UTC)


def check_stated_certainty(review: GradeJudgment) -> None:
    """A stated certainty must be the one GRADE computes from the judgments."""
    if errors := review.grade_errors():
        raise ValidationError(errors)
    computed = review.graded_certainty()
    if review.certainty != computed:
        path = "; ".join(
            f"{step.name} {step.judgment.lower()} ({step.change:+d})"
            for step in review.grade_steps()
        )
        stated = review.certainty or "none"
        message = f"GRADE gives {computed or 'none'} for these judgments ({path}), not {stated}."
        raise ValidationError({"certainty": message})


def required_field(entry: dict, key: str) -> Any:
    value = entry.get(key)
    if value is None or value == "" or value == []:
        raise CorpusError(f"missing {key!r}")
    return value


def _blank_to_default(model: type[models.Model], name: str, value: Any) -> Any:
    """YAML null in a text field means empty text; elsewhere it means no value."""
    model_field = model._meta.get_field(name)
    if value is None and not model_field.null:
        if isinstance(model_field, models.BooleanField):
            return False
        return ""
    return value


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def corpus_stats() -> dict[str, list[tuple[str, int]]]:
    """Coverage at a glance: excerpts per document, claims per category and per verdict."""
    documents = Document.objects.only("slug", "excerpt_count").order_by("slug")
    categories = Counter(Claim.objects.values_list("category", flat=True))
    verdicts = Counter(Review.objects.published().values_list("verdict", flat=True))
    return {
        "Excerpts per document": [(d.slug, d.excerpt_count) for d in documents],
        "Claims per category": [(c.label, categories[c.value]) for c in Claim.Category],
        "Published verdicts": [(v.label, verdicts[v.value]) for v in Review.Verdict],
        "Totals": [
            ("documents", Document.objects.count()),
            ("claims", Claim.objects.count()),
            ("excerpts", Excerpt.objects.count()),
            ("studies", Study.objects.count()),
            ("evidence links", EvidenceLink.objects.count()),
            (
                "claims without a published review",
                Claim.objects.exclude(pk__in=Review.objects.published().values("claim")).count(),
            ),
        ],
    }
