from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from pmqa.notifications.services import send_digests


class Command(BaseCommand):
    help = "Send each person the day's digest of the notifications they chose to receive so."

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_digests()
        self.stdout.write(_("%(count)s digests sent.") % {"count": count})
