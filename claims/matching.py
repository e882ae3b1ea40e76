"""Suggest which known claims a new sentence most likely repeats."""

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from claims.models import Claim

MATCH_LIMIT = 3
MIN_SCORE = 0.35

# Words that carry no claim: dropped before comparing, so that matches turn on content.
STOPWORDS = frozenset(
    "a an and are as at be been by can for from has have in is it its of on or our that "
    "the their this to was were will with you your they them we may also just more most "
    "very".split()
)


@dataclass(frozen=True)
class Match:
    claim: str  # slug
    score: float  # 0-1


def _clean(text: str) -> str:
    words = re.findall(r"[a-z0-9%]+", utils.default_process(text))
    return " ".join(word for word in words if word not in STOPWORDS)


class ClaimMatcher:
    """Built once per batch: every claim's statement and quotes, compared by fuzzy tokens."""

    def __init__(self, claims=None):
        claims = Claim.objects.all() if claims is None else claims
        self.texts: list[str] = []
        self.slugs: list[str] = []
        for claim in claims.prefetch_related("excerpts").only("slug", "statement"):
            for text in (claim.statement, *(e.quote for e in claim.excerpts.all())):
                self.texts.append(_clean(text))
                self.slugs.append(claim.slug)

    def best(self, sentence: str, limit: int = MATCH_LIMIT) -> list[Match]:
        if not self.texts:
            return []
        found = process.extract(
            _clean(sentence), self.texts, scorer=fuzz.token_set_ratio, limit=limit * 6
        )
        best: dict[str, float] = {}
        for _, score, index in found:
            slug = self.slugs[index]
            best[slug] = max(best.get(slug, 0.0), score / 100)
        ranked = sorted(best.items(), key=lambda item: -item[1])[:limit]
        return [Match(slug, round(score, 3)) for slug, score in ranked if score >= MIN_SCORE]
