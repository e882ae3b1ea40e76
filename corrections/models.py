"""A reader's report of an error on a public page, and what the editors did about it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

REPORT_MAX_CHARS = 4000


class CorrectionStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    CHECKING = "checking", "Being checked"
    CORRECTED = "corrected", "Corrected"
    NO_ERROR = "no_error", "No error found"


OPEN_STATUSES = (CorrectionStatus.RECEIVED, CorrectionStatus.CHECKING)


class CorrectionQuerySet(models.QuerySet):
    def open(self) -> "CorrectionQuerySet":
        """Reports the editors have still to settle."""
        return self.filter(status__in=OPEN_STATUSES)

    def public_log(self) -> "CorrectionQuerySet":
        """The corrections log readers see: every correction made, latest first, with what
        changed. Reports found to be no error, and every report's text and address, stay in
        the admin."""
        return (
            self.filter(status=CorrectionStatus.CORRECTED)
            .only("pk", "page_title", "page_path", "what_changed", "corrected_at")
            .order_by("-corrected_at", "-pk")
        )


class Correction(models.Model):
    """What a reader reported about one page (a claim, a question or a study), kept as they
    wrote it, with an e-mail address only if they gave one; nothing else about them."""

    Status = CorrectionStatus

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # As the page was when reported, so the log still names it if the row goes.
    page_title = models.CharField(max_length=300)
    page_path = models.CharField(max_length=300)
    report = models.TextField(max_length=REPORT_MAX_CHARS)
    email = models.EmailField(blank=True, help_text="Given by the reader to hear back; optional.")
    status = models.CharField(max_length=20, choices=Status, default=Status.RECEIVED)
    what_changed = models.TextField(
        blank=True,
        help_text="For a correction made: what was wrong and what the page says now. Shown "
        "in the public corrections log.",
    )
    editor_notes = models.TextField(blank=True, help_text="Seen only in the admin.")
    received_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    corrected_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CorrectionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="corrections_status_received"),
            models.Index(fields=["-corrected_at"], name="corrections_corrected_at"),
            models.Index(fields=["content_type", "object_id"], name="corrections_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CorrectionStatus.CORRECTED) | Q(corrected_at__isnull=False),
                name="corrections_corrected_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.page_title[:80]}"

    def clean(self):
        if self.status == CorrectionStatus.CORRECTED and not self.what_changed.strip():
            raise ValidationError(
                {"what_changed": "Say what was wrong and what the page says now: readers see it."}
            )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
