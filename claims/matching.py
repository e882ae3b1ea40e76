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
# A word in more than this share of the fitted texts (and in more than COMMON_MIN_TEXTS of
# them) is left out: see ClaimMatcher._leave_out_common_words.
COMMON_SHARE = 0.2
COMMON_MIN_TEXTS = 50
TEXTS_PER_CLAIM = 20  # of a sentence's best texts, at most this many may share one claim
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
FORMAT = 3
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
    which a new word is. The other words keep the rarities learnt at the fit.

    The texts of the fit are held word by text (`fitted_words`: a word's row lists the
    texts that use it), the form a product with the sentences reads directly; the texts set
    since are held text by word (`recent`), small until the next fit."""

    def __init__(self, entries: list[tuple[str, str]]):
        self.vectorizer = make_pipeline(
            HashingVectorizer(
                analyzer=words, n_features=HASHED_FEATURES, alternate_sign=False, norm=None
            ),
            TfidfTransformer(sublinear_tf=True, norm=None),
        )
        self.fitted = bool(entries)
        self.slugs: list[str] = [slug for slug, _ in entries]
        # The columns (hashed words) some claim text has, common words aside: a sentence's
        # other words cannot match anything, and are left out of its length.
        self.known = np.zeros(HASHED_FEATURES, dtype=bool)
        self.fitted_words = None
        self.recent = None
        self.common = np.zeros(HASHED_FEATURES, dtype=bool)
        if entries:
            texts = [text for _, text in entries]
            self.vectorizer.fit(texts)
            self.fitted_words = self.rows(texts).T.tocsr()
            self._leave_out_common_words(texts)
        self._rows_of: dict[str, list[int]] = {}
        for row, slug in enumerate(self.slugs):
            self._rows_of.setdefault(slug, []).append(row)

    def _leave_out_common_words(self, texts: list[str]) -> None:
        """Words in more than COMMON_SHARE of the texts ("ketamine", "anxiety" in a
        collection about ketamine for anxiety) tell few texts apart, and a sentence using
        one would be compared with most texts: they are left out of every text and sentence
        as stop words would be, and the texts weighed again without them."""
        counts = np.diff(self.fitted_words.indptr)
        self.common = counts > max(COMMON_SHARE * len(texts), COMMON_MIN_TEXTS)
        if self.common.any():
            self.known[:] = False
            self.fitted_words = self.rows(texts).T.tocsr()

    @classmethod
    def from_database(cls, claims=None) -> "ClaimMatcher":
        claims = Claim.objects.all() if claims is None else claims
        entries = []
        for claim in claims.prefetch_related("excerpts").only("slug", "statement"):
            entries += [(claim.slug, text) for text in claim_texts(claim)]
        return cls(entries)

    @property
    def text_count(self) -> int:
        return len(self.slugs)

    def __contains__(self, slug: str) -> bool:
        return bool(self._rows_of.get(slug))

    def rows(self, texts: list[str]):
        """Claim texts as rows, weighed by the rarities learnt at the fit."""
        weighed = self.vectorizer.transform(texts).tocsr()
        weighed.data *= ~self.common[weighed.indices]
        weighed.eliminate_zeros()
        self.known[weighed.indices] = True
        return normalize(weighed).astype(np.float32)

    def queries(self, sentences: list[str]):
        """Sentences as vectors to compare with the rows, of the words claims use."""
        weighed = self.vectorizer.transform(sentences).tocsr()
        weighed.data *= self.known[weighed.indices]
        return normalize(weighed).astype(np.float32)

    def remove(self, slug: str) -> None:
        """Forget a claim: its texts stay, emptied, until the next fit. (Explicit zeros
        cost a little space and no time: they never reach MIN_SCORE.)"""
        rows = self._rows_of.pop(slug, [])
        fitted = self.fitted_words.shape[1] if self.fitted_words is not None else 0
        old = [row for row in rows if row < fitted]
        if old:
            self.fitted_words.data[np.isin(self.fitted_words.indices, old)] = 0.0
        for row in (row - fitted for row in rows if row >= fitted):
            start, end = self.recent.indptr[row], self.recent.indptr[row + 1]
            self.recent.data[start:end] = 0.0

    def replace(self, changes: dict[str, list[str]]) -> None:
        """Set the texts of these claims (new or changed), keeping every other claim's."""
        if not self.fitted:
            raise ValueError("The matcher was fitted on nothing: build it anew.")
        for slug in changes:
            self.remove(slug)
        added = [(slug, text) for slug, texts in changes.items() for text in texts]
        if not added:
            return
        first = len(self.slugs)
        new_rows = self.rows([t for _, t in added])
        grown = new_rows if self.recent is None else sparse.vstack([self.recent, new_rows], "csr")
        # The slugs grow before the texts do: a check running meanwhile in another thread
        # reads the texts as they were, all of which have their slugs.
        for offset, (slug, _) in enumerate(added):
            self.slugs.append(slug)
            self._rows_of.setdefault(slug, []).append(first + offset)
        self.recent = grown

    def best(self, sentence: str, limit: int = MATCH_LIMIT) -> list[Match]:
        return self.best_for_each([sentence], limit)[0]

    def best_for_each(self, sentences: list[str], limit: int = MATCH_LIMIT) -> list[list[Match]]:
        """The best matches of every sentence, compared in batches as sparse products: only
        the texts sharing a word with a sentence get a score at all."""
        if not self.fitted:
            return [[] for _ in sentences]
        fitted, recent = self.fitted_words, self.recent
        results = []
        for first in range(0, len(sentences), BATCH):
            vectors = self.queries(sentences[first : first + BATCH])
            similarity = (vectors @ fitted).tocsr()
            later = (vectors @ recent.T).tocsr() if recent is not None else None
            for row in range(similarity.shape[0]):
                start, end = similarity.indptr[row], similarity.indptr[row + 1]
                scores, texts = similarity.data[start:end], similarity.indices[start:end]
                if later is not None:
                    start, end = later.indptr[row], later.indptr[row + 1]
                    scores = np.concatenate([scores, later.data[start:end]])
                    texts = np.concatenate([texts, later.indices[start:end] + fitted.shape[1]])
                results.append(self._ranked(*_best_texts(scores, texts, limit), limit))
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


def _best_texts(scores, texts, limit: int):
    """The texts that can hold the `limit` best claims, best first: the TEXTS_PER_CLAIM *
    limit highest scores (a claim has several texts), found without sorting them all."""
    keep = scores >= MIN_SCORE
    scores, texts = scores[keep], texts[keep]
    wanted = TEXTS_PER_CLAIM * limit
    if len(scores) > wanted:
        top = np.argpartition(-scores, wanted)[:wanted]
        scores, texts = scores[top], texts[top]
    order = np.lexsort((texts, -scores))  # by score, then by row: the same order every time
    return scores[order], texts[order]


def claim_texts(claim: Claim) -> list[str]:
    """What a claim is matched by: its statement and every quote filed under it (with the
    claim's excerpts prefetched)."""
    return [claim.statement, *(excerpt.quote for excerpt in claim.excerpts.all())]
