"""The autosave when the person types faster than the server answers: a save that comes back
after more was typed does not say "saved" nor lift the warning on leaving, and what was typed
meanwhile is sent and saved."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pmqa.assessments.models import Answer
from tests.browser.harness import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUS = "() => document.getElementById('save-status').textContent.includes(%r)"
SAVED = "บันทึกแล้วเมื่อ"


class HeldSaves:
    """The page's saves held on their way to the server until the test lets each one go, as
    on a slow connection."""

    def __init__(self, person: Person, path: str) -> None:
        self.page = person.page
        self.held: list[Any] = []
        self.holding = True
        self.page.route(f"**{path}", self._hold)

    def _hold(self, route: Any) -> None:
        if route.request.method == "POST" and self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def wait(self, count: int) -> None:
        deadline = time.monotonic() + 15
        while len(self.held) < count:
            assert time.monotonic() < deadline, f"{count} saves expected, {len(self.held)} sent"
            self.page.wait_for_timeout(50)

    def release(self, number: int) -> None:
        """Let the save `number` (from 1) through and wait for its answer."""
        route = self.held[number - 1]
        with self.page.expect_response(lambda response: response.request == route.request):
            route.continue_()

    def stop(self, *, after: int) -> None:
        """Let every later save through as it comes (those held after save `after` too)."""
        self.holding = False
        for route in self.held[after:]:
            route.continue_()


def tries_to_leave(person: Person) -> bool:
    """Leave by typing another address; True when the page asked to stay (the warning was
    shown: the person stays on the page)."""
    page = person.page
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", answer)
    page.evaluate("() => { window.location.assign('/'); }")
    deadline = time.monotonic() + 3
    while not asked and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    page.remove_listener("dialog", answer)
    return asked == ["beforeunload"]


def test_typing_during_a_save_keeps_the_warning_and_the_text_is_saved_after_it(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    editor = person("editor")
    editor.login(personas.editor_a.username)
    path = f"/agency/assessments/{work_a.pk}/items/7.1/"
    editor.open(path)
    page = editor.page
    saves = HeldSaves(editor, path)

    page.fill("#k-1-name", "ร้อยละของเรื่องร้องเรียนที่แก้ไขเสร็จ")
    page.fill("#k-1-unit", "ร้อยละ")
    page.fill("#k-1-value_2570", "80")
    page.fill("#k-1-band_0", "60")
    # The person goes on to the next field: the first save leaves and is slow to come back.
    page.click("#k-1-band_500")
    saves.wait(1)
    page.keyboard.type("85")
    saves.release(1)
    # The first save is stored, but the band's last point was typed after it left: it is sent
    # at once, and until it is stored the page neither says "saved" nor lets the person go.
    saves.wait(2)
    page.wait_for_timeout(100)  # past htmx's settling of the first answer
    assert tries_to_leave(editor), "no warning on leaving with an unsaved value"
    status = page.locator("#save-status")
    assert SAVED not in status.inner_text()
    assert "saved" not in (status.get_attribute("class") or "").split()
    assert page.input_value("#k-1-band_500") == "85"

    # Once the later value is stored the page says so and lets the person leave.
    saves.release(2)
    saves.stop(after=2)
    page.wait_for_function(STATUS % SAVED)
    editor.settle()
    kpi = Answer.objects.get(assessment=work_a, key="7.1").data["kpis"][0]
    assert kpi["band"]["500"] == "85" and kpi["values"]["2570"] == "80"
    assert page.inner_text("[data-testid=item-score]") == "400.00"
    assert not tries_to_leave(editor)
    page.wait_for_url("**/")
    editor.open(path)
    assert page.input_value("#k-1-band_500") == "85"
    assert page.inner_text("[data-testid=item-score]") == "400.00"
