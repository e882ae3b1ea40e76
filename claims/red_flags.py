"""Red-flag language: words health marketing uses that promise more than any evidence can,
each with the one-line reason a reader is shown. Found in a sentence by word patterns,
with the exceptions that make a phrase true ("esketamine is FDA-approved")."""

import re
from dataclasses import dataclass

from django.db import models


class RedFlag(models.TextChoices):
    CURE = "cure", "Cure"
    MIRACLE = "miracle", "Miracle"
    BREAKTHROUGH = "breakthrough", "Breakthrough or revolutionary"
    GUARANTEED = "guaranteed", "Guaranteed"
    NO_SIDE_EFFECTS = "no_side_effects", "No side effects"
    HUNDRED_PERCENT = "hundred_percent", "100%"
    INSTANT = "instant", "Instant"
    PERMANENT = "permanent", "Permanent"
    NOT_ADDICTIVE = "not_addictive", "Not addictive"
    FDA_APPROVED = "fda_approved", "FDA-approved"

    @property
    def reason(self) -> str:
        return REASONS[self]


REASONS = {
    RedFlag.CURE: "No trial shows ketamine cures anxiety or depression; trials measure "
    "symptom relief, which often fades.",
    RedFlag.MIRACLE: "Promises a certainty no treatment has: in trials many people do not respond.",
    RedFlag.BREAKTHROUGH: "Signals importance, not evidence: ketamine has been used since "
    "the 1960s and its evidence for anxiety is still thin.",
    RedFlag.GUARANTEED: "No medical treatment can guarantee a result; in trials many "
    "patients did not respond.",
    RedFlag.NO_SIDE_EFFECTS: "Every effective drug has side effects; ketamine commonly "
    "causes dissociation, nausea and raised blood pressure.",
    RedFlag.HUNDRED_PERCENT: "No treatment helps everyone: ask which study, how many people "
    "and compared with what.",
    RedFlag.INSTANT: "Where ketamine helps, relief is measured in hours to days, and not in "
    "everyone.",
    RedFlag.PERMANENT: "Relief after ketamine usually fades within days to weeks without "
    "further doses.",
    RedFlag.NOT_ADDICTIVE: "Ketamine is a Schedule III controlled drug because it is "
    "misused; supervised courses have been short and studied little.",
    RedFlag.FDA_APPROVED: "Racemic ketamine is approved as an anesthetic only; the one "
    "approved psychiatric form is esketamine nasal spray, for depression.",
}
PATTERNS = {
    RedFlag.CURE: r"\bcur(?:e|es|ed|ing)\b",
    RedFlag.MIRACLE: r"\bmiracle\w*",
    RedFlag.BREAKTHROUGH: r"\bbreakthroughs?\b|\brevolution(?:ary|i[sz]e\w*)\b",
    RedFlag.GUARANTEED: r"\bguarantee[sd]?\b",
    RedFlag.NO_SIDE_EFFECTS: r"\b(?:no|zero|without)\s+(?:\w+\s+)?side[- ]effects?\b"
    r"|\bside[- ]effect[- ]free\b",
    RedFlag.HUNDRED_PERCENT: r"\b100\s?%|\b100 percent\b|\bone hundred percent\b",
    RedFlag.INSTANT: r"\binstant(?:ly|aneous(?:ly)?)?\b",
    RedFlag.PERMANENT: r"\bpermanent(?:ly)?\b",
    RedFlag.NOT_ADDICTIVE: r"\bnon-?addictive\b|\bnot (?:\w+ )?addictive\b",
    RedFlag.FDA_APPROVED: r"\bFDA[- ]approved\b",
}
COMPILED = {flag: re.compile(pattern, re.IGNORECASE) for flag, pattern in PATTERNS.items()}
# "FDA-approved" is true of esketamine, and of ketamine as an anesthetic.
TRUE_APPROVAL = re.compile(r"\besketamine\b|\bspravato\b|\banesthe\w*|\banaesthe\w*", re.I)


@dataclass(frozen=True)
class FlagFound:
    flag: RedFlag
    start: int  # offsets into the sentence
    end: int

    @property
    def reason(self) -> str:
        return self.flag.reason


def red_flags(sentence: str) -> list[FlagFound]:
    """The red-flag words of a sentence, in the order they appear."""
    found = []
    for flag, pattern in COMPILED.items():
        if flag == RedFlag.FDA_APPROVED and TRUE_APPROVAL.search(sentence):
            continue
        found += [FlagFound(flag, m.start(), m.end()) for m in pattern.finditer(sentence)]
    return sorted(found, key=lambda f: (f.start, f.end))
