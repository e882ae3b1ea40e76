"""A document's fingerprint: a MinHash signature of its wording, to find near-duplicates.

Two texts are compared by the Jaccard similarity of their sets of five-word shingles (runs
of five consecutive words, lower-cased): a page with one word changed and one sentence
added keeps over 90% of its shingles; two different clinic pages share almost none. A
signature of 128 minimum hashes (datasketch) estimates that similarity as the share of
positions where two signatures agree, so a new text is compared with every stored one
without reading their bodies. The parameters below are part of every stored signature:
changing them needs the signatures recomputed (see the sources migrations).
"""

import re

from datasketch import MinHash

SHINGLE_WORDS = 5
PERMUTATIONS = 128
SEED = 1
SCHEME = "affine32"
BATCH = 10_000  # shingles hashed at once: 10,000 x 128 permutations as 64-bit integers
NEAR_DUPLICATE = 0.5  # estimated share of shingles in common from which texts are alike


def shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower()) or [text]
    last = max(1, len(words) - SHINGLE_WORDS + 1)
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(last)}


def fingerprint(text: str) -> list[int]:
    """The text's MinHash signature: PERMUTATIONS integers below 2**32."""
    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME)
    encoded = [shingle.encode("utf-8") for shingle in shingles(text)]
    for start in range(0, len(encoded), BATCH):
        minhash.update_batch(encoded[start : start + BATCH])
    return [int(value) for value in minhash.hashvalues]


def similarity(first: list[int], second: list[int]) -> float:
    """Estimated Jaccard similarity of two texts from their signatures (0 if not comparable)."""
    if not first or len(first) != len(second):
        return 0.0
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)
