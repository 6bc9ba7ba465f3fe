"""A new installation's first administrator, as docs/deploy.md makes them: the command, then the
first login, which asks for the authenticator app before anything else."""

import io

import pytest
from django.core.management import CommandError, call_command

from pmqa.accounts.models import User
from pmqa.accounts.roles import access_for
from pmqa.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "Srisuk-OPDC-2570!"


def create(monkeypatch, *args, password=PASSWORD):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("create_administrator", *args, "--password-stdin", stdout=out)
    return out.getvalue()


def test_the_first_administrator_logs_in_and_is_asked_for_the_app(client, monkeypatch):
    said = create(monkeypatch, "srisuk", "--email", "srisuk@opdc.go.th", "--name", "ศรีสุข ใจดี")
    assert "authenticator" in said
    user = User.objects.get(username="srisuk")
    assert access_for(user).is_admin and user.full_name == "ศรีสุข ใจดี"
    assert AuditEntry.objects.filter(action="user.change", object_id=str(user.pk)).exists()
    response = client.post("/accounts/login/", {"username": "srisuk", "password": PASSWORD})
    assert response.status_code == 302
    assert "/accounts/two-factor/setup/" in client.get("/").url


@pytest.mark.parametrize(
    ("args", "password", "said"),
    [
        (["srisuk", "--email", "a@b.th"], "123", "สั้นเกินไป"),
        (["srisuk", "--email", "a@b.th", "--organisation", "NOWHERE"], PASSWORD, "import_org"),
    ],
)
def test_a_weak_password_or_a_missing_register_creates_nobody(monkeypatch, args, password, said):
    with pytest.raises(CommandError, match=said):
        create(monkeypatch, *args, password=password)
    assert not User.objects.filter(username="srisuk").exists()


def test_an_existing_username_is_refused(monkeypatch, personas):
    with pytest.raises(CommandError, match="already"):
        create(monkeypatch, personas.admin.username, "--email", "x@y.th")


@pytest.mark.parametrize(
    ("username", "email"), [("sri suk", "srisuk@opdc.go.th"), ("srisuk", "not-an-address")]
)
def test_a_username_or_address_the_site_cannot_use_is_refused(monkeypatch, username, email):
    with pytest.raises(CommandError):
        create(monkeypatch, username, "--email", email)
    assert not User.objects.filter(email=email).exists()
