"""Shared fixtures: reference data loaded once per session, the house-style personas, and an
assessment to take through its steps. What tests build themselves is in tests/builders.py."""

import datetime
import importlib
from dataclasses import dataclass
from decimal import Decimal

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmqa.accounts import twofactor
from pmqa.accounts.models import Role, User
from pmqa.accounts.roles import access_for
from pmqa.assessments.models import Assessment, Cycle, Round
from pmqa.assessments.services import record_category_scores, start_assessment
from pmqa.criteria.models import Edition
from pmqa.demo.services import CRITERIA_FILE
from pmqa.organisations.models import Organisation
from tests.builders import Case, make_user


def pytest_collection_modifyitems(config, items):
    # A test in a transaction of its own (the browser journeys with their live server, a
    # database taken away from under a request) leaves the database emptied, reference data
    # included: those run after every other test, the browser journeys last.
    def order(item):
        if "tests/browser/" in item.nodeid:
            return 2
        marker = item.get_closest_marker("django_db")
        return 1 if marker is not None and marker.kwargs.get("transaction") else 0

    items.sort(key=order)


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """For a test in a transaction of its own (run after the others, which leave the database
    emptied): what every page needs, loaded again."""
    if not Organisation.objects.exists():
        call_command("import_organisations", verbosity=0)
        call_command("import_criteria", str(CRITERIA_FILE), verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def static_files_by_their_own_names():
    """Production's static storage needs the manifest collectstatic writes; here the live
    server's handler serves the source folders, by the files' own names. The production
    storage is tested on its own in tests/test_serving.py."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**django_settings.STORAGES, "staticfiles": plain}):
        yield


@pytest.fixture(scope="session", autouse=True)
def files_in_a_folder_of_their_own(tmp_path_factory):
    """Files the tests store (evidence, a downloaded report kept as its stored file) go to a
    temporary folder, never to the project's var/media: the stored reports' clean-up removes
    files there that no row of the test database records, which a developer's own are."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="session", autouse=True)
def test_logins_give_the_second_factor():
    """`client.login()` and `client.force_login()` stand for a person who has logged in
    completely. For those who must give a second factor (assessors, administrators), the
    session is verified through django-otp's own login with a TOTP device of theirs, as after
    typing the app's code. The login form, the lockout and the second factor's pages are
    tested through HTTP in tests/test_login_safety.py; production has no way around them."""
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser

    original_login = Client.login

    def login_with_request(self, **credentials):
        # django-axes counts failures per address: authenticate() needs the request.
        credentials.setdefault("request", RequestFactory().post("/accounts/login/"))
        return original_login(self, **credentials)

    def login_both_factors(self, user, backend=None):
        request = HttpRequest()
        request.session = self.session
        request.user = AnonymousUser()  # login() puts the user here, where otp_login looks
        login(request, user, backend)
        if twofactor.required_for(user, access_for(user)):
            device = twofactor.totp_device(user) or TOTPDevice.objects.create(
                user=user, name="test", confirmed=True
            )
            otp_login(request, device)
        request.session.save()
        self._set_login_cookies(request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "login", login_with_request)
        patch.setattr(Client, "_login", login_both_factors)
        yield


@pytest.fixture(scope="session", autouse=True)
def flushing_lifts_the_audit_triggers():
    """Transactional tests (the browser journeys) empty every table after each test, the audit
    trail too, whose triggers refuse that on SQLite (PostgreSQL's TRUNCATE fires no row
    trigger). The flush drops them for its own statements and creates them again after."""
    # The backend's module first: imported alone, operations is a circular import (on
    # PostgreSQL nothing has loaded the SQLite backend before this fixture).
    from django.db.backends.sqlite3 import base  # noqa: F401
    from django.db.backends.sqlite3.operations import DatabaseOperations

    guard = importlib.import_module("pmqa.audit.migrations.0003_refuse_update_and_delete")
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if guard.TABLE not in tables:
            return statements
        return [*guard.DROP_SQLITE, *statements, *guard.CREATE_SQLITE]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests only need it to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: PT004
    with django_db_blocker.unblock():
        call_command("import_organisations", verbosity=0)
        call_command("import_criteria", str(CRITERIA_FILE), verbosity=0)


@pytest.fixture
def criteria_data():
    return yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def edition(db):
    return Edition.objects.get(code="pmqa40")


@dataclass
class Personas:
    agency_a: Organisation
    agency_b: Organisation
    editor_a: User
    approver_a: User
    assessor: User
    lead: User
    editor_b: User
    admin: User
    cycle: Cycle
    assessment_a: Assessment
    assessment_b: Assessment


@pytest.fixture
def personas(db, edition):
    agency_a = Organisation.objects.get(code="TH-96")  # Narathiwat
    agency_b = Organisation.objects.get(code="TH-95")  # Yala
    cycle = Cycle.objects.create(fiscal_year=2561, edition=edition)
    Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=datetime.date(2018, 5, 1),
        closes_on=datetime.date(2018, 8, 31),
    )
    assessment_a = Assessment.objects.create(cycle=cycle, organisation=agency_a)
    assessment_b = Assessment.objects.create(cycle=cycle, organisation=agency_b)
    record_category_scores(
        assessment=assessment_a,
        source="self",
        categories={
            str(i): Decimal(v)
            for i, v in enumerate(["450", "500", "450", "475", "475", "425", "326.67"], start=1)
        },
    )
    return Personas(
        agency_a=agency_a,
        agency_b=agency_b,
        editor_a=make_user("editor_a", Role.AGENCY_EDITOR, agency_a),
        approver_a=make_user("approver_a", Role.AGENCY_APPROVER, agency_a),
        assessor=make_user("assessor_1", Role.ASSESSOR, Organisation.objects.get(code="DEP-OCSC")),
        lead=make_user("lead_1", Role.LEAD_ASSESSOR),
        editor_b=make_user("editor_b", Role.AGENCY_EDITOR, agency_b),
        admin=make_user("admin_1", Role.ADMINISTRATOR, Organisation.objects.get(code="DEP-OPDC")),
        cycle=cycle,
        assessment_a=assessment_a,
        assessment_b=assessment_b,
    )


@pytest.fixture
def open_cycle(personas, edition):
    today = timezone.localdate()
    cycle = Cycle.objects.create(fiscal_year=2570, edition=edition)
    Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=20),
    )
    return cycle


@pytest.fixture
def work_a(personas, open_cycle):
    return start_assessment(cycle=open_cycle, organisation=personas.agency_a, by=personas.editor_a)


@pytest.fixture
def work_b(personas, open_cycle):
    return start_assessment(cycle=open_cycle, organisation=personas.agency_b, by=personas.editor_b)


@pytest.fixture
def case(personas, work_a):
    """Agency A's assessment, ready to be taken through its steps: `case.published()`."""
    return Case(personas, work_a)
