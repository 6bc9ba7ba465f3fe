"""Browser journeys: the live server, one Chromium for the session, a tab per person."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from pmqa.lib.pdf import CHROMIUM_ARGS, chromium_path
from tests.browser.harness import SHOTS, Person


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.fail("The browser journeys need Chromium: sudo apt-get install -y chromium")
    # Playwright's sync API runs an event loop in the test's thread; the journeys still use the
    # ORM there, between page actions, never during one. Allowed for the journeys only.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def person(
    browser: Browser, live_server: Any, settings: Any, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """`person("editor", width=1366)`: a new tab with its own cookies. The browser asks for
    English (Accept-Language), as many office machines do; the pages must still be Thai."""
    # The live server speaks plain HTTP on localhost.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    # Links in e-mail (a password reset) are made with the site's address, not the request's.
    settings.PMQA_SITE_URL = live_server.url
    people: list[Person] = []

    def open_tab(name: str, *, width: int = 1366, height: int = 900) -> Person:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-US", accept_downloads=True
        )
        context.set_default_timeout(15_000)
        tab = Person(context.new_page(), live_server.url, name)
        people.append(tab)
        return tab

    yield open_tab
    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    for tab in people:
        if failed:
            tab.keep(SHOTS / request.node.name, "failure")
        tab.page.context.close()
