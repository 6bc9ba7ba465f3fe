"""Erase a person's personal data on their request (PDPA): pseudonymise, keep the records."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pmqa.accounts.models import User
from pmqa.lib.errors import ServiceError
from pmqa.privacy.services import erase_person


class Command(BaseCommand):
    help = "Pseudonymise a person's account on their request; the audit trail stays whole."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the account to erase")
        parser.add_argument("--reason", required=True, help="the request, e.g. its reference")
        parser.add_argument("--by", required=True, help="the administrator who erases it")

    def handle(self, *args: object, **options: str) -> None:
        person = User.objects.filter(username=options["username"]).first()
        by = User.objects.filter(username=options["by"], is_active=True).first()
        if person is None:
            raise CommandError(_("No account is named “%(name)s”.") % {"name": options["username"]})
        if by is None:
            raise CommandError(
                _("No active account is named “%(name)s”.") % {"name": options["by"]}
            )
        try:
            erased = erase_person(person=person, reason=options["reason"], by=by)
        except ServiceError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Erased: the account is now %(name)s and can no longer log in.")
            % {"name": erased.username}
        )
