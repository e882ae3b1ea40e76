from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."


class CappedJSONParser(JSONParser):
    """JSON, refused unread past the size Django allows a request body
    (DATA_UPLOAD_MAX_MEMORY_SIZE), as the site's forms are."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError as error:
            raise ParseError("The Content-Length header is not a number.") from error
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise BodyTooLarge()
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as error:
            raise ParseError("The body is not valid JSON.") from error
