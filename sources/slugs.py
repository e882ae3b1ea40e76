from django.db import models
from django.utils.text import slugify

MAX_BASE = 80


def unique_slug(model: type[models.Model], text: str, *, fallback: str) -> str:
    """A slug for `text` not yet used by `model`: the slug itself, or it with -2, -3, …"""
    base = slugify(text)[:MAX_BASE].strip("-") or fallback
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
