"""The daily run: agencies whose self-assessment is still a draft are told 14, 7 and 1 days
before it closes, agencies that reached round 2 that it is open, and each person who chose a
daily digest gets it.

Meant for a daily timer; each message goes out once, so running it twice sends nothing new.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmqa.assessments.mail import queue_unsent
from pmqa.assessments.reminders import announce_round2, send_reminders
from pmqa.lib.thai import ThaiDateError, parse_date_be
from pmqa.notifications.services import queue_waiting, send_digests


class Command(BaseCommand):
    help = "E-mail agencies whose assessment is still a draft 14, 7 and 1 days before closing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            help="Act as if today were this date (dd/mm/yyyy, B.E.); for catching up a missed run.",
        )

    def handle(self, *args: object, **options: object) -> None:
        today = None
        if options.get("today"):
            try:
                today = parse_date_be(str(options["today"]))
            except ThaiDateError as error:
                raise CommandError(str(error)) from None
        again = queue_unsent() + queue_waiting()
        if again:
            self.stdout.write(f"{again} e-mail(s) not yet handed to the mail server queued again.")
        # The reminders and round 2 first: those who chose a digest get them in today's.
        sent = send_reminders(today=today)
        opened = announce_round2(today=today)
        digests = send_digests(today=today)
        for code, days in sent:
            self.stdout.write(f"{code}\t{days}")
        if opened:
            self.stdout.write(f"{opened} agency(ies) told that round 2 is open.")
        if digests:
            self.stdout.write(f"{digests} digest(s) sent.")
        self.stdout.write(self.style.SUCCESS(f"{len(sent)} reminder(s) sent."))
