"""How a question typed in plain words becomes a search: its words, read through the
vocabulary a clinician uses, corrected where misspelt, and a score for any text by how
much of the question it answers.

A search is a list of concepts, one per meaningful word or phrase typed. A concept is
matched by the typed word or by any of its synonyms, as the start of a word ("addict"
finds "addictive" and "addiction"). A text's score is the weighted share of the concepts
it matches, so a text missing one word still ranks, below those that match it all.
Misspellings are corrected against the words the site's texts use: by PostgreSQL's
pg_trgm trigram similarity, or, on other databases, by rapidfuzz over the same words
(see SearchWordQuerySet.closest).
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
# Keys shorter than this match whole words only: "iv" must not find "ivory", nor "im"
# "improve".
SHORT_KEY = 4
LONGEST_WORD = 40
SYNONYM_WEIGHT = 0.8  # a text that says "abuse" answers "addictive" almost as well
SECONDARY_WEIGHT = 0.6  # a match in a text's body rather than its title or statement

STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be been before being but by
    can could did do does doing during each even ever for from get gets getting got had
    has have having he her here how i if in into is it its itself just let me might more
    most my no nor not of off on once only or other our out over own really same she
    should so some such than that the their them then there these they this those to too
    under until up very want was we were what when where which while who whom why will
    with would you your yours ketamine ketamines cause causes caused make makes made give
    gives take takes taking need needed feel feeling get getting thing things someone
    anyone actually good well okay ok""".split()
)
# "ketamine" is in nearly every text the site holds: it tells no text apart. It is still
# read (and corrected: "ketamin") so that a search for it alone finds something.
UBIQUITOUS = frozenset({"ketamine", "ketamines"})

# Phrases read as one concept before the words are split.
PHRASES = {
    "how many": ("number", "series", "course", "sessions", "infusions", "treatments"),
    "how often": ("frequency", "weekly", "schedule", "booster", "maintenance"),
    "how long": ("last", "lasting", "duration", "durable", "sustained", "weeks", "months"),
    "how fast": ("onset", "rapid", "fast", "quick", "hours", "minutes"),
    "how quickly": ("onset", "rapid", "fast", "quick", "hours", "minutes"),
    "how soon": ("onset", "rapid", "fast", "quick", "hours", "minutes"),
    "how much": ("cost", "price", "dollars", "fee"),
    "side effects": ("side effect", "adverse", "tolerability", "tolerated"),
    "side effect": ("side effect", "adverse", "tolerability", "tolerated"),
    "blood pressure": ("blood pressure", "hypertension", "heart rate", "cardiovascular"),
    "heart rate": ("heart rate", "blood pressure", "tachycardia", "cardiovascular"),
    "habit forming": ("addiction", "abuse", "misuse", "dependence", "craving"),
    "out of body": ("dissociation", "dissociative", "detached", "out-of-body"),
    "social anxiety": ("social anxiety", "social phobia", "sad"),
    "nasal spray": ("nasal", "spray", "esketamine", "spravato"),
    "by mouth": ("oral", "lozenge", "troche", "sublingual", "tablet"),
    "at home": ("at-home", "home", "oral", "lozenge", "troche", "telehealth"),
    "brain damage": ("cognition", "cognitive", "memory", "neurotoxicity"),
    "memory loss": ("memory", "cognition", "cognitive", "amnesia"),
    "same day": ("onset", "rapid", "fast", "quick", "hours", "minutes", "within"),
    "right away": ("onset", "rapid", "fast", "quick", "immediate", "hours", "minutes"),
    "wear off": ("last", "lasting", "duration", "durable", "sustained", "relapse"),
    "panic attacks": ("panic", "panic disorder", "anxiety"),
}
# Words a clinician or a patient uses for the same thing. A typed word in a group is also
# matched by every other word of it.
SYNONYM_GROUPS = [
    ("addictive", "addiction", "addicted", "addicting", "hooked", "abuse", "misuse",
     "dependence", "dependent", "craving", "cravings", "recreational", "diversion"),
    ("fast", "faster", "quick", "quickly", "rapid", "rapidly", "soon", "immediate",
     "immediately", "instant", "instantly", "onset", "speed"),
    ("work", "works", "working", "effective", "effectiveness", "efficacy", "efficacious",
     "help", "helps", "benefit", "benefits", "relief", "relieve", "relieves", "improve",
     "improvement", "respond", "response", "responders", "responder"),
    ("last", "lasts", "lasting", "durable", "duration", "sustained", "relapse",
     "maintenance", "persist", "persists", "wear"),
    ("sessions", "session", "series", "course", "infusions", "treatments", "protocol",
     "booster", "boosters"),
    ("cost", "costs", "price", "prices", "pricing", "expensive", "afford", "affordable",
     "fee", "fees", "pay", "paying", "dollars", "cheap"),
    ("insurance", "insurer", "insurers", "insured", "covered", "coverage", "cover",
     "reimbursement", "reimbursed", "medicare", "medicaid", "out-of-pocket"),
    ("approved", "approval", "approve", "fda", "licensed", "license", "label", "labeled",
     "indication", "indicated", "off-label", "legal"),
    ("safe", "safety", "risk", "risks", "risky", "harm", "harms", "harmful", "danger",
     "dangerous", "adverse"),
    ("dissociation", "dissociative", "dissociate", "detached", "trip", "tripping",
     "hallucinogenic", "psychedelic", "strange", "weird", "floating"),
    ("hypertension", "hypertensive", "tachycardia", "cardiovascular", "heart"),
    ("bladder", "urinary", "cystitis", "urine", "uropathy"),
    ("memory", "cognition", "cognitive", "thinking", "neurotoxicity"),
    ("psychosis", "psychotic", "hallucination", "hallucinations", "hallucinate",
     "schizophrenia"),
    ("breathing", "respiratory", "respiration", "sedation", "sedated", "sedating",
     "sleepy", "drowsy", "drowsiness"),
    ("pregnant", "pregnancy", "breastfeeding", "lactation", "pregnan"),
    ("drive", "driving", "car"),
    ("ssri", "ssris", "sertraline", "escitalopram", "fluoxetine", "paroxetine",
     "citalopram", "antidepressant", "antidepressants", "serotonin"),
    ("benzo", "benzos", "benzodiazepine", "benzodiazepines", "xanax", "alprazolam",
     "lorazepam", "ativan", "diazepam", "valium", "clonazepam", "klonopin"),
    ("ptsd", "post-traumatic", "posttraumatic", "trauma", "traumatic"),
    ("ocd", "obsessive", "compulsive", "obsessive-compulsive", "obsessions"),
    ("gad", "generalized", "generalised", "worry", "worrying"),
    ("iv", "intravenous", "infusion", "infusions", "drip", "intravenously"),
    ("shot", "shots", "injection", "injections", "intramuscular", "im", "injected"),
    ("pill", "pills", "tablet", "tablets", "oral", "lozenge", "lozenges", "troche",
     "troches", "sublingual", "orally"),
    ("nasal", "spray", "esketamine", "spravato", "intranasal", "nose"),
    ("depression", "depressed", "depressive", "mdd", "trd"),
    ("anxiety", "anxious", "anxiolytic", "nervous", "nerves"),
    ("hour", "hours", "minutes", "minute"),
    ("cure", "cures", "cured", "permanent", "permanently", "remission"),
    ("percent", "percentage", "proportion", "rate", "rates", "how many", "majority",
     "chance", "odds"),
    ("patients", "people", "person", "adults", "individuals"),
    ("route", "routes", "administration", "administered", "delivery", "given"),
    ("vs", "versus", "compare", "compared", "comparison", "better", "worse", "alternative",
     "alternatives"),
    ("nausea", "nauseous", "vomiting", "vomit", "sick"),
]  # fmt: skip

_stemmer = snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """The words of a text, lowercased, as the search reads them."""
    return [w for w in WORD.findall(text.lower()) if len(w) <= LONGEST_WORD]


@lru_cache(maxsize=20_000)
def word_key(word: str) -> str:
    """What a text must contain for a word to count as found: the part the word shares
    with its stem, so "anxiety" (stem "anxieti") is found by "anxiet" in "anxieties",
    and "infusions" by "infus" in "infusion"."""
    word = word.lower().replace("’", "'")
    stem = _stemmer.stemWord(word)
    shared = 0
    for a, b in zip(word, stem, strict=False):
        if a != b:
            break
        shared += 1
    return word[:shared] if shared >= SHORT_KEY else word


def _phrase_key(phrase: str) -> str:
    return " ".join(word_key(w) for w in words(phrase))


_GROUP_OF = {}
for _group in SYNONYM_GROUPS:
    _keys = tuple(dict.fromkeys(_phrase_key(w) for w in _group))
    for _word in _group:
        _GROUP_OF.setdefault(_phrase_key(_word), _keys)


@dataclass(frozen=True)
class Concept:
    """One thing the searcher asked about: what they typed, the keys that find it (the
    first is their own word's), and the word a misspelling was read as, if any."""

    typed: str
    keys: tuple[str, ...]
    corrected: str = ""

    @property
    def pattern(self) -> re.Pattern:
        return _pattern(self.keys)


@lru_cache(maxsize=4_096)
def _pattern(keys: tuple[str, ...]) -> re.Pattern:
    parts = []
    for key in keys:
        escaped = r"[\s-]+".join(re.escape(part) for part in key.split())
        parts.append(escaped + (r"\b" if len(key) < SHORT_KEY else ""))
    return re.compile(r"\b(?:" + "|".join(parts) + ")")


@dataclass
class Interpretation:
    """A typed search, read: its concepts, and the corrections made to its words."""

    query: str
    concepts: list[Concept] = field(default_factory=list)

    @property
    def corrections(self) -> list[tuple[str, str]]:
        return [(c.typed, c.corrected) for c in self.concepts if c.corrected]

    @property
    def corrected_query(self) -> str:
        text = self.query
        for typed, corrected in self.corrections:
            text = re.sub(rf"\b{re.escape(typed)}\b", corrected, text, flags=re.IGNORECASE)
        return text

    @property
    def telling(self) -> list[Concept]:
        """The concepts that tell texts apart: all but "ketamine", unless that is all the
        search asks."""
        return [c for c in self.concepts if c.typed not in UBIQUITOUS] or self.concepts

    def score(self, primary: str, secondary: str = "", weights: dict | None = None) -> float:
        """How much of the search a text answers, from 0 to 1: each concept's weight if
        the primary text (a title, a statement, a question) has it in the searcher's own
        word, a little less for a synonym or a match in the secondary text (a body)."""
        if not self.concepts:
            return 0.0
        primary, secondary = primary.lower(), secondary.lower()
        total = found = 0.0
        for concept in self.concepts:
            weight = (weights or {}).get(concept, 1.0)
            total += weight
            own = _pattern(concept.keys[:1])
            if own.search(primary):
                found += weight
            elif concept.pattern.search(primary):
                found += weight * SYNONYM_WEIGHT
            elif own.search(secondary):
                found += weight * SECONDARY_WEIGHT
            elif concept.pattern.search(secondary):
                found += weight * SECONDARY_WEIGHT * SYNONYM_WEIGHT
        return found / total if total else 0.0

    def answers_any(self, *texts: str) -> bool:
        """Does any of these texts match a concept that tells texts apart? A study whose
        only match is the drug's name is not an answer to "is ketamine addictive"."""
        text = "\n".join(texts).lower()
        return any(concept.pattern.search(text) for concept in self.telling)

    def weights(self, texts: Iterable[str]) -> dict[Concept, float]:
        """Each concept's weight among these texts: the rarer it is, the more it tells
        texts apart (inverse document frequency); a ubiquitous word weighs least."""
        texts = [t.lower() for t in texts]
        weights = {}
        for concept in self.concepts:
            found = sum(1 for text in texts if concept.pattern.search(text))
            weight = math.log(1 + (len(texts) + 1) / (found + 1))
            if concept.typed in UBIQUITOUS:
                weight *= 0.25
            weights[concept] = weight
        return weights


def interpret(query: str, *, known=None, closest=None) -> Interpretation:
    """Read a typed search into concepts. `known(words)` says which words the site's texts
    use; `closest(word)` names the nearest such word to a misspelt one (or "")."""
    reading = Interpretation(query=query)
    text = " " + " ".join(words(query)) + " "
    for phrase in sorted(PHRASES, key=len, reverse=True):
        if f" {phrase} " in text:
            keys = (_phrase_key(phrase), *(_phrase_key(w) for w in PHRASES[phrase]))
            reading.concepts.append(Concept(phrase, tuple(dict.fromkeys(keys))))
            text = text.replace(f" {phrase} ", " ")
    typed = [w for w in text.split() if w not in STOPWORDS or w in UBIQUITOUS]
    typed = list(dict.fromkeys(typed))
    unknown = {w for w in typed if _phrase_key(w) not in _GROUP_OF and not w.isdigit()}
    if unknown and known is not None:
        unknown -= set(known(sorted(unknown)))
    for word in typed:
        corrected = ""
        if word in unknown and closest is not None and len(word) >= SHORT_KEY:
            corrected = closest(word) or ""
        read_as = corrected or word
        key = word_key(read_as)
        keys = (key, *_GROUP_OF.get(key, ()))
        reading.concepts.append(Concept(word, tuple(dict.fromkeys(keys)), corrected))
    return reading
