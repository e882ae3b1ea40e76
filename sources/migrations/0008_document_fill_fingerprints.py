from django.db import migrations

from sources.fingerprints import fingerprint


def fill_fingerprints(apps, schema_editor):
    """Give every stored document the fingerprint that Document.save() gives new ones."""
    Document = apps.get_model("sources", "Document")
    for document in Document.objects.only("pk", "body").iterator(chunk_size=200):
        Document.objects.filter(pk=document.pk).update(fingerprint=fingerprint(document.body))


def clear_fingerprints(apps, schema_editor):
    apps.get_model("sources", "Document").objects.update(fingerprint=[])


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0007_document_fingerprint_and_versions"),
    ]

    operations = [
        migrations.RunPython(fill_fingerprints, clear_fingerprints),
    ]
