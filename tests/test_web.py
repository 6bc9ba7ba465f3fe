"""Login, role homes, navigation and the "agency B gets 404" rule, through HTTP."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD
from tests.second_factor import code_for, device_of

pytestmark = pytest.mark.django_db


def login(client: Client, user) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_login_page_is_thai_by_default(client):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="th">' in body
    assert "เข้าสู่ระบบ" in body
    assert 'for="id_username"' in body and 'for="id_password"' in body


def test_the_stylesheet_and_font_are_self_hosted(client):
    body = client.get(reverse("login")).content.decode()
    for url in re.findall(r'(?:href|src)="([^"]+)"', body.split("<body")[0]):
        assert url.startswith("/static/"), url


def test_english_is_available(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in body
    assert "Log in" in body


@pytest.mark.parametrize(
    "persona, home",
    [
        ("admin", "dashboards:admin"),
        ("editor_a", "dashboards:agency"),
        ("approver_a", "dashboards:agency"),
        ("assessor", "dashboards:assessor"),
        ("lead", "dashboards:assessor"),
    ],
)
def test_each_persona_lands_on_its_role_home(client, personas, persona, home):
    user = getattr(personas, persona)
    gives_code = persona in ("admin", "assessor", "lead")
    device = device_of(user) if gives_code else None
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    if gives_code:
        # The code from their app first (tests/test_login_safety.py), then their home.
        code_page = response.redirect_chain[-1][0]
        assert code_page.startswith(reverse("twofactor:verify"))
        response = client.post(code_page, {"code": code_for(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(home)
    assert response.status_code == 200


def test_a_wrong_password_gets_a_thai_message(client, personas):
    response = client.post(reverse("login"), {"username": "editor_a", "password": "nope"})
    assert response.status_code == 200
    assert "กรุณาใส่" in response.content.decode()  # Django's Thai message for bad credentials


def test_navigation_shows_only_what_the_role_may_do(client, personas):
    agency = login(client, personas.editor_a).get(reverse("dashboards:agency")).content.decode()
    assert reverse("dashboards:agency") in agency
    assert reverse("dashboards:admin") not in agency
    assert reverse("admin:index") not in agency
    client.logout()
    admin = login(client, personas.admin).get(reverse("dashboards:admin")).content.decode()
    assert reverse("dashboards:admin") in admin and reverse("admin:index") in admin
    client.logout()
    assessor = login(client, personas.assessor).get(reverse("dashboards:assessor")).content.decode()
    assert reverse("dashboards:assessor") in assessor
    assert reverse("dashboards:agency") not in assessor
    assert reverse("dashboards:what_if") not in assessor


def test_role_pages_are_404_for_other_roles(client, personas):
    login(client, personas.editor_a)
    assert client.get(reverse("dashboards:admin")).status_code == 404
    assert client.get(reverse("organisations:list")).status_code == 404
    assert client.get(reverse("dashboards:assessor")).status_code == 404
    assert client.get(reverse("admin:index")).status_code == 302  # admin login, not the data


def test_an_editor_of_agency_b_gets_404_on_agency_a(client, personas):
    login(client, personas.editor_b)
    url = reverse("dashboards:assessment", args=[personas.assessment_a.pk])
    assert client.get(url).status_code == 404
    own = client.get(reverse("dashboards:assessment", args=[personas.assessment_b.pk]))
    assert own.status_code == 200
    home = client.get(reverse("dashboards:agency")).content.decode()
    assert personas.agency_a.name_th not in home


def test_agency_a_sees_its_self_scores(client, personas):
    login(client, personas.editor_a)
    body = client.get(
        reverse("dashboards:assessment", args=[personas.assessment_a.pk])
    ).content.decode()
    assert "443.10" in body and "3.54" in body and "326.67" in body


def test_anonymous_users_are_sent_to_login(client, personas):
    response = client.get(reverse("dashboards:assessment", args=[personas.assessment_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_reset_sends_a_link_that_works(client, personas):
    response = client.post(reverse("password_reset"), {"email": "editor_a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-pass-2569", "new_password2": "brand-new-pass-2569"},
    )
    assert done.status_code == 302
    assert client.login(username="editor_a", password="brand-new-pass-2569")


def test_the_admin_is_for_administrators_and_in_thai(client, personas):
    login(client, personas.admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "ผู้ใช้" in response.content.decode() or "บัญชี" in response.content.decode()


def test_admin_home_shows_group_statistics_with_bounded_queries(
    client, personas, django_assert_max_num_queries
):
    login(client, personas.admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dashboards:admin"))
    assert response.status_code == 200
    assert "2561" in response.content.decode()


def test_not_found_is_a_thai_page_with_a_way_home(client, personas):
    login(client, personas.editor_b)
    response = client.get(reverse("dashboards:assessment", args=[personas.assessment_a.pk]))
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()
