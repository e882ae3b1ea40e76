"""Suggest which known claims a new sentence most likely repeats.

Each claim is represented by its statement and every quote already filed under it. A
sentence is compared with all of them by TF-IDF cosine similarity over stemmed words, so
that rare, telling words ("Spravato", "glutamate", "infusions") weigh more than the words
every ketamine page uses; a claim scores as its best-matching text.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from claims.models import Claim

MATCH_LIMIT = 3
MIN_SCORE = 0.05

STOPWORDS = frozenset(
    "a an and are as at be been by can for from has have in is it its of on or our that "
    "the their this to was were will with you your they them we may also just more most "
    "very".split()
)
BATCH = 1_000  # sentences compared at once: 1,000 x a few hundred claim texts, as floats
_stemmer = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Match:
    claim: str  # slug
    score: float  # cosine similarity, 0-1


def words(text: str) -> list[str]:
    """Lower-cased, stemmed content words: 'Relieves' and 'relief' meet as 'reliev'/'relief'."""
    tokens = re.findall(r"[a-z0-9%]+", text.lower())
    return [_stem(token) for token in tokens if token not in STOPWORDS]


@lru_cache(maxsize=100_000)
def _stem(token: str) -> str:
    """A page repeats its few thousand words; each is stemmed once."""
    return _stemmer.stemWord(token)


class ClaimMatcher:
    """Built once per batch from (claim slug, text) pairs."""

    def __init__(self, entries: list[tuple[str, str]]):
        self.slugs = [slug for slug, _ in entries]
        self.vectorizer = TfidfVectorizer(analyzer=words, sublinear_tf=True)
        self.matrix = (
            self.vectorizer.fit_transform([text for _, text in entries]) if entries else None
        )

    @classmethod
    def from_database(cls, claims=None) -> "ClaimMatcher":
        claims = Claim.objects.all() if claims is None else claims
        entries = []
        for claim in claims.prefetch_related("excerpts").only("slug", "statement"):
            entries.append((claim.slug, claim.statement))
            entries += [(claim.slug, excerpt.quote) for excerpt in claim.excerpts.all()]
        return cls(entries)

    def best(self, sentence: str, limit: int = MATCH_LIMIT) -> list[Match]:
        return self.best_for_each([sentence], limit)[0]

    def best_for_each(self, sentences: list[str], limit: int = MATCH_LIMIT) -> list[list[Match]]:
        """The best matches of every sentence, all vectorized and compared in a few batches."""
        if self.matrix is None:
            return [[] for _ in sentences]
        results = []
        for first in range(0, len(sentences), BATCH):
            vectors = self.vectorizer.transform(sentences[first : first + BATCH])
            similarity = linear_kernel(vectors, self.matrix)
            order = similarity.argsort(axis=1)[:, ::-1]  # most similar text first
            results += [self._ranked(*row, limit) for row in zip(similarity, order, strict=True)]
        return results

    def _ranked(self, similarity, order, limit: int) -> list[Match]:
        best: dict[str, float] = {}
        for index in order:
            slug, score = self.slugs[index], float(similarity[index])
            if score < MIN_SCORE or len(best) >= limit and slug not in best:
                break
            best[slug] = max(best.get(slug, 0.0), score)
        return [Match(slug, round(score, 3)) for slug, score in best.items()]
