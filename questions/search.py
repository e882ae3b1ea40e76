"""The site's one search box: a question typed in plain words, answered with questions
first, then claims, studies and documents, each ranked by how much of the search it
answers (claims.search), on either database."""

from dataclasses import dataclass, field

from claims.models import LIST_FIELDS, Claim, SearchWord, validate_search_query
from claims.search import Interpretation, interpret
from questions.models import Question
from sources.models import DOCUMENT_LIST_FIELDS, STUDY_SEARCH_FIELDS, Document, Study
from sources.textsearch import contains_condition

# How many rows of each kind are read and scored: claims matching every concept first,
# then those matching any, so the best are never crowded out by partial matches.
CLAIM_CANDIDATES = 600
STUDY_CANDIDATES = 300
DOCUMENT_CANDIDATES = 200
# How many of each kind a results page shows.
SHOWN = {"questions": 3, "claims": 10, "studies": 5, "documents": 5}
# A question is offered as the answer only if it answers at least this share of the search
# (weighted); below that, the claims come first.
QUESTION_THRESHOLD = 0.5


@dataclass
class Found:
    score: float
    row: object


@dataclass
class SearchResults:
    reading: Interpretation
    questions: list[Found] = field(default_factory=list)
    claims: list[Found] = field(default_factory=list)
    studies: list[Found] = field(default_factory=list)
    documents: list[Found] = field(default_factory=list)

    def kinds(self) -> list[str]:
        """The order of the page's sections: questions first; then claims, studies and
        documents, in that order unless one kind answers the search better (a study's
        title typed whole puts the studies before the claims)."""
        rest = ["claims", "studies", "documents"]
        best = {kind: max((f.score for f in getattr(self, kind)), default=0) for kind in rest}
        return ["questions", *sorted(rest, key=lambda kind: -best[kind])]

    def sections(self) -> list[tuple[str, list[Found]]]:
        """(kind, rows found) for each kind that found any, in the page's order."""
        return [(kind, getattr(self, kind)) for kind in self.kinds() if getattr(self, kind)]

    def in_page_order(self) -> list[object]:
        """Every row found, as the page lists them."""
        return [found.row for kind in self.kinds() for found in getattr(self, kind)]

    @property
    def total(self) -> int:
        return len(self.in_page_order())


def site_search(query: str) -> SearchResults:
    """Read the query (synonyms, misspellings), find rows of every kind that match any of
    it, and rank each kind by how much of it they answer. Raises ValidationError for a
    query longer than validate_search_query() allows."""
    query = query.strip()
    validate_search_query(query)
    reading = interpret(query, known=SearchWord.objects.known, closest=SearchWord.objects.closest)
    results = SearchResults(reading)
    if not reading.concepts:
        return results
    telling = [concept.keys for concept in reading.telling]
    questions = [(q, q.question, q.search_text) for q in Question.objects.public().only(
        "slug", "question", "search_text", "topic", "bottom_line_patients"
    )]  # fmt: skip
    claims = [(c, c.statement, c.search_text) for c in _claim_candidates(telling)]
    studies = [(s, s.title, _study_text(s)) for s in _study_candidates(telling)]
    documents = [(d, d.title, f"{d.publisher} {d.url}") for d in _document_candidates(telling)]
    weights = reading.weights(
        f"{primary}\n{secondary}" for _, primary, secondary in questions + claims
    )
    for kind, rows in (
        ("questions", questions), ("claims", claims), ("studies", studies),
        ("documents", documents),
    ):  # fmt: skip
        scored = [
            Found(reading.score(first, rest, weights), row)
            for row, first, rest in rows
            if reading.answers_any(first, rest)
        ]
        ranked = sorted(scored, key=lambda found: (-found.score, _tie_break(found.row)))
        if kind == "questions":
            ranked = [found for found in ranked if found.score >= QUESTION_THRESHOLD]
        setattr(results, kind, ranked[: SHOWN[kind]])
    return results


def _tie_break(row) -> tuple:
    """Among rows that answer as much: reviewed claims quoted by more documents, then the
    shorter text (the match is more of it)."""
    if isinstance(row, Claim):
        return (not row.verdict, -row.document_count, len(row.statement), row.pk)
    if isinstance(row, Question):
        return (len(row.question), row.pk)
    return (len(row.title), row.pk)


def _claim_candidates(concepts: list[tuple[str, ...]]) -> list[Claim]:
    # Unordered: the candidates are scored in Python, and an order would tempt the planner
    # to walk an ordering index past every claim instead of reading the search index.
    public = Claim.objects.public().order_by()
    every = public.matching(concepts, every=True)
    pks = list(every.values_list("pk", flat=True)[:CLAIM_CANDIDATES])
    if len(pks) < CLAIM_CANDIDATES:
        more = public.matching(concepts, every=False).exclude(pk__in=pks).order_by()
        pks += list(more.values_list("pk", flat=True)[: CLAIM_CANDIDATES - len(pks)])
    if not pks:
        return []
    return list(Claim.objects.filter(pk__in=pks).only(*LIST_FIELDS, "search_text"))


def _study_candidates(concepts: list[tuple[str, ...]]) -> list[Study]:
    shown = ("slug", "year", "design", "sample_size", "is_retracted", "claim_count")
    studies = Study.objects.public().matching(concepts).order_by()
    return list(studies.only(*shown, *STUDY_SEARCH_FIELDS)[:STUDY_CANDIDATES])


def _study_text(study: Study) -> str:
    return " ".join(getattr(study, name) or "" for name in STUDY_SEARCH_FIELDS[1:])


def _document_candidates(concepts: list[tuple[str, ...]]) -> list[Document]:
    """Documents by their title, publisher and address (their text is searched through
    the claims they make)."""
    found = contains_condition(("title", "publisher", "url"), concepts, every=False)
    documents = Document.objects.public().filter(found).order_by()
    return list(documents.only(*DOCUMENT_LIST_FIELDS, "url")[:DOCUMENT_CANDIDATES])
