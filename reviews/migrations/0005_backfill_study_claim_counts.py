from django.db import migrations
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    """Count, for each study, the claims with a published review it bears on, into the
    study's new column (kept up to date by reviews.services from now on)."""
    Study = apps.get_model("sources", "Study")
    EvidenceLink = apps.get_model("reviews", "EvidenceLink")
    reviewed = (
        EvidenceLink.objects.filter(study=OuterRef("pk"))
        .exclude(claim__verdict="")
        .order_by()
        .values("study")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Study.objects.update(claim_count=Coalesce(Subquery(reviewed), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0004_backfill_document_counts"),
        ("sources", "0006_study_stored_claim_count"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
