import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_local_admin_gets_a_random_password_printed_once(settings, capsys):
    settings.DEBUG = True
    call_command("create_local_admin")
    output = capsys.readouterr().out
    password = output.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert len(password) >= 20
    call_command("create_local_admin")
    assert password not in capsys.readouterr().out


def test_local_admin_is_refused_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("create_local_admin")
    assert not get_user_model().objects.exists()
