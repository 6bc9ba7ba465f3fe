"""The main forms fuzzed with hypothesis through HTTP: an item page (process and results), a
profile section and the login form get generated text — Thai, any Unicode, control characters,
very long text, huge and odd numbers, wrong versions, plain and autosave posts. None answers a
server error, and an answer is never half saved: after each post it is either exactly as it
was, or one version further with that version's revision holding exactly what is stored, and
nothing stored holds a control character.

Bounded for the suite: EXAMPLES posts per form, derandomised, no example database."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmqa.assessments import answers as content
from pmqa.assessments.models import Answer, Revision
from pmqa.assessments.profile import SECTIONS_BY_CODE
from pmqa.lib.text import strip_controls
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db

EXAMPLES = 80
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Any character a browser can send (no lone surrogates: they cannot be encoded), weighted
# towards what breaks things: control characters, Thai, digits and signs of numbers.
CONTROLS = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028")
CHARACTERS = (
    st.characters(exclude_categories=["Cs"])
    | CONTROLS
    | st.characters(min_codepoint=0x0E00, max_codepoint=0x0E7F)
    | st.sampled_from("0123456789.,-+eE๐๑๒٣ ")
)
TEXT = st.text(CHARACTERS, max_size=60)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e999999", "-0", "0x10", "๑๒๓", "1,000,000.5", "NaN", "", " 12 "]),
)
VALUE = st.one_of(TEXT, NUMBERS, st.text(CHARACTERS, min_size=3000, max_size=5000))


def stored_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from stored_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from stored_strings(item)


def assert_whole_or_untouched(answer, before_version, before_data):
    answer.refresh_from_db()
    if answer.version == before_version:
        assert answer.data == before_data, "the answer changed without a new version"
        return
    assert answer.version == before_version + 1
    revision = Revision.objects.get(answer=answer, version=answer.version)
    assert revision.data == answer.data, "the stored answer differs from its revision"
    for text in stored_strings(answer.data):
        assert strip_controls(text) == text, f"a control character was stored: {text!r}"


@pytest.fixture
def editor(client, work_a, personas):
    assert client.login(username=personas.editor_a.username, password=PASSWORD)
    return client


def post_and_check(client, url, answer, fields, version_choice, htmx):
    answer.refresh_from_db()
    before_version, before_data = answer.version, answer.data
    version = {"current": str(before_version), "stale": str(before_version + 7)}.get(
        version_choice, version_choice
    )
    data = {**fields, "version": version}
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url, data, headers=headers)
    # The page's own answers: saved (a redirect, or the autosave's status), refused with the
    # page or the status (400), or a conflict (409); never a server error, and the view ran.
    assert response.status_code in (200, 302, 400, 409), response.status_code
    assert_whole_or_untouched(answer, before_version, before_data)


VERSIONS = st.one_of(st.sampled_from(["current", "current", "stale", ""]), TEXT)
PROCESS_FIELDS = [
    f"n-{level}-{part}" for level in content.LEVELS for part, _l in content.NARRATIVE_PARTS
]


@BOUNDED
@given(
    texts=st.dictionaries(st.sampled_from(PROCESS_FIELDS), VALUE, max_size=4),
    ticks=st.lists(st.one_of(st.integers(-5, 40).map(str), TEXT), max_size=6),
    evidence=st.lists(st.one_of(st.integers(-1, 10**20).map(str), TEXT), max_size=3),
    self_score=NUMBERS,
    version=VERSIONS,
    htmx=st.booleans(),
)
def test_a_process_item_post_never_fails_nor_half_saves(
    editor, work_a, texts, ticks, evidence, self_score, version, htmx
):
    answer = Answer.objects.get(assessment=work_a, key="1.1")
    fields = {**texts, "tick-basic": ticks, "evidence": evidence, "self_score": self_score}
    url = reverse("assessments:item", args=[work_a.pk, "1.1"])
    post_and_check(editor, url, answer, fields, version, htmx)


KPI_COLUMNS = ["name", "unit", "direction", "target", "comparison", "comparison_source"] + [
    f"band_{score}" for score in content.BAND_SCORES
]


@BOUNDED
@given(
    rows=st.lists(
        st.dictionaries(
            st.sampled_from(KPI_COLUMNS + ["value_2568", "value_2569", "value_2570", "delete"]),
            st.one_of(NUMBERS, TEXT),
            max_size=8,
        ),
        max_size=3,
    ),
    row_numbers=st.lists(st.one_of(st.integers(0, 10**6), st.just(10**30)), min_size=3, max_size=3),
    note=VALUE,
    version=VERSIONS,
    htmx=st.booleans(),
)
def test_a_results_item_post_never_fails_nor_half_saves(
    editor, work_a, rows, row_numbers, note, version, htmx
):
    answer = Answer.objects.get(assessment=work_a, key="7.1")
    fields = {"note": note}
    for row, number in zip(rows, row_numbers, strict=False):
        for column, value in row.items():
            fields[f"k-{number}-{column}"] = value
    url = reverse("assessments:item", args=[work_a.pk, "7.1"])
    post_and_check(editor, url, answer, fields, version, htmx)


SECTION = SECTIONS_BY_CODE["OP1a"]
PROFILE_FIELDS = [f"f-{spec.key}" for spec in SECTION.scalar_fields()] + [
    f"g-{group.key}-{{row}}-{column.key}" for group in SECTION.groups() for column in group.columns
]


@BOUNDED
@given(
    values=st.dictionaries(st.sampled_from(PROFILE_FIELDS), VALUE, max_size=6),
    row=st.one_of(st.integers(0, 5), st.just(10**25)),
    version=VERSIONS,
    htmx=st.booleans(),
)
def test_a_profile_section_post_never_fails_nor_half_saves(
    editor, work_a, values, row, version, htmx
):
    answer = Answer.objects.get(assessment=work_a, key=SECTION.code)
    fields = {name.format(row=row): value for name, value in values.items()}
    url = reverse("assessments:profile", args=[work_a.pk, SECTION.code])
    post_and_check(editor, url, answer, fields, version, htmx)


@BOUNDED
@given(username=st.one_of(TEXT, st.just("editor_a")), password=st.one_of(TEXT, st.just(PASSWORD)))
def test_the_login_form_never_fails_and_logs_in_only_the_right_password(
    personas, username, password
):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    # The form again (200), logged in (302), or the lockout page after repeated failures.
    assert response.status_code in (200, 302, 403, 429), response.status_code
    if "_auth_user_id" in client.session:
        assert (username, password) == ("editor_a", PASSWORD)
        assert response.status_code == 302


def test_a_row_number_no_page_writes_is_no_row(editor, work_a):
    """Five thousand digits: more than Python turns into a number without refusing."""
    answer = Answer.objects.get(assessment=work_a, key="7.1")
    url = reverse("assessments:item", args=[work_a.pk, "7.1"])
    fields = {f"k-{'9' * 5000}-name": "ตัวชี้วัด", "version": answer.version}
    response = editor.post(url, fields)
    assert response.status_code in (200, 302, 400)
    answer.refresh_from_db()
    assert not answer.data.get("kpis")
