"""The Jinja2 environment of the public pages: Django's URL reversing, static files,
query strings and the handful of Django's formatting filters the pages use, plus the
review helpers. Autoescaping is on, and a name a template does not define is an error,
not an empty string, so a misspelt variable fails the tests instead of vanishing."""

import datetime
from collections.abc import Iterable
from functools import cache

from django.db.models import Model
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils.timezone import template_localtime
from jinja2 import Environment, StrictUndefined, pass_context

from config import reversing
from public import templating


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


def date(value, arg=None) -> str:
    """Django's date filter, shown in the current time zone as Django's engine shows it."""
    return defaultfilters.date(template_localtime(value), arg)


def html_datetime(value: datetime.date) -> str:
    """A moment as an HTML `datetime` attribute takes it: ISO 8601 in the current time zone,
    to the whole second, with its offset. The format is HTML's, not Python's: isoformat()
    alone writes six fractional digits, and HTML allows at most three."""
    if isinstance(value, datetime.datetime):
        return template_localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def choice_label(instance: Model, field_name: str) -> str:
    """What get_<field>_display() returns, from a table built once per field: a list
    shows one per row, and Django's version rebuilds its lookup on every call."""
    value = getattr(instance, field_name)
    return _choice_labels(type(instance), field_name).get(value, value)


@cache
def _choice_labels(model: type[Model], field_name: str) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def environment(**options) -> Environment:
    options["undefined"] = StrictUndefined
    env = Environment(**options)
    env.globals.update(
        url=url,
        slug_urls=reversing.slug_urls,
        static=static,
        querystring=querystring,
        badges=templating.badges,
        facet_control=templating.facet_control,
    )
    env.filters.update(
        date=date,
        html_datetime=html_datetime,
        pluralize=defaultfilters.pluralize,
        linebreaksbr=defaultfilters.linebreaksbr,
        truncatechars=defaultfilters.truncatechars,
        capfirst=defaultfilters.capfirst,
        choice_label=choice_label,
        json_ld=templating.json_ld,
        grade_domains=templating.grade_domains,
    )
    return env
