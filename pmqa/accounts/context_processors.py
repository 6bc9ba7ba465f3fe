"""Navigation entries for the roles the current user holds."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa.accounts.roles import request_access


def navigation(request: HttpRequest) -> dict[str, object]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav": [], "access": None}
    access = request_access(request)
    nav: list[tuple[str, str]] = []
    if access.is_agency:
        nav.append((reverse("dashboards:agency"), _("My agency")))
    if access.is_assessor:
        nav.append((reverse("dashboards:assessor"), _("My reviews")))
    if access.is_agency or access.is_admin:
        nav.append((reverse("dashboards:what_if"), _("What-if")))
    if access.is_admin:
        nav.append((reverse("dashboards:admin"), _("Administration")))
        nav.append((reverse("dashboards:statistics_home"), _("Statistics")))
        nav.append((reverse("evaluation:kpi_home"), _("Evaluation KPI")))
        nav.append((reverse("manage:cycles"), _("Cycles")))
        nav.append((reverse("verification:assignments"), _("Assessor teams")))
        nav.append((reverse("feedback:reports"), _("Reports to approve")))
        nav.append((reverse("organisations:list"), _("Organisations")))
        nav.append((reverse("audit:log"), _("Audit log")))
    nav.append((reverse("criteria:list"), _("Criteria")))
    if access.is_admin:
        nav.append((reverse("admin:index"), _("Data admin")))
    return {"nav": nav, "access": access}
