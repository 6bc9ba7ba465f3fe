"""A person in a real browser: the Debian Chromium driven by Playwright against the live server.

Every page the person reaches is checked as they would see it: no response of 500 or above, no
JavaScript error, no `None` in the text or in a form field, and on the main pages no serious or
critical axe-core finding. When a check or a test fails, the page's screenshot and HTML are kept
under `var/browser/<test>/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from pmqa.accounts import twofactor
from pmqa.accounts.models import User
from pmqa.accounts.roles import access_for
from tests.builders import PASSWORD
from tests.second_factor import code_for, device_of

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "browser"
# The profile's sections, in the order the workspace lists them.
PROFILE = ["OP1a", "OP1b", "OP2a", "OP2b", "OP2c"]

# What a person can read: the text, and what every form field holds.
VISIBLE_TEXT = """() => document.body.innerText + "\\n" + Array.from(
  document.querySelectorAll("input:not([type=hidden]), textarea, select")
).map((e) => e.value).join("\\n")"""


class PageProblem(AssertionError):
    """What a person would have seen go wrong on a page."""


@dataclass
class Person:
    """One person's browser tab, with the checks of every page they open."""

    page: Page
    base_url: str
    name: str
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("response", self._response)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"JavaScript: {error}"))

    def _response(self, response: Any) -> None:
        kind = response.request.resource_type
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.url}")
        elif response.status >= 400 and kind not in ("document", "xhr", "fetch"):
            # A page refusing bad input answers 400 on purpose; a missing asset never should.
            self.problems.append(f"{response.status} for the {kind} {response.url}")

    def _console(self, message: Any) -> None:
        # Chromium logs every 4xx as "Failed to load resource"; those are judged by status
        # above, so that a form refused with 400 and a Thai message is not an error.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text} ({message.location.get('url', '')})")

    # -----------------------------------------------------------------------------------------

    def login(self, username: str, password: str = PASSWORD, *, app: bool = True) -> None:
        """The password, then for those who must give one (assessors, administrators) the
        code from their authenticator app, set up for them beforehand unless `app` is False
        (then the journey sets it up on the page itself)."""
        user = User.objects.get(username=username)
        if app and twofactor.required_for(user, access_for(user)):
            device_of(user)
        self.open("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.submit("button[type=submit]")
        if app and "/accounts/two-factor/" in self.page.url:
            self.give_code(username)

    def give_code(self, username: str) -> None:
        """Type the code the person's app shows now on the page that asks for it."""
        device = twofactor.totp_device(User.objects.get(username=username))
        assert device is not None, f"{username} has no authenticator app set up"
        self.page.fill("#id_code", code_for(device))
        self.submit("main form[method=post] button[type=submit]")

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def submit(self, selector: str) -> None:
        """Press a button or follow a link, and wait for the page it leads to (an autosave on
        its way is waited for by the page first)."""
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()
        self.check()

    def check(self) -> None:
        """Fail on anything a person would have seen go wrong on the page as it is now."""
        self.settle()
        text = self.page.evaluate(VISIBLE_TEXT)
        if re.search(r"\bNone\b", text):
            self.problems.append(f"'None' shown on {self.page.url}")
        if self.problems:
            problems, self.problems = self.problems, []
            raise PageProblem(f"{self.name}: " + "; ".join(problems))

    def settle(self) -> None:
        """Wait until the page is loaded and no autosave is on its way (htmx marks an element
        whose request is in flight with the class htmx-request)."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_function("() => !document.querySelector('.htmx-request')")

    def accessible(self) -> None:
        """axe-core on the page as shown: no serious or critical violation."""
        # Evaluated by the browser's devtools protocol, not as a <script> tag: the pages'
        # Content-Security-Policy refuses inline scripts, as it should.
        self.page.evaluate("(source) => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
        found = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => v.id + ": " + v.help + " (" + v.nodes.slice(0, 3)
                    .map((n) => n.target.join(" ")).join(", ") + ")")"""
        )
        if found:
            raise PageProblem(f"{self.name}: accessibility on {self.page.url}: " + "; ".join(found))

    def text(self) -> str:
        return str(self.page.inner_text("main"))

    def keep(self, folder: Path, label: str) -> None:
        """The page's screenshot and HTML, for reading a failure afterwards."""
        folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{label}".lower()).strip("-")
        try:
            self.page.screenshot(path=str(folder / f"{stem}.png"), full_page=True)
            (folder / f"{stem}.html").write_text(self.page.content(), encoding="utf-8")
        except Exception as error:  # the page may be gone with the failure  # noqa: BLE001
            (folder / f"{stem}.txt").write_text(str(error), encoding="utf-8")


def fill_empty_fields(page: Page, *, text: str = "ข้อมูลทดสอบ") -> None:
    """Fill every empty field of the page's answer form as a person would: words in text
    boxes, figures where a number is asked, a B.E. date where a date is asked, the first
    choice of each select and of each checkpoint list."""
    form = page.locator("#answer-form")
    for field_ in form.locator("textarea").all():
        if not field_.input_value() and field_.is_editable():
            field_.fill(text)
    for field_ in form.locator("input[type=text]").all():
        if field_.input_value() or not field_.is_editable():
            continue
        mode = field_.get_attribute("inputmode") or ""
        if mode == "decimal":
            field_.fill("1250")
        elif mode == "numeric":
            field_.fill("01/10/2569")
        else:
            field_.fill(text)
    for select in form.locator("select").all():
        if not select.input_value():
            values = [o for o in select.locator("option").all() if o.get_attribute("value")]
            if values:
                select.select_option(values[0].get_attribute("value"))
    first_ticks = form.locator("ul.checkpoints")
    for group in first_ticks.all()[:1]:
        box = group.locator("input[type=checkbox]").first
        if not box.is_checked():
            box.check()


SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
  "main button, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), "
  + "main select, main summary, main ul.checkpoints label, "
  // A radio button is hit through its label, which must be big enough itself.
  + "main label:has(> input[type=radio])"
)).filter((e) => e.offsetParent !== null)
  .map((e) => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
  .filter(([, height]) => height < 44)"""


def fits(person: Person, width: int) -> None:
    """The page reads at this width without scrolling sideways, every control big enough
    for a finger."""
    # What sticks out, for the failure's message: the outermost elements past the edge, and
    # text running out of its box.
    wide = person.page.evaluate(
        """(width) => {
            const out = [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > width + 1)
                .filter((e) => e.parentElement.getBoundingClientRect().right <= width + 1)
                .map((e) => e.tagName.toLowerCase() + "." + e.className + " to "
                    + Math.round(e.getBoundingClientRect().right) + " px");
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                range.selectNodeContents(node);
                const right = range.getBoundingClientRect().right;
                const box = node.parentElement.getBoundingClientRect();
                if (right > width + 1 && box.right <= width + 1) {
                    out.push("text in " + node.parentElement.tagName.toLowerCase() + " to "
                        + Math.round(right) + " px: " + node.textContent.trim().slice(0, 40));
                }
            }
            return out.slice(0, 6);
        }""",
        width,
    )
    assert person.page.evaluate("document.documentElement.scrollWidth") <= width, (
        person.page.url,
        wide,
    )
    assert person.page.evaluate(SMALL_TARGETS) == [], person.page.url
