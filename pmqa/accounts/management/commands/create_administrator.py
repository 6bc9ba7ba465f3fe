"""pmqa create_administrator: an OPDC administrator, the first of a new installation among
them. The password is asked twice (or read from standard input), checked by the same rules as
on the site; the two-factor app is set up at the first login, which asks for it."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from pmqa.accounts.models import Membership, Role, User
from pmqa.audit import services as audit
from pmqa.organisations.models import Organisation


class Command(BaseCommand):
    help = "Create an OPDC administrator; two-factor sign-in is set up at the first login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True, help="where the site's e-mail reaches them")
        parser.add_argument("--name", default="", help="the full name pages and logs show")
        parser.add_argument(
            "--organisation",
            default="DEP-OPDC",
            help="the code of their organisation in the register (default: OPDC, DEP-OPDC)",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (a script), instead of asking twice",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(
                f"No organisation {options['organisation']} in the register: load it first "
                "with pmqa import_organisations."
            )
        if User.objects.filter(username=username).exists():
            raise CommandError(f"{username} already has an account.")
        user = User(username=username, email=options["email"], full_name=options["name"])
        try:
            # The rules the site's own forms apply: a username it can log in with, an address.
            user.full_clean(exclude=["password"])
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        password = self._password(options["password_stdin"])
        try:
            validate_password(password, user)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        user.set_password(password)
        with transaction.atomic():
            user.save()
            Membership.objects.create(user=user, role=Role.ADMINISTRATOR, organisation=organisation)
            audit.record(
                actor=None,
                action="user.change",
                obj=user,
                new={"role": Role.ADMINISTRATOR, "organisation": organisation.code},
                reason="pmqa create_administrator",
            )
        self.stdout.write(
            f"{username} is an administrator of {organisation.code}. At the first login the "
            "site asks them to set up their authenticator app."
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise CommandError("The two passwords differ; nothing was created.")
        return first
