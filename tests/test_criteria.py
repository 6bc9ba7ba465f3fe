"""Criteria import is idempotent, updates in place while unused, and refuses frozen changes."""

import copy

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse

from pmqa.assessments.models import Cycle
from pmqa.audit.models import AuditEntry
from pmqa.criteria.models import Checkpoint, Edition, Item
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db


def write(tmp_path, data):
    path = tmp_path / "edition.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_edition_is_complete_in_thai_and_english(edition):
    assert edition.categories.count() == 7
    items = Item.objects.filter(category__edition=edition)
    assert items.count() == 30
    assert not items.filter(title_th="").exists()
    assert not items.filter(report_title_th="").exists()
    assert not items.filter(report_title_en="").exists()
    checkpoints = Checkpoint.objects.filter(item_level__item__category__edition=edition)
    assert checkpoints.count() > 100
    assert not checkpoints.filter(text_th="").exists()
    assert not checkpoints.filter(text_en="").exists()
    assert Item.objects.get(category__edition=edition, code="1.2").report_title_th == (
        "การป้องกันการทุจริตและสร้างความโปร่งใส"
    )


def test_importing_twice_changes_nothing(tmp_path, criteria_data, capsys):
    data = copy.deepcopy(criteria_data)
    data["code"] = "pmqa40-test"
    path = write(tmp_path, data)
    call_command("import_criteria", str(path))
    first = capsys.readouterr().out
    rows = Checkpoint.objects.filter(
        item_level__item__category__edition__code="pmqa40-test"
    ).count()
    call_command("import_criteria", str(path))
    assert "created" in first
    assert "unchanged" in capsys.readouterr().out
    assert (
        Checkpoint.objects.filter(item_level__item__category__edition__code="pmqa40-test").count()
        == rows
    )


def test_a_changed_text_updates_in_place_while_unused(tmp_path, criteria_data):
    data = copy.deepcopy(criteria_data)
    data["code"] = "pmqa40-edit"
    call_command("import_criteria", str(write(tmp_path, data)))
    item = Item.objects.get(category__edition__code="pmqa40-edit", code="1.1")
    data["categories"][0]["items"][0]["report_title_th"] = "ชื่อใหม่"
    call_command("import_criteria", str(write(tmp_path, data)))
    item.refresh_from_db()
    assert item.report_title_th == "ชื่อใหม่"  # same row, new text


def test_a_frozen_edition_refuses_a_changed_file(tmp_path, criteria_data, edition):
    Cycle.objects.create(fiscal_year=2565, edition=edition)
    data = copy.deepcopy(criteria_data)
    data["categories"][0]["items"][0]["report_title_th"] = "ชื่อใหม่"
    with pytest.raises(CommandError) as error:
        call_command("import_criteria", str(write(tmp_path, data)))
    assert error.value.returncode == 2
    assert "2565" in str(error.value) and "Copy to new edition" in str(error.value)
    assert Item.objects.get(category__edition=edition, code="1.1").report_title_th != "ชื่อใหม่"
    call_command("import_criteria", str(write(tmp_path, criteria_data)))  # same file: accepted


def test_a_malformed_file_is_refused_with_a_message(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("code: x\ncategories: [", encoding="utf-8")
    with pytest.raises(CommandError, match="not a readable YAML"):
        call_command("import_criteria", str(path))
    path.write_text(yaml.safe_dump({"code": "x", "name_th": "x", "categories": []}))
    with pytest.raises(CommandError, match="หมวด 1 ถึง 7"):
        call_command("import_criteria", str(path))


@pytest.mark.parametrize(
    "document, where",
    [
        ({"code": "x", "name_th": "x", "categories": 5}, "categories"),
        ({"code": "x", "name_th": "x", "categories": [1, 2]}, "categories[1]"),
        (
            {"code": "x", "name_th": "x", "categories": [{"number": 1, "items": "1.1"}]},
            "categories[1].items",
        ),
        (
            {
                "code": "x",
                "name_th": "x",
                "categories": [{"number": 1, "items": [{"code": "1.1", "levels": {"basic": []}}]}],
            },
            "categories[1].items[1].levels.basic",
        ),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_with_the_place_named(tmp_path, document, where):
    path = tmp_path / "shape.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_criteria", str(path))
    assert error.value.returncode == 2
    assert str(error.value).startswith(f"{where} ต้องเป็น")
    assert not Edition.objects.filter(code="x").exists()


def test_admin_edit_of_a_frozen_edition_is_refused_with_a_clear_message(client, personas):
    assert personas.cycle.edition.is_frozen
    client.login(username=personas.admin.username, password=PASSWORD)
    checkpoint = Checkpoint.objects.filter(
        item_level__item__category__edition=personas.cycle.edition
    ).first()
    url = reverse("admin:criteria_checkpoint_change", args=[checkpoint.pk])
    response = client.post(
        url,
        {
            "item_level": checkpoint.item_level_id,
            "position": 1,
            "text_th": "แก้ไข",
            "text_en": "edited",
        },
    )
    assert response.status_code == 200
    assert (
        "Copy to new edition" in response.content.decode() or "คัดลอก" in response.content.decode()
    )
    checkpoint.refresh_from_db()
    assert checkpoint.text_th != "แก้ไข"


def test_copy_to_new_edition_makes_an_editable_copy(client, personas):
    client.login(username=personas.admin.username, password=PASSWORD)
    response = client.post(
        reverse("criteria:copy", args=["pmqa40"]), {"code": "pmqa40-2570", "name_th": "เกณฑ์ 2570"}
    )
    assert response.status_code == 302
    copy_ = Edition.objects.get(code="pmqa40-2570")
    assert AuditEntry.objects.get(action="criteria.copy").actor == personas.admin
    assert not copy_.is_frozen
    assert copy_.copied_from.code == "pmqa40"
    original = Checkpoint.objects.filter(item_level__item__category__edition__code="pmqa40")
    copied = Checkpoint.objects.filter(item_level__item__category__edition=copy_)
    assert copied.count() == original.count()
    again = client.post(reverse("criteria:copy", args=["pmqa40"]), {"code": "pmqa40-2570"})
    assert again.status_code == 400


def test_only_administrators_may_copy(client, personas):
    client.login(username=personas.editor_a.username, password=PASSWORD)
    assert client.post(reverse("criteria:copy", args=["pmqa40"]), {"code": "x"}).status_code == 404
    assert client.get(reverse("criteria:detail", args=["pmqa40"])).status_code == 200
