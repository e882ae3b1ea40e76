"""The corpus's questions: questions.yaml, loaded after everything it refers to, in the same
transaction as the rest of the corpus (see reviews.corpus and docs/corpus.md)."""

from datetime import UTC, datetime
from pathlib import Path

from questions.models import Finding, Question, QuestionStatus, StudyResult
from questions.services import questions_refresh_search
from reviews.corpus import (
    CorpusError,
    CorpusLoader,
    CorpusReport,
    check_stated_certainty,
    required_field,
)
from reviews.corpus import corpus_load as load_with
from reviews.models import GradeJudgment

QUESTION_KEYS = {
    "slug", "question", "topic", "population", "intervention", "comparator", "outcome",
    "interventions", "bottom_line_clinicians", "bottom_line_patients", "claims",
    "sample_searches", "findings",
}  # fmt: skip
FINDING_KEYS = {
    "outcome", "studies", "participants", "effect", "comment", "certainty", "results",
    "source_note", *GradeJudgment.GRADE_FIELDS,
}  # fmt: skip
RESULT_KEYS = {"study", "label", *StudyResult.FIGURE_FIELDS}
# Published when loaded: the corpus is reviewed like code before it lands.
LOADED_AT = datetime(2026, 12, 4, 12, tzinfo=UTC)


def corpus_load(*, directory: Path, dry_run: bool = False) -> CorpusReport:
    """The whole corpus, questions included, in one transaction."""
    return load_with(directory=directory, dry_run=dry_run, loader_class=QuestionCorpusLoader)


class QuestionCorpusLoader(CorpusLoader):
    def __init__(self, directory: Path):
        super().__init__(directory)
        self.questions: dict[str, Question] = {}

    def load(self) -> None:
        super().load()
        path = self.directory / "questions.yaml"
        if not path.exists():
            return
        for index, entry in enumerate(self._read_list(path), 1):
            with self._entry(path, index, entry):
                self._load_question(entry, position=index)

    def refresh(self) -> None:
        super().refresh()
        questions_refresh_search(question_ids=[q.pk for q in self.questions.values()])

    def _load_question(self, entry: dict, *, position: int) -> None:
        self._check_keys(entry, QUESTION_KEYS, "question")
        slug = required_field(entry, "slug")
        if slug in self.questions:
            raise CorpusError(f"duplicate question slug {slug!r}")
        values = {
            key: required_field(entry, key)
            for key in ("question", "topic", "population", "intervention", "outcome",
                        "bottom_line_clinicians", "bottom_line_patients")
        }  # fmt: skip
        values |= {"comparator": entry.get("comparator") or "", "position": position}
        question = self._upsert(Question, {"slug": slug}, values)
        self.questions[slug] = question
        self._set(question.claims, [self._claim(s) for s in entry.get("claims") or []])
        interventions = [self._intervention(s) for s in entry.get("interventions") or []]
        self._set(question.interventions, interventions)
        kept = []
        for index, finding in enumerate(required_field(entry, "findings"), 1):
            kept.append(self._load_finding(question, finding, position=index))
        stale = question.findings.exclude(pk__in=kept)
        if removed := stale.count():
            stale.delete()
            self.report.updated["findings"] += removed
        if question.status != QuestionStatus.PUBLISHED:
            question.status, question.published_at = QuestionStatus.PUBLISHED, LOADED_AT
            question.save(update_fields=["status", "published_at"])
        if errors := question.publication_errors():
            raise CorpusError(" ".join(errors))

    def _load_finding(self, question: Question, entry: dict, *, position: int) -> int:
        self._check_keys(entry, FINDING_KEYS, "finding")
        outcome = required_field(entry, "outcome")
        stated = Finding(**{name: entry.get(name) for name in GradeJudgment.GRADE_FIELDS})
        for name in GradeJudgment.GRADE_FIELDS:
            if getattr(stated, name) is None:
                setattr(stated, name, False if name in GradeJudgment.UPGRADING_FACTORS else "")
        stated.certainty = entry.get("certainty") or ""
        check_stated_certainty(stated)
        values = {name: getattr(stated, name) for name in GradeJudgment.GRADE_FIELDS}
        values |= {
            "position": position,
            "participants": entry.get("participants"),
            "effect": required_field(entry, "effect"),
            "comment": entry.get("comment") or "",
            "source_note": entry.get("source_note") or "",
        }
        finding = self._upsert(Finding, {"question": question, "outcome": outcome}, values)
        studies = [self._study(slug) for slug in required_field(entry, "studies")]
        self._set(finding.studies, studies)
        self._load_results(finding, entry.get("results") or [])
        return finding.pk

    def _load_results(self, finding: Finding, entries: list) -> None:
        """A finding's results are its rows in the order the file gives: replaced whole when
        anything in them changes."""
        wanted = []
        for position, entry in enumerate(entries, 1):
            self._check_keys(entry, RESULT_KEYS, "result")
            result = StudyResult(
                finding=finding,
                study=self._study(required_field(entry, "study")),
                position=position,
                label=entry.get("label") or "",
                effect_kind=entry.get("effect_kind") or "",
                timepoint=entry.get("timepoint") or "",
                **{
                    name: entry.get(name)
                    for name in StudyResult.FIGURE_FIELDS
                    if name not in ("effect_kind", "timepoint")
                },
            )
            result.full_clean()
            wanted.append(result)
        fields = ("study_id", "position", "label", *StudyResult.FIGURE_FIELDS)
        stored = [
            tuple(getattr(r, f) for f in fields) for r in finding.results.order_by("position")
        ]
        if stored == [tuple(getattr(r, f) for f in fields) for r in wanted]:
            return
        finding.results.all().delete()
        StudyResult.objects.bulk_create(wanted)
        (self.report.updated if stored else self.report.created)["study results"] += len(wanted)

    def _claim(self, slug: str):
        if slug not in self.claims:
            raise CorpusError(f"unknown claim {slug!r}")
        return self.claims[slug]

    def _study(self, slug: str):
        if slug not in self.studies:
            raise CorpusError(f"unknown study {slug!r}")
        return self.studies[slug]
