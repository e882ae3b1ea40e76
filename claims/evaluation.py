"""Measure candidate proposal and claim matching against the curated corpus.

The excerpts of the corpus are the labelled positives. Proposal: a candidate counts as
correct if it overlaps a labelled excerpt (precision), and a labelled excerpt counts as
found if a candidate overlaps it (recall). Matching is measured leave-one-document-out: for
each document, the matcher knows every claim's statement and the quotes of the *other*
documents only, and each labelled excerpt is looked up through the candidate sentence an
editor would see; it counts if its claim is among the top three suggestions.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml

from claims.candidates import propose
from claims.matching import SHOWN_MATCH, ClaimMatcher


@dataclass
class Figures:
    documents: int
    labelled: int
    proposed: int
    correct_proposals: int
    found: int
    matched_top3: int
    matched_top1: int
    # Candidates of a labelled sentence whose first suggestion reaches SHOWN_MATCH (the
    # filing screen pre-selects it), and how many of those name a claim quoted there.
    preselected: int = 0
    preselected_right: int = 0

    @property
    def precision(self) -> float:
        return self.correct_proposals / self.proposed if self.proposed else 0.0

    @property
    def preselected_precision(self) -> float:
        return self.preselected_right / self.preselected if self.preselected else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 0.0

    @property
    def top3(self) -> float:
        return self.matched_top3 / self.labelled if self.labelled else 0.0

    @property
    def top1(self) -> float:
        return self.matched_top1 / self.labelled if self.labelled else 0.0


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def evaluate(corpus: Path) -> Figures:
    claims = yaml.safe_load((corpus / "claims.yaml").read_text(encoding="utf-8"))
    statements = [(claim["slug"], claim["statement"]) for claim in claims]
    documents = []
    for path in sorted((corpus / "documents").glob("*.yaml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = (corpus / "documents" / entry["text"]).read_text(encoding="utf-8")
        spans = [(e["start"], e["start"] + len(e["quote"]), e["claim"], e["quote"])
                 for e in entry["excerpts"]]  # fmt: skip
        documents.append((path.name, text, spans))

    figures = Figures(len(documents), 0, 0, 0, 0, 0, 0)
    for name, text, spans in documents:
        others = [(claim, quote) for other, _, s in documents if other != name
                  for _, _, claim, quote in s]  # fmt: skip
        matcher = ClaimMatcher(statements + others)
        proposals = propose(text)
        figures.proposed += len(proposals)
        figures.correct_proposals += sum(
            any(_overlaps(p.start, p.end, s, e) for s, e, _, _ in spans) for p in proposals
        )
        for start, end, claim, quote in spans:
            figures.labelled += 1
            hits = [p for p in proposals if _overlaps(p.start, p.end, start, end)]
            figures.found += bool(hits)
            query = hits[0].quote if hits else quote
            suggested = [match.claim for match in matcher.best(query, limit=3)]
            figures.matched_top3 += claim in suggested
            figures.matched_top1 += suggested[:1] == [claim]
        suggestions = matcher.best_for_each([p.quote for p in proposals])
        for proposal, best in zip(proposals, suggestions, strict=True):
            claims = {c for s, e, c, _ in spans if _overlaps(proposal.start, proposal.end, s, e)}
            if claims and best and best[0].score >= SHOWN_MATCH:
                figures.preselected += 1
                figures.preselected_right += best[0].claim in claims
    return figures


@dataclass
class PageFigures:
    """Proposal and matching on labelled pages the corpus has never seen (see
    corpus/evaluation/pages/README.md)."""

    pages: int = 0
    sentences: int = 0
    checkworthy: int = 0
    proposed: int = 0
    correct_proposals: int = 0
    found: int = 0
    with_claim: int = 0
    matched_top1: int = 0
    matched_top3: int = 0
    shown: int = 0  # proposals whose best match reaches the threshold
    shown_wrong: int = 0  # ... and name a claim the sentence does not assert

    @property
    def precision(self) -> float:
        return self.correct_proposals / self.proposed if self.proposed else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.checkworthy if self.checkworthy else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def top1(self) -> float:
        return self.matched_top1 / self.with_claim if self.with_claim else 0.0

    @property
    def top3(self) -> float:
        return self.matched_top3 / self.with_claim if self.with_claim else 0.0

    @property
    def wrong_match_rate(self) -> float:
        return self.shown_wrong / self.shown if self.shown else 0.0


def labelled_sentences(text: str, entries: list[dict]) -> list[tuple[int, int, dict]]:
    """Each labelled sentence's span in its page, found in order (a sentence that repeats
    is found after the one before it)."""
    spans, position = [], 0
    for entry in entries:
        start = text.find(entry["text"], position)
        if start < 0:
            start = text.find(entry["text"])
        if start < 0:
            raise ValueError(f"not in the page: {entry['text']!r}")
        spans.append((start, start + len(entry["text"]), entry))
        position = start + len(entry["text"])
    return spans


def evaluate_pages(pages: Path, corpus: Path, *, threshold: float) -> PageFigures:
    """Check each labelled page as a reader's check would: propose its check-worthy
    sentences and match them against every claim of the corpus with all its quotes."""
    claims = yaml.safe_load((corpus / "claims.yaml").read_text(encoding="utf-8"))
    entries = [(claim["slug"], claim["statement"]) for claim in claims]
    for path in sorted((corpus / "documents").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries += [(e["claim"], e["quote"]) for e in document["excerpts"]]
    matcher = ClaimMatcher(entries)
    figures = PageFigures()
    for path in sorted(pages.glob("*.yaml")):
        labels = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        spans = labelled_sentences(text, labels["sentences"])
        proposals = propose(text)
        matches = matcher.best_for_each([p.quote for p in proposals])
        figures.pages += 1
        figures.sentences += len(spans)
        figures.proposed += len(proposals)
        for proposal, found in zip(proposals, matches, strict=True):
            hit = [e for s, end, e in spans if _overlaps(proposal.start, proposal.end, s, end)]
            figures.correct_proposals += any(e["checkworthy"] for e in hit)
            if found and found[0].score >= threshold:
                figures.shown += 1
                figures.shown_wrong += found[0].claim not in {e["claim"] for e in hit}
        for start, end, entry in spans:
            if not entry["checkworthy"]:
                continue
            figures.checkworthy += 1
            hits = [p for p in proposals if _overlaps(p.start, p.end, start, end)]
            figures.found += bool(hits)
            if entry["claim"]:
                figures.with_claim += 1
                suggested = [
                    m.claim for m in matcher.best(hits[0].quote if hits else entry["text"])
                ]
                figures.matched_top1 += suggested[:1] == [entry["claim"]]
                figures.matched_top3 += entry["claim"] in suggested
    return figures
