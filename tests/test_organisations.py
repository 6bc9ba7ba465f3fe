"""The organisation register: complete reference data, idempotent import, valid hierarchy."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from pmqa.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_reference_data_has_every_province_and_cluster():
    provinces = Organisation.objects.filter(kind=Organisation.Kind.PROVINCE)
    assert provinces.count() == 77  # 76 provinces and Bangkok
    assert Organisation.objects.filter(kind=Organisation.Kind.PROVINCE_CLUSTER).count() == 18
    assert provinces.filter(parent__isnull=True).get().code == "TH-10"
    assert provinces.get(code="TH-96").parent.name_th == "กลุ่มจังหวัดภาคใต้ชายแดน"
    assert Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).count() == 20


def test_importing_again_changes_nothing(capsys):
    call_command("import_organisations")
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_the_import_accepts_more_rows_later(tmp_path):
    path = tmp_path / "departments_more.csv"
    path.write_text(
        "code,name_th,name_en,short_name_th,kind,parent\n"
        "DEP-NEW,กรมใหม่,New Department,,department,MIN-FIN\n",
        encoding="utf-8",
    )
    call_command("import_organisations", str(path))
    assert Organisation.objects.get(code="DEP-NEW").parent.code == "MIN-FIN"


def test_a_bad_row_stops_the_import_and_writes_nothing(tmp_path):
    path = tmp_path / "departments_bad.csv"
    path.write_text(
        "code,name_th,name_en,short_name_th,kind,parent\n"
        "DEP-OK,กรมหนึ่ง,,,department,MIN-FIN\n"
        "DEP-BAD,กรมสอง,,,department,MIN-NOPE\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="MIN-NOPE"):
        call_command("import_organisations", str(path))
    assert not Organisation.objects.filter(code="DEP-OK").exists()


def test_a_province_cannot_belong_to_a_ministry():
    province = Organisation.objects.get(code="TH-96")
    province.parent = Organisation.objects.get(code="MIN-MOI")
    with pytest.raises(ValidationError):
        province.full_clean()


def test_a_file_that_is_not_utf8_is_refused_with_advice(tmp_path):
    path = tmp_path / "departments_tis620.csv"
    path.write_bytes("code,name_th\nDEP-X,กรมทดสอบ\n".encode("tis-620"))
    with pytest.raises(CommandError, match="UTF-8") as error:
        call_command("import_organisations", str(path))
    assert error.value.returncode == 2
    assert not Organisation.objects.filter(code="DEP-X").exists()
