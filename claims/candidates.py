"""Propose the check-worthy sentences of a document, with a category and the reasons.

General rules about how health marketing makes checkable statements (figures, time to
effect, dosing, safety, regulatory status, comparisons, prevalence, cited studies,
promotional superlatives), not a list of phrases from any one page.

Every rule, and the patterns of what is not a claim, are matched against a sentence at once
by an RE2 set (google-re2): one pass over the sentence, in time proportional to its length
whatever the number of rules. RE2's syntax is Python's without look-around or
back-references; its \\b and \\w are ASCII's.
"""

import re
from dataclasses import dataclass, field

import re2
import sentencex

from claims.models import Claim
from claims.search import PHRASES, SYNONYM_GROUPS

Category = Claim.Category


def _rx(*patterns: str) -> str:
    return "|".join(patterns)


# The search's groups of words for the adverse effects a reader asks about (see
# claims/search.py), each found as the start of a word: a sentence naming one describes
# what the treatment does to the body.
ADVERSE_GROUPS = ("dissociation", "hypertension", "bladder", "memory", "psychosis",
                  "breathing", "nausea")  # fmt: skip
ADVERSE_PHRASES = ("blood pressure", "heart rate", "out of body")


def _adverse_effects() -> str:
    words = {w for group in SYNONYM_GROUPS if group[0] in ADVERSE_GROUPS for w in group}
    words |= {w for phrase in ADVERSE_PHRASES for w in (phrase, *PHRASES[phrase])}
    return _rx(*(r"\b" + r"[\s-]+".join(map(re.escape, w.split())) for w in sorted(words)))


# Each rule: the reason shown to the editor, the category it suggests, and its pattern.
RULES: list[tuple[str, str, str]] = [
    ("regulatory language", Category.REGULATORY, _rx(
        r"\bFDA\b", r"\bapprov(?:ed|al)\b", r"\boff[- ]label\b", r"\bspravato\b",
        r"\besketamine\b", r"\bREMS\b", r"\bschedule (?:I|II|III|IV)\b", r"\bDEA\b",
        r"\bprescription\b", r"\bregulat\w+",
    )),
    ("prevalence figure", Category.PREVALENCE, _rx(
        r"\bmillions?\b", r"\bbillions?\b", r"\bprevalen\w+",
        r"\b(?:americans|adults|people) (?:suffer|live|struggle)\w*",
        r"\baffect(?:s|ing)? (?:\w+ ){0,3}(?:people|adults|americans)",
        r"\b\d+(?:\.\d+)?\s?%\s+of (?:people|patients|adults|americans|those)",
    )),
    ("route or setting", Category.ADMINISTRATION, _rx(
        r"\bIV\b", r"\bintravenous\w*", r"\binfused\b", r"\binject\w+", r"\bnasal\b",
        r"\bspray\b", r"\btablets?\b", r"\bpills?\b", r"\bsublingual\w*", r"\boral\w*",
        r"\bintramuscular\w*", r"\bin-office\b", r"\boutpatient\b", r"\badminist\w+",
        r"\b(?:doctor|physician|provider)'?s office\b", r"\bat home\b",
    )),
    ("history or novelty", Category.OTHER, _rx(
        r"\bdecades?\b", r"\boriginally\b", r"\bdeveloped\b", r"\brecent(?:ly)?\b",
        r"\bnew(?:er)?\b", r"\bnovel\b", r"\bfor years\b", r"\bsince (?:the )?\d",
    )),
    ("dosing or schedule", Category.DOSING, _rx(
        r"\binfusions?\b", r"\bsessions?\b", r"\bdos(?:e|es|ing|age)\b", r"\bmg/kg\b",
        r"\bseries of\b", r"\bbooster\b", r"\bmaintenance\b", r"\bspaced\b",
        r"\b(?:a|one|two|\d+) weeks? apart\b",
        r"\b\d+\s*(?:to|-|–)\s*\d+\s*minutes\b", r"\b(?:about|around|approximately) \d+ minutes\b",
    )),
    ("safety or side-effect language", Category.SAFETY, _rx(
        r"\bsafe(?:ly|ty)?\b", r"\bside[- ]effects?\b", r"\brisks?\b", r"\b(?:non-?)?addict\w*",
        r"\bdependen\w+", r"\badverse\b", r"\bdissociat\w+", r"\bhallucinat\w+",
        r"\btolerat\w+", r"\bmonitor\w*", r"\bsupervis\w+", r"\bharmless\b", r"\bgentle\b",
        _adverse_effects(),
    )),
    ("time to effect", Category.ONSET, _rx(
        r"\bwithin (?:an? |a few |\d+ )?(?:minutes?|hours?|days?|weeks?)\b",
        r"\b(?:in|after) (?:just )?(?:seconds|minutes|hours|a day)\b",
        r"\b(?:in|after) (?:just )?(?:one|a single|the first) (?:session|treatment|infusion|dose)",
        r"\bimmediate(?:ly)?\b", r"\brapid(?:ly)?\b", r"\bquick(?:ly|er)?\b", r"\bfast(?:er)?\b",
        r"\bsame[- ]day\b", r"\binstant(?:ly)?\b", r"\bonset\b",
    )),
    ("comparison with other treatments", Category.COMPARISON, _rx(
        r"\bSSRIs?\b", r"\bSNRIs?\b", r"\bantidepressants?\b", r"\bbenzodiazepines?\b",
        r"\bECT\b", r"\bunlike\b", r"\bcompared (?:to|with)\b", r"\b(?:traditional|conventional|"
        r"standard) (?:\w+ )?(?:treatments?|medications?|therap\w+)",
        r"\b(?:better|faster|safer|more effective) than\b",
    )),
    ("mechanism claim", Category.MECHANISM, _rx(
        r"\bmechanisms?\b", r"\bglutamate\b", r"\bNMDA\b", r"\bneuroplastic\w*", r"\bsynap\w+",
        r"\brewir\w+", r"\bneurons?\b", r"\breceptors?\b", r"\bserotonin\b", r"\bdopamine\b",
        r"\bneurotransmitt\w+", r"\bbrain\b", r"\bneural\b", r"\bneuro\w+",
    )),
    ("cost or access", Category.COST, _rx(
        r"\bcost\w*", r"\binsurance\b", r"\bcovered\b", r"\bprice\w*", r"\bafford\w*",
        r"\$\s?\d", r"\bexpensive\b",
    )),
    ("reference to a study", Category.EFFICACY, _rx(
        r"\bstud(?:y|ies)\b", r"\btrials?\b", r"\bresearch\w*", r"\breview\b",
        r"\bmeta-analys\w+", r"\bjournal\b", r"\bevidence\b", r"\bparticipants\b",
        r"\b(?:19[6-9]\d|20[0-4]\d)s?\b", r"\bscientists?\b", r"\bimaging\b",
    )),
    ("numbers or percentages", Category.EFFICACY, _rx(
        r"\d+(?:\.\d+)?\s?%", r"\b\d+\b", r"\bhalf\b",
    )),
    ("efficacy promise", Category.EFFICACY, _rx(
        r"\brelie(?:f|ve[sd]?)\b", r"\beffective\w*", r"\befficacy\b", r"\bimprove\w*",
        r"\breduc\w+", r"\balleviat\w+", r"\brespon\w+", r"\bremission\b", r"\bsuccess\w*",
        r"\bbenefit\w*", r"\bresults?\b", r"\bhelps?\b", r"\btreat(?:s|ed|ing|ments?)?\b",
        r"\bwork(?:s|ed)?\b", r"\beliminat\w+", r"\bsymptoms?\b", r"\boutcomes?\b",
        r"\bpromising\b", r"\blasting\b", r"\btemporary\b", r"\blong[- ]term\b",
        r"\bpersist\w*", r"\beffects?\b", r"\bexperienc\w+", r"\breport\w*",
        r"\bfeel\w*", r"\bpain\w*", r"\bdiscomfort\b", r"\bconfiden\w+", r"\boptimis\w+",
        r"\bclarity\b", r"\bsensations?\b", r"\bpleasur\w+", r"\brecogni[sz]\w+",
        r"\bcharacteri[sz]ed\b", r"\binterfere\w*", r"\bwidely\b",
    )),
    ("how often an effect occurs", Category.OTHER, _rx(
        r"\b(?:not )?(?:un)?common(?:ly)?\b", r"\brare(?:ly)?\b", r"\boften\b",
        r"\busually\b", r"\btypically\b", r"\bfrequent(?:ly)?\b", r"\boccasional(?:ly)?\b",
        r"\b(?:most|many|some) (?:people|patients|clients|individuals)\b",
        r"\b(?:may|might|can|will) (?:feel|experience|notice)\b", r"\bnoted to\b",
    )),
    ("about the treatment or condition", Category.OTHER, _rx(
        r"\bketamine\b", r"\banesthe\w+", r"\banaesthe\w+", r"\bpatients?\b",
        r"\banxiety\b", r"\bdepress\w+", r"\bdisorders?\b", r"\bPTSD\b", r"\bOCD\b",
        r"\bmedications?\b", r"\btherap\w+", r"\bclinic\w*", r"\bdoctors?\b",
        r"\bpsychiatr\w+", r"\bneurotransmitt\w+",
    )),
    ("promotional red flag", Category.OTHER, _rx(
        r"\bcur(?:e|es|ed)\b", r"\bcure-all\b", r"\bmiracle\w*", r"\bbreakthrough\b",
        r"\brevolution\w*", r"\bguarantee\w*", r"\blife[- ]changing\b", r"\bgroundbreaking\b",
        r"\bproven\b", r"\b100\s?%", r"\bpermanent\w*", r"\bcutting[- ]edge\b",
        r"\binnovative\b", r"\bforefront\b", r"\bdramatic\w*", r"\binvariably\b",
        r"\bworth trying\b", r"\bexpert\w*", r"\badvanced\b", r"\bexciting\b",
    )),
]  # fmt: skip

# Sentences that are navigation, contact details or calls to action, not claims.
NOT_A_CLAIM = _rx(
    r"\(?\d{3}\)?[ .\-–]\d{3}[ .\-–]\d{4}", r"[\w.+-]+@[\w-]+\.[\w.]+", r"https?://\S+",
    r"\b(?:call|contact|email|text) us\b", r"\bbook (?:a|an|your)\b", r"\bschedule (?:a|an|your) "
    r"(?:consultation|appointment|visit)\b", r"\bclick\b", r"\bread more\b", r"\bsubscribe\b",
    r"\ball rights reserved\b", r"\bcookies?\b", r"\bsuite \d+\b", r"\b[A-Z]{2} \d{5}\b",
    r"^\s*(?:comments|popular posts|share|menu|home|about us)\b",
    r"\btalk to (?:your|a) (?:doctor|provider|healthcare)\b",
    r"\?\s*$",  # a question (often a heading) asks; it does not claim
    r"^if you\b.*\b(?:consult|contact|talk|call|ask|speak)\w*",  # advice to see someone
    r"^this (?:article|blog|post|page|guide)\b",  # the page describing itself
)  # fmt: skip
MIN_WORDS = 4
LIST_MARKER = re.compile(r"\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)]")  # "1.", "(b)", "iv."
# Categories that, found alone, make a sentence worth proposing. Weak signals (a bare number,
# "brain", "helps") need a second reason so that ordinary prose is not proposed.
STRONG = {
    "regulatory language", "prevalence figure", "dosing or schedule", "route or setting",
    "mechanism claim", "history or novelty",
    "safety or side-effect language", "time to effect", "comparison with other treatments",
    "reference to a study", "promotional red flag", "cost or access",
}  # fmt: skip
CATEGORY_ORDER = [
    Category.REGULATORY, Category.PREVALENCE, Category.COST, Category.SAFETY, Category.ONSET,
    Category.COMPARISON, Category.DOSING, Category.ADMINISTRATION, Category.MECHANISM,
    Category.EFFICACY, Category.OTHER,
]  # fmt: skip


@dataclass
class Proposal:
    start: int
    end: int
    quote: str
    category: str
    reasons: list[str] = field(default_factory=list)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, split within lines, trimmed of white space.

    sentencex (rule-based, compiled) takes time in proportion to the text: about a tenth of
    a second for 2 MB. A list item's marker ("1.", "b)") stays with the sentence it numbers.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        marker = None
        for boundary in sentencex.get_sentence_boundaries("en", line.group()):
            piece = boundary["text"]
            start = line.start() + boundary["start_index"] + len(piece) - len(piece.lstrip())
            end = start + len(piece.strip())
            if end == start:
                continue
            if LIST_MARKER.fullmatch(piece.strip()):
                marker = start if marker is None else marker
                continue
            spans.append((start if marker is None else marker, end))
            marker = None
        if marker is not None:
            spans.append((marker, line.end()))
    return spans


def _rule_set() -> re2.Set:
    """The rules' patterns, then NOT_A_CLAIM's, compiled together, case-insensitive."""
    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = 64 << 20  # room for the set's automaton on long sentences
    patterns = re2.Set.SearchSet(options)
    for pattern in [*(rule for _, _, rule in RULES), NOT_A_CLAIM]:
        patterns.Add(pattern)
    patterns.Compile()
    return patterns


PATTERNS = _rule_set()


def judge(sentence: str) -> tuple[list[str], str] | None:
    """The reasons a sentence is check-worthy and its likely category, or None."""
    if len(sentence.split()) < MIN_WORDS:
        return None
    matched = set(PATTERNS.Match(sentence) or ())
    if len(RULES) in matched:  # NOT_A_CLAIM
        return None
    found = [(reason, category) for i, (reason, category, _) in enumerate(RULES) if i in matched]
    reasons = [reason for reason, _ in found]
    if not reasons or (len(reasons) < 2 and not STRONG & set(reasons)):
        return None
    categories = {category for _, category in found}
    category = next(c for c in CATEGORY_ORDER if c in categories)
    return reasons, category


def propose(text: str) -> list[Proposal]:
    proposals = []
    for start, end in sentences(text):
        judged = judge(text[start:end])
        if judged:
            reasons, category = judged
            proposals.append(Proposal(start, end, text[start:end], category, reasons))
    return proposals
