"""Every error of the API as one shape, {"error": "why"}, whatever raised it: a bad
filter, a page link not made by the site, an unknown slug, a body that is not JSON."""

from rest_framework.views import exception_handler


def error_response(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's own handling (a 500 page) applies
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    if detail is None:
        detail = _messages(response.data)
    response.data = {"error": str(detail)}
    return response


def _messages(data) -> str:
    """A validation error's messages, field by field, as one sentence list."""
    if isinstance(data, dict):
        return " ".join(f"{key}: {_messages(value)}" for key, value in data.items())
    if isinstance(data, list):
        return " ".join(_messages(value) for value in data)
    return str(data)
