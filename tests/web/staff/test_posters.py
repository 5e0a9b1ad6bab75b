"""Counter posters: A4 and A5 PDFs whose QR code opens the unit's survey; only within scope.

Read with the poppler tools and zbar, as a printer and a phone would: ``pdfinfo`` for the
page size, ``pdftotext`` for the words, ``pdftoppm`` + ``zbarimg`` for the QR code.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from accounts import add_user, log_in
from factories import unit_tree

from survey_app.extensions import db

QUESTION = "Ông/Bà hài lòng với sự phục vụ của chúng tôi?"
CALL = "Quét mã QR để đánh giá — chỉ mất 3 phút, không cần ghi tên"


@pytest.fixture
def units(app):
    """Q1 > P01 (a long name, on two lines), and Q3 apart."""
    with app.app_context():
        unit_tree(db.session, "Q1 > P01; Q3", names={
            "Q1": "UBND Quận 1", "P01": "UBND phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
            "Q3": "UBND Quận 3"})
        db.session.commit()


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def page_size(pdf: Path) -> tuple[float, float, int]:
    info = run("pdfinfo", str(pdf))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return width, height, pages


def words(pdf: Path) -> str:
    return " ".join(run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split())


def qr_codes(pdf: Path) -> list[str]:
    run("pdftoppm", "-png", "-r", "150", str(pdf), str(pdf.with_suffix("")))
    (png,) = pdf.parent.glob(f"{pdf.stem}*.png")
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def fetch_poster(client, tmp_path: Path, unit: str, size: str | None) -> Path:
    url = f"/staff/units/{unit}/poster.pdf" + (f"?size={size}" if size else "")
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    pdf = tmp_path / f"poster-{unit}-{size}.pdf"
    pdf.write_bytes(data)
    return pdf


@pytest.mark.parametrize(("size", "expected"), [("A4", (595.3, 841.9)), ("A5", (419.5, 595.3)),
                                                 (None, (595.3, 841.9))])
def test_a_poster_is_one_page_with_the_unit_the_call_to_action_and_a_working_qr_code(
        app, client, units, tmp_path, size, expected):
    log_in(client, add_user(app, "lan@q1.example.vn", "staff", "Q1"))
    pdf = fetch_poster(client, tmp_path, "P01", size)

    width, height, pages = page_size(pdf)
    assert pages == 1
    assert (width, height) == pytest.approx(expected, abs=1.0)

    text = words(pdf)
    assert "UBND PHƯỜNG BẾN NGHÉ, QUẬN 1, THÀNH PHỐ HỒ CHÍ MINH" in text  # printed in capitals
    assert QUESTION in text
    assert CALL in text
    assert "http://localhost/u/P01" in text  # the address in words, for phones without a QR reader

    assert qr_codes(pdf) == ["http://localhost/u/P01"]


def test_the_qr_code_carries_the_public_address_when_one_is_configured(app, client, units, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.example.gov.vn/"
    log_in(client, add_user(app, "admin@example.vn", "admin", None))
    pdf = fetch_poster(client, tmp_path, "Q3", "A5")
    assert qr_codes(pdf) == ["https://khaosat.example.gov.vn/u/Q3"]
    assert "UBND QUẬN 3" in words(pdf)


def test_officers_and_admins_print_posters_within_their_scope(app, client, units):
    log_in(client, add_user(app, "officer@q1.example.vn", "officer", "Q1"))
    assert client.get("/staff/units/Q1/poster.pdf?size=A5").status_code == 200
    assert client.get("/staff/units/Q3/poster.pdf?size=A5").status_code == 403


def test_staff_cannot_print_a_poster_of_a_unit_outside_their_scope(app, client, units):
    log_in(client, add_user(app, "hoa@p01.example.vn", "staff", "P01"))
    assert client.get("/staff/units/P01/poster.pdf").status_code == 200
    for code in ("Q1", "Q3"):  # the parent, and another branch
        response = client.get(f"/staff/units/{code}/poster.pdf?size=A4")
        assert response.status_code == 403
        assert response.mimetype == "text/html"


def test_bad_requests(app, client, units):
    log_in(client, add_user(app, "admin@example.vn", "admin", None))
    assert client.get("/staff/units/P01/poster.pdf?size=A3").status_code == 400
    assert client.get("/staff/units/NOPE/poster.pdf").status_code == 404
    assert client.get("/staff/units/P01/poster.pdf?size=a5").status_code == 200


def test_signed_out_visitors_are_sent_to_the_login_page(client, units):
    response = client.get("/staff/units/P01/poster.pdf?size=A4")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=")
    assert "poster.pdf" in location


def test_the_staff_start_page_links_to_each_units_posters_and_kiosks(app, client, units):
    log_in(client, add_user(app, "hoa@p01.example.vn", "staff", "P01"))
    html = client.get("/staff/").get_data(as_text=True).replace("&amp;", "&")
    links = set(re.findall(r'href="(/staff/(?:units|kiosks)[^"]*)"', html))
    assert links == {"/staff/units/P01/poster.pdf?size=A4", "/staff/units/P01/poster.pdf?size=A5",
                     "/staff/kiosks?unit=P01"}
    for link in links:
        assert client.get(link).status_code == 200, link
