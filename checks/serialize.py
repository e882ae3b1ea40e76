"""The page check as JSON: the checked text and, for each marked sentence, its offsets into
that text (in Unicode code points), why it is check-worthy, its red flags and the claims
it matches; then what the page leaves out."""

from django.http import HttpRequest

from checks.page_check import CheckedSentence, PageCheck, ShownMatch

NOTICE = (
    "Not medical advice: this compares a page's statements with published evidence; it "
    "does not recommend or discourage any treatment."
)


def page_check_json(result: PageCheck, request: HttpRequest) -> dict:
    url = request.build_absolute_uri
    return {
        "notice": NOTICE,
        "text": result.text,
        "summary": {
            "checked": result.checked,
            "reviewed": result.reviewed,
            "false_misleading_or_unsupported": result.warnings,
            "not_yet_reviewed": result.unreviewed,
            "with_red_flags": result.flagged,
        },
        "sentences": [_sentence(sentence, url) for sentence in result.sentences],
        "left_out": [
            {
                "intervention": intervention.slug,
                "name": intervention.name,
                "url": url(intervention.get_absolute_url()),
                "topics": [
                    {
                        "topic": topic.value,
                        "label": topic.label,
                        "facts": [fact.statement for fact in facts],
                    }
                    for topic, facts in topics
                ],
            }
            for intervention, topics in result.left_out
        ],
    }


def _sentence(sentence: CheckedSentence, url) -> dict:
    return {
        "start": sentence.start,
        "end": sentence.end,
        "text": sentence.text,
        "status": sentence.status,
        "checkworthy": sentence.checkworthy,
        "category": sentence.category,
        "reasons": sentence.reasons,
        "red_flags": [
            {
                "flag": found.flag.value,
                "label": found.flag.label,
                "words": sentence.text[found.start : found.end],
                "start": sentence.start + found.start,
                "end": sentence.start + found.end,
                "reason": found.reason,
            }
            for found in sentence.flags
        ],
        "matches": [_match(match, url) for match in sentence.matches],
    }


def _match(match: ShownMatch, url) -> dict:
    claim, question = match.claim, match.question
    return {
        "claim": claim.slug,
        "statement": claim.statement,
        "url": url(claim.get_absolute_url()),
        "verdict": claim.verdict or None,
        "certainty": claim.certainty or None,
        "score": match.score,
        "strength": match.strength,
        "question": {
            "slug": question.slug,
            "question": question.question,
            "url": url(question.get_absolute_url()),
        }
        if question
        else None,
    }
