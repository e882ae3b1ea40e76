"""What a signed-in browser does on admin pages: sign in as a persona, post a change page back."""


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
