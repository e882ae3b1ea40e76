import datetime

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone
from jinja2.exceptions import UndefinedError

from claims.models import Claim
from config.templating import choice_label, html_datetime


@pytest.fixture
def env():
    return engines["jinja2"].env


def render(env, source: str, **context) -> str:
    return env.from_string(source).render(**context)


def render_django(source: str, request=None, **context) -> str:
    return engines["django"].from_string(source).render(context, request=request)


def get(path: str):
    return RequestFactory().get(path)


def test_querystring_sets_a_parameter_and_keeps_the_others(env):
    request = get("/claims/?q=ketamine&verdict=false")
    html = render(env, "{{ querystring(page=2) }}", request=request)
    assert html == "?q=ketamine&amp;verdict=false&amp;page=2"


def test_querystring_replaces_a_parameter_in_place(env):
    request = get("/claims/?q=ketamine&page=3&verdict=false")
    html = render(env, "{{ querystring(page=4) }}", request=request)
    assert html == "?q=ketamine&amp;page=4&amp;verdict=false"


def test_querystring_removes_a_parameter_given_none(env):
    request = get("/claims/?q=ketamine&after=abc&before=xyz")
    html = render(env, "{{ querystring(after=None, before=None) }}", request=request)
    assert html == "?q=ketamine"


def test_querystring_ignores_removing_a_parameter_that_is_not_there(env):
    request = get("/claims/?q=ketamine")
    assert render(env, "{{ querystring(page=None) }}", request=request) == "?q=ketamine"


def test_querystring_of_an_empty_query_with_nothing_set_is_empty(env):
    assert render(env, "{{ querystring(page=None) }}", request=get("/claims/")) == ""
    assert render(env, "{{ querystring() }}", request=get("/claims/")) == ""


def test_querystring_removing_the_last_parameter_leaves_a_bare_question_mark(env):
    # As Django's tag does: the link must still clear the current query.
    assert render(env, "{{ querystring(page=None) }}", request=get("/claims/?page=2")) == "?"


def test_querystring_sets_a_list_as_repeated_parameters(env):
    request = get("/claims/?tag=a&tag=b&q=x")
    html = render(env, "{{ querystring(tag=['c', 'd']) }}", request=request)
    assert html == "?tag=c&amp;tag=d&amp;q=x"


def test_querystring_encodes_values(env):
    request = get("/claims/")
    html = render(env, "{{ querystring(q='a b&c=d') }}", request=request)
    assert html == "?q=a+b%26c%3Dd"


@pytest.mark.parametrize(
    ("query", "jinja_args", "django_args"),
    [
        ("q=ketamine&page=3", "page=4", "page=4"),
        ("q=ketamine&page=3", "page=None", "page=None"),
        ("page=3", "page=None", "page=None"),
        ("", "page=None", "page=None"),
        ("", "q='x y'", "q='x y'"),
        ("tag=a&tag=b", "tag=['c', 'd'], page=1", "tag=tags page=1"),
        ("q=%3Cscript%3E&after=c1", "after=None, before='c0'", "after=None before='c0'"),
    ],
)
def test_querystring_gives_what_djangos_tag_gives(env, query, jinja_args, django_args):
    request = get(f"/claims/?{query}")
    jinja = render(env, f"{{{{ querystring({jinja_args}) }}}}", request=request)
    django = render_django(f"{{% querystring {django_args} %}}", request, tags=["c", "d"])
    assert jinja == django


def test_variables_are_autoescaped(env):
    html = render(env, "<p>{{ text }}</p>", text='<script>alert("x")</script>')
    assert html == "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</p>"


def test_an_undefined_variable_is_an_error(env):
    with pytest.raises(UndefinedError):
        render(env, "{{ misspelt }}")


def test_an_undefined_variable_is_an_error_even_when_only_tested_for_truth(env):
    with pytest.raises(UndefinedError):
        render(env, "{% if misspelt %}yes{% endif %}")


def test_an_undefined_attribute_is_an_error(env):
    with pytest.raises(UndefinedError):
        render(env, "{{ claim.no_such_attribute }}", claim=object())


@pytest.mark.parametrize("count", [0, 1, 2, 21])
@pytest.mark.parametrize(
    ("jinja", "django"),
    [
        ("{{ n|pluralize }}", "{{ n|pluralize }}"),
        ('{{ n|pluralize("es") }}', '{{ n|pluralize:"es" }}'),
        ('{{ n|pluralize("y,ies") }}', '{{ n|pluralize:"y,ies" }}'),
        ('{{ n|pluralize("es,") }}', '{{ n|pluralize:"es," }}'),
    ],
)
def test_pluralize_is_djangos(env, count, jinja, django):
    assert render(env, jinja, n=count) == render_django(django, n=count)


def test_pluralize_adds_an_s_only_when_not_one(env):
    source = "{{ n }} claim{{ n|pluralize }}"
    assert [render(env, source, n=n) for n in (0, 1, 2)] == ["0 claims", "1 claim", "2 claims"]


@pytest.mark.parametrize("fmt", ["j M Y", "j F Y", "Ymd", "c"])
@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2024, 3, 5),
        datetime.datetime(2024, 3, 5, 23, 30, tzinfo=datetime.UTC),
    ],
)
def test_date_is_djangos(env, fmt, value):
    jinja = render(env, f'{{{{ d|date("{fmt}") }}}}', d=value)
    assert jinja == render_django(f'{{{{ d|date:"{fmt}" }}}}', d=value)


def test_date_formats_with_the_format_given(env):
    assert render(env, '{{ d|date("j F Y") }}', d=datetime.date(2024, 3, 5)) == "5 March 2024"


def test_date_without_a_format_uses_the_locales_date_format(env):
    value = datetime.date(2024, 3, 5)
    assert render(env, "{{ d|date }}", d=value) == render_django("{{ d|date }}", d=value)
    assert render(env, "{{ d|date }}", d=value) == "March 5, 2024"


def test_date_of_none_is_empty(env):
    assert render(env, '{{ d|date("j F Y") }}', d=None) == ""


def test_date_shows_an_aware_datetime_in_the_current_time_zone(env, settings):
    settings.TIME_ZONE = "America/New_York"
    value = datetime.datetime(2024, 3, 6, 2, 30, tzinfo=datetime.UTC)
    jinja = render(env, '{{ d|date("j M Y H:i") }}', d=value)
    assert jinja == render_django('{{ d|date:"j M Y H:i" }}', d=value) == "5 Mar 2024 21:30"


@pytest.mark.parametrize("length", [1, 5, 9, 14, 15, 100])
@pytest.mark.parametrize("text", ["Ketamine works fast", "<b>Ketamine</b> & more", ""])
def test_truncatechars_is_djangos(env, text, length):
    jinja = render(env, f"{{{{ s|truncatechars({length}) }}}}", s=text)
    assert jinja == render_django(f"{{{{ s|truncatechars:{length} }}}}", s=text)


def test_truncatechars_cuts_to_the_length_with_an_ellipsis(env):
    assert render(env, "{{ s|truncatechars(9) }}", s="Ketamine works fast") == "Ketamine…"
    assert render(env, "{{ s|truncatechars(50) }}", s="Ketamine works fast") == (
        "Ketamine works fast"
    )


def test_truncatechars_output_is_still_escaped(env):
    html = render(env, "{{ s|truncatechars(30) }}", s="<script>x</script>")
    assert html == "&lt;script&gt;x&lt;/script&gt;"


def test_choice_label_is_what_get_display_gives():
    for value, _ in Claim.Category.choices:
        claim = Claim(category=value)
        assert choice_label(claim, "category") == claim.get_category_display()
    odd = Claim(category="not-a-category")
    assert choice_label(odd, "category") == odd.get_category_display() == "not-a-category"


def test_html_datetime_gives_whole_seconds_and_the_offset():
    moment = datetime.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=datetime.UTC)
    assert html_datetime(moment) == "2024-03-05T14:07:09+00:00"


def test_html_datetime_is_in_the_current_time_zone():
    moment = datetime.datetime(2024, 3, 5, 14, 7, 9, 999999, tzinfo=datetime.UTC)
    with timezone.override("America/New_York"):
        assert html_datetime(moment) == "2024-03-05T09:07:09-05:00"


def test_html_datetime_gives_a_date_as_a_date():
    assert html_datetime(datetime.date(2024, 3, 5)) == "2024-03-05"
