"""Suggest which known claims a new sentence most likely repeats.

Each claim is represented by its statement and every quote already filed under it. A
sentence is compared with all of them by TF-IDF cosine similarity over stemmed words, so
that rare, telling words ("Spravato", "glutamate", "infusions") weigh more than the words
every ketamine page uses (those in over a fifth of the texts are left out altogether). A
claim scores as its best-matching text blended with its statement, and is then checked
against the editors' rule for naming a claim: the sentence must assert what the statement
asserts, for the same condition, with the same figures and timeframe. Each kind of
specifics of the statement (numbers, time units, conditions, esketamine rather than
ketamine) that the sentence leaves out or contradicts lowers the claim's score.
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
STATEMENT_WEIGHT = 0.3  # of the statement's similarity in a claim's score
SPECIFIC_PENALTY = 0.6  # a claim's score is multiplied by this per specific not shared
RERANKED = 20  # of a sentence's best claims, those scored in full
# A reader's page check shows a match from this score on, and the editors' filing screen
# pre-selects a candidate's first suggestion only from it (see evaluate_ingestion: below
# it, too many first suggestions name a claim the sentence does not make). The page check
# calls a match strong from STRONG_MATCH.
SHOWN_MATCH = 0.45
STRONG_MATCH = 0.6

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


TOKEN = re.compile(r"[a-z0-9%]+")
NUMBER_WORDS = {
    "one": "1", "single": "1", "first": "1", "two": "2", "second": "2", "three": "3",
    "third": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "twelve": "12", "dozen": "12", "half": "50", "hundred": "100",
}  # fmt: skip
# Word stems naming what the specifics are about: a time unit, a condition, the drug.
SPECIFIC_STEMS = {
    "minut": ("unit", "minute"), "hour": ("unit", "hour"), "day": ("unit", "day"),
    "week": ("unit", "week"), "month": ("unit", "month"), "year": ("unit", "year"),
    "decad": ("unit", "decade"),
    "depress": ("condition", "depression"), "mdd": ("condition", "depression"),
    "trd": ("condition", "depression"), "anxieti": ("condition", "anxiety"),
    "anxious": ("condition", "anxiety"), "gad": ("condition", "anxiety"),
    "panic": ("condition", "anxiety"), "ptsd": ("condition", "ptsd"),
    "trauma": ("condition", "ptsd"), "ocd": ("condition", "ocd"),
    "obsess": ("condition", "ocd"), "compuls": ("condition", "ocd"),
    "pain": ("condition", "pain"), "bipolar": ("condition", "bipolar"),
    "suicid": ("condition", "suicide"),
    "esketamin": ("drug", "esketamine"), "spravato": ("drug", "esketamine"),
}  # fmt: skip


@dataclass(frozen=True)
class Match:
    claim: str  # slug
    score: float  # cosine similarity, 0-1


def _tokens(text: str) -> list[str]:
    return [token for token in TOKEN.findall(text.lower()) if token not in STOPWORDS]


def words(text: str) -> list[str]:
    """Lower-cased, stemmed content words: 'Relieves' and 'relief' meet as 'reliev'/'relief'."""
    return [_stem(token) for token in _tokens(text)]


@lru_cache(maxsize=100_000)
def _stem(token: str) -> str:
    """A page repeats its few thousand words; each is stemmed once."""
    return _stemmer.stemWord(token)


def specifics(text: str) -> frozenset[tuple[str, str]]:
    """The (kind, value) pairs a claim is specific about: numbers ("six", "70%", "1960s"),
    time units, conditions and esketamine. The editors name no claim for a sentence with
    another figure, timeframe or condition."""
    found = set()
    for token in TOKEN.findall(text.lower()):
        if re.fullmatch(r"\d+(?:s|%)?", token):
            found.add(("number", token.rstrip("s%")))
        elif token in NUMBER_WORDS:
            found.add(("number", NUMBER_WORDS[token]))
        elif (specific := SPECIFIC_STEMS.get(_stem(token))) is not None:
            found.add(specific)
    return frozenset(found)


def disagreements(sentence: frozenset, statement: frozenset) -> int:
    """How many kinds of specifics of a statement a sentence does not share: it names none
    of that kind (it leaves the statement's figure out), or only others (it contradicts
    it). The drug counts both ways: a sentence about esketamine does not assert what a
    statement about ketamine asserts, nor the other way round."""
    kinds = {kind for kind, _ in statement} | ({"drug"} & {kind for kind, _ in sentence})
    return sum(
        not any((kind, value) in statement for k, value in sentence if k == kind) for kind in kinds
    )


class ClaimMatcher:
    """Fitted once on (claim slug, text) pairs, each claim's statement first; afterwards a
    claim's texts can be replaced or removed without refitting. Words are hashed rather
    than looked up in a vocabulary, so a word first used after the fit still counts: as the
    rarest (no text had it at the fit), which a new word is. The other words keep the
    rarities learnt at the fit.

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
        self._specifics: dict[str, frozenset] = {}  # of each claim's statement
        for row, (slug, text) in enumerate(entries):
            if slug not in self._rows_of:
                self._specifics[slug] = specifics(text)
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
        """Sentences as unit vectors to compare with the rows. Every word counts in a
        sentence's length, so that a sentence sharing a few words with a claim and saying
        much else scores low; only the words some text has are kept for the product."""
        weighed = normalize(self.vectorizer.transform(sentences).tocsr())
        weighed.data *= self.known[weighed.indices]
        weighed.eliminate_zeros()
        return weighed.astype(np.float32)

    def remove(self, slug: str) -> None:
        """Forget a claim: its texts stay, emptied, until the next fit. (Explicit zeros
        cost a little space and no time: they never reach MIN_SCORE.)"""
        rows = self._rows_of.pop(slug, [])
        self._specifics.pop(slug, None)
        fitted = self.fitted_words.shape[1] if self.fitted_words is not None else 0
        old = [row for row in rows if row < fitted]
        if old:
            self.fitted_words.data[np.isin(self.fitted_words.indices, old)] = 0.0
        for row in (row - fitted for row in rows if row >= fitted):
            start, end = self.recent.indptr[row], self.recent.indptr[row + 1]
            self.recent.data[start:end] = 0.0

    def replace(self, changes: dict[str, list[str]]) -> None:
        """Set the texts of these claims (new or changed, each statement first), keeping
        every other claim's."""
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
        for offset, (slug, text) in enumerate(added):
            self.slugs.append(slug)
            if slug not in self._rows_of:
                self._specifics[slug] = specifics(text)
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
                mine = specifics(sentences[first + row])
                results.append(self._ranked(mine, scores, texts, limit))
        return results

    def _ranked(self, mine: frozenset, scores, texts, limit: int) -> list[Match]:
        """The best `limit` claims of a sentence's texts (their scores and rows), each scored
        by its best text blended with its statement (what the claim is; a quote may carry
        its page's context), and lowered per kind of specifics of its statement (figures,
        time units, conditions, esketamine) that the sentence leaves out or contradicts: the
        editors' rule for naming a claim. RERANKED claims are scored so; the rest cannot
        overtake them."""
        best: dict[str, float] = {}
        top_scores, top_texts = _best_texts(scores, texts, RERANKED)
        for score, index in zip(top_scores.tolist(), top_texts.tolist(), strict=True):
            slug = self.slugs[index]
            if len(best) >= RERANKED and slug not in best:
                break
            best.setdefault(slug, score)  # the texts come best first
        statements = np.array([self._rows_of[slug][0] for slug in best], dtype=texts.dtype)
        found = np.isin(texts, statements)
        said = dict(zip(texts[found].tolist(), scores[found].tolist(), strict=True))
        matches = []
        for (slug, text), row in zip(best.items(), statements.tolist(), strict=True):
            score = (1 - STATEMENT_WEIGHT) * text + STATEMENT_WEIGHT * said.get(row, 0.0)
            score *= SPECIFIC_PENALTY ** disagreements(mine, self._specifics[slug])
            matches.append(Match(slug, round(score, 3)))
        matches.sort(key=lambda match: -match.score)
        return [match for match in matches[:limit] if match.score >= MIN_SCORE]


def _best_texts(scores, texts, limit: int):
    """The texts that can hold the `limit` best claims, best first: the TEXTS_PER_CLAIM *
    limit highest scores from MIN_SCORE (a claim has several texts), found without sorting
    them all."""
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
