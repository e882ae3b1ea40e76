"""Cursor pagination for the API, by the site's own cursors (public.pagination): a page is
the rows after (or before) a cursor row in a fixed order that an index answers, so a deep
page costs what the first does. A search of the claims is paged through its ranking, as
the claim list pages it."""

from django.conf import settings
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from public.caching import cached_value
from public.pagination import InvalidCursor, Ordering, paginate, paginate_ranked

CURSORS = ("after", "before")


class KeysetPagination(BasePagination):
    """The view names its `ordering` (an Ordering whose last key is unique); a view paging
    a search's ranking instead sets `ranking` (its cache identity and how to compute it)
    and gives `load_ranked(pks)`, the rows of one page."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = settings.API_PAGE_SIZE
        cursor = {key: request.query_params.get(key, "") for key in CURSORS}
        try:
            if ranking := getattr(view, "ranking", None):
                ranked = cached_value(ranking.identity, ranking.compute)
                self.page = paginate_ranked(ranked, size=size, **cursor)
                return view.load_ranked([pk for _, pk in self.page.rows])
            ordering: Ordering = view.ordering
            self.page = paginate(queryset, ordering, size=size, **cursor)
        except InvalidCursor as error:
            raise NotFound(str(error)) from error
        return self.page.rows

    def link(self, key: str, cursor: str | None) -> str | None:
        if not cursor:
            return None
        url = self.request.build_absolute_uri()
        for other in CURSORS:
            url = remove_query_param(url, other)
        return replace_query_param(url, key, cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.link("after", self.page.next_cursor),
                "previous": self.link("before", self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": link | {"description": "The next page, or null on the last."},
                "previous": link | {"description": "The page before, or null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": key,
                "in": "query",
                "required": False,
                "description": f"A cursor from a `{label}` link of this list.",
                "schema": {"type": "string"},
            }
            for key, label in (("after", "next"), ("before", "previous"))
        ]
