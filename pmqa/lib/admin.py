"""Django admin for official records: shown to administrators, changed only by the services."""

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdmin:
    """Mixed into a ModelAdmin or inline: nothing can be added, changed or deleted here, because
    the record is official (a status, a score, a published text, the audit trail) and its
    changes go through the services, where the action table and the audit trail apply."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
