"""The page check: a form, its result, the button that sends a page to the editors, and the
same check as JSON. Checking stores nothing and changes nothing, so the check itself needs
no CSRF token (its form page can be cached like any public page); sending does, and is
limited per address, capped in size and guarded by a honeypot."""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit

from checks.forms import CheckForm, SendForm, page_text
from checks.page_check import check_page
from checks.serialize import page_check_json
from checks.services import page_send_to_editors
from config.client_address import ratelimit_key


def _private(response: HttpResponse) -> HttpResponse:
    """A result holds the text a reader pasted: kept by no shared cache, and by the
    reader's own browser only for going back to it (a page marked no-store could not be
    gone back to without posting the page again)."""
    patch_cache_control(response, private=True, max_age=0)
    return response


def _unstored(response: HttpResponse) -> HttpResponse:
    """The JSON of a check: kept by no cache at all."""
    patch_cache_control(response, no_store=True, private=True)
    return response


def _limited(request: HttpRequest, context: dict) -> HttpResponse:
    context["limited"] = True
    response = render(request, "checks/check.html", context, status=429)
    response["Retry-After"] = "60"
    return _private(response)


@csrf_exempt  # checking changes nothing; see the module's docstring
@ratelimit(key=ratelimit_key, rate=lambda group, request: settings.CHECK_RATE, method="POST",
           block=False)  # fmt: skip
def check(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse("Use GET for the form and POST to check a page.", status=405,
                            headers={"Allow": "GET, HEAD, POST"})  # fmt: skip
    if request.method != "POST":
        response = render(request, "checks/check.html", {"form": CheckForm()})
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
        return response
    form = CheckForm(request.POST, request.FILES)
    if request.limited:
        return _limited(request, {"form": form})
    if not form.is_valid():
        return _private(render(request, "checks/check.html", {"form": form}, status=400))
    result = check_page(form.cleaned_data["page_text"])
    send = SendForm(initial={"text": result.text})
    return _private(render(request, "checks/check.html",
                           {"form": form, "result": result, "send": send}))  # fmt: skip


@ratelimit(key=ratelimit_key, rate=lambda group, request: settings.SEND_RATE, method="POST",
           block=False)  # fmt: skip
def send(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse("Send a page from the page check's result.", status=405,
                            headers={"Allow": "POST"})  # fmt: skip
    form = SendForm(request.POST)
    if request.limited:
        response = render(request, "checks/sent.html", {"limited": True}, status=429)
        response["Retry-After"] = "3600"
        return _private(response)
    if form.filled_by_a_program:
        return _private(render(request, "checks/sent.html", {"refused": True}, status=400))
    if not form.is_valid():
        return _private(render(request, "checks/sent.html", {"form": form}, status=400))
    sent = page_send_to_editors(text=form.cleaned_data["text"], url=form.cleaned_data["url"])
    return redirect(reverse("check:sent") + ("?already=1" if sent.already else ""))


def sent(request: HttpRequest) -> HttpResponse:
    context = {"sent": True, "already": request.GET.get("already") == "1"}
    return render(request, "checks/sent.html", context)


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt  # an API for programs; it changes nothing
@ratelimit(key=ratelimit_key, rate=lambda group, request: settings.CHECK_RATE, method="POST",
           block=False)  # fmt: skip
def api_check(request: HttpRequest) -> JsonResponse:
    """POST {"text": "..."}: the check as JSON (see checks.serialize for its shape)."""
    if request.method != "POST":
        response = _json_error('Use POST with a JSON body: {"text": "..."}.', 405)
        response["Allow"] = "POST"
        return response
    if request.limited:
        response = _json_error("Too many checks from this address; try again in a minute.", 429)
        response["Retry-After"] = "60"
        return response
    if request.content_type != "application/json":
        return _json_error("Send the body as application/json.", 415)
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        return _json_error("The request body is too large.", 413)
    except (UnicodeDecodeError, ValueError):
        return _json_error("The body is not valid JSON.", 400)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return _json_error('The body must be a JSON object with a string "text".', 400)
    try:
        text = page_text(body["text"])
    except ValidationError as error:
        return _json_error(" ".join(error.messages), 400)
    return _unstored(JsonResponse(page_check_json(check_page(text), request)))
