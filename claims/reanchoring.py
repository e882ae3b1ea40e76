"""Find a quote again in a new version of its page, as annotation systems re-anchor a
W3C text-quote selector (quote, prefix, suffix) when the text under it changes.

Exact first: the quote, verbatim, at its old position is unchanged; verbatim elsewhere
(the occurrence whose surroundings match best) it has moved. Otherwise fuzzy, with
rapidfuzz: where its old surroundings are still found around a stretch of new text, that
stretch is what the clinic put in its place; failing that, the new page's most similar
sentence. A stretch or sentence similar enough to the quote is the quote changed (an
editor must confirm it); nothing similar enough means the quote is gone. A quote is never
carried to a different sentence without an editor: only verbatim text moves by itself.
"""

from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from claims.candidates import sentences
from claims.models import AnchorState

# How similar (0 to 1, rapidfuzz's normalized Indel similarity) the new text must be to the
# quote to count as the quote changed rather than removed: where the old surroundings still
# frame it, and where only its wording leads to it.
IN_PLACE_SIMILARITY = 0.5
ANYWHERE_SIMILARITY = 0.75
ANCHOR_CHARS = 32  # the part of the prefix and suffix next to the quote that locates it


@dataclass(frozen=True)
class Anchor:
    state: AnchorState
    start: int | None = None  # where the quote, or what replaced it, is in the new text
    end: int | None = None
    text: str = ""  # the new text there (the quote itself unless changed)
    similarity: float = 0.0  # to the quote


def reanchor(*, quote: str, prefix: str, suffix: str, start: int, text: str) -> Anchor:
    """Where `quote`, which stood at `start` between `prefix` and `suffix`, is in `text`."""
    if exact := _verbatim(quote, prefix, suffix, start, text):
        return exact
    if (in_place := _between_surroundings(quote, prefix, suffix, text)) is not None:
        return in_place
    return _most_similar_sentence(quote, text)


def _verbatim(quote: str, prefix: str, suffix: str, start: int, text: str) -> Anchor | None:
    positions, at = [], text.find(quote)
    while at >= 0:
        positions.append(at)
        at = text.find(quote, at + 1)
    if not positions:
        return None
    if start in positions:
        return Anchor(AnchorState.UNCHANGED, start, start + len(quote), quote, 1.0)

    def fit(position: int) -> tuple[float, int]:
        before = text[max(0, position - len(prefix)) : position]
        after = text[position + len(quote) : position + len(quote) + len(suffix)]
        context = Indel.normalized_similarity(before, prefix) + Indel.normalized_similarity(
            after, suffix
        )
        return (-context, abs(position - start))

    best = min(positions, key=fit)
    return Anchor(AnchorState.MOVED, best, best + len(quote), quote, 1.0)


def _between_surroundings(quote: str, prefix: str, suffix: str, text: str) -> Anchor | None:
    """What stands between the quote's old surroundings, if both are found once, in order."""
    before, after = prefix[-ANCHOR_CHARS:].strip(), suffix[:ANCHOR_CHARS].strip()
    if len(before) < 8 or len(after) < 8 or text.count(before) != 1:
        return None
    opening = text.index(before) + len(before)
    closing = text.find(after, opening)
    if closing < 0 or text.find(after, closing + 1) >= 0:
        return None
    between = text[opening:closing]
    stripped = between.strip()
    if not stripped:
        return Anchor(AnchorState.GONE)
    start = opening + len(between) - len(between.lstrip())
    similarity = Indel.normalized_similarity(quote, stripped)
    if similarity < IN_PLACE_SIMILARITY:
        return Anchor(AnchorState.GONE, similarity=similarity)
    return Anchor(AnchorState.CHANGED, start, start + len(stripped), stripped, similarity)


def _most_similar_sentence(quote: str, text: str) -> Anchor:
    best, best_similarity = None, 0.0
    for start, end in sentences(text):
        similarity = fuzz.ratio(quote, text[start:end], score_cutoff=best_similarity * 100) / 100
        if similarity > best_similarity:
            best, best_similarity = (start, end), similarity
    if best is None or best_similarity < ANYWHERE_SIMILARITY:
        return Anchor(AnchorState.GONE, similarity=best_similarity)
    start, end = best
    return Anchor(AnchorState.CHANGED, start, end, text[start:end], best_similarity)
