"""Suggest which known claims a new sentence most likely repeats.

Each claim is represented by its statement and every quote already filed under it. A
sentence is compared with all of them by TF-IDF cosine similarity over stemmed words, so
that rare, telling words ("Spravato", "glutamate", "infusions") weigh more than the words
every ketamine page uses; a claim scores as its best-matching text.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import normalize

from claims.models import Claim

MATCH_LIMIT = 3
MIN_SCORE = 0.05
# A reader's page check shows a match from this score on (see evaluate_ingestion --pages:
# below it, too many matches name a claim the sentence does not make), and calls it strong
# from STRONG_MATCH.
SHOWN_MATCH = 0.5
STRONG_MATCH = 0.7

STOPWORDS = frozenset(
    "a an and are as at be been by can for from has have in is it its of on or our that "
    "the their this to was were will with you your they them we may also just more most "
    "very".split()
)
BATCH = 200  # sentences compared at once
# What a fitted matcher holds: raised whenever that changes, so that an index saved by an
# older release (claims.claim_index) is fitted anew rather than used.
FORMAT = 2
HASHED_FEATURES = 2**20  # words are hashed into this many columns: collisions are rare
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
    """Fitted once on (claim slug, text) pairs; afterwards a claim's texts can be replaced or
    removed without refitting. Words are hashed rather than looked up in a vocabulary, so a
    word first used after the fit still counts: as the rarest (no text had it at the fit),
    which a new word is. The other words keep the rarities learnt at the fit."""

    def __init__(self, entries: list[tuple[str, str]]):
        self.vectorizer = make_pipeline(
            HashingVectorizer(
                analyzer=words, n_features=HASHED_FEATURES, alternate_sign=False, norm=None
            ),
            TfidfTransformer(sublinear_tf=True, norm=None),
        )
        self.fitted = bool(entries)
        self.slugs: list[str] = []
        self.matrix = None
        # The columns (hashed words) some claim text has: a sentence's other words cannot
        # match anything, and are left out of its length.
        self.known = np.zeros(HASHED_FEATURES, dtype=bool)
        if entries:
            self.vectorizer.fit([text for _, text in entries])
            self.matrix = self.rows([text for _, text in entries])
            self.slugs = [slug for slug, _ in entries]
        self._rows_of: dict[str, list[int]] = {}
        for row, slug in enumerate(self.slugs):
            self._rows_of.setdefault(slug, []).append(row)

    @classmethod
    def from_database(cls, claims=None) -> "ClaimMatcher":
        claims = Claim.objects.all() if claims is None else claims
        entries = []
        for claim in claims.prefetch_related("excerpts").only("slug", "statement"):
            entries += [(claim.slug, text) for text in claim_texts(claim)]
        return cls(entries)

    def __contains__(self, slug: str) -> bool:
        return bool(self._rows_of.get(slug))

    def rows(self, texts: list[str]):
        """Claim texts as rows of the matrix, weighed by the rarities learnt at the fit."""
        weighed = self.vectorizer.transform(texts).tocsr()
        self.known[weighed.indices] = True
        return normalize(weighed)

    def queries(self, sentences: list[str]):
        """Sentences as vectors to compare with the rows, of the words claims use."""
        weighed = self.vectorizer.transform(sentences).tocsr()
        weighed.data *= self.known[weighed.indices]
        return normalize(weighed)

    def remove(self, slug: str) -> None:
        """Forget a claim: its rows stay in the matrix, emptied, until the next fit."""
        for row in self._rows_of.pop(slug, []):
            start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
            self.matrix.data[start:end] = 0.0
        # (Explicit zeros cost a little space and no time: they never reach MIN_SCORE.)

    def replace(self, changes: dict[str, list[str]]) -> None:
        """Set the texts of these claims (new or changed), keeping every other claim's rows."""
        if not self.fitted:
            raise ValueError("The matcher was fitted on nothing: build it anew.")
        for slug in changes:
            self.remove(slug)
        added = [(slug, text) for slug, texts in changes.items() for text in texts]
        if not added:
            return
        first = len(self.slugs)
        self.matrix = sparse.vstack([self.matrix, self.rows([t for _, t in added])], "csr")
        for offset, (slug, _) in enumerate(added):
            self.slugs.append(slug)
            self._rows_of.setdefault(slug, []).append(first + offset)

    def best(self, sentence: str, limit: int = MATCH_LIMIT) -> list[Match]:
        return self.best_for_each([sentence], limit)[0]

    def best_for_each(self, sentences: list[str], limit: int = MATCH_LIMIT) -> list[list[Match]]:
        """The best matches of every sentence, compared in batches as one sparse product:
        only the texts sharing a word with a sentence get a score at all."""
        if self.matrix is None:
            return [[] for _ in sentences]
        results = []
        for first in range(0, len(sentences), BATCH):
            vectors = self.queries(sentences[first : first + BATCH])
            similarity = (vectors @ self.matrix.T).tocsr()
            for row in range(similarity.shape[0]):
                start, end = similarity.indptr[row], similarity.indptr[row + 1]
                scores, texts = similarity.data[start:end], similarity.indices[start:end]
                order = np.argsort(-scores, kind="stable")
                results.append(self._ranked(scores[order], texts[order], limit))
        return results

    def _ranked(self, scores, texts, limit: int) -> list[Match]:
        """The first `limit` claims of texts in descending score, each at its best text."""
        best: dict[str, float] = {}
        for score, index in zip(scores.tolist(), texts.tolist(), strict=True):
            slug = self.slugs[index]
            if score < MIN_SCORE or len(best) >= limit and slug not in best:
                break
            best[slug] = max(best.get(slug, 0.0), score)
        return [Match(slug, round(score, 3)) for slug, score in best.items()]


def claim_texts(claim: Claim) -> list[str]:
    """What a claim is matched by: its statement and every quote filed under it (with the
    claim's excerpts prefetched)."""
    return [claim.statement, *(excerpt.quote for excerpt in claim.excerpts.all())]
