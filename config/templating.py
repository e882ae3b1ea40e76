"""The Jinja2 environment of the public pages: Django's URL reversing, static files,
query strings and the handful of Django's formatting filters the pages use, plus the
review helpers. Autoescaping is on, and a name a template does not define is an error,
not an empty string, so a misspelt variable fails the tests instead of vanishing."""

from collections.abc import Iterable

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment, StrictUndefined, pass_context

from config import reversing
from reviews import templating


def url(name: str, *args, **kwargs) -> str:
    if args or kwargs:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    return reversing.url(name)


@pass_context
def querystring(context, **changes) -> str:
    """The current query string with parameters set, or removed when given None; as
    Django's {% querystring %}."""
    current = context["request"].GET
    params = current.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        elif isinstance(value, Iterable) and not isinstance(value, str):
            params.setlist(key, value)
        else:
            params[key] = value
    if not params and not current:
        return ""
    return f"?{params.urlencode()}"


def environment(**options) -> Environment:
    options["undefined"] = StrictUndefined
    env = Environment(**options)
    env.globals.update(
        url=url,
        static=static,
        querystring=querystring,
        badges=templating.badges,
        facet_control=templating.facet_control,
    )
    env.filters.update(
        date=defaultfilters.date,
        pluralize=defaultfilters.pluralize,
        linebreaksbr=defaultfilters.linebreaksbr,
        truncatechars=defaultfilters.truncatechars,
        capfirst=defaultfilters.capfirst,
        json_ld=templating.json_ld,
        grade_domains=templating.grade_domains,
    )
    return env
