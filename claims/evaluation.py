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
from claims.matching import ClaimMatcher


@dataclass
class Figures:
    documents: int
    labelled: int
    proposed: int
    correct_proposals: int
    found: int
    matched_top3: int
    matched_top1: int

    @property
    def precision(self) -> float:
        return self.correct_proposals / self.proposed if self.proposed else 0.0

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
    return figures
