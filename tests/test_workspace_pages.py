"""The agency's answer pages through HTTP, as each save leaves them: a refused value marked on
its own field (by the autosave's answer and by the page drawn again), what the page still lacks
and each KPI's figures redrawn by the autosave, one empty row per "add a row", each cell of a
profile table named for assistive technology, and the comparison box a form of its own."""

import re

import pytest
from django.urls import reverse

from tests.builders import answer, item_url, login

pytestmark = pytest.mark.django_db

NOT_A_NUMBER = "กรุณากรอกตัวเลข"


def profile_url(assessment, code):
    return reverse("assessments:profile", args=[assessment.pk, code])


def autosave(client, url, data):
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def tag(page, element_id):
    """The opening tag of the element with this id."""
    match = re.search(rf'<[a-z]+ [^>]*id="{re.escape(element_id)}"[^>]*>', page)
    assert match, element_id
    return match[0]


def missing_count(page):
    match = re.search(r"หน้านี้ยังขาดอีก (\d+) รายการ", page)
    return int(match[1]) if match else 0


def kpi(**values):
    """A KPI's row as the page posts it, row 1 unless the keys say otherwise."""
    return {key if key.startswith("k-") else f"k-1-{key}": value for key, value in values.items()}


SCORED_KPI = kpi(
    name="ร้อยละผู้รับบริการที่พึงพอใจ",
    unit="ร้อยละ",
    direction="higher",
    value_2568="70",
    value_2570="80",
    band_0="60",
    band_500="85",
)


# ---------------------------------------------------------------------------------------------
# A refused value, marked on its field


def test_an_autosave_says_which_field_to_mark_beside_the_named_message(client, personas, work_a):
    login(client, personas.editor_a)
    status = autosave(
        client, profile_url(work_a, "OP1a"), {"version": "0", "f-budget": "abc", "f-vision": "ก"}
    )
    item = re.search(r"<li [^>]*>.*?</li>", status, re.S)[0]
    assert 'data-message-id="f-budget-error"' in item and 'data-fields="f-budget"' in item
    assert f'data-beside="{NOT_A_NUMBER}' in item
    # The list at the top names the field and leads to it.
    assert f'<a href="#f-budget">งบประมาณ (บาท): {NOT_A_NUMBER}' in item
    # A later save that accepts the value lists nothing to mark.
    version = answer(work_a, "OP1a").version
    status = autosave(client, profile_url(work_a, "OP1a"), {"version": version, "f-budget": "9"})
    assert "data-message-id" not in status and 'id="field-errors"' in status


def test_a_plain_save_with_a_refused_value_marks_the_field_and_links_to_it(
    client, personas, work_a
):
    login(client, personas.editor_a)
    response = client.post(profile_url(work_a, "OP1a"), {"version": "0", "f-budget": "abc"})
    assert response.status_code == 400
    page = response.content.decode()
    field = tag(page, "f-budget")
    assert 'aria-invalid="true"' in field and 'aria-describedby="f-budget-error"' in field
    assert NOT_A_NUMBER in page.split('id="f-budget-error"')[1].split("</span>")[0]
    assert f'<a href="#f-budget">งบประมาณ (บาท): {NOT_A_NUMBER}' in page
    # A field that was accepted is not marked.
    assert "aria-invalid" not in tag(page, "f-vision")


def test_a_kpi_after_an_empty_row_is_marked_by_the_number_the_page_shows(client, personas, work_a):
    login(client, personas.editor_a)
    post = {"version": "0", **kpi(**{"k-2-name": "จำนวนเรื่อง", "k-2-value_2568": "abc"})}
    status = autosave(client, item_url(work_a, "7.1"), post)
    # The autosave redraws no field: the KPI keeps the number it has on the page, 2.
    assert 'data-fields="k-2-value_2568"' in status
    assert "ตัวชี้วัดที่ 2" in status
    # Drawn again, the empty row is gone and the KPI is the first.
    page = client.post(item_url(work_a, "7.1"), post).content.decode()
    assert 'aria-describedby="k-1-value_2568-error"' in tag(page, "k-1-value_2568")
    assert '<a href="#k-1-value_2568">ตัวชี้วัดที่ 1' in page


def test_a_band_against_the_direction_marks_every_box_of_the_band(client, personas, work_a):
    login(client, personas.editor_a)
    post = {
        "version": "0",
        **kpi(name="ระยะเวลาให้บริการ", unit="วัน", direction="lower", band_0="3", band_500="10"),
    }
    status = autosave(client, item_url(work_a, "7.2"), post)
    item = re.search(r'<li [^>]*data-message-id="k-1-band-error"[^>]*>', status)[0]
    boxes = " ".join(f"k-1-band_{score}" for score in ("0", "100", "200", "300", "400", "500"))
    assert f'data-fields="{boxes}"' in item and 'data-after="k-1-bands"' in item
    page = client.post(item_url(work_a, "7.2"), post).content.decode()
    for score in ("0", "300", "500"):
        field = tag(page, f"k-1-band_{score}")
        assert 'aria-invalid="true" aria-describedby="k-1-band-error"' in field
    assert "ค่าน้อยดี" in page.split('id="k-1-band-error"')[1].split("</p>")[0]


def test_a_wrong_self_score_is_marked_beside_its_box(client, personas, work_a):
    edition = work_a.cycle.edition
    edition.item_rule = "numeric"
    edition.save(update_fields=["item_rule"])
    login(client, personas.editor_a)
    page = client.post(item_url(work_a, "1.1"), {"version": "0", "self_score": "600"})
    body = page.content.decode()
    assert page.status_code == 400
    assert 'aria-describedby="self_score-error"' in tag(body, "self_score")
    assert "0 ถึง 500" in body.split('id="self_score-error"')[1].split("</span>")[0]


# ---------------------------------------------------------------------------------------------
# What an autosave redraws


def test_an_autosave_redraws_the_count_of_what_the_page_still_lacks(client, personas, work_a):
    login(client, personas.editor_a)
    url = profile_url(work_a, "OP1a")
    before = missing_count(client.get(url).content.decode())
    assert before > 2
    status = autosave(client, url, {"version": "0", "f-vision": "เป็นที่พึ่งของประชาชน"})
    assert '<div id="missing" hx-swap-oob="true">' in status
    assert missing_count(status) == before - 1
    # A refused value saves nothing of itself: the count is what is stored.
    status = autosave(client, url, {"version": "1", "f-vision": "ก", "f-budget": "abc"})
    assert missing_count(status) == before - 1


def test_an_autosave_that_makes_a_kpi_shows_its_score_and_trend(client, personas, work_a):
    login(client, personas.editor_a)
    status = autosave(client, item_url(work_a, "7.1"), {"version": "0", **SCORED_KPI})
    figure = status.split('<div class="kpi-figure" id="kpi-1-figure" hx-swap-oob="true">')[1]
    figure = figure.split("</div>")[0]
    assert "<polyline" in figure and 'data-testid="kpi-score">400.00<' in figure
    # No longer "an empty row".
    assert re.search(r'<span id="kpi-1-hint" hx-swap-oob="true"></span>', status)
    assert missing_count(status) == 0
    # A row emptied again loses its figures.
    status = autosave(client, item_url(work_a, "7.1"), {"version": "1", **kpi(name="")})
    assert '<div class="kpi-figure" id="kpi-1-figure" hx-swap-oob="true"></div>' in status
    assert "แถวว่าง" in status.split('id="kpi-1-hint"')[1].split("</span></span>")[0]


# ---------------------------------------------------------------------------------------------
# One press, one row


def kpi_rows(page):
    return page.count('<fieldset class="kpi"')


def test_adding_a_kpi_row_adds_one_row_each_press(client, personas, work_a):
    login(client, personas.editor_a)
    url = item_url(work_a, "7.1")
    assert kpi_rows(client.get(url).content.decode()) == 1
    # The empty row left empty: one more beside it.
    response = client.post(url, {"version": "0", "action": "add:kpi", **kpi(name="")})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert kpi_rows(page) == 2 and "ตัวชี้วัดที่ 2" in page
    # The first row filled, the second empty: the KPI, that empty row and one more.
    version = answer(work_a, "7.1").version
    response = client.post(
        url, {"version": version, "action": "add:kpi", **SCORED_KPI, **kpi(**{"k-2-name": ""})}
    )
    page = client.get(response["Location"]).content.decode()
    assert kpi_rows(page) == 3
    assert answer(work_a, "7.1").data["kpis"][0]["name"] == "ร้อยละผู้รับบริการที่พึงพอใจ"
    # The address cannot ask for a page of empty rows.
    assert kpi_rows(client.get(f"{url}?add=kpi&blank=5000").content.decode()) == 21
    assert kpi_rows(client.get(f"{url}?add=kpi&blank=x").content.decode()) == 3


def test_adding_a_row_to_a_profile_table_adds_one_row(client, personas, work_a):
    login(client, personas.editor_a)
    url = profile_url(work_a, "OP1b")
    response = client.post(
        url,
        {"version": "0", "action": "add:customers", "g-customers-1-group": "ประชาชน"},
    )
    page = client.get(response["Location"]).content.decode()
    assert 'name="g-customers-2-group"' in page and 'name="g-customers-3-group"' not in page


# ---------------------------------------------------------------------------------------------
# Names for assistive technology


def test_each_cell_of_a_profile_table_is_named_by_its_column_and_row(client, personas, work_a):
    login(client, personas.editor_a)
    page = client.get(f"{profile_url(work_a, 'OP1b')}?add=partners&blank=2").content.decode()
    assert 'aria-label="กลุ่ม แถวที่ 1"' in tag(page, "g-customers-1-group")
    assert 'aria-label="ความสัมพันธ์ แถวที่ 2"' in tag(page, "g-partners-2-kind")
    assert 'aria-label="บทบาท แถวที่ 2"' in tag(page, "g-partners-2-role")


# ---------------------------------------------------------------------------------------------
# The comparison box


def test_the_comparison_box_is_a_form_of_its_own_before_the_answer_form(client, personas, work_a):
    """A form inside another is dropped by the browser's parser: "save mine" would send the
    answer form again (another conflict)."""
    login(client, personas.editor_a)
    url = item_url(work_a, "2.2")
    client.post(url, {"version": "0", "n-basic-approach": "ข้อความแรก"})
    response = client.post(url, {"version": "0", "n-basic-approach": "ข้อความที่สอง"})
    assert response.status_code == 409
    page = response.content.decode()
    restore = re.search(rf'action="/agency/assessments/{work_a.pk}/history/2.2/\d+/restore/"', page)
    assert restore and restore.start() < page.index('<form id="answer-form"')
    restore = restore.start()
    assert "</form>" in page[restore : page.index('<form id="answer-form"')]
