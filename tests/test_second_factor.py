"""The tests' own second factor (tests/second_factor.py) through the code page: the code the
harness types is still accepted when the clock passes into the next time step before the
server checks it, at a persona's first login and at the next ones, so that no journey fails
by chance."""

import time

import pytest
from django.urls import reverse

from tests.builders import PASSWORD
from tests.second_factor import code_for, device_of

pytestmark = pytest.mark.django_db


def test_a_code_typed_as_the_time_step_ends_is_accepted_at_every_login(
    client, personas, monkeypatch
):
    device = device_of(personas.assessor)
    real = time.time
    late = 0.0
    monkeypatch.setattr(time, "time", lambda: real() + late)
    for login in range(4):
        response = client.post(
            reverse("login"),
            {"username": personas.assessor.username, "password": PASSWORD},
            follow=True,
        )
        code_page = response.redirect_chain[-1][0]
        assert code_page.startswith(reverse("twofactor:verify")), login
        code = code_for(device)
        # The server checks the code in the next time step (30 seconds later).
        late += device.step
        done = client.post(code_page, {"code": code}, follow=True)
        assert done.redirect_chain, (login, done.status_code)
        assert done.redirect_chain[-1][0] == reverse("dashboards:assessor"), login
        client.logout()
