from django.db import models


class DatasetExport(models.Model):
    """One export of the public dataset (public.datasets): its files in the "datasets"
    storage, and the site generation it was made in. The newest is the one served."""

    generation = models.CharField(max_length=64)
    made_at = models.DateTimeField()
    files = models.JSONField(help_text="{name: {path, size, sha256}}")

    class Meta:
        indexes = [
            # latest_export(): the newest export.
            models.Index(fields=["-made_at"], name="public_export_newest"),
        ]

    def __str__(self):
        return f"Dataset export of {self.made_at:%Y-%m-%d %H:%M}"

    def path(self, name: str) -> str:
        return self.files[name]["path"]
