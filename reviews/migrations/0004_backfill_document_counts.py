from django.db import migrations
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    """Count each document's excerpts and the distinct claims they quote into the
    document's new columns (kept up to date by reviews.services from now on)."""
    Document = apps.get_model("sources", "Document")
    Excerpt = apps.get_model("claims", "Excerpt")
    excerpts = Excerpt.objects.filter(document=OuterRef("pk")).order_by().values("document")
    Document.objects.update(
        excerpt_count=Coalesce(Subquery(excerpts.annotate(n=Count("pk")).values("n")), Value(0)),
        claim_count=Coalesce(
            Subquery(excerpts.annotate(n=Count("claim", distinct=True)).values("n")), Value(0)
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_excerpt_document_claim_index"),
        ("reviews", "0003_backfill_claim_published_state"),
        ("sources", "0005_document_stored_counts"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
