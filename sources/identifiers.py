"""Normalize and validate the identifiers a study carries (DOI, PMID)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

DOI_PATTERN = r"^10\.[0-9]{4,9}/[^\s]+$"
PMID_PATTERN = r"^[1-9][0-9]{0,8}$"
PMCID_PATTERN = r"^PMC[1-9][0-9]{0,9}$"
# ClinicalTrials.gov (NCT and eight digits), ISRCTN, EudraCT, ANZCTR and the like.
REGISTRY_ID_PATTERN = r"^[A-Z][A-Za-z]{1,9}[ -]?[0-9][0-9-]{3,20}$"
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")


def normalize_doi(value: str) -> str:
    """Return a bare lower-case DOI from the forms people paste: URL, 'doi:' prefix, spaces."""
    doi = (value or "").strip()
    lowered = doi.lower()
    for prefix in DOI_PREFIXES:
        if lowered.startswith(prefix):
            doi = doi[len(prefix) :]
            break
    else:
        if lowered.startswith("doi:"):
            doi = doi[4:]
    return doi.strip().lower()


def normalize_pmid(value: str) -> str:
    pmid = str(value or "").strip()
    if pmid.lower().startswith("pmid:"):
        pmid = pmid[5:]
    return pmid.strip()


def validate_source_lines(value: str) -> None:
    """Each line names one page: an http(s) URL, optionally followed by what it confirmed."""
    url_validator = URLValidator(schemes=["http", "https"])
    for number, line in enumerate(value.splitlines(), 1):
        if not line.strip():
            continue
        url = line.split()[0]
        try:
            url_validator(url)
        except ValidationError:
            raise ValidationError(
                "Line %(number)s does not start with a web address: %(line)s",
                code="invalid_source_line",
                params={"number": number, "line": line},
            ) from None


def validate_doi(value: str) -> None:
    if value and not re.fullmatch(DOI_PATTERN, value):
        raise ValidationError(
            "%(value)s is not a DOI: a DOI looks like 10.1177/0269881117705089.",
            code="invalid_doi",
            params={"value": value},
        )


def validate_pmid(value: str) -> None:
    if value and not re.fullmatch(PMID_PATTERN, value):
        raise ValidationError(
            "%(value)s is not a PubMed ID: a PMID is a number of up to 9 digits.",
            code="invalid_pmid",
            params={"value": value},
        )


class DOIField(models.CharField):
    """A DOI stored bare and lower-case, whatever form it was entered in."""

    default_validators = [validate_doi]

    def to_python(self, value):
        return normalize_doi(super().to_python(value))


class PMIDField(models.CharField):
    """A PubMed ID stored as its digits."""

    default_validators = [validate_pmid]

    def to_python(self, value):
        return normalize_pmid(super().to_python(value))
