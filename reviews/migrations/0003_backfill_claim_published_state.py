from django.db import migrations
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    """Copy each claim's published verdict, certainty and date, and its document count,
    into the claim's new columns (kept up to date by reviews.services from now on)."""
    Claim = apps.get_model("claims", "Claim")
    Excerpt = apps.get_model("claims", "Excerpt")
    Review = apps.get_model("reviews", "Review")
    published = Review.objects.filter(claim=OuterRef("pk"), status="published")
    documents = (
        Excerpt.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(n=Count("document", distinct=True))
        .values("n")
    )
    Claim.objects.update(
        verdict=Coalesce(Subquery(published.values("verdict")[:1]), Value("")),
        certainty=Coalesce(Subquery(published.values("certainty")[:1]), Value("")),
        published_at=Subquery(published.values("published_at")[:1]),
        document_count=Coalesce(Subquery(documents), Value(0)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_claim_published_state_and_list_indexes"),
        ("reviews", "0002_review_workflow_assignment_history"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
