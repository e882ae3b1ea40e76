"""The page check's two forms: the page to check (pasted or uploaded), and the page sent
to the editors, which carries nothing but the page, where it was found and a honeypot."""

from django import forms
from django.core.exceptions import ValidationError

from checks.page_check import MAX_CHARS
from sources.ingest import IngestError, extract

MAX_UPLOAD_BYTES = 1_000_000
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


class CheckForm(forms.Form):
    text = forms.CharField(
        label="Paste the page's text or HTML",
        required=False,
        max_length=MAX_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    upload = forms.FileField(
        label="Or upload the page (.txt, .md or .html, up to 1 MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload is None:
            return None
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise ValidationError("Upload a .txt, .md or .html file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}."
            )
        return upload

    def clean(self):
        """The page's text as extracted (markup and controls removed): what is checked, and
        what the offsets of the result refer to."""
        data = super().clean()
        text, upload = data.get("text", ""), data.get("upload")
        if self.errors:
            return data
        if text.strip() and upload:
            raise ValidationError("Paste the text or upload a file, not both.")
        if not text.strip() and not upload:
            raise ValidationError("Paste a page's text or upload a file to check.")
        if upload:
            data["page_text"] = page_text(upload.read(), upload.name)
        else:
            data["page_text"] = page_text(text)
        return data


def page_text(data: bytes | str, name: str = "") -> str:
    """A page's text, extracted as a document's would be, within the check's limit."""
    try:
        text = extract(data, name=name).text
    except IngestError as error:
        raise ValidationError(str(error)) from None
    if len(text) > MAX_CHARS:
        raise ValidationError(
            f"The page's text is {len(text):,} characters; the limit is {MAX_CHARS:,}."
        )
    return text


class SendForm(forms.Form):
    text = forms.CharField(max_length=MAX_CHARS, strip=False, widget=forms.HiddenInput)
    url = forms.URLField(
        label="Where the page is (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The address of the clinic's page, if you know it.",
    )
    # A field people never see (hidden by the style sheet) and programs fill in.
    website = forms.CharField(label="Leave this field empty", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "send-%s")  # it shares a page with the check's form
        super().__init__(*args, **kwargs)

    def clean_text(self):
        return page_text(self.cleaned_data["text"], "page.txt")

    @property
    def filled_by_a_program(self) -> bool:
        return bool(self.data.get("website", "").strip())
