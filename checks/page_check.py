"""Check a clinic's page, sentence by sentence: what the evidence says of each check-worthy
sentence we have reviewed, which are not yet reviewed, which use red-flag language, and
what the page leaves out of the safety profile of the treatments it offers.

Nothing is stored: a check reads the claims, questions and safety profiles and returns a
PageCheck. Sentences are matched through the process's claim index (claims.claim_index),
fitted once and kept current, never per check.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from claims.candidates import judge, sentences
from claims.claim_index import claim_index
from claims.matching import SHOWN_MATCH, STRONG_MATCH
from claims.models import Claim
from claims.red_flags import FlagFound, red_flags
from questions.models import Question
from reviews.models import Verdict
from safety.models import facts_left_out, interventions_named_in, topics_raised_in

MAX_CHARS = 100_000  # about 15,000 words: many times a long clinic page
WARNINGS = {Verdict.FALSE, Verdict.MISLEADING, Verdict.UNSUPPORTED}


@dataclass
class ShownMatch:
    claim: Claim
    score: float
    question: Question | None

    @property
    def strength(self) -> str:
        return "strong" if self.score >= STRONG_MATCH else "fair"

    @property
    def reviewed(self) -> bool:
        return bool(self.claim.verdict)


@dataclass
class CheckedSentence:
    start: int  # offsets into the checked text
    end: int
    text: str
    checkworthy: bool
    category: str = ""
    reasons: list[str] = field(default_factory=list)
    flags: list[FlagFound] = field(default_factory=list)
    matches: list[ShownMatch] = field(default_factory=list)

    def segments(self) -> list[tuple[str, FlagFound | None]]:
        """The sentence in pieces, each red-flag phrase a piece of its own."""
        pieces, position = [], 0
        for found in self.flags:
            if found.start < position:
                continue  # overlaps the flag before it
            if found.start > position:
                pieces.append((self.text[position : found.start], None))
            pieces.append((self.text[found.start : found.end], found))
            position = found.end
        if position < len(self.text):
            pieces.append((self.text[position:], None))
        return pieces

    @property
    def best(self) -> ShownMatch | None:
        return self.matches[0] if self.matches else None

    @property
    def status(self) -> str:
        """reviewed: matched to a claim with a published verdict; known: matched to a claim
        whose review is not yet published; unreviewed: check-worthy, matched to nothing;
        flagged: not a checkable statement, but red-flag language."""
        if self.best:
            return "reviewed" if self.best.reviewed else "known"
        return "unreviewed" if self.checkworthy else "flagged"

    @property
    def warns(self) -> bool:
        """Matched to a claim reviewed as false, misleading or unsupported."""
        return bool(self.best and self.best.claim.verdict in WARNINGS)


@dataclass
class PageCheck:
    text: str
    sentences: list[CheckedSentence]
    left_out: list = field(default_factory=list)  # safety.models.facts_left_out's shape

    @property
    def checked(self) -> int:
        return sum(s.checkworthy for s in self.sentences)

    @property
    def reviewed(self) -> int:
        return sum(s.status == "reviewed" for s in self.sentences)

    @property
    def warnings(self) -> int:
        return sum(s.warns for s in self.sentences)

    @property
    def unreviewed(self) -> int:
        return sum(s.status == "unreviewed" for s in self.sentences)

    @property
    def flagged(self) -> int:
        return sum(bool(s.flags) for s in self.sentences)

    def paragraphs(self) -> list[list[tuple[str, int, CheckedSentence | None]]]:
        """The whole text, a list of pieces per line: each piece with its note's number and
        the sentence it is (0 and None for the text between marked sentences). Sentences
        never cross a line."""
        numbered = iter(enumerate(self.sentences, start=1))
        upcoming = next(numbered, None)
        paragraphs, line_start = [], 0
        for line in self.text.split("\n"):
            pieces, position, line_end = [], line_start, line_start + len(line)
            while upcoming and upcoming[1].start < line_end:
                number, sentence = upcoming
                if sentence.start > position:
                    pieces.append((self.text[position : sentence.start], 0, None))
                pieces.append((sentence.text, number, sentence))
                position = sentence.end
                upcoming = next(numbered, None)
            if line_end > position:
                pieces.append((self.text[position:line_end], 0, None))
            if pieces:
                paragraphs.append(pieces)
            line_start = line_end + 1
        return paragraphs


def check_page(text: str) -> PageCheck:
    """Check a page's extracted text (see sources.ingest.extract)."""
    if len(text) > MAX_CHARS:
        raise ValueError(f"The text is {len(text):,} characters; the limit is {MAX_CHARS:,}.")
    found = []
    for start, end in sentences(text):
        sentence = text[start:end]
        judged = judge(sentence)
        flags = red_flags(sentence)
        if judged or flags:
            category, reasons = (judged[1], judged[0]) if judged else ("", [])
            found.append(CheckedSentence(start, end, sentence, bool(judged), category, reasons,
                                         flags))  # fmt: skip
    _attach_matches([s for s in found if s.checkworthy])
    return PageCheck(text, found, _left_out(text, found))


def _attach_matches(checkworthy: list[CheckedSentence]) -> None:
    """Each sentence's matches that reach SHOWN_MATCH, with their claims and questions read
    in two queries."""
    matches = claim_index().best_for_each([s.text for s in checkworthy])
    shown = [[m for m in found if m.score >= SHOWN_MATCH] for found in matches]
    slugs = {m.claim for found in shown for m in found}
    if not slugs:
        return
    published = Question.objects.public().for_claim_page()
    claims = {
        claim.slug: claim
        for claim in Claim.objects.filter(slug__in=slugs)
        .only("pk", "slug", "statement", "category", "verdict", "certainty")
        .prefetch_related(Prefetch("questions", queryset=published, to_attr="public_questions"))
    }
    for sentence, found in zip(checkworthy, shown, strict=True):
        sentence.matches = [
            ShownMatch(claims[m.claim], m.score, next(iter(claims[m.claim].public_questions), None))
            for m in found
            if m.claim in claims  # a claim deleted since the index last looked
        ]


def _left_out(text: str, found: list[CheckedSentence]) -> list:
    """The safety facts the page does not raise, for the treatments it offers: those it
    names, and those the claims it repeats concern."""
    interventions = {i.pk: i for i in interventions_named_in(text)}
    claim_ids = {m.claim.pk for s in found for m in s.matches[:1]}
    if claim_ids:
        for claim in Claim.objects.filter(pk__in=claim_ids).prefetch_related("interventions"):
            interventions.update({i.pk: i for i in claim.interventions.all()})
    ordered = sorted(interventions.values(), key=lambda i: (i.drug, i.name))
    return facts_left_out(ordered, topics_raised_in(text))
