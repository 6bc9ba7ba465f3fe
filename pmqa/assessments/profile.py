"""The organisational profile (ลักษณะสำคัญขององค์การ) as structured fields, section by section.

The section codes follow the criteria's profile tree (OP1a … OP2c). Each section is saved and
versioned as one answer; its content is a dict of field key → value, and group key → list of
rows (dicts of column key → value).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise


@dataclass(frozen=True)
class Field:
    key: str
    label: Label
    kind: str = "text"  # text (long), line (short), number, date, choice
    max_length: int = 2000
    required: bool = False
    help: Label = ""
    choices: tuple[tuple[str, Label], ...] = ()
    whole: bool = False  # a number of people or things: no fraction

    @property
    def is_group(self) -> bool:
        return False


@dataclass(frozen=True)
class Group:
    """A repeatable group: a table the agency fills row by row."""

    key: str
    label: Label
    columns: tuple[Field, ...]
    required: bool = False
    help: Label = ""

    @property
    def is_group(self) -> bool:
        return True


@dataclass(frozen=True)
class Section:
    code: str
    title: Label
    intro: Label
    fields: tuple[Field | Group, ...] = field(default_factory=tuple)

    def scalar_fields(self) -> list[Field]:
        return [f for f in self.fields if isinstance(f, Field)]

    def groups(self) -> list[Group]:
        return [f for f in self.fields if isinstance(f, Group)]


def _requirements(max_length: int = 1000) -> Field:
    return Field(
        "requirements",
        _("Key requirements and expectations"),
        max_length=max_length,
        required=True,
    )


PARTNER_KINDS = (
    ("supplier", _("Supplier")),
    ("partner", _("Partner")),
    ("collaborator", _("Collaborator")),
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "OP1a",
        _("Organisational environment"),
        _("Mission, vision and values, workforce, budget, assets and the laws you work under."),
        (
            Field("mission", _("Mission or duties under the law"), max_length=3000, required=True),
            Field("vision", _("Vision"), max_length=1000, required=True),
            Field("values", _("Values"), max_length=1000, required=True),
            Field("core_competencies", _("Core competencies"), max_length=2000, required=True),
            Group(
                "services",
                _("Key services and what distinguishes them"),
                (
                    Field("service", _("Service"), kind="line", max_length=300, required=True),
                    Field(
                        "distinction",
                        _("What distinguishes it"),
                        max_length=1000,
                        help=_("Leave empty when it is the same as the service above."),
                    ),
                ),
                required=True,
            ),
            Field("budget", _("Budget (baht)"), kind="number", required=True),
            Field("budget_as_of", _("Budget as of"), kind="date", required=True),
            Field("revenue", _("Revenue (baht)"), kind="number"),
            Field("revenue_as_of", _("Revenue as of"), kind="date"),
            Field("headcount", _("Headcount (people)"), kind="number", required=True, whole=True),
            Field("headcount_as_of", _("Headcount as of"), kind="date", required=True),
            Field("workforce", _("Workforce profile"), max_length=3000, required=True),
            Field("assets", _("Key facilities, technologies and equipment"), max_length=2000),
            Field("laws", _("Laws, rules and regulations"), max_length=3000, required=True),
        ),
    ),
    Section(
        "OP1b",
        _("Organisational relationships"),
        _("Structure and governance, the people you serve, and those you work with."),
        (
            Field(
                "structure",
                _("Organisation structure and governance"),
                max_length=2000,
                required=True,
            ),
            Group(
                "customers",
                _("Customer groups and their requirements"),
                (
                    Field("group", _("Group"), kind="line", max_length=300, required=True),
                    _requirements(),
                ),
                required=True,
            ),
            Group(
                "stakeholders",
                _("Stakeholder groups and their requirements"),
                (
                    Field("group", _("Group"), kind="line", max_length=300, required=True),
                    _requirements(),
                ),
                required=True,
            ),
            Group(
                "partners",
                _("Suppliers, partners and collaborators"),
                (
                    Field(
                        "kind",
                        _("Relationship"),
                        kind="choice",
                        required=True,
                        choices=PARTNER_KINDS,
                    ),
                    Field("name", _("Name"), kind="line", max_length=300, required=True),
                    Field("role", _("Role"), max_length=1000),
                    _requirements(),
                ),
                required=True,
            ),
        ),
    ),
    Section(
        "OP2a",
        _("Competitive environment"),
        _("Where you stand, what is changing, and what you compare yourself with."),
        (
            Field(
                "competitive_environment",
                _("Competitive environment"),
                max_length=3000,
                required=True,
            ),
            Field("competitive_changes", _("Key changes in competitiveness"), max_length=2000),
            Field(
                "comparative_sources",
                _("Sources of comparative data"),
                max_length=2000,
                required=True,
            ),
        ),
    ),
    Section(
        "OP2b",
        _("Strategic context"),
        _("Strategic advantages and challenges, for mission, operations, workforce and society."),
        (
            Field(
                "advantage_mission",
                _("Strategic advantage: mission"),
                max_length=1500,
                required=True,
            ),
            Field("advantage_operations", _("Strategic advantage: operations"), max_length=1500),
            Field("advantage_workforce", _("Strategic advantage: workforce"), max_length=1500),
            Field(
                "advantage_social", _("Strategic advantage: social responsibility"), max_length=1500
            ),
            Field(
                "challenge_mission",
                _("Strategic challenge: mission"),
                max_length=1500,
                required=True,
            ),
            Field(
                "challenge_operations",
                _("Strategic challenge: operations"),
                max_length=1500,
                required=True,
            ),
            Field("challenge_workforce", _("Strategic challenge: workforce"), max_length=1500),
            Field(
                "challenge_social", _("Strategic challenge: social responsibility"), max_length=1500
            ),
        ),
    ),
    Section(
        "OP2c",
        _("Performance improvement system"),
        _("How you evaluate and improve key projects and processes."),
        (
            Field(
                "improvement_system",
                _("Performance improvement system"),
                max_length=3000,
                required=True,
            ),
        ),
    ),
)

SECTIONS_BY_CODE = {section.code: section for section in SECTIONS}
