"""What a signed-in browser does on admin pages: sign in as a persona, post a change page back."""

from django.urls import reverse


def change_form_data(page, **changes) -> dict:
    """The change page's form and inline forms as rendered, with `changes` typed in (a
    change of None leaves the field out)."""
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                data[subform.add_prefix(name)] = subform[name].value()
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def login(client, user):
    """The client signed in as `user` (signed out when None)."""
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def save_change_page(client, model: str, pk, **changes):
    """Open `model`'s ("claims_claim") change page for row `pk` and save it with `changes`
    typed in; the response, a redirect once saved."""
    url = reverse(f"admin:{model}_change", args=[pk])
    response = client.post(url, change_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def delete_selected(client, model: str, pks: list):
    """Tick rows `pks` on `model`'s list, choose "Delete selected" and confirm."""
    url = reverse(f"admin:{model}_changelist")
    data = {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    return client.post(url, data, follow=True)
