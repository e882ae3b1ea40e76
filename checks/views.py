"""The page check: a form, its result and the button that sends a page to the editors (the
same check as JSON is the API's: api.views.CheckView). Checking stores nothing and changes
nothing, so the check itself needs no CSRF token (its form page can be cached like any
public page); sending does, and is limited per address, capped in size and guarded by a
honeypot."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit

from checks.forms import CheckForm, SendForm
from checks.page_check import check_page
from checks.services import page_send_to_editors
from config.client_address import ratelimit_key


def _private(response: HttpResponse) -> HttpResponse:
    """A result holds the text a reader pasted: kept by no shared cache, and by the
    reader's own browser only for going back to it (a page marked no-store could not be
    gone back to without posting the page again)."""
    patch_cache_control(response, private=True, max_age=0)
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
