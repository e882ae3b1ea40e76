"""What the public pages read on every request, as prepared queries (config/prepared.py):
compiled once per process and, on PostgreSQL, planned once per connection. Each is a
queryset from the models' own querysets; the page cache aside, these are most of what a
page costs."""

from claims.models import LIST_FIELDS, Claim, Excerpt
from config.prepared import PreparedQuery
from reviews.models import EvidenceLink, Review
from sources.models import Document, Study

HOME_REVIEW_COUNT = 8
HOME_DOCUMENT_COUNT = 10

# Home page
latest_reviewed_claims = PreparedQuery(lambda: Claim.objects.latest_reviewed()[:HOME_REVIEW_COUNT])
newest_documents = PreparedQuery(
    lambda: Document.objects.for_list().order_by("-created_at", "-pk")[:HOME_DOCUMENT_COUNT]
)

# Claim page: the claim with every review of it ever published, then what it quotes and
# what bears on it.
claim_review_history = PreparedQuery(
    lambda slug: (
        Review.objects.history()
        .filter(claim__slug=slug)
        .select_related("claim")
        .defer("claim__search_text", "claim__search_vector")
    ),
    slug=str,
)
claim_excerpts = PreparedQuery(
    lambda claim: Excerpt.objects.filter(claim=claim).for_claim_page(), claim=int
)
claim_evidence = PreparedQuery(
    lambda claim: EvidenceLink.objects.filter(claim=claim).for_claim_page(), claim=int
)
claim_contradictions = PreparedQuery(
    lambda claim: (
        Claim.objects.filter(contradicts=claim).only(*LIST_FIELDS).order_by("statement", "pk")
    ),
    claim=int,
)

# Document page: the document, and each excerpt's span with the claim it quotes.
document_by_slug = PreparedQuery(lambda slug: Document.objects.filter(slug=slug), slug=str)
document_spans = PreparedQuery(
    lambda document: (
        Excerpt.objects.filter(document=document)
        .order_by("start", "end")
        .values_list("pk", "start", "end", "claim__slug", "claim__statement", "claim__verdict")
    ),
    document=int,
)

# Study page
study_by_pk = PreparedQuery(lambda pk: Study.objects.filter(pk=pk), pk=int)
study_evidence = PreparedQuery(
    lambda study: EvidenceLink.objects.filter(study=study).for_study_page(), study=int
)
